"""`flask --app app demo`"""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has organisations.")
def command(if_empty: bool) -> None:
    """Create a demo organisation with simulated answers and print its links."""
