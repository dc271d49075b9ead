"""Database connection behaviour that keeps several workers from tripping over SQLite.

On SQLite every connection uses WAL (readers never block the writer), waits up
to ``BUSY_TIMEOUT_MS`` for a lock instead of failing, and enforces foreign
keys. A write transaction starts with ``BEGIN IMMEDIATE`` (see
:func:`begin_write`): it takes the write lock up front, so two workers never
both read and then both try to upgrade to writing, the case SQLite can only
answer with "database is locked".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from survey.extensions import db

BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "survey_begin_immediate"


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so we can choose the BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start the session's next transaction as a write transaction.

    Call it before the first query of a unit of work that will write. Any read
    transaction still open is ended first (it holds no changes: callers start
    their writes here), so the write lock is taken before anything is read.
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes in the session")
        session.rollback()
    session.connection(execution_options={_IMMEDIATE: True})
