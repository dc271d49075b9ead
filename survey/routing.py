"""How the app's URLs are matched and built: ids that fit a column, builders made on demand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import IntegerConverter, Map, Rule

#: The largest id the tables hold: their ids are ``INTEGER``, 32 bits on PostgreSQL.
LARGEST_ID = 2**31 - 1

Builder = Callable[..., tuple[str, str]]


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` that stops at the largest id a database column holds.

    A longer number in a URL is simply not found (404) instead of overflowing the
    database column (500), and the same on every database.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


class BuiltOnDemandRule(Rule):
    """A rule whose URL builders are generated the first time a URL is built from it.

    Werkzeug generates two Python functions per rule (through ``ast`` and ``compile``)
    as the rule is added, which is four fifths of building the app: every command, test
    and worker paid it for all the app's rules, though a command builds few URLs or
    none. Matching requests is unchanged; the builders, once made, are kept.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        generate = super()._compile_builder
        generated: list[Builder] = []

        def build(rule: Rule, /, *args: Any, **values: Any) -> tuple[str, str]:
            if not generated:  # two threads may both generate it: either result is right
                generated.append(generate(append_unknown))
            return generated[0](rule, *args, **values)

        return build
