"""`flask --app app tallies …`: check or rebuild the ledgers published figures come from."""

from __future__ import annotations

import click

from survey.services.tallies import check_all

group = click.Group("tallies", help="Check or rebuild the tallies kept at write time.")


@group.command("check")
def check() -> None:
    """Replay every wave from its stored answers and compare with the kept tallies."""
    checks = check_all(repair=False)
    wrong = [c.assessment_id for c in checks if not c.agrees]
    if wrong:
        raise click.ClickException(
            f"the tallies of {len(wrong)} of {len(checks)} waves differ from their answers "
            f"(assessments {', '.join(map(str, wrong))}); run `tallies rebuild`"
        )
    click.echo(f"The tallies of all {len(checks)} waves agree with their stored answers.")


@group.command("rebuild")
def rebuild() -> None:
    """Rebuild every wave's tallies and stored placement from its stored answers."""
    checks = check_all(repair=True)
    changed = sum(1 for c in checks if not c.agrees)
    click.echo(f"Rebuilt the tallies of {len(checks)} waves ({changed} had differed).")
