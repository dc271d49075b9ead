"""One error type for input that has several things wrong at once."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar


class Problems(ValueError):
    """Input that cannot be used; ``problems`` lists every problem, one line each.

    Banks, CSV imports and advisor contexts report all their problems at once, so a
    user fixes a file in one pass instead of one error per attempt.
    """

    problems: tuple[str, ...]

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)

    def __reduce__(self) -> tuple[type[Problems], tuple[tuple[str, ...]]]:
        return (type(self), (self.problems,))


ProblemsType = TypeVar("ProblemsType", bound=Problems)


def read_text_file(
    path: str | os.PathLike[str], error: type[ProblemsType], *, encoding: str = "utf-8"
) -> str:
    """The text of the file at ``path``, or ``error`` naming the file and what went wrong."""
    source = os.fspath(path)
    try:
        return Path(path).read_text(encoding=encoding)
    except UnicodeDecodeError as problem:
        raise error([f"{source}: cannot read file: not valid UTF-8 ({problem.reason})"]) from None
    except OSError as problem:
        reason = problem.strerror or str(problem)
        raise error([f"{source}: cannot read file: {reason}"]) from None
