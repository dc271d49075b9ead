"""`flask --app app bank …`: check a question bank file, print the bank in use."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from scoring import Bank
from survey.bank import BankError, bank_to_dict, default_bank_path, load_bank
from survey.bank.diff import bank_changes
from survey.commands.problems import ProblemsError, count
from survey.services.banks import current_bank, stored_versions_with_waves

group = click.Group("bank", help="Check and export the question bank.")


def _load(path: Path) -> Bank:
    try:
        return load_bank(path)
    except BankError as error:
        raise ProblemsError.in_file(path, error.problems, "the bank cannot be used") from None


@group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--against",
    "against",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OLD.yaml",
    help="Also list what changed from this older version of the bank.",
)
def check(path: Path | None, against: Path | None) -> None:
    """Check a question bank file and list every problem in it.

    PATH defaults to the bank the app uses: the BANK_PATH setting, else the
    shipped questions.yaml. Waves keep the bank they were created with; a changed
    bank applies to new waves only.
    """
    if path is None:
        configured = current_app.config.get("BANK_PATH")
        path = Path(configured) if configured else default_bank_path()
    bank = _load(path)
    click.echo(
        f"{path}: OK: version {bank.version}, {count(len(bank.dimensions), 'dimension')}, "
        f"{count(len(bank.items), 'item')}, {count(len(bank.types), 'type')}, "
        f"{count(len(bank.moves), 'move')}, {count(len(bank.context_factors), 'advisor factor')}"
    )
    if against is not None:
        changes = bank_changes(_load(against), bank)
        if not changes:
            click.echo(f"No change from {against}.")
        else:
            click.echo(f"{count(len(changes), 'change')} from {against}:")
            for line in changes:
                click.echo(f"  {line}")


@group.command("versions")
def versions() -> None:
    """List the bank versions stored for existing waves, newest last."""
    rows = stored_versions_with_waves()
    if not rows:
        click.echo("No bank version is stored yet (one is stored with the first wave).")
    for version, waves in rows:
        click.echo(
            f"{version.digest[:12]}  version {version.version}  stored {version.stored_on}"
            f"  {count(waves, 'wave')}"
        )


@group.command("export")
def export() -> None:
    """Print the question bank the app uses as JSON."""
    click.echo(json.dumps(bank_to_dict(current_bank()), ensure_ascii=False, indent=2))
