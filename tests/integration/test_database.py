"""Database behaviour several workers rely on: no lost writes, no "database is locked"."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import event, func, select, text

from scoring import Side
from survey.database import begin_write
from survey.extensions import db
from survey.models import Answer, Assessment, Response, SideLedger
from survey.services.banks import current_bank
from survey.services.responses import store_response
from survey.services.unit_of_work import unit_of_work
from tests.conftest import create_assessment, uniform_answers

WRITERS = 8
RESPONSES_PER_WRITER = 10


def test_concurrent_writers_store_every_response(app: Flask) -> None:
    assessment_id = create_assessment().id
    answers = uniform_answers(4)
    errors: list[BaseException] = []

    def write_responses() -> None:
        with app.app_context():
            try:
                for _ in range(RESPONSES_PER_WRITER):
                    with unit_of_work():
                        assessment = db.session.get_one(Assessment, assessment_id)
                        store_response(assessment, Side.SALES, answers, current_bank())
            except BaseException as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write_responses) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    db.session.rollback()  # end this thread's read snapshot so the writers' rows are visible
    stored = db.session.scalar(select(func.count(Response.id)))
    assert stored == WRITERS * RESPONSES_PER_WRITER
    assert db.session.scalar(select(func.count()).select_from(Answer)) == (
        WRITERS * RESPONSES_PER_WRITER * len(current_bank().items)
    )
    # Every response went into its side's ledger exactly once: 80 make 16 whole groups of 5.
    ledger = db.session.scalar(
        select(SideLedger).where(
            SideLedger.assessment_id == assessment_id, SideLedger.side == "sales"
        )
    )
    assert ledger is not None
    assert (ledger.groups, ledger.released_counted, ledger.pending_counted) == (16, 80, 0)


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        # The PostgreSQL run proves the same migrations instead; these pragmas do not exist there.
        assert db.session.scalar(text("select current_setting('server_version_num')::int")) > 0
        return
    assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
    assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
    assert db.session.scalar(text("PRAGMA busy_timeout")) >= 5000


def test_writes_begin_immediate_on_sqlite(app: Flask) -> None:
    statements: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        db.session.execute(text("SELECT 1"))
        begin_write()
        db.session.execute(text("SELECT 2"))
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    if db.engine.dialect.name == "sqlite":
        assert statements[statements.index("SELECT 2") - 1] == "BEGIN IMMEDIATE"
    else:
        assert "SELECT 2" in statements


def test_a_write_transaction_already_open_goes_on(app: Flask) -> None:
    """A request that looked up, under the write lock, what it then writes keeps that
    transaction: the unit of work neither ends it nor reads again."""
    statements: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    sqlite = db.engine.dialect.name == "sqlite"
    current = text("SELECT 1") if sqlite else text("SELECT pg_current_xact_id()::text")
    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        begin_write()
        first = db.session.scalar(current)
        with unit_of_work():
            second = db.session.scalar(current)
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    if sqlite:
        assert statements.count("BEGIN IMMEDIATE") == 1, statements
        assert statements.index("BEGIN IMMEDIATE") == 0
    else:
        assert first == second  # one transaction
