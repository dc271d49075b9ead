"""`flask --app app responses …`: the CSV template and importing responses from CSV."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from scoring import Side
from survey.commands.assessment import describe, get_assessment
from survey.commands.problems import ProblemsError, count
from survey.services.assessments import response_counts
from survey.services.banks import current_bank
from survey.services.imports import (
    AssessmentClosedError,
    ImportInterrupted,
    ImportProblems,
    check_csv,
    import_csv,
    template_csv,
)
from survey.services.unit_of_work import end_read

group = click.Group("responses", help="Import survey responses from a CSV file.")


@group.command("template")
@click.argument("assessment_id", metavar="ID", type=int)
def template(assessment_id: int) -> None:
    """Print the header row of an import file for assessment ID.

    Fill in one row per respondent: the side (marketing or sales), then 1–5 for
    each item, or leave the cell empty (or write na) for "don't know". The funnel:<stage>
    columns at the end are optional (delete them if you have no such answers): who
    leads that stage, marketing, sales, both or nobody, or empty (or na) for "don't know".
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
    Respondents can keep answering while a file is imported; its responses count only
    once the whole file is in. Interrupted, it leaves nothing behind.
    """
    assessment = get_assessment(assessment_id)
    if not assessment.is_open:
        raise click.ClickException(_closed_message(describe(assessment), assessment_id))
    name = describe(assessment)
    end_read()  # the import writes in transactions of its own

    source = str(path)
    bank = current_bank()
    try:
        checked = check_csv(path, bank, source)
    except ImportProblems as error:
        raise ProblemsError.in_file(source, error.problems, "nothing was imported") from None
    except OSError as error:
        raise click.ClickException(
            f"{source}: cannot read file: {error.strerror or error}"
        ) from None

    try:
        with _stop_on_signals() as stop:
            imported = import_csv(assessment_id, path, bank, source, checked=checked, stop=stop)
    except AssessmentClosedError:
        raise click.ClickException(_closed_message(name, assessment_id)) from None
    except ImportInterrupted:
        raise click.ClickException(f"{source}: interrupted; nothing was imported") from None
    except ImportProblems as error:
        raise ProblemsError(f"{source}: nothing was imported:", error.problems) from None
    except OSError as error:
        raise click.ClickException(
            f"{source}: cannot read file: {error.strerror or error}; nothing was imported"
        ) from None

    click.echo(f"Imported {count(checked.responses, 'response')} into {name}:")
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


@contextmanager
def _stop_on_signals() -> Iterator[Callable[[], bool]]:
    """Let Ctrl-C and SIGTERM (``kill``, a service stopping) stop an import cleanly.

    The handlers only raise a flag; the import looks at it between two transactions and
    then deletes what it wrote. An exception raised in the middle of a database call
    could leave the connection holding its lock, and the clean-up waiting for it.
    """
    stopped = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopped.is_set
        return

    def stop(_signal: int, _frame: object) -> None:
        stopped.set()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopped.is_set
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
