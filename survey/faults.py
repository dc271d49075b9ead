"""Surviving a database that goes away for a moment, and telling apart what went wrong.

A PostgreSQL connection can be cut under a request (a restarted server, a failover,
``pg_terminate_backend``). When that happens before the request sent any COMMIT,
nothing of it was stored, so :class:`RetryAfterDisconnect` runs the same request
again on a fresh connection (up to ``MAX_RETRIES`` times) and the visitor never
notices. A request whose COMMIT was already on its way is not run again: it may have
been stored, and running it twice could store it twice.

The survey's own requests (``REPLAY_SAFE_BLUEPRINTS``) are the exception: every
survey write goes through the respondent's draft, which makes running one twice
harmless. Saving a page again stores the same answers, and a submission deletes the
draft in the transaction that stores the response, so a second run finds no draft,
stores nothing and says the answers were received. So a submission whose page was
saved just before the connection was cut is still stored, exactly once.

Everything else that keeps the database from answering becomes the 503 page of
``survey.errors``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import exc

from survey.database import COMMITTED

logger = logging.getLogger(__name__)

#: Set in the environ while a request may still be run again.
RETRYABLE = "survey.faults.retryable"
#: Set by the error handler when the request should be run again.
RETRY = "survey.faults.retry"
#: How often a request is run again after a dropped connection.
MAX_RETRIES = 3
#: Blueprints whose requests may be run again even after they committed (see above).
REPLAY_SAFE_BLUEPRINTS = frozenset({"respond"})

#: Errors that mean "the database cannot serve us right now", not a bug.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
    exc.PendingRollbackError,
)


class Fault(StrEnum):
    """What kept the database from answering."""

    DISK_FULL = "disk full"
    READ_ONLY = "read-only"
    LOCKED = "busy"
    TIMEOUT = "timed out"
    UNREACHABLE = "unreachable"


def classify(error: BaseException) -> Fault:
    """The kind of fault behind a database error, from the driver's error, never its text
    alone (which may name hosts); the text is only read for SQLite's few fixed messages."""
    original = getattr(error, "orig", None)
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None) or ""
    message = str(original or error).lower()
    if sqlstate == "53100" or "database or disk is full" in message:
        return Fault.DISK_FULL
    if sqlstate == "25006" or "readonly database" in message or "read-only" in message:
        return Fault.READ_ONLY
    if sqlstate == "57014" or isinstance(error, exc.TimeoutError):
        return Fault.TIMEOUT
    if "database is locked" in message or sqlstate in {"55P03", "40P01"}:
        return Fault.LOCKED
    return Fault.UNREACHABLE


def is_disconnect(error: BaseException) -> bool:
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


def ask_for_retry(
    environ: dict[str, Any], error: BaseException, *, replay_safe: bool = False
) -> bool:
    """Mark the request to be run again when that is safe; ``True`` if it will be."""
    committed = environ.get(COMMITTED) and not replay_safe
    if environ.get(RETRYABLE) and not committed and is_disconnect(error):
        environ[RETRY] = True
        return True
    return False


StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RetryAfterDisconnect:
    """WSGI middleware: run a request again when its database connection was cut before
    it committed anything (see the module's docstring).

    The request body (at most ``max_body`` bytes, the app's ``MAX_CONTENT_LENGTH``) is
    read first so it can be given to the app again; larger or chunked bodies pass
    through untouched and are never retried.
    """

    def __init__(self, app: WsgiApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = self._read_body(environ)
        if body is None:
            return self.app(environ, start_response)
        for attempt in range(MAX_RETRIES + 1):
            environ["wsgi.input"] = io.BytesIO(body)
            environ[RETRYABLE] = attempt < MAX_RETRIES
            environ.pop(RETRY, None)
            environ.pop(COMMITTED, None)
            capture = _StartResponse()
            result = self.app(environ, capture)
            if environ.get(RETRY) and capture.calls:
                _close(result)
                logger.warning(
                    "database connection lost under a request; running it again (attempt %d)",
                    attempt + 2,
                )
                continue
            break
        for arguments in capture.calls:
            start_response(*arguments)
        return result

    def _read_body(self, environ: dict[str, Any]) -> bytes | None:
        if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length < 0 or length > self.max_body:
            return None
        return environ["wsgi.input"].read(length) if length else b""


class _StartResponse:
    """Holds the app's ``start_response`` calls until the response is known to be kept."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *arguments: Any) -> Callable[[bytes], Any]:
        self.calls.append(arguments)
        return _no_write


def _no_write(_data: bytes) -> None:  # pragma: no cover - Flask never uses write()
    raise RuntimeError("the app wrote to the response before it finished")


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()
