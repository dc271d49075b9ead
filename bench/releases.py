"""Benchmark: what storing one response costs, with and without releasing its side.

Stores responses of both sides, alternately, through the service a respondent's "Send"
uses, one unit of work each, on a fresh SQLite database (or ``--database-url``) with
the shipped bank and a threshold of 5. Every fifth response of a side completes a
group and releases it in the same unit of work: the side's ledger and waiting answers
are read, its tallies rewritten and the wave's placement stored anew. Prints the
median time of the responses that release and of those that do not.

No target of its own: it shows where sending spends what the bare insert of
``bench.submissions`` does not. Run with ``.venv/bin/python -m bench.releases``.
Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import bench_app, fresh_schema

THRESHOLD = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=600, help="both sides together")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        app = bench_app(args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
        with app.app_context():
            from scoring import Side
            from survey.extensions import db
            from survey.services import assessments
            from survey.services.banks import current_bank
            from survey.services.responses import store_response
            from survey.services.unit_of_work import unit_of_work

            fresh_schema()
            organisation = assessments.create_organisation("Release Bench Ltd")
            assessment = assessments.create_assessment(
                organisation, name="Baseline", threshold=THRESHOLD
            )
            db.session.commit()
            bank = current_bank()
            rng = random.Random(1)
            releasing: list[float] = []
            plain: list[float] = []
            for number in range(args.responses):
                side = (Side.MARKETING, Side.SALES)[number % 2]
                answers = {item.id: rng.randint(1, 5) for item in bank.items}
                started = time.perf_counter()
                with unit_of_work():
                    store_response(assessment, side, answers, bank)
                took = (time.perf_counter() - started) * 1000
                completes_group = (number // 2) % THRESHOLD == THRESHOLD - 1
                (releasing if completes_group else plain).append(took)

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{database}, {args.responses} responses, threshold {THRESHOLD}, medians")
    print(f"  a response that releases its side   {statistics.median(releasing):6.2f} ms")
    print(f"  a response that waits               {statistics.median(plain):6.2f} ms")


if __name__ == "__main__":
    main()
