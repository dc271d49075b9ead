"""Benchmark: `responses import` of a 10,000-row × 41-item file (410,000 answers).

Prints, for a fresh SQLite database (or ``--database-url``):

* the import's rate in answers per second and the peak memory of the process doing it
  (the import runs in a child process of its own: ``resource.getrusage`` peak RSS,
  with what the app alone takes beside it);
* the reference in the same run: the same answers written by a bare loop of
  executemany (SQLite) or COPY (PostgreSQL) transactions of the same size, without
  checking, scoring or ledgers;
* the whole command's wall time, start-up included.

Targets (issue 12): ≥ 100,000 answers/s on SQLite, ≥ 40,000 on PostgreSQL, peak
memory ≤ 300 MB. Run with ``make bench`` or ``.venv/bin/python -m bench.imports``.
Not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import SECRET, bench_app, fresh_schema

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(url: str) -> int:
    """Migrate an empty database and create one open wave; returns its id."""

    from survey.extensions import db
    from survey.services import assessments

    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        organisation = assessments.create_organisation("Import Benchmark Ltd")
        assessment = assessments.create_assessment(organisation, name="Imported")
        db.session.commit()
        assessment_id = int(assessment.id)
        db.session.remove()
        db.engine.dispose()
    return assessment_id


def write_file(path: Path, rows: int, seed: int) -> int:
    """A CSV of ``rows`` respondents (a fifth marketing) answering every item; returns the
    number of items."""
    from survey.bank import load_default_bank

    bank = load_default_bank()
    rng = random.Random(seed)
    cells = ["1", "2", "3", "3", "4", "4", "4", "5", "na", ""]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["side", *(item.id for item in bank.items)])
        for index in range(rows):
            side = "marketing" if index % 5 == 0 else "sales"
            writer.writerow([side, *(rng.choice(cells) for _ in bank.items)])
    return len(bank.items)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_import(url: str, assessment_id: int, path: Path) -> None:
    """In a process of its own: create the app, then time the import; print JSON."""
    app = bench_app(url)
    with app.app_context():
        from survey.services.banks import current_bank
        from survey.services.imports import import_csv

        bank = current_bank()
        baseline = peak_mb()
        started = time.perf_counter()
        imported = import_csv(assessment_id, path, bank)
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "responses": sum(side.imported for side in imported.values()),
                "baseline_mb": baseline,
                "peak_mb": peak_mb(),
            }
        )
    )


def child_reference(url: str, assessment_id: int, path: Path) -> None:
    """The bare write: the same rows as plain INSERT/COPY transactions of the same size."""
    from sqlalchemy import insert

    from survey.extensions import db
    from survey.models import Response, new_id
    from survey.services.imports import ANSWERS_PER_BATCH
    from survey.services.responses import insert_answers
    from survey.services.unit_of_work import unit_of_work

    app = bench_app(url)
    with app.app_context(), path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader)
        items = header[1:]
        per_batch = ANSWERS_PER_BATCH // len(items)
        started = time.perf_counter()
        answers = 0
        while True:
            chunk = [row for _, row in zip(range(per_batch), reader, strict=False)]
            if not chunk:
                break
            responses, rows = [], []
            for cells in chunk:
                response_id = new_id()
                responses.append(
                    {
                        "id": response_id,
                        "assessment_id": assessment_id,
                        "side": cells[0],
                        "counted": True,
                    }
                )
                rows.extend(
                    (response_id, item, int(value) if value.isdigit() else None)
                    for item, value in zip(items, cells[1:], strict=True)
                )
            with unit_of_work():
                db.session.connection().execute(insert(Response.__table__), responses)
                insert_answers(rows)
            answers += len(rows)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "answers": answers, "peak_mb": peak_mb()}))


def run_child(kind: str, url: str, assessment_id: int, path: Path, env: dict[str, str]) -> Any:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.imports",
            "--child",
            kind,
            "--database-url",
            url,
            "--assessment",
            str(assessment_id),
            "--file",
            str(path),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="default: a new SQLite file per run")
    parser.add_argument("--child", choices=("import", "reference"), help=argparse.SUPPRESS)
    parser.add_argument("--assessment", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "import":
        child_import(args.database_url, args.assessment, args.file)
        return
    if args.child == "reference":
        child_reference(args.database_url, args.assessment, args.file)
        return

    env = {**os.environ, "SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        path = folder / "answers.csv"
        items = write_file(path, args.rows, seed=11)
        answers = args.rows * items
        print(f"import of {args.rows:,} rows × {items} items = {answers:,} answers")
        rates: dict[str, list[float]] = {"import": [], "reference": []}
        peaks: list[float] = []
        baselines: list[float] = []
        database = "sqlite"
        for run in range(args.repeat):
            for kind in ("import", "reference"):  # interleaved: both see the same load
                url = args.database_url or f"sqlite:///{folder / f'{kind}-{run}.sqlite3'}"
                database = url.split(":", 1)[0].split("+", 1)[0]
                assessment_id = fresh_database(url)
                result = run_child(kind, url, assessment_id, path, env)
                rate = answers / result["seconds"]
                rates[kind].append(rate)
                if kind == "import":
                    peaks.append(result["peak_mb"])
                    baselines.append(result["baseline_mb"])
                    assert result["responses"] == args.rows, result
        print(f"database: {database}")
        target = 100_000 if database == "sqlite" else 40_000
        best = max(rates["import"])
        reference = max(rates["reference"])
        print(
            f"  import                       {best:10,.0f} answers/s (best of {args.repeat}; "
            f"all: {', '.join(f'{r:,.0f}' for r in rates['import'])}); target ≥ {target:,}"
        )
        print(
            f"  bare INSERT/COPY reference   {reference:10,.0f} answers/s "
            f"(import at {best / reference:.0%} of it)"
        )
        print(
            f"  peak memory of the importing process  {max(peaks):.0f} MB "
            f"(the app alone: {max(baselines):.0f} MB); target ≤ 300 MB"
        )

        url = args.database_url or f"sqlite:///{folder / 'command.sqlite3'}"
        assessment_id = fresh_database(url)
        started = time.perf_counter()
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "flask"),
                "--app",
                "app",
                "responses",
                "import",
                str(assessment_id),
                str(path),
            ],
            env={**env, "DATABASE_URL": url},
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        print(
            f"  `flask responses import` wall time, start-up included: "
            f"{time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
