"""Question banks: the file new waves use, and the exact version each wave was made with.

A wave is scored, shown and exported with the bank it was created with, never
with whatever ``questions.yaml`` holds today: editing the bank makes a new
version for new waves and leaves every older wave as it was. Each version is
stored once (``BankVersion``, keyed by the SHA-256 of its text).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select

from scoring import Bank
from survey.bank import BankSource, bank_path, load_source_cached, parse_bank
from survey.extensions import db
from survey.models import Assessment, BankVersion

_parsed: dict[str, Bank] = {}
_parsed_lock = threading.Lock()

T = TypeVar("T")


def per_bank(derive: Callable[[Bank], T]) -> Callable[[Bank], T]:
    """``derive(bank)`` worked out once per bank: a bank is immutable and parsed once per
    process, so what follows from it alone (its pages, its numbering) need not be worked
    out again on every request. ``derive`` must return something nobody changes.
    """
    derived: dict[int, tuple[weakref.ref[Bank], T]] = {}

    @functools.wraps(derive)
    def cached(bank: Bank) -> T:
        key = id(bank)
        found = derived.get(key)
        if found is not None and found[0]() is bank:
            return found[1]
        value = derive(bank)
        # Forgotten with the bank (a bank file edited while running is parsed anew).
        derived[key] = (weakref.ref(bank, lambda _gone: derived.pop(key, None)), value)
        return value

    return cached


def current_source() -> BankSource:
    """The bank file new waves are created with: ``BANK_PATH`` or the shipped file."""
    return load_source_cached(bank_path(current_app.config.get("BANK_PATH")))


def current_bank() -> Bank:
    """The bank new waves are created with (the respondents' questions come from
    :func:`bank_of` their wave)."""
    return current_source().bank


def store_current_version() -> BankVersion:
    """The stored copy of the current bank file, added to the session if it is new."""
    source = current_source()
    stored = db.session.get(BankVersion, source.digest)
    if stored is None:
        stored = BankVersion(digest=source.digest, version=source.bank.version, text=source.text)
        db.session.add(stored)
        db.session.flush()
    return stored


def bank_by_digest(digest: str) -> Bank:
    """The bank stored under ``digest``, parsed once per process."""
    with _parsed_lock:
        cached = _parsed.get(digest)
    if cached is not None:
        return cached
    source = current_source()
    if source.digest == digest:
        bank = source.bank
    else:
        stored = db.session.get(BankVersion, digest)
        if stored is None:
            raise LookupError(f"no stored question bank with digest {digest}")
        bank = parse_bank(stored.text, f"stored bank version {stored.version}")
    with _parsed_lock:
        _parsed[digest] = bank
    return bank


def bank_of(assessment: Assessment) -> Bank:
    """The bank ``assessment`` was created with."""
    return bank_by_digest(assessment.bank_digest)


def stored_versions_with_waves() -> list[tuple[BankVersion, int]]:
    """Every stored bank version with the number of waves that use it, oldest first."""
    waves = func.count(Assessment.id)
    rows = db.session.execute(
        select(BankVersion, waves)
        .outerjoin(Assessment, Assessment.bank_digest == BankVersion.digest)
        .group_by(BankVersion.digest)
        .order_by(BankVersion.stored_on, BankVersion.digest)
    )
    return [(version, number) for version, number in rows]
