"""Benchmark: the consultant's portfolio and home pages with 10, 100 and 300 waves.

Prints, for a fresh SQLite database (or ``--database-url``), for each number of waves
(one consultant; organisations of three waves, each wave placed): the portfolio page
and the home page, cold (result caches cleared, nothing loaded) and warm, and the
number of SQL statements each page sends.

Targets (issue 12): the portfolio with 300 waves in ≤ 10 statements, and cold within
3× of a 10-wave portfolio. Run with ``make bench`` or
``.venv/bin/python -m bench.portfolio``. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_login import FlaskLoginClient

from bench.common import bench_app, fresh_schema, statements_of
from scoring import Side
from survey.extensions import db
from survey.models import Organisation, User
from survey.services import assessments as assessment_service
from survey.services.accounts import create_account
from survey.services.banks import bank_of
from survey.services.responses import store_responses
from survey.services.results import clear_caches
from survey.services.unit_of_work import unit_of_work

WAVES = (10, 100, 300)
PAGES = {"portfolio": "/workspace/portfolio", "home": "/workspace/"}


def add_waves(
    owner_id: int, start: int, count: int, rng: random.Random, organisations: dict[int, int]
) -> None:
    """``count`` more waves, three per organisation, each with 6 responses a side."""
    owner = db.session.get(User, owner_id)
    for number in range(start, start + count):
        with unit_of_work():
            if number // 3 not in organisations:
                made = assessment_service.create_organisation(f"Client {number // 3:03d}", owner)
                organisations[number // 3] = made.id
            organisation = db.session.get(Organisation, organisations[number // 3])
            assessment = assessment_service.create_assessment(
                organisation, name=f"Wave {number % 3 + 1}", threshold=5
            )
            bank = bank_of(assessment)
            rows = [
                (side, {item.id: rng.randint(1, 5) for item in bank.items})
                for side in Side
                for _ in range(6)
            ]
            store_responses(assessment, rows, bank)


def timed(action: Callable[[], Any], repeat: int, *, cold: bool) -> float:
    samples = []
    for _ in range(repeat):
        if cold:
            clear_caches()
            db.session.expire_all()
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waves", type=int, nargs="+", default=list(WAVES))
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        app = bench_app(url)
        app.test_client_class = FlaskLoginClient
        rng = random.Random(5)
        organisations: dict[int, int] = {}
        results: dict[int, dict[str, float]] = {}
        with app.app_context():
            fresh_schema()
            print(f"database: {db.engine.dialect.name}")
            with unit_of_work():
                owner_id = create_account("consultant@example.com", "benchmark password 1").id
            made = 0
            for waves in sorted(args.waves):
                add_waves(owner_id, made, waves - made, rng, organisations)
                made = waves
                db.session.remove()
                client = app.test_client(user=db.session.get(User, owner_id))
                measured: dict[str, float] = {}
                for name, path in PAGES.items():

                    def get(path: str = path, client: Any = client) -> None:
                        assert client.get(path).status_code == 200, path
                        db.session.remove()

                    get()
                    measured[f"{name} cold"] = timed(get, args.repeat, cold=True)
                    measured[f"{name} warm"] = timed(get, args.repeat, cold=False)
                    clear_caches()
                    db.session.expire_all()
                    measured[f"{name} SQL"] = statements_of(get)
                results[waves] = measured

    print("workspace lists (medians, ms; SQL = statements one request sends, cold)")
    print(
        f"  {'waves':>5}  {'portfolio cold':>14}  {'warm':>6}  {'SQL':>3}  "
        f"{'home cold':>9}  {'warm':>6}  {'SQL':>3}"
    )
    for waves, measured in results.items():
        print(
            f"  {waves:>5}  {measured['portfolio cold']:>14.1f}  {measured['portfolio warm']:>6.1f}"
            f"  {measured['portfolio SQL']:>3.0f}  {measured['home cold']:>9.1f}  "
            f"{measured['home warm']:>6.1f}  {measured['home SQL']:>3.0f}"
        )
    few, most = results[min(results)], results[max(results)]
    print(
        f"  portfolio, {max(results)} vs {min(results)} waves: cold "
        f"{most['portfolio cold'] / few['portfolio cold']:.2f}× (target ≤ 3×), "
        f"{most['portfolio SQL']:.0f} statements (target ≤ 10)"
    )


if __name__ == "__main__":
    main()
