"""How the app talks to its database: engine options, timeouts, and SQLite's rules.

Every engine checks a pooled connection before handing it out (``pool_pre_ping``),
so a connection the server dropped while it sat in the pool is replaced instead of
failing the next request, and logs no statement parameters (answers, addresses).

On PostgreSQL a connection attempt gives up after ``DATABASE_CONNECT_TIMEOUT``
seconds, and inside a web request a statement after ``DATABASE_STATEMENT_TIMEOUT``:
both stay below gunicorn's 30 s worker timeout, so a database that hangs gives the
visitor the "try again in a minute" page instead of a killed worker. Command-line
work (migrations, imports, restores) runs without the statement timeout.

On SQLite every connection uses WAL (readers never block the writer), waits up to
``DATABASE_BUSY_TIMEOUT`` for a lock instead of failing, and enforces foreign keys.
A write transaction starts with ``BEGIN IMMEDIATE`` (see :func:`begin_write`): it
takes the write lock up front, so two workers never both read and then both try to
upgrade to writing, the case SQLite can only answer with "database is locked".
The write-ahead log is kept small: ``journal_size_limit`` cuts it back whenever
SQLite starts it over, and every ``CHECKPOINT_EVERY_WRITES`` write transactions a
worker copies it into the database and truncates it (see :func:`configure_sqlite`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Engine, event, exc
from sqlalchemy.engine import make_url

from survey.extensions import db

logger = logging.getLogger(__name__)

#: SQLite's default lock wait, in milliseconds (the setting DATABASE_BUSY_TIMEOUT).
BUSY_TIMEOUT_MS = 5_000
#: Where SQLite cuts the write-ahead log back to when it starts it over: the size its
#: automatic checkpoint lets the log reach (1,000 pages of 4 KiB), so a log of normal
#: size is reused as it is and only what a large import left behind is given back.
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
#: A worker truncates the log after this many write transactions. A submission is one;
#: a busy workshop (tens a second) truncates every minute or so, a quiet site rarely,
#: and the automatic checkpoint keeps the log near its limit meanwhile. Truncating more
#: often would only add a short wait to more requests.
CHECKPOINT_EVERY_WRITES = 1_000
#: How long the truncating checkpoint waits for readers before it settles for copying
#: what it can (it is tried again after the next batch of writes).
CHECKPOINT_WAIT_MS = 100
_IMMEDIATE = "survey_begin_immediate"
#: The statement timeout a PostgreSQL connection has now (milliseconds; 0 = none).
_STATEMENT_TIMEOUT = "survey_statement_timeout_ms"
#: Set in the WSGI environ once a request has sent a COMMIT (see survey.faults).
COMMITTED = "survey.database.committed"


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The SQLAlchemy engine options the settings ask for.

    ``SQLALCHEMY_ENGINE_OPTIONS`` (a JSON object in the environment) is applied last,
    so it can set anything the named settings do not cover.
    """
    url = make_url(str(config["SQLALCHEMY_DATABASE_URI"]))
    recycle = int(config["DATABASE_POOL_RECYCLE"])
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_recycle": recycle if recycle > 0 else -1,
        "hide_parameters": True,
    }
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if not in_memory:
        options["pool_size"] = int(config["DATABASE_POOL_SIZE"])
        options["max_overflow"] = int(config["DATABASE_MAX_OVERFLOW"])
    if url.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": int(config["DATABASE_CONNECT_TIMEOUT"])}
    extra = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if "connect_args" in extra and "connect_args" in options:
        extra["connect_args"] = {**options["connect_args"], **extra["connect_args"]}
    return {**options, **extra}


def configure_engine(engine: Engine, config: Mapping[str, Any]) -> None:
    """Attach the per-connection rules of the engine's database."""

    @event.listens_for(engine, "commit")
    def on_commit(_connection: Any) -> None:
        # Once a COMMIT is on its way, the request must never be run again (survey.faults).
        if has_request_context():
            request.environ[COMMITTED] = True

    if engine.dialect.name == "sqlite":
        configure_sqlite(
            engine, busy_timeout_ms=round(float(config["DATABASE_BUSY_TIMEOUT"]) * 1000)
        )
    elif engine.dialect.name == "postgresql":
        configure_postgresql(
            engine, statement_timeout_ms=round(float(config["DATABASE_STATEMENT_TIMEOUT"]) * 1000)
        )


def configure_postgresql(engine: Engine, *, statement_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[_STATEMENT_TIMEOUT] = 0  # the server's default for a new session

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        wanted = statement_timeout_ms if has_request_context() else 0
        if record.info.get(_STATEMENT_TIMEOUT) == wanted:
            return
        # One round trip, only when a connection passes between a request and a command.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET SESSION statement_timeout = {int(wanted)}")
        dbapi_connection.commit()
        record.info[_STATEMENT_TIMEOUT] = wanted


class _WriteCounter:
    def __init__(self) -> None:
        self.writes = 0


def configure_sqlite(engine: Engine, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    counter = _WriteCounter()

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so we can choose the BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        if immediate:
            counter.writes += 1

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # Back in the pool, outside any transaction: the moment to truncate the log.
        if counter.writes < CHECKPOINT_EVERY_WRITES or dbapi_connection is None:
            return
        counter.writes = 0
        truncate_wal(dbapi_connection, busy_timeout_ms=busy_timeout_ms)


def truncate_wal(dbapi_connection: Any, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> bool:
    """Copy the write-ahead log into the database and empty it; ``False`` if readers or a
    writer kept part of it (it is then only copied as far as possible)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        busy, _log_pages, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except Exception:
        # A failed checkpoint loses nothing (the log stays as it is); say so and go on.
        logger.warning(
            "SQLite checkpoint failed; the write-ahead log stays as it is", exc_info=True
        )
        return False
    finally:
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()
    return not busy


def end_session(_error: BaseException | None = None) -> None:
    """At the end of every request or command: give the session's connection back.

    Ending a read transaction rolls it back; when the server has dropped the connection
    meanwhile, that rollback fails although nothing is lost. The connection is then
    thrown away instead, so the visitor still gets the page already made for them.
    (Registered after Flask-SQLAlchemy's own teardown, so it runs first.)
    """
    try:
        db.session.remove()
    except exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("database connection lost at the end of a request; discarded")
        db.session().invalidate()
        db.session.remove()


def begin_write() -> None:
    """Start the session's next transaction as a write transaction.

    Call it before the first query of a unit of work that will write. Any read
    transaction still open is ended first (it holds no changes: callers start
    their writes here), so the write lock is taken before anything is read. A write
    transaction already open goes on instead: what was read in it was read under the
    lock (a request that looks up what it will write to, then writes, reads it once).
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes in the session")
        if session.connection().get_execution_options().get(_IMMEDIATE, False):
            return
        session.rollback()
    session.connection(execution_options={_IMMEDIATE: True})
