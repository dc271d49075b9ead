"""`flask --app app demo`: a demo organisation with simulated answers, ready to explore."""

from __future__ import annotations

import json
from typing import Any

import click

from survey.commands.assessment import assessment_json
from survey.models import Organisation
from survey.services.demo import create_demo_for
from survey.services.organisations import WorkspaceError


def _demo_json(organisation: Organisation) -> dict[str, Any]:
    """The first wave's id and links (as `assessment create` prints them) and every wave's."""
    waves = [
        {"name": assessment.name, **assessment_json(assessment)}
        for assessment in organisation.assessments
    ]
    first = {key: value for key, value in waves[0].items() if key != "name"}
    return {**first, "organisation": organisation.name, "waves": waves}


def _show(organisation: Organisation, heading: str) -> None:
    data = _demo_json(organisation)
    click.echo(json.dumps(data, indent=2))
    # The human summary goes to stderr so that stdout stays plain JSON.
    click.echo(heading, err=True)
    for wave in data["waves"]:
        click.echo(f"  {wave['name']}: report {wave['report_link']}", err=True)
        for side, link in wave["survey_links"].items():
            click.echo(f"    {side} survey {link}", err=True)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has organisations.")
@click.option("--owner", metavar="EMAIL", help="A consultant who sees the demo in the workspace.")
def command(if_empty: bool, owner: str | None) -> None:
    """Create a demo organisation with simulated answers and print its links."""
    try:
        organisation, created = create_demo_for(owner, if_empty=if_empty)
    except WorkspaceError as error:
        raise click.ClickException(f"{error}; nothing was created") from None
    if organisation is None:
        click.echo("The database already has organisations; no demo was created.", err=True)
    elif not created:
        _show(organisation, f"The demo organisation '{organisation.name}' is already there:")
    else:
        _show(
            organisation,
            f"Created the demo organisation '{organisation.name}' with "
            f"{len(organisation.assessments)} waves of simulated answers:",
        )
