"""Benchmark: the respondent's requests and the bare insert in-process, without HTTP.

The same requests as ``bench.submissions`` (start page, "Start", first page of
statements, sending every answer, the thank-you page; and the bare insert of
``bench.flow_app``), one after the other through Flask's test client with CSRF on,
on a fresh SQLite database (or ``--database-url``). Prints each request's median and
mean time and SQL statements: the server's own work, which ``bench.submissions``
measures together with gunicorn, the clients and the machine's other load.
Run with ``.venv/bin/python -m bench.flow_inprocess``. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.submissions import CSRF, SECRET, prepare_database

STEPS = ("start page", "start (POST)", "statements page", "send (POST)", "thank-you page")
BARE = "bare insert (POST)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        os.environ.update(
            {
                "SECRET_KEY": SECRET,
                "DATABASE_URL": url,
                "BASE_URL": "http://127.0.0.1:5000",
                "RATELIMIT_STORAGE_URI": "memory://",
                "SURVEY_RESPONSE_LIMIT": "1000000 per minute",
            }
        )
        assessment_id, survey, item_ids = prepare_database(dict(os.environ))

        from sqlalchemy import event

        from bench.flow_app import create_app
        from survey.extensions import db

        app = create_app()
        times: dict[str, list[float]] = defaultdict(list)
        statements: dict[str, int] = defaultdict(int)
        current: list[str | None] = [None]

        def count(*_: Any) -> None:
            if current[0] is not None:
                statements[current[0]] += 1

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)

        def timed(step: str, method: str, path: str, **kwargs: Any) -> Any:
            current[0] = step
            started = time.perf_counter()
            response = client.open(path, method=method, **kwargs)
            times[step].append((time.perf_counter() - started) * 1000)
            current[0] = None
            return response

        rng = random.Random(1)
        for number in range(args.respondents + 10):  # the first ten warm up
            if number == 10:
                times.clear()
                statements.clear()
            answers = {item: str(rng.randint(1, 5)) for item in item_ids}
            client = app.test_client()
            page = timed(STEPS[0], "GET", survey).get_data(as_text=True)
            token = CSRF.search(page).group(1)  # type: ignore[union-attr]
            started = timed(STEPS[1], "POST", f"{survey}/start", data={"csrf_token": token})
            page = timed(STEPS[2], "GET", started.headers["Location"]).get_data(as_text=True)
            token = CSRF.search(page).group(1)  # type: ignore[union-attr]
            form = {"csrf_token": token, "action": "submit", **answers}
            sent = timed(STEPS[3], "POST", f"{survey}/questions", data=form)
            assert sent.status_code == 303 and "/thanks" in sent.headers["Location"]
            timed(STEPS[4], "GET", sent.headers["Location"])
            client = app.test_client()
            bare = timed(BARE, "POST", f"/bench/bare-insert/{assessment_id}", data=answers)
            assert bare.status_code == 204

    print(f"in-process, {args.respondents} respondents and as many bare inserts")
    for step in (*STEPS, BARE):
        samples = times[step]
        print(
            f"  {step:<20} median {statistics.median(samples):5.2f} ms  "
            f"mean {statistics.mean(samples):5.2f} ms  "
            f"{statements[step] / len(samples):4.1f} statements"
        )
    four = [ms for step in STEPS[:4] for ms in times[step]]
    ratio = statistics.median(four) / statistics.median(times[BARE])
    print(f"  the four requests' median / bare insert's: {ratio:.2f}×")


if __name__ == "__main__":
    main()
