"""Logs: one JSON object per line on standard output, with the request they belong to.

A command (``flask --app app …``) writes them on standard error instead: its standard
output is its result — an export, a CSV template — and must stay clean for a pipe.

Every line written while a request is served names that request: its id (taken from
an ``X-Request-ID`` the proxy sent, when the app trusts a proxy, or made here; the
response echoes it), the method and the path. Nothing that could lead back to a
respondent or open a survey is written: no client address, no query string, no
answers (statements are logged without their parameters, see ``survey.database``),
and the tokens of survey, report and join links (``/s/<token>``, ``/r/<token>``,
``/j/<code>``) and of set-password links are replaced by ``-`` wherever a path
appears, in messages and tracebacks too.

Under ``TESTING`` nothing is installed on the root logger (pytest captures records
itself) unless ``LOG_TO_STDOUT`` is set; the request id is given either way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from typing import Any

import click
from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from werkzeug.wrappers import Response

HANDLER_NAME = "survey-json"
REQUEST_ID_HEADER = "X-Request-ID"
#: What a request id from the proxy may look like (nginx's $request_id is 32 hex digits).
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
#: Link tokens in paths: the segment after /s/, /r/ or /j/, and any other path segment
#: long and random enough to be a token (set-password links and whatever comes next).
_LINK_TOKEN = re.compile(r"/([srj])/[^/\s?#\"']+")
_LONG_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{32,}(?=[/\s?#\"']|$)")
#: Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def mask(text: str) -> str:
    """``text`` with every link token in a path replaced by ``-``."""
    return _LONG_SEGMENT.sub("/-", _LINK_TOKEN.sub(r"/\1/-", text))


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", …}``, one line per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = mask(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestContext(logging.Filter):
    """Adds the request id, method and (masked) path to records made during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(g, "request_id", None)
            record.method = request.method
            record.path = mask(request.path)
        return True


def init_app(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)
    if app.testing and not app.config.get("LOG_TO_STDOUT"):
        return
    install(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    if not app.debug:
        # The development server logs every request with the client's address.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)


def install(level: str) -> None:
    """Send every log record through one JSON handler (idempotent): on standard output when
    serving, on standard error when the app is built for a command (a click context is
    active: the ``flask`` command line builds the app while it looks the command up)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    in_command = click.get_current_context(silent=True) is not None
    handler = logging.StreamHandler(sys.stderr if in_command else sys.stdout)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    root.addHandler(handler)
    root.setLevel(level)


def assign_request_id() -> None:
    """The proxy's request id when the app trusts a proxy and the id looks like one."""
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if current_app.config["PROXY_COUNT"] and REQUEST_ID.fullmatch(offered):
        g.request_id = offered
    else:
        g.request_id = uuid.uuid4().hex


def echo_request_id(response: Response) -> Response:
    request_id = getattr(g, "request_id", None)
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response
