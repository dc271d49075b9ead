"""`flask --app app assessment …`: create assessment waves, list them, open and close them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from scoring import Side
from survey.commands.problems import ProblemsError
from survey.models import INVITATION_MODES, NAME_MAX, Assessment
from survey.services import assessments as assessment_service
from survey.services import organisations as service
from survey.services.banks import current_bank
from survey.services.context import ContextAnswers, ContextError, load_context_file
from survey.services.organisations import IDENTIFIABLE_BELOW, MAX_HEADCOUNT, MAX_THRESHOLD
from survey.services.unit_of_work import end_read

group = click.Group("assessment", help="Create, list, open and close assessments.")


def _name(_context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip()
    if not name:
        raise click.BadParameter("must not be empty", param=parameter)
    if len(name) > NAME_MAX:
        raise click.BadParameter(f"must be at most {NAME_MAX} characters", param=parameter)
    return name


def describe(assessment: Assessment) -> str:
    """``assessment 3 (Acme / Baseline)``, for messages (never for the audit log)."""
    return f"assessment {assessment.id} ({assessment.organisation.name} / {assessment.name})"


def get_assessment(assessment_id: int) -> Assessment:
    """The assessment with this id, or a clear error."""
    assessment = assessment_service.get_assessment(assessment_id)
    if assessment is None:
        end_read()
        raise click.ClickException(
            f"there is no assessment with id {assessment_id} (see `assessment list`)"
        )
    return assessment


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """The id and the absolute links of an assessment, as ``assessment create`` prints them."""
    return {"id": assessment.id, **assessment_service.links(assessment)}


def _read_context(path: Path | None) -> ContextAnswers | None:
    if path is None:
        return None
    try:
        return load_context_file(path, current_bank())
    except ContextError as error:
        raise ProblemsError.in_file(path, error.problems, "nothing was created") from None


@group.command("create")
@click.option(
    "--org", "organisation_name", metavar="NAME", callback=_name, help="A new organisation."
)
@click.option(
    "--org-id",
    "organisation_id",
    type=int,
    metavar="ID",
    help="Add the wave to this existing organisation instead.",
)
@click.option("--wave", default="Baseline", show_default=True, callback=_name, help="Wave name.")
@click.option(
    "--threshold",
    type=click.IntRange(1, MAX_THRESHOLD),
    help="Fewest counted responses a side needs to be shown [default: DEFAULT_THRESHOLD].",
)
@click.option(
    "--context",
    "context_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.yaml",
    help="The advisor's answers: one 'factor_id: answer' line per factor.",
)
@click.option("--owner", metavar="EMAIL", help="The consultant account that runs the organisation.")
@click.option(
    "--invitations",
    type=click.Choice(INVITATION_MODES),
    default="link",
    show_default=True,
    help="Who may answer: anyone with the link, or only people with an invitation code.",
)
@click.option(
    "--marketing-headcount",
    type=click.IntRange(1, MAX_HEADCOUNT),
    metavar="N",
    help="Expected marketing respondents; the link stops at this number.",
)
@click.option(
    "--sales-headcount",
    type=click.IntRange(1, MAX_HEADCOUNT),
    metavar="N",
    help="Expected sales respondents; the link stops at this number.",
)
def create(
    organisation_name: str | None,
    organisation_id: int | None,
    wave: str,
    threshold: int | None,
    context_path: Path | None,
    owner: str | None,
    invitations: str,
    marketing_headcount: int | None,
    sales_headcount: int | None,
) -> None:
    """Create an assessment wave and print its id and links as JSON."""
    if (organisation_name is None) == (organisation_id is None):
        raise click.UsageError("give either --org NAME (a new organisation) or --org-id ID")
    if owner is not None and organisation_id is not None:
        raise click.UsageError("--owner applies to a new organisation (--org) only")
    context = _read_context(context_path)
    try:
        assessment = service.create_wave_from_command(
            organisation_name=organisation_name,
            organisation_id=organisation_id,
            owner_email=owner,
            name=wave,
            threshold=threshold,
            context=context,
            invitations=invitations,
            headcounts={Side.MARKETING: marketing_headcount, Side.SALES: sales_headcount},
        )
    except service.WorkspaceError as error:
        raise click.ClickException(f"{error}; nothing was created") from None
    click.echo(json.dumps(assessment_json(assessment), indent=2))
    if assessment.threshold < IDENTIFIABLE_BELOW:
        click.echo(
            f"Warning: with a threshold below {IDENTIFIABLE_BELOW}, answers may be identifiable.",
            err=True,
        )


@group.command("list")
def list_assessments() -> None:
    """List every assessment with its organisation, status and response counts."""
    assessments = assessment_service.all_assessments()
    if not assessments:
        click.echo("No assessments yet. Create one with `assessment create --org NAME`.")
        return
    tallies = assessment_service.all_response_counts()

    def side_counts(assessment_id: int, side: str) -> str:
        counted = tallies.get((assessment_id, side, True), 0)
        excluded = tallies.get((assessment_id, side, False), 0)
        return f"{counted} (+{excluded} excluded)" if excluded else str(counted)

    header = ("ID", "ORGANISATION", "WAVE", "STATUS", "MARKETING", "SALES")
    rows = [
        (
            str(a.id),
            f"{a.organisation.name} (#{a.organisation_id})",
            a.name,
            "open" if a.is_open else "closed",
            side_counts(a.id, "marketing"),
            side_counts(a.id, "sales"),
        )
        for a in assessments
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    click.echo("MARKETING and SALES count the responses that count towards the report.")


def _set_open(assessment_id: int, is_open: bool) -> None:
    assessment = get_assessment(assessment_id)
    name, state = describe(assessment), "open" if is_open else "closed"
    changed = service.set_wave_open(assessment, is_open)
    click.echo(f"{name[:1].upper()}{name[1:]} is {'now' if changed else 'already'} {state}.")


@group.command("close")
@click.argument("assessment_id", metavar="ID", type=int)
def close(assessment_id: int) -> None:
    """Stop taking responses (the survey links say the survey has ended)."""
    _set_open(assessment_id, False)


@group.command("open")
@click.argument("assessment_id", metavar="ID", type=int)
def reopen(assessment_id: int) -> None:
    """Take responses again."""
    _set_open(assessment_id, True)
