"""Counting what clients do in the rate-limit store, and carrying on when it is down.

The store is the one of ``RATELIMIT_STORAGE_URI``: memory inside one process, or
Redis, which every worker process shares. Only the store's keys ever hold a client
address (or the hash of an email address); nothing is written next to a response.

**When the store does not answer** within ``RATELIMIT_STORAGE_TIMEOUT`` (no retries),
the worker logs one warning, then counts in its own memory for
``RATELIMIT_FALLBACK_INTERVAL`` seconds without asking the store again, so only one
request per interval waits for the timeout; then it tries the store again. While it
counts on its own, a limit that must hold for the whole site (``whole_site=True``,
the sign-in limits) allows each worker only its share: the limit divided by the
number of workers (``WEB_CONCURRENCY``), at least 1, so all of them together still
allow no more than the limit. The survey pages' limits keep their full value in
each worker: they stop one person from filling a side, and a workshop behind one
address must not be shut out because Redis is down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from survey.extensions import limiter

logger = logging.getLogger(__name__)

_EXTENSION = "survey_rate_limits"
#: Store schemes served by the ``redis`` client, which takes the options below.
REDIS_SCHEMES = frozenset({"redis", "rediss", "redis+unix"})
#: A count with no practical limit, to read how often something happened in a window.
_UNBOUNDED = 10**9


def storage_options(config: dict[str, Any]) -> dict[str, Any]:
    """Redis client options: give up after ``RATELIMIT_STORAGE_TIMEOUT``, never retry.

    The client's defaults (no socket timeout, three retries with back-off) made each
    sign-in wait over 10 s for a Redis that accepted connections but never answered.
    """
    if urlsplit(str(config["RATELIMIT_STORAGE_URI"])).scheme not in REDIS_SCHEMES:
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    timeout = float(config["RATELIMIT_STORAGE_TIMEOUT"])
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
    }


@dataclass
class _Fallback:
    """One worker's own counts while the shared store is unreachable."""

    workers: int
    interval: float
    local: RateLimiter = field(default_factory=lambda: FixedWindowRateLimiter(MemoryStorage()))
    down_until: float = 0.0

    @property
    def active(self) -> bool:
        return time.monotonic() < self.down_until


def _fallback() -> _Fallback:
    extensions = current_app.extensions
    if _EXTENSION not in extensions:
        config = current_app.config
        extensions[_EXTENSION] = _Fallback(
            workers=int(config["WEB_CONCURRENCY"]),
            interval=float(config["RATELIMIT_FALLBACK_INTERVAL"]),
        )
    fallback: _Fallback = extensions[_EXTENSION]
    return fallback


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def limit_of(setting: str) -> RateLimitItem:
    return parse(str(current_app.config[setting]))


def keys(scope: str, *parts: str, per_address: bool = True) -> tuple[str, ...]:
    """The store key of ``scope``: the deployment's prefix, the client address, the parts."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    address = get_remote_address() if per_address else ""
    return tuple(part for part in (prefix, address, scope, *parts) if part)


def share(limit: RateLimitItem, *, whole_site: bool) -> RateLimitItem:
    """The limit this worker applies: all of it, or its share while counting on its own."""
    fallback = _fallback()
    if not whole_site or not fallback.active or fallback.workers <= 1:
        return limit
    amount = max(1, limit.amount // fallback.workers)
    return type(limit)(amount, limit.multiples, limit.namespace)


def _ask(method: str, limit: RateLimitItem, identifiers: tuple[str, ...], whole_site: bool) -> Any:
    fallback = _fallback()
    if not fallback.active:
        try:
            return getattr(limiter.limiter, method)(limit, *identifiers)
        except Exception as error:  # any failure of the store, whatever its client raises
            fallback.down_until = time.monotonic() + fallback.interval
            logger.warning(
                "rate-limit store unreachable (%s): this worker counts in its own memory for "
                "%g s; sign-in limits are divided by %d workers meanwhile",
                type(error).__name__,
                fallback.interval,
                fallback.workers,
            )
    return getattr(fallback.local, method)(share(limit, whole_site=whole_site), *identifiers)


def hit(limit: RateLimitItem, *identifiers: str, whole_site: bool = False) -> bool:
    """Count one event; ``False`` once the count is over the limit."""
    if not enabled():
        return True
    return bool(_ask("hit", limit, identifiers, whole_site))


def test(limit: RateLimitItem, *identifiers: str, whole_site: bool = False) -> bool:
    """Whether one more event would still be within the limit (counts nothing)."""
    if not enabled():
        return True
    return bool(_ask("test", limit, identifiers, whole_site))


def counter(window: RateLimitItem) -> RateLimitItem:
    """A count without a limit over the same window as ``window``, for :func:`count`."""
    return type(window)(_UNBOUNDED, window.multiples, window.namespace)


def count(window: RateLimitItem, *identifiers: str, add: bool = False) -> int:
    """How many events were counted in ``window``'s current period (after adding one)."""
    if not enabled():
        return 0
    item = counter(window)
    if add:
        _ask("hit", item, identifiers, False)
    stats = _ask("get_window_stats", item, identifiers, False)
    return int(item.amount - stats.remaining)
