"""Load and validate the question bank (``questions.yaml``) into ``scoring.model.Bank``.

Loading happens in three steps, one module each:

1. YAML is read by ``survey.yaml_input`` (YAML 1.2 booleans, duplicate keys reported).
2. ``schema``: the raw structure is checked with frozen pydantic models (strict,
   ``extra="forbid"``).
3. ``checks``: cross-references, bands and advisor rules; then ``convert`` builds the
   frozen dataclasses of ``scoring.model``.

Every problem found in a file is collected and raised together as one ``BankError``;
each line names the file, where the problem is, and what is wrong.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from scoring.model import Bank
from survey.bank.checks import SUPPORTED_VERSIONS, check_semantics
from survey.bank.convert import bank_to_dict, to_bank
from survey.bank.schema import structure
from survey.problems import Problems, read_text_file
from survey.yaml_input import load_yaml

__all__ = [
    "SUPPORTED_VERSIONS",
    "BankError",
    "BankSource",
    "bank_digest",
    "bank_path",
    "bank_to_dict",
    "default_bank_path",
    "load_bank",
    "load_bank_cached",
    "load_default_bank",
    "load_source_cached",
    "parse_bank",
]


class BankError(Problems):
    """A question bank that cannot be used; ``problems`` lists every problem, one line each."""


def _kind_of(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__} value"


def parse_bank(text: str, source: str = "questions.yaml") -> Bank:
    """Parse and check the text of a question bank; ``source`` names it in problems."""
    problems: list[str] = []

    def problem(where: str, what: str) -> None:
        problems.append(f"{source}: {where}: {what}")

    document = load_yaml(text, source, problems)
    if document is None:
        raise BankError(problems or [f"{source}: the file is empty"])
    if not isinstance(document, dict):
        problems.append(
            f"{source}: the document must be a mapping with version, dimensions, items, "
            f"types and moves (got {_kind_of(document)})"
        )
        raise BankError(problems)

    parsed, model = structure(document, problem)
    check_semantics(parsed, problem, model.funnel if model is not None else None)
    if problems or model is None:
        raise BankError(problems or [f"{source}: the bank is invalid"])
    return to_bank(model)


def load_bank(path: str | os.PathLike[str]) -> Bank:
    """Read and parse the question bank at ``path``."""
    return parse_bank(read_text_file(path, BankError), os.fspath(path))


def default_bank_path() -> Path:
    """``questions.yaml`` at the root of the repository."""
    return Path(__file__).resolve().parent.parent.parent / "questions.yaml"


def bank_path(setting: str | os.PathLike[str] | None) -> Path:
    """The bank file new waves use: the one the BANK_PATH setting names, else the shipped one."""
    return Path(setting) if setting else default_bank_path()


@dataclass(frozen=True)
class BankSource:
    """A bank with the exact text it was parsed from and that text's SHA-256."""

    bank: Bank
    text: str
    digest: str


def bank_digest(text: str) -> str:
    """The name a bank's text is stored under: its SHA-256, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> BankSource:
    del mtime_ns, size  # only part of the cache key
    text = read_text_file(path, BankError)
    return BankSource(bank=parse_bank(text, path), text=text, digest=bank_digest(text))


def load_default_bank() -> Bank:
    """The shipped bank, parsed once and reparsed only when the file changes."""
    return load_bank_cached(default_bank_path())


def load_bank_cached(path: str | os.PathLike[str]) -> Bank:
    """The bank at ``path``, parsed once and reparsed only when the file changes.

    Called on every request, so a bank named by ``BANK_PATH`` costs a ``stat``,
    not a YAML parse.
    """
    return load_source_cached(path).bank


def load_source_cached(path: str | os.PathLike[str]) -> BankSource:
    """Like :func:`load_bank_cached`, with the file's text and digest."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        reason = error.strerror or str(error)
        raise BankError([f"{path}: cannot read file: {reason}"]) from None
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)
