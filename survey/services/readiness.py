"""Whether this worker can serve: the database takes writes, the limit store answers,
the disk has room. What ``/readyz`` reports.

Each check answers with a short word or phrase (``ok``, ``unreachable``, ``read-only``…),
never the error's own text: that can hold host names, SQL or a URL with a password.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from survey.extensions import db, limiter
from survey.faults import Fault, classify
from survey.rate_limits import REDIS_SCHEMES

logger = logging.getLogger(__name__)

OK = "ok"
NOT_USED = "not used"
#: The longest the database probe may take on PostgreSQL (milliseconds).
PROBE_TIMEOUT_MS = 2_000


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(result in (OK, NOT_USED) for result in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, result in self.checks.items() if result not in (OK, NOT_USED)]


def check() -> Readiness:
    return Readiness(
        checks={
            "database": check_database(db.engine),
            "limit_store": check_limit_store(),
            "disk": check_disk(),
        }
    )


def check_database(engine: Engine) -> str:
    """A write-capable probe on a pooled connection, rolled back: it changes nothing."""
    try:
        if engine.dialect.name == "sqlite":
            return _probe_sqlite(engine)
        with engine.connect() as connection:
            connection.execute(text(f"SET LOCAL statement_timeout = {PROBE_TIMEOUT_MS}"))
            read_only = connection.execute(text("SELECT current_setting('transaction_read_only')"))
            if read_only.scalar() == "on":
                logger.warning("readiness: the database is read-only")
                return Fault.READ_ONLY.value
            connection.rollback()
            return OK
    except Exception as error:
        fault = classify(error)
        logger.warning(
            "readiness: database %s (%s)",
            fault.value,
            type(getattr(error, "orig", None) or error).__name__,
        )
        return fault.value


def _probe_sqlite(engine: Engine) -> str:
    # Takes the write lock as every write does: fails on a read-only file or folder, and
    # when another connection holds the lock for longer than the probe waits.
    normal_wait = round(float(current_app.config["DATABASE_BUSY_TIMEOUT"]) * 1000)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={PROBE_TIMEOUT_MS}")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("SELECT 1")
            cursor.execute("ROLLBACK")
        finally:
            cursor.execute(f"PRAGMA busy_timeout={normal_wait}")
            cursor.close()
    finally:
        connection.close()
    return OK


def check_limit_store() -> str:
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return NOT_USED
    if urlsplit(str(config["RATELIMIT_STORAGE_URI"])).scheme not in REDIS_SCHEMES:
        return NOT_USED
    try:
        answered = limiter.storage.check()
    except Exception as error:
        logger.warning("readiness: rate-limit store unreachable (%s)", type(error).__name__)
        return Fault.UNREACHABLE.value
    if not answered:
        logger.warning("readiness: rate-limit store unreachable")
        return Fault.UNREACHABLE.value
    return OK


def data_folder() -> Path:
    """The folder of the SQLite file, or the instance folder (PostgreSQL keeps its own)."""
    url = make_url(str(current_app.config["SQLALCHEMY_DATABASE_URI"]))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent
    return Path(current_app.instance_path)


def check_disk() -> str:
    needed = int(current_app.config["READYZ_MIN_FREE_MB"]) * 1024 * 1024
    try:
        free = shutil.disk_usage(data_folder()).free
    except OSError as error:
        logger.warning("readiness: free disk space unknown (%s)", type(error).__name__)
        return "unknown"
    if free < needed:
        logger.error(
            "readiness: %d MB free beside the database, below READYZ_MIN_FREE_MB=%d",
            free // (1024 * 1024),
            needed // (1024 * 1024),
        )
        return "low"
    return OK
