"""`flask --app app responses …`: the CSV template and importing responses from CSV."""

from __future__ import annotations

from pathlib import Path

import click

from scoring import Side
from survey.commands.assessment import describe, get_assessment
from survey.commands.problems import ProblemsError, count
from survey.services.assessments import response_counts
from survey.services.banks import current_bank
from survey.services.imports import (
    AssessmentClosedError,
    ImportProblems,
    decode_csv,
    import_into,
    parse_responses_csv,
    template_csv,
)
from survey.services.unit_of_work import end_read

group = click.Group("responses", help="Import survey responses from a CSV file.")


@group.command("template")
@click.argument("assessment_id", metavar="ID", type=int)
def template(assessment_id: int) -> None:
    """Print the header row of an import file for assessment ID.

    Fill in one row per respondent: the side (marketing or sales), then 1–5 for
    each item, or leave the cell empty (or write na) for "don't know".
    """
    get_assessment(assessment_id)
    click.echo(template_csv(current_bank()), nl=False)


def _closed_message(name: str, assessment_id: int) -> str:
    return (
        f"{name} is closed and takes no responses; nothing was imported "
        f"(reopen it with `assessment open {assessment_id}`)"
    )


@group.command("import")
@click.argument("assessment_id", metavar="ID", type=int)
@click.argument("path", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
def import_file(assessment_id: int, path: Path) -> None:
    """Import the responses in FILE.csv into assessment ID: all of them or none.

    The whole file is checked first; every problem is listed with its row and column.
    """
    assessment = get_assessment(assessment_id)
    if not assessment.is_open:
        raise click.ClickException(_closed_message(describe(assessment), assessment_id))
    name = describe(assessment)
    end_read()  # the write below starts its own transaction

    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(
            f"{source}: cannot read file: {error.strerror or error}"
        ) from None
    bank = current_bank()
    try:
        responses = parse_responses_csv(decode_csv(data, source), bank, source)
    except ImportProblems as error:
        raise ProblemsError(
            f"{source}: {count(len(error.problems), 'problem')}; nothing was imported:",
            error.problems,
        ) from None

    try:
        imported = import_into(assessment_id, responses, bank)
    except AssessmentClosedError:
        raise click.ClickException(_closed_message(name, assessment_id)) from None

    click.echo(f"Imported {count(len(responses), 'response')} into {name}:")
    for side in Side:
        numbers = imported[side]
        excluded = (
            f"{numbers.excluded} of them excluded (too few items answered)"
            if numbers.excluded
            else "none excluded"
        )
        click.echo(f"  {side.value}: {numbers.imported}, {excluded}")
    totals = response_counts(assessment_id)
    threshold = get_assessment(assessment_id).threshold
    for side in Side:
        waiting = totals[side.value]["waiting"]
        if waiting:
            verb = "waits" if waiting == 1 else "wait"
            click.echo(
                f"  {side.value}: {count(waiting, 'response')} {verb} for a whole group of "
                f"{threshold} before the report changes"
            )
