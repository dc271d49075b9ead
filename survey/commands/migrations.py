"""`flask --app app db …`: Flask-Migrate's commands, with a guard on `db downgrade`.

Every downgrade of this app's schema drops tables or columns, and the answers in them
with it (``db downgrade base`` drops everything). Outside debug and testing it therefore
refuses unless told, in so many words, that data will be lost.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app

CONFIRMATION = "--i-know-this-drops-data"


def refusal(revision: str) -> str:
    return (
        f"`db downgrade {revision}` drops tables and columns, and every answer stored in "
        "them; outside debug and testing it needs the option "
        f"{CONFIRMATION}. Take a backup first (`flask --app app backup FOLDER`); nothing "
        "was changed"
    )


def guarded_downgrade(original: click.Command) -> click.Command:
    """Flask-Migrate's ``downgrade``, refusing to run without the confirmation option."""

    @click.pass_context
    def downgrade(context: click.Context, i_know_this_drops_data: bool, **options: Any) -> None:
        # --sql only prints the statements; it changes nothing.
        relaxed = current_app.debug or current_app.testing or options.get("sql")
        if not (i_know_this_drops_data or relaxed):
            raise click.ClickException(refusal(options["revision"]))
        context.invoke(original, **options)

    return click.Command(
        name=original.name,
        callback=downgrade,
        params=[
            *original.params,
            click.Option(
                [CONFIRMATION],
                is_flag=True,
                help="Run the downgrade although it drops tables and the data in them.",
            ),
        ],
        help=f"{original.help or 'Revert to a previous version.'}\n\n"
        f"Drops tables and their data: outside debug and testing it needs {CONFIRMATION}.",
    )


def guard_downgrade(app: Flask) -> None:
    """Replace the app's ``db`` group with a copy whose ``downgrade`` is guarded.

    A copy, not a change to Flask-Migrate's own group, so other apps in the same
    process keep theirs.
    """
    group = app.cli.commands.get("db")
    if not isinstance(group, click.Group) or "downgrade" not in group.commands:
        return
    guarded = click.Group(
        name=group.name,
        commands={**group.commands, "downgrade": guarded_downgrade(group.commands["downgrade"])},
        callback=group.callback,
        params=group.params,
        help=group.help,
    )
    app.cli.add_command(guarded, "db")
