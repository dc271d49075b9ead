"""Reporting several problems at once from a command: on stderr, exit code 1."""

from __future__ import annotations

from collections.abc import Sequence

import click

#: More lines than this would scroll the first ones away; the rest are counted.
MAX_SHOWN = 200


class ProblemsError(click.ClickException):
    """A heading, then one problem per line; nothing was changed."""

    def __init__(self, heading: str, problems: Sequence[str]) -> None:
        lines = [f"  {problem}" for problem in problems[:MAX_SHOWN]]
        if len(problems) > MAX_SHOWN:
            lines.append(f"  … and {len(problems) - MAX_SHOWN} more")
        super().__init__("\n".join([heading, *lines]))

    @classmethod
    def in_file(cls, source: object, problems: Sequence[str], outcome: str) -> ProblemsError:
        """``<source>: 3 problems; <outcome>:``, then the problems."""
        return cls(f"{source}: {count(len(problems), 'problem')}; {outcome}:", problems)


def count(number: int, noun: str) -> str:
    """``1 problem``, ``3 problems``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
