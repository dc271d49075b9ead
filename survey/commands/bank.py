"""`flask --app app bank …`: check a question bank file, print the bank in use."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from survey.bank import BankError, bank_to_dict, default_bank_path, load_bank
from survey.commands.problems import ProblemsError, count
from survey.services.banks import current_bank

group = click.Group("bank", help="Check and export the question bank.")


@group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(path: Path | None) -> None:
    """Check a question bank file and list every problem in it.

    PATH defaults to the bank the app uses: the BANK_PATH setting, else the
    shipped questions.yaml.
    """
    if path is None:
        configured = current_app.config.get("BANK_PATH")
        path = Path(configured) if configured else default_bank_path()
    try:
        bank = load_bank(path)
    except BankError as error:
        raise ProblemsError(
            f"{path}: {count(len(error.problems), 'problem')}; the bank cannot be used:",
            error.problems,
        ) from None
    click.echo(
        f"{path}: OK: version {bank.version}, {count(len(bank.dimensions), 'dimension')}, "
        f"{count(len(bank.items), 'item')}, {count(len(bank.types), 'type')}, "
        f"{count(len(bank.moves), 'move')}, {count(len(bank.context_factors), 'advisor factor')}"
    )


@group.command("export")
def export() -> None:
    """Print the question bank the app uses as JSON."""
    click.echo(json.dumps(bank_to_dict(current_bank()), ensure_ascii=False, indent=2))
