"""One error type for input that has several things wrong at once."""

from __future__ import annotations

from collections.abc import Iterable


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
