"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py`.

The app always runs behind the nginx site in deploy/nginx/, which reads every request
completely before passing it on and takes every response in one go. That is what makes
the simple choices below safe; gunicorn itself must never face the internet.

Settings read from the environment (the systemd unit's EnvironmentFile):
WEB_CONCURRENCY    number of worker processes (default: 2 × usable cores + 1)
GUNICORN_BIND      where to listen when systemd does not hand over a socket
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

wsgi_app = "app:create_app()"
chdir = str(Path(__file__).resolve().parent.parent)

# Where to listen. Under systemd the listening socket comes from alignment-survey.socket
# (socket activation) and this is ignored; the socket then stays open across restarts, so
# nginx's connections wait in its queue instead of failing while workers start.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/alignment-survey/gunicorn.sock").split(",")


def _usable_cores() -> int:
    # sched_getaffinity honours CPU pinning (taskset, cpusets); cpu_count() would not.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Workers: synchronous processes, one request at a time each.
# - Slow clients cannot tie a worker up: nginx buffers the whole request (bodies are at most
#   256 KiB) before it connects, and buffers the response, so a worker only ever talks to
#   nginx over a local socket and each request takes milliseconds of its time.
# - The work is CPU-bound Python (scoring, templates, SVG charts) plus short database calls.
#   Processes use every core; threads (gthread) would queue on the GIL, and an async worker
#   (gevent) buys nothing when nginx already absorbs the waiting.
# - 2 × cores + 1 (gunicorn's rule of thumb) keeps every core busy while some workers wait
#   on the database. A fresh worker is ~105 MB resident, ~95 MB of it shared with the
#   master (preload, below); each then grows its own report and chart caches. Lower
#   WEB_CONCURRENCY on a small machine.
#   On SQLite, writes take turns on one lock no matter how many workers there are.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _usable_cores() + 1))

# Load the app once in the master, then fork: workers start in milliseconds instead of
# ~1-2 s each, so throughput does not dip when a worker is replaced (max_requests below)
# and a broken configuration stops the master at once with its one-line message.
# New code needs `systemctl restart` (a HUP would fork the old code again).
preload_app = True

# A worker silent for this long is killed and replaced. The slowest page (a cold report of
# 10,000 responses) takes well under a second; 30 s only catches a hung worker. nginx's
# proxy_read_timeout is longer, so the client sees nginx's 502 rather than a cut connection.
timeout = 30
# On SIGTERM (systemctl stop/restart) workers stop taking requests and get this long to
# finish the ones they have; systemd's TimeoutStopSec is longer still.
graceful_timeout = 20
# Replace each worker after about 1,000 requests (±100, so they do not all restart
# together): bounds the memory the per-worker caches and matplotlib can grow to.
max_requests = 1000
max_requests_jitter = 100

# The heartbeat file each worker touches: in memory, so a slow or full disk cannot stall
# the heartbeat and have healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logging. gunicorn's access log is off: nginx is the edge and writes the only access log,
# in a format without client addresses (see deploy/nginx/). Here an access line would not
# even see the real client, only nginx. Errors and worker restarts go to stderr (journald).
accesslog = None
errorlog = "-"
loglevel = "info"

# gunicorn would trust X-Forwarded-Proto/-Ssl itself from any unix-socket peer; the app's
# ProxyFix (PROXY_COUNT=1) is the one place that reads nginx's X-Forwarded-* headers.
secure_scheme_headers: dict[str, str] = {}

# gunicorn ≥ 25 opens a control socket under $HOME by default; nothing here uses it.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """Import matplotlib in the master, before the workers are forked.

    The app imports it only when a chart is first drawn (commands start faster without
    it); loaded here, every worker shares one copy instead of paying ~0.3 s and its own
    memory for it on its first chart, again after each max_requests restart.
    """
    from survey.charts import load_matplotlib

    load_matplotlib()


def post_fork(server: Any, worker: Any) -> None:
    """Give each worker its own database connections.

    With preload_app a connection opened in the master would be shared by every worker
    after the fork; drop any such connection (without closing it under the master).
    """
    from survey.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
