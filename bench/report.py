"""Benchmark: the report page and JSON result of an assessment with 10,000 responses.

Prints, for a fresh SQLite database (or ``--database-url``):

* the reference: the same aggregation as one raw SQL ``GROUP BY``;
* the app's aggregation (``load_tallies`` + ``score_assessment``) and its ratio
  to the reference;
* the report page and the JSON result, cold (caches cleared) and warm.

Run with ``make bench`` or ``.venv/bin/python -m bench.report``. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from scoring import Side, score_assessment
from survey.extensions import db
from survey.models import Assessment
from survey.services import assessments as assessment_service
from survey.services.banks import current_bank
from survey.services.demo import bulk_insert_responses
from survey.services.results import clear_caches, load_tallies

RAW_GROUP_BY = """
SELECT r.side, a.item_id, count(a.value), sum(a.value), sum(a.value * a.value)
FROM answer AS a JOIN response AS r ON r.id = a.response_id
WHERE r.assessment_id = :assessment AND r.counted AND a.value IS NOT NULL
GROUP BY r.side, a.item_id
"""


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock milliseconds of each of ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def describe(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    print(f"  {label:<44} median {median:8.1f} ms   min {min(samples):8.1f} ms  (n={len(samples)})")
    return median


def populate(responses: int, marketing_share: float, seed: int) -> Assessment:
    bank = current_bank()
    rng = random.Random(seed)
    organisation = assessment_service.create_organisation("Benchmark Ltd")
    assessment = assessment_service.create_assessment(organisation, name="Load")
    db.session.commit()
    rows = []
    for index in range(responses):
        side = Side.MARKETING if index < responses * marketing_share else Side.SALES
        centre = 3.6 if side is Side.MARKETING else 3.1
        answers = {item.id: min(5, max(1, round(rng.gauss(centre, 0.9)))) for item in bank.items}
        rows.append((side, answers))
    start = time.perf_counter()
    bulk_insert_responses(assessment, rows)
    db.session.commit()
    print(
        f"  inserted {responses} responses × {len(bank.items)} answers "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return assessment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--marketing-share", type=float, default=0.2)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        app = create_app(
            {
                "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
                "SQLALCHEMY_DATABASE_URI": url,
                "BASE_URL": "http://127.0.0.1:5000",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            print(f"database: {db.engine.dialect.name}")
            assessment = populate(args.responses, args.marketing_share, seed=7)
            assessment_id, token = assessment.id, assessment.report_token
            bank = current_bank()

            print("aggregation")
            reference = describe(
                "raw SQL GROUP BY (reference)",
                timed(
                    lambda: db.session.execute(
                        text(RAW_GROUP_BY), {"assessment": assessment_id}
                    ).all(),
                    args.repeat,
                ),
            )
            ours = describe(
                "load_tallies + score_assessment",
                timed(
                    lambda: score_assessment(bank, load_tallies(assessment_id)),
                    args.repeat,
                ),
            )
            print(f"  ratio to the reference: {ours / reference:.2f}× (target ≤ 2×)")
            db.session.remove()

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        pages = {
            "report page /r/<token>": lambda: client.get(f"/r/{token}"),
            "JSON result /api/v1/…/result": lambda: client.get(
                f"/api/v1/assessments/{assessment_id}/result", headers=headers
            ),
        }
        charts = ("placement", "dimensions", "gaps")

        def page_with_charts() -> None:
            client.get(f"/r/{token}")
            for name in charts:
                client.get(f"/r/{token}/charts/{name}.svg")

        pages["report page + its 3 charts"] = page_with_charts
        for label, fetch in pages.items():
            response = fetch()
            assert response is None or response.status_code == 200, label

            def cold(fetch: Callable[[], object] = fetch) -> None:
                clear_caches()
                fetch()

            print(label)
            describe("cold (caches cleared; target ≤ 1500 ms)", timed(cold, 5))
            describe("warm (target ≤ 100 ms)", timed(fetch, args.repeat))


if __name__ == "__main__":
    main()
