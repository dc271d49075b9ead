"""Online backups of the survey's database, and restoring them.

Both work while the app keeps running:

- **SQLite**: the sqlite3 online backup API copies a consistent snapshot (in WAL mode
  readers never block the writer) into a plain, self-contained SQLite file. A restore
  copies such a file back over the live database the same way, in one locked step.
- **PostgreSQL**: ``pg_dump --format=custom`` (a consistent snapshot too), restored with
  ``pg_restore --clean --if-exists --no-owner`` in a single transaction: all or nothing.
  The connection comes from the app's database URL; its password is handed to the tools
  in the ``PGPASSWORD`` environment variable, never on a command line.

A restore refuses a file of the other engine or not made by :func:`back_up`, and a
database that already holds data unless forced. Refusals raise :class:`BackupError`
before anything is changed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, column, inspect, literal, select, table
from sqlalchemy.engine import URL

from survey.extensions import db

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
#: The first bytes of each engine's backup file.
SIGNATURES = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}
NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
#: The file name ending of a backup written into a folder.
SUFFIXES = {SQLITE: ".sqlite3", POSTGRESQL: ".pgdump"}
#: Alembic's bookkeeping table: present in every migrated survey database.
VERSION_TABLE = "alembic_version"
#: Tables whose rows the migrations write themselves (bookkeeping, the shipped bank's
#: version): a freshly migrated database is empty although these have rows.
NOT_USER_DATA = frozenset({VERSION_TABLE, "bank_version"})
#: How long a SQLite backup or restore waits for a lock held by the app.
SQLITE_LOCK_TIMEOUT_SECONDS = 30
#: How long pg_dump and pg_restore may try to connect.
CONNECT_TIMEOUT_SECONDS = "10"


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why."""


def engine_name(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in SIGNATURES:
        raise BackupError(
            f"backups of {name} databases are not supported (only SQLite, PostgreSQL)"
        )
    return name


def backup_file_name(engine: Engine, now: datetime | None = None) -> str:
    """``survey-20261201T031500Z.sqlite3``: sorts by time, says which engine made it."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"survey-{moment}{SUFFIXES[engine_name(engine)]}"


def back_up(engine: Engine, target: Path) -> Path:
    """Copy the database into ``target`` (a file, or a folder for a new dated file).

    The copy is written beside the target and renamed into place when complete, so
    an interrupted backup never leaves a truncated file under the target's name. The
    file is readable by its owner only: it holds every answer and password hash.
    """
    kind = engine_name(engine)
    if target.is_dir():
        target = target / backup_file_name(engine)
    if kind == SQLITE and target.resolve() == _sqlite_path(engine):
        raise BackupError(f"{target} is the live database itself; choose another file")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise BackupError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        if kind == SQLITE:
            _sqlite_backup(_sqlite_path(engine), partial)
        else:
            _pg_dump(engine.url, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def restore(engine: Engine, source: Path, *, force: bool = False) -> str:
    """Replace the database's contents with the backup in ``source``.

    Returns the schema revision the restored database is at. Refuses (and changes nothing)
    when ``source`` is not a backup of this engine, or when the database holds data and
    ``force`` is not given.
    """
    kind = engine_name(engine)
    _check_signature(source, kind)
    if kind == SQLITE:
        _sqlite_check(source)
    else:
        _pg_dump_check(source)
    if not force and has_data(engine):
        raise BackupError(
            "the database already holds data; restoring would replace all of it. Take a "
            "backup of it first, then repeat with --force"
        )
    if kind == SQLITE:
        _sqlite_restore(source, _sqlite_path(engine))
    else:
        engine.dispose()  # no idle connection of ours in the way of pg_restore's DROPs
        _pg_restore(engine.url, source)
    return schema_revision(engine)


def schema_revision(engine: Engine) -> str:
    """The Alembic revision the database's schema is at ("none" when unmigrated)."""
    if VERSION_TABLE not in inspect(engine).get_table_names():
        return "none"
    with engine.connect() as connection:
        revision = connection.execute(select(table(VERSION_TABLE, column("version_num")))).scalar()
    return str(revision) if revision else "none"


def has_data(engine: Engine) -> bool:
    """Whether any table holds a row that someone's work put there."""
    names = [name for name in inspect(engine).get_table_names() if name not in NOT_USER_DATA]
    with engine.connect() as connection:
        return any(
            connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first()
            for name in names
        )


def _check_signature(source: Path, kind: str) -> None:
    try:
        with source.open("rb") as file:
            head = file.read(len(SIGNATURES[SQLITE]))
    except OSError as error:
        raise BackupError(f"cannot read {source}: {error.strerror or error}") from None
    for other, signature in SIGNATURES.items():
        if head.startswith(signature) and other != kind:
            raise BackupError(
                f"{source} is a {NAMES[other]} backup, but this app's database is "
                f"{NAMES[kind]}; restore it into a {NAMES[other]} database"
            )
    if not head.startswith(SIGNATURES[kind]):
        raise BackupError(
            f"{source} is not a backup made by `flask backup` (neither a SQLite database "
            "nor a pg_dump archive)"
        )


# --- SQLite ------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("only a SQLite database in a file can be backed up or restored")
    return Path(database).resolve()


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that can neither change ``path`` nor create it when it is missing."""
    return sqlite3.connect(
        f"file:{quote(str(path))}?mode=ro", uri=True, timeout=SQLITE_LOCK_TIMEOUT_SECONDS
    )


def _sqlite_backup(live: Path, partial: Path) -> None:
    if not live.exists():
        raise BackupError(f"the database {live} does not exist (see `flask db upgrade`)")
    try:
        with closing(_read_only(live)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # One self-contained file: no -wal or -shm beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {live} failed: {error}") from None


def _sqlite_check(source: Path) -> None:
    """A SQLite backup must be intact and hold this app's schema."""
    try:
        with closing(_read_only(source)) as backup:
            check = backup.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise BackupError(f"{source} cannot be read as a SQLite backup: {error}") from None
    if check != ("ok",):
        raise BackupError(f"{source} is damaged ({check[0] if check else 'no answer'})")
    if VERSION_TABLE not in tables:
        raise BackupError(f"{source} is a SQLite database, but not one of this app")


def _sqlite_restore(source: Path, live: Path) -> None:
    if source.resolve() == live:
        raise BackupError(f"{source} is the live database itself")
    try:
        # The backup API writes every page of the live database under its write lock, in
        # one step: the app's connections see the old contents or the new, never a mix.
        with (
            closing(_read_only(source)) as backup,
            closing(sqlite3.connect(live, timeout=SQLITE_LOCK_TIMEOUT_SECONDS)) as database,
        ):
            backup.backup(database)
    except sqlite3.Error as error:
        raise BackupError(f"the restore into {live} failed: {error}") from None


# --- PostgreSQL --------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it."""
    uri = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    environment = dict(os.environ)
    environment.setdefault("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_SECONDS)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return uri, environment


def _run(tool: str, *arguments: str, environment: dict[str, str] | None = None) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not installed; it comes with the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client), in the server's major version"
        )
    result = subprocess.run(
        [executable, *arguments], env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _pg_dump(url: URL, partial: Path) -> None:
    uri, environment = _libpq(url)
    _run(
        "pg_dump",
        "--format=custom",
        "--no-password",
        f"--file={partial}",
        f"--dbname={uri}",
        environment=environment,
    )


def _pg_dump_check(source: Path) -> None:
    """A pg_dump archive must be readable and hold this app's schema."""
    listing = _run("pg_restore", "--list", str(source))
    if f" TABLE DATA public {VERSION_TABLE} " not in listing:
        raise BackupError(f"{source} is a pg_dump archive, but not one of this app")


def _pg_restore(url: URL, source: Path) -> None:
    uri, environment = _libpq(url)
    _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={uri}",
        str(source),
        environment=environment,
    )


def back_up_app_database(target: Path) -> Path:
    """:func:`back_up` of the database the app is configured with."""
    return back_up(db.engine, target)


def restore_app_database(source: Path, *, force: bool = False) -> str:
    """:func:`restore` into the database the app is configured with."""
    return restore(db.engine, source, force=force)
