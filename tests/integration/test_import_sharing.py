"""An import shares the database: respondents keep submitting, and a killed import leaves
nothing behind (issue 13).

The imports run as `flask responses import` in a process of their own, as a consultant
would run them, against the test database; respondents submit through the survey pages
in threads of the test process at the same time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update

from scoring import Side
from survey.extensions import db
from survey.models import Answer, Assessment, ImportBatch, Response
from survey.respond.forms import SEND
from survey.services import imports, releases
from survey.services.assessments import response_counts
from survey.services.banks import bank_of
from survey.services.import_batches import Batch
from survey.services.responses import insert_answers, insert_responses
from survey.services.unit_of_work import unit_of_work
from tests.conftest import FIXTURE_BANK, ROOT, TEST_SECRET, add_responses, create_assessment

ROWS = 5_000
#: The longest a respondent's request may wait while an import runs.
LONGEST_WAIT = 1.0


def write_file(path: Path, items: list[str], rows: int, seed: int = 3) -> Path:
    rng = random.Random(seed)
    cells = ["1", "2", "3", "4", "5", "4", "na"]
    lines = [",".join(["side", *items])]
    for index in range(rows):
        side = "marketing" if index % 4 == 0 else "sales"
        lines.append(",".join([side, *(rng.choice(cells) for _ in items)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def flask_import(app: Flask, assessment_id: int, path: Path) -> subprocess.Popen[str]:
    """`flask responses import` against the test database, in its own process."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BANK_PATH": str(FIXTURE_BANK),
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://survey.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "responses",
            "import",
            str(assessment_id),
            str(path),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count(model: type) -> int:
    db.session.rollback()  # a fresh snapshot: what the other processes committed
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def batch_exists() -> bool:
    return count(ImportBatch) > 0


def wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def ledgers_agree_with_the_answers(assessment: Assessment) -> bool:
    kept = releases.stored_state(assessment.id)
    with unit_of_work() as work:
        releases.rebuild(assessment, bank_of(assessment))
        agrees = releases.stored_state(assessment.id) == kept
        work.discard()
    return agrees


class Respondents:
    """Threads that each keep answering the survey through its pages, timing every request."""

    def __init__(self, app: Flask, token: str, answers: dict[str, str], threads: int) -> None:
        self.app, self.token, self.answers = app, token, answers
        #: How long each SQL statement of a respondent took: waiting for a lock the
        #: import holds shows here (SQLite: BEGIN IMMEDIATE; PostgreSQL: a row lock).
        self.waits: list[float] = []
        #: Whole requests, rendering included (on a loaded machine, mostly waiting for CPU).
        self.requests: list[float] = []
        self.during_import = 0
        self.sent = 0
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run) for _ in range(threads)]

    def post(self, client: FlaskClient, path: str, data: dict[str, str] | None = None) -> Any:
        started = time.perf_counter()
        response = client.post(path, data=data or {})
        with self.lock:
            self.requests.append(time.perf_counter() - started)
        return response

    def run(self) -> None:
        with self.app.app_context():
            while not self.stop.is_set():
                self.respond()
                time.sleep(0.05)  # the next respondent arrives

    def respond(self) -> None:
        """One respondent: start, then send every answer; counted if it reached the thanks."""
        client = self.app.test_client()
        try:
            importing = batch_exists()
            started = self.post(client, f"/s/{self.token}/start")
            assert started.status_code == 303, started.status_code
            sent = self.post(client, f"/s/{self.token}/questions", {**self.answers, "action": SEND})
            assert sent.status_code == 303, sent.status_code
            assert "/thanks" in sent.headers["Location"]
            overlapped = importing and batch_exists()
            with self.lock:
                self.sent += 1
                self.during_import += overlapped
        except Exception as error:  # reported by the test
            with self.lock:
                self.errors.append(repr(error))
        finally:
            db.session.remove()

    def before(self, connection: Any, *_: object) -> None:
        connection.info["statement started"] = time.perf_counter()

    def after(self, connection: Any, *_: object) -> None:
        if threading.current_thread() in self.threads:
            waited = time.perf_counter() - connection.info.pop("statement started")
            with self.lock:
                self.waits.append(waited)

    def __enter__(self) -> Respondents:
        event.listen(db.engine, "before_cursor_execute", self.before)
        event.listen(db.engine, "after_cursor_execute", self.after)
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        event.remove(db.engine, "before_cursor_execute", self.before)
        event.remove(db.engine, "after_cursor_execute", self.after)


@pytest.fixture
def wave(app: Flask) -> Iterator[Assessment]:
    yield create_assessment(threshold=5)


def items_of(assessment: Assessment) -> list[str]:
    return [item.id for item in bank_of(assessment).items]


def test_respondents_submit_without_waiting_while_a_file_is_imported(
    app: Flask, wave: Assessment, tmp_path: Path
) -> None:
    items = items_of(wave)
    path = write_file(tmp_path / "answers.csv", items, ROWS)
    answers = {item: "4" for item in items}
    with Respondents(app, wave.sales_token, answers, threads=2) as respondents:
        importer = flask_import(app, wave.id, path)
        out, err = importer.communicate(timeout=240)
        time.sleep(0.3)  # a few submissions after the import, too
    assert importer.returncode == 0, err
    assert f"Imported {ROWS:,}".replace(",", "") in out.replace(",", "")

    assert respondents.errors == []
    assert respondents.during_import >= 5, "the respondents did not overlap the import"
    slowest = max(respondents.waits)
    assert slowest < LONGEST_WAIT, (
        f"a respondent waited {slowest:.2f} s for the database; slowest requests: "
        f"{sorted(respondents.requests)[-5:]}"
    )
    # Every response is there, visible and counted: the file's and every respondent's.
    assert count(Response) == ROWS + respondents.sent
    assert count(ImportBatch) == 0
    assert db.session.scalar(select(func.count()).where(Response.import_batch.is_not(None))) == 0
    counts = response_counts(wave.id)
    assert sum(sum(side.values()) for side in counts.values()) == ROWS + respondents.sent
    assert ledgers_agree_with_the_answers(db.session.get(Assessment, wave.id))


def nothing_of_the_import_is_left(before_responses: int, before_answers: int) -> None:
    assert count(ImportBatch) == 0
    assert count(Response) == before_responses
    assert count(Answer) == before_answers


def test_an_import_that_fails_half_way_leaves_nothing(
    app: Flask, wave: Assessment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = items_of(wave)
    add_responses(wave, Side.SALES, {item: 4 for item in items}, count=7)  # 5 released, 2 wait
    state = releases.stored_state(wave.id)
    responses, answers = count(Response), count(Answer)

    written: list[int] = []

    def write_then_fail(batch: Batch) -> None:
        written.append(count(Response))
        if len(written) == 4:
            raise OSError("disk full")
        with unit_of_work():
            insert_responses(batch.responses)
            insert_answers(batch.answers)

    monkeypatch.setattr(imports, "write_batch", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        imports.import_csv(wave.id, write_file(tmp_path / "answers.csv", items, 600), bank_of(wave))
    assert written[-1] > responses  # batches had been written before the failure
    nothing_of_the_import_is_left(responses, answers)
    assert releases.stored_state(wave.id) == state


def test_a_killed_import_is_never_seen_and_the_next_import_clears_it(
    app: Flask, wave: Assessment, tmp_path: Path
) -> None:
    items = items_of(wave)
    responses, answers = count(Response), count(Answer)
    state = releases.stored_state(wave.id)
    importer = flask_import(app, wave.id, write_file(tmp_path / "big.csv", items, ROWS))
    wait_for(lambda: count(Response) > responses + 200)  # batches are being written
    importer.send_signal(signal.SIGKILL)
    importer.communicate(timeout=30)
    left = count(Response) - responses
    assert left > 0 and count(ImportBatch) == 1

    # What was written is there but seen by nothing: counts, ledgers, results.
    assert releases.stored_state(wave.id) == state
    assert all(side["waiting"] == 0 for side in response_counts(wave.id).values())
    assert ledgers_agree_with_the_answers(db.session.get(Assessment, wave.id))

    # An hour later the next import deletes it, and imports its own file.
    with unit_of_work():
        db.session.execute(
            update(ImportBatch).values(started_at=ImportBatch.started_at - dt.timedelta(hours=2))
        )
    small = write_file(tmp_path / "small.csv", items, 12, seed=9)
    imports.import_csv(wave.id, small, bank_of(wave))
    assert count(ImportBatch) == 0
    assert count(Response) == responses + 12
    assert count(Answer) == answers + 12 * len(items)


def test_an_import_stopped_with_sigterm_clears_up_at_once(
    app: Flask, wave: Assessment, tmp_path: Path
) -> None:
    items = items_of(wave)
    responses, answers = count(Response), count(Answer)
    importer = flask_import(app, wave.id, write_file(tmp_path / "big.csv", items, ROWS))
    wait_for(lambda: count(Response) > responses + 200)
    importer.send_signal(signal.SIGTERM)
    _out, err = importer.communicate(timeout=60)
    assert importer.returncode == 1, err
    assert "interrupted; nothing was imported" in err, err
    nothing_of_the_import_is_left(responses, answers)
