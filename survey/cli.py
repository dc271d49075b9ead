"""Command-line interface: ``flask --app app …``. Each group lives in ``survey.commands``."""

from __future__ import annotations

from flask import Flask

from survey.commands import (
    assessment,
    backup,
    bank,
    demo,
    migrations,
    responses,
    tallies,
    user,
)


def register_commands(app: Flask) -> None:
    for command in (
        assessment.group,
        responses.group,
        bank.group,
        user.group,
        tallies.group,
        demo.command,
    ):
        app.cli.add_command(command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_command)
    migrations.guard_downgrade(app)
