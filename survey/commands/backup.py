"""`flask --app app backup` and `restore`: copy the database to a file and back, online."""

from __future__ import annotations

from pathlib import Path

import click

from survey.services.backup import BackupError, back_up_app_database, restore_app_database


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


@click.command("backup")
@click.argument("target", metavar="FILE|FOLDER", type=click.Path(path_type=Path))
def backup_command(target: Path) -> None:
    """Copy the database into FILE, or into a new dated file in FOLDER, while the app runs.

    SQLite gives a plain SQLite file, PostgreSQL a pg_dump archive (custom format); the
    file is readable by its owner only. An existing FILE is replaced once the copy is
    complete. Restore it with `restore`.
    """
    try:
        written = back_up_app_database(target)
    except BackupError as error:
        raise click.ClickException(f"{error}; no backup was written") from None
    click.echo(f"Backed up the database to {written} ({_size(written)}).")


@click.command("restore")
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(source: Path, force: bool) -> None:
    """Replace the database's contents with the backup in FILE.

    FILE must come from `backup` on the same kind of database (SQLite or PostgreSQL). A
    database that already holds data is only replaced with --force. Stop the app first
    (systemctl stop alignment-survey) so that nobody answers into the old data.
    """
    try:
        revision = restore_app_database(source, force=force)
    except BackupError as error:
        raise click.ClickException(f"{error}; nothing was changed") from None
    click.echo(
        f"Restored the database from {source} (schema revision {revision}). If the backup "
        "is older than this version of the app, run `flask --app app db upgrade` next."
    )
