"""The workspace lists cost a constant number of SQL statements, however many waves there are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from scoring import Side
from survey.extensions import db
from survey.models import Response, User
from survey.respond.forms import SEND
from survey.services.banks import bank_of
from survey.services.responses import store_responses
from survey.services.results import clear_caches
from survey.services.unit_of_work import unit_of_work
from tests.conftest import create_assessment, create_organisation, create_user, uniform_answers

LIMIT = 10


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


def add_organisations(owner: User, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        organisation = create_organisation(f"Client {number:03d}", owner)
        for wave in range(3):
            assessment = create_assessment(organisation, name=f"Wave {wave}", threshold=3)
            rows = [(side, uniform_answers(2 + wave)) for side in Side for _ in range(3)]
            with unit_of_work():
                store_responses(assessment, rows, bank_of(assessment))


def reads_of(table: str, seen: list[str]) -> list[str]:
    """The SELECTs among ``seen`` that read ``table`` first (``FROM table``)."""
    return [s for s in seen if s.startswith("SELECT") and re.search(rf"\bFROM {table}\b", s)]


def cold_count(client: FlaskClient, path: str) -> int:
    clear_caches()
    db.session.expire_all()
    with statements() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_portfolio_home_and_organisation_pages_do_not_grow_with_waves(app: Flask) -> None:
    owner = create_user()
    client = app.test_client(user=owner)
    add_organisations(owner, 3)
    few = {path: cold_count(client, path) for path in ("/workspace/portfolio", "/workspace/")}
    add_organisations(owner, 17, start=3)  # 20 organisations, 60 waves
    many = {path: cold_count(client, path) for path in ("/workspace/portfolio", "/workspace/")}
    assert many == few
    assert all(count <= LIMIT for count in many.values()), many

    page = client.get("/workspace/portfolio").get_data(as_text=True)
    assert "Client 019" in page and "Wave 2" in page


def test_the_organisation_page_reads_all_its_waves_at_once(app: Flask) -> None:
    owner = create_user()
    client = app.test_client(user=owner)
    organisation = create_organisation("Acme Ltd", owner)
    for wave in range(6):
        assessment = create_assessment(organisation, name=f"Wave {wave}", threshold=3)
        with unit_of_work():
            store_responses(
                assessment, [(side, uniform_answers(3)) for side in Side] * 3, bank_of(assessment)
            )
    path = f"/workspace/organisations/{organisation.id}"
    assert cold_count(client, path) <= LIMIT


def test_sending_the_answers_is_one_short_write(app: Flask) -> None:
    """The respondent's last request stores the response with the page's answers in one
    write transaction, without saving them into the draft first."""
    assessment = create_assessment(threshold=3)
    token = assessment.sales_token
    client = app.test_client()
    started = client.post(f"/s/{token}/start")
    assert started.status_code == 303
    answers = {item_id: "4" for item_id in uniform_answers(4)}
    with statements() as seen:
        sent = client.post(f"/s/{token}/questions", data={**answers, "action": SEND})
    assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
    writes = [statement for statement in seen if statement.startswith("BEGIN IMMEDIATE")]
    assert len(writes) <= 1  # SQLite; PostgreSQL has no BEGIN IMMEDIATE
    # The wave and the draft are read once, in the write transaction itself.
    assert len(reads_of("assessment", seen)) == 1, seen
    assert len(reads_of("draft", seen)) == 1, seen
    assert len(seen) <= 8, seen
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_starting_reads_the_wave_once(app: Flask) -> None:
    """ "Start" looks the wave up in the write transaction that makes the draft."""
    token = create_assessment(threshold=3).sales_token
    client = app.test_client()
    with statements() as seen:
        started = client.post(f"/s/{token}/start")
    assert started.status_code == 303
    assert len(reads_of("assessment", seen)) == 1, seen
    assert len(seen) <= 4, seen
