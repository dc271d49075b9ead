"""The advisor's context: an organisation's answers to the bank's plain questions.

A context maps a factor id of the bank (``advisor.factors``) to an answer: yes or
no for a yes/no factor, one of the listed choices otherwise. It comes from a YAML
file on the command line or from a form in the consultant workspace; both go
through :func:`parse_context`, which checks it against the bank and reports every
problem at once.
"""

from __future__ import annotations

import os

from scoring import Bank
from survey.problems import Problems, read_text_file
from survey.yaml_input import load_yaml, shown

#: What a yes/no factor accepts, besides true and false themselves (any letter case).
YES_WORDS = frozenset({"yes", "true", "y"})
NO_WORDS = frozenset({"no", "false", "n"})

ContextAnswers = dict[str, bool | str]


class ContextError(Problems):
    """A context that does not fit the bank; ``problems`` lists every problem, one line each."""


def _kind_of(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    return f"{shown(value)}"


def _yes_no(value: object) -> bool | None:
    """``True``/``False`` for a yes/no answer, ``None`` if it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    return None


def parse_context(raw: object, bank: Bank, source: str = "context") -> ContextAnswers:
    """Check ``raw`` (factor id → answer) against ``bank`` and return the answers given.

    Yes/no factors take ``true``/``false`` or the words yes/no; choice factors take
    one of their choices. An empty answer (``None`` or ``""``) means "not answered"
    and is left out. Raises :class:`ContextError` listing every problem, each line
    starting with ``source`` and naming the factor.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ContextError(
            [
                f"{source}: must be a mapping of factor id to answer, "
                f"one 'factor_id: answer' line each (got {_kind_of(raw)})"
            ]
        )
    factors = {factor.id: factor for factor in bank.context_factors}
    problems: list[str] = []
    answers: ContextAnswers = {}
    for key, value in raw.items():
        if not isinstance(key, str) or key not in factors:
            known = ", ".join(factors) or "none"
            problems.append(f"{source}: {key}: unknown factor (the bank's factors: {known})")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        factor = factors[key]
        if factor.is_yes_no:
            answer = _yes_no(value)
            if answer is None:
                problems.append(f"{source}: {key}: must be yes or no (got {_kind_of(value)})")
                continue
            answers[key] = answer
        elif not isinstance(value, str) or value.strip() not in factor.choices:
            problems.append(
                f"{source}: {key}: {shown(value)} is not one of the choices "
                f"({', '.join(factor.choices)})"
            )
        else:
            answers[key] = value.strip()
    if problems:
        raise ContextError(problems)
    return answers


# --------------------------------------------------------------------------- YAML files


def parse_context_yaml(text: str, bank: Bank, source: str = "context") -> ContextAnswers:
    """Parse a YAML document of advisor answers; see :func:`parse_context`."""
    problems: list[str] = []
    document = load_yaml(text, source, problems)
    if problems:
        raise ContextError(problems)
    if document is None:
        raise ContextError(
            [f"{source}: the file is empty (expected one 'factor_id: answer' line per factor)"]
        )
    return parse_context(document, bank, source)


def load_context_file(path: str | os.PathLike[str], bank: Bank) -> ContextAnswers:
    """Read and check the YAML file of advisor answers at ``path``."""
    text = read_text_file(path, ContextError, encoding="utf-8-sig")
    return parse_context_yaml(text, bank, os.fspath(path))


__all__ = [
    "ContextAnswers",
    "ContextError",
    "load_context_file",
    "parse_context",
    "parse_context_yaml",
]
