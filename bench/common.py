"""What the benchmarks share: the app on a given database, a freshly migrated schema, and
a count of the SQL statements an action sends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

SECRET = "benchmark-secret-key-0123456789abcdef"


def bench_app(url: str) -> Any:
    """The app on the database at ``url``, rate limits off (a benchmark is one client)."""
    from app import create_app  # late: bench.imports measures what importing the app costs

    return create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": url,
            "BASE_URL": "http://127.0.0.1:5000",
            "RATELIMIT_ENABLED": False,
        }
    )


def fresh_schema() -> None:
    """Migrate the app's database from empty; on PostgreSQL its public schema is dropped
    first. Runs inside an app context."""
    from sqlalchemy import text

    from survey.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    logging.disable(logging.INFO)  # Alembic's progress lines, some written as it is imported
    try:
        from flask_migrate import upgrade

        upgrade()
    finally:
        logging.disable(logging.NOTSET)


def statements_of(action: Callable[[], object]) -> int:
    """How many SQL statements ``action`` sends (inside an app context)."""
    from sqlalchemy import event

    from survey.extensions import db

    seen: list[str] = []

    def remember(*_: Any) -> None:
        seen.append("")

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return len(seen)
