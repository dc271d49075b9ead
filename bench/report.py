"""Benchmark: what a wave's result costs as waves grow (100 → 100,000 responses).

Prints, for a fresh SQLite database (or ``--database-url``):

* for waves of 100, 1,000, 10,000 and 100,000 responses (41 answers each, in one
  database): the published result cold (caches cleared) and warm, the report page
  cold and warm, and — in the same run — the raw SQL ``GROUP BY`` over the wave's
  answers that a result cost before tallies were kept at write time;
* the cold result of a separate 100-response wave after each bigger wave was added:
  one wave's cost must not depend on the others.

Targets (issue 12): the cold result of the 100,000-response wave within 3× of the
100-response wave's. Run with ``make bench`` or ``.venv/bin/python -m bench.report``.
Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from bench.common import bench_app, fresh_schema, statements_of
from scoring import Side
from survey.extensions import db
from survey.models import Assessment
from survey.services import assessments as assessment_service
from survey.services.banks import bank_of
from survey.services.responses import store_responses
from survey.services.results import assessment_result, clear_caches
from survey.services.unit_of_work import unit_of_work

RAW_GROUP_BY = """
SELECT r.side, a.item_id, count(a.value), sum(a.value), sum(a.value * a.value)
FROM answer AS a JOIN response AS r ON r.id = a.response_id
WHERE r.assessment_id = :assessment AND r.counted AND a.value IS NOT NULL
GROUP BY r.side, a.item_id
"""
SIZES = (100, 1_000, 10_000, 100_000)
#: Responses stored per unit of work while the waves are filled.
CHUNK = 2_000


def median_ms(action: Callable[[], object], repeat: int, *, cold: bool = False) -> float:
    samples = []
    for _ in range(repeat):
        if cold:
            clear_caches()
            db.session.expire_all()
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def fill(assessment: Assessment, responses: int, seed: int) -> None:
    """``responses`` simulated respondents (a fifth marketing), stored as imports store them."""
    bank = bank_of(assessment)
    rng = random.Random(seed)
    done = 0
    while done < responses:
        rows = []
        for index in range(done, min(responses, done + CHUNK)):
            side = Side.MARKETING if index % 5 == 0 else Side.SALES
            centre = 3.6 if side is Side.MARKETING else 3.1
            answers: dict[str, int | None] = {
                item.id: min(5, max(1, round(rng.gauss(centre, 0.9)))) for item in bank.items
            }
            rows.append((side, answers))
        with unit_of_work():
            store_responses(assessment, rows, bank)
        done += len(rows)


def new_wave(name: str, responses: int, seed: int) -> tuple[int, str]:
    with unit_of_work():
        organisation = assessment_service.create_organisation(f"{name} Ltd")
        assessment = assessment_service.create_assessment(organisation, name=name)
    started = time.perf_counter()
    fill(assessment, responses, seed)
    print(f"  filled {name}: {responses:,} responses in {time.perf_counter() - started:.1f} s")
    return assessment.id, assessment.report_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        app = bench_app(url)
        client = app.test_client()
        with app.app_context():
            fresh_schema()
            print(f"database: {db.engine.dialect.name}")

            def cold_result(assessment_id: int) -> float:
                return median_ms(
                    lambda: assessment_result(db.session.get(Assessment, assessment_id)),
                    args.repeat,
                    cold=True,
                )

            other_id, _token = new_wave("Other wave", 100, seed=1)
            other = [("alone", cold_result(other_id))]
            waves: dict[int, tuple[int, str]] = {}
            for size in args.sizes:
                waves[size] = new_wave(f"Wave of {size}", size, seed=size)
                db.session.remove()
                other.append((f"beside {size:,}", cold_result(other_id)))
            db.session.remove()

            rows: dict[int, dict[str, float]] = {size: {} for size in args.sizes}
            for _round in range(2):  # interleaved: every size sees the same load
                for size, (assessment_id, token) in waves.items():
                    measured = rows[size]

                    def raw(assessment_id: int = assessment_id) -> object:
                        return db.session.execute(
                            text(RAW_GROUP_BY), {"assessment": assessment_id}
                        ).all()

                    def result(assessment_id: int = assessment_id) -> object:
                        return assessment_result(db.session.get(Assessment, assessment_id))

                    def page(token: str = token) -> None:
                        assert client.get(f"/r/{token}").status_code == 200
                        db.session.remove()

                    for name, value in (
                        ("raw", median_ms(raw, max(3, args.repeat // 3))),
                        ("cold", median_ms(result, args.repeat, cold=True)),
                        ("warm", median_ms(result, args.repeat)),
                        ("page cold", median_ms(page, args.repeat, cold=True)),
                        ("page warm", median_ms(page, args.repeat)),
                    ):
                        measured[name] = min(measured.get(name, float("inf")), value)
                    clear_caches()
                    db.session.expire_all()
                    measured["statements"] = statements_of(result)

        print("a wave's published result (medians, ms)")
        print(
            f"  {'responses':>9}  {'raw GROUP BY':>12}  {'result cold':>11}  {'warm':>6}  "
            f"{'report cold':>11}  {'warm':>6}  {'SQL':>3}"
        )
        for size, measured in rows.items():
            print(
                f"  {size:>9,}  {measured['raw']:>12.1f}  {measured['cold']:>11.2f}  "
                f"{measured['warm']:>6.2f}  {measured['page cold']:>11.1f}  "
                f"{measured['page warm']:>6.1f}  {measured['statements']:>3.0f}"
            )
        smallest, largest = rows[min(rows)], rows[max(rows)]
        print(
            f"  cold result, {max(rows):,} vs {min(rows):,} responses: "
            f"{largest['cold'] / smallest['cold']:.2f}× (target ≤ 3×); raw GROUP BY "
            f"{largest['raw'] / smallest['raw']:.0f}×"
        )
        print("a separate 100-response wave, cold result as the other waves grow (ms)")
        for label, value in other:
            print(f"  {label:<16} {value:6.2f}")
        print(f"  largest / alone: {max(v for _, v in other) / other[0][1]:.2f}×")


if __name__ == "__main__":
    main()
