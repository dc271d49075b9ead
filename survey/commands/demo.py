"""`flask --app app demo`: a demo organisation with simulated answers, ready to explore."""

from __future__ import annotations

import json
from typing import Any

import click

from survey.commands.assessment import active_owner, assessment_json
from survey.database import begin_write
from survey.extensions import db
from survey.models import Organisation
from survey.services import audit
from survey.services.demo import create_demo, find_demo, has_organisations


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
    begin_write()
    owner_account = active_owner(owner)
    if if_empty and has_organisations():
        demo = find_demo()
        if demo is None:
            db.session.rollback()
            click.echo("The database already has organisations; no demo was created.", err=True)
        else:
            _show(demo, f"The demo organisation '{demo.name}' is already there:")
            db.session.rollback()
        return
    organisation = create_demo(owner=owner_account)
    audit.record("demo.create", audit.organisation_target(organisation.id))
    db.session.commit()
    _show(
        organisation,
        f"Created the demo organisation '{organisation.name}' with "
        f"{len(organisation.assessments)} waves of simulated answers:",
    )
