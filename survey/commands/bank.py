"""`flask --app app bank …`: check a question bank file, print the bank in use.

The group is registered twice: on the app's CLI, and as a Flask plugin command
(the ``flask.commands`` entry point in pyproject.toml, present once the Makefile
has installed the project into its venv). Flask finds plugin commands before it
builds the app, so ``bank check`` (a file and nothing else) starts without the
database, the web views or a secret key; ``versions`` and ``export`` build the app
when they run. Importing this module is cheap on purpose: Flask imports every
plugin at every ``flask`` command's start, so the rest is imported where used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext

from survey.commands.problems import ProblemsError, count

if TYPE_CHECKING:
    from scoring import Bank

group = click.Group("bank", help="Check and export the question bank.")


def _load(path: Path) -> Bank:
    from survey.bank import BankError, load_bank

    try:
        return load_bank(path)
    except BankError as error:
        raise ProblemsError.in_file(path, error.problems, "the bank cannot be used") from None


def _bank_in_use() -> Path:
    from survey import config
    from survey.bank import bank_path

    if has_app_context():  # run from the app's own CLI (as the tests do)
        setting = current_app.config.get("BANK_PATH")
    else:  # run as Flask's plugin command: the setting is read without building the app
        setting = config.read_path_setting("BANK_PATH", config.INSTANCE_DIRECTORY)
    return bank_path(setting)


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
    path = path or _bank_in_use()
    bank = _load(path)
    click.echo(
        f"{path}: OK: version {bank.version}, {count(len(bank.dimensions), 'dimension')}, "
        f"{count(len(bank.items), 'item')}, {count(len(bank.types), 'type')}, "
        f"{count(len(bank.moves), 'move')}, {count(len(bank.context_factors), 'advisor factor')}"
    )
    if against is not None:
        from survey.bank.diff import bank_changes

        changes = bank_changes(_load(against), bank)
        if not changes:
            click.echo(f"No change from {against}.")
        else:
            click.echo(f"{count(len(changes), 'change')} from {against}:")
            for line in changes:
                click.echo(f"  {line}")


@group.command("versions")
@with_appcontext
def versions() -> None:
    """List the bank versions stored for existing waves, newest last."""
    from survey.services.banks import stored_versions_with_waves

    rows = stored_versions_with_waves()
    if not rows:
        click.echo("No bank version is stored yet (one is stored with the first wave).")
    for version, waves in rows:
        click.echo(
            f"{version.digest[:12]}  version {version.version}  stored {version.stored_on}"
            f"  {count(waves, 'wave')}"
        )


@group.command("export")
@with_appcontext
def export() -> None:
    """Print the question bank the app uses as JSON."""
    from survey.bank import bank_to_dict
    from survey.services.banks import current_bank

    click.echo(json.dumps(bank_to_dict(current_bank()), ensure_ascii=False, indent=2))
