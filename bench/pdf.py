"""Benchmark: the report's PDF handout of the demo, cold and warm.

Builds the demo (``flask demo``, the shipped scenario) in a fresh SQLite database, then
asks for the later wave's PDF through the app:

* **cold** — the first PDF of this process: WeasyPrint and matplotlib are imported, the
  charts drawn, the page laid out (the target is under 3 s);
* **warm** — the same PDF again (charts kept, libraries loaded), median of ``--repeat``;

for A4 and Letter, with the page count of each. Wall-clock and CPU seconds are both
printed: on a busy machine the wall clock includes waiting for a core.

Run with ``make bench`` or ``.venv/bin/python -m bench.pdf``. Not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask_migrate import upgrade
from pypdf import PdfReader

from app import create_app


def timed(action: Callable[[], bytes]) -> tuple[bytes, float, float]:
    """The action's result, its wall-clock and its CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    data = action()
    return data, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per paper size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
                "TESTING": True,
            }
        )
        with app.app_context():
            upgrade()
            outcome = app.test_cli_runner().invoke(args=["demo"])
        if outcome.exit_code != 0:
            raise SystemExit(f"flask demo failed: {outcome.output} {outcome.exception!r}")
        made = json.loads(outcome.stdout)
        wave = made["waves"][-1]
        path = urlsplit(wave["report_link"]).path
        client = app.test_client()
        print(f"PDF of the demo report '{made['organisation']} · {wave['name']}'")

        def pdf(paper: str) -> Callable[[], bytes]:
            def fetch() -> bytes:
                response = client.get(f"{path}/report.pdf?paper={paper}")
                assert response.status_code == 200, response.status_code
                return response.data

            return fetch

        data, wall, cpu = timed(pdf("a4"))
        pages = len(PdfReader(io.BytesIO(data)).pages)
        print(
            f"  cold, A4      {wall:6.2f} s wall  {cpu:6.2f} s CPU  {pages} pages  "
            f"{len(data) / 1024:5.0f} KiB"
        )
        for paper in ("a4", "letter"):
            runs = [timed(pdf(paper)) for _ in range(args.repeat)]
            pages = len(PdfReader(io.BytesIO(runs[0][0])).pages)
            wall = statistics.median(run[1] for run in runs)
            cpu = statistics.median(run[2] for run in runs)
            print(
                f"  warm, {paper:<7} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {pages} pages  "
                f"(median of {args.repeat})"
            )


if __name__ == "__main__":
    main()
