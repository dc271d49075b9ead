"""What is derived from a bank alone is worked out once per bank, and forgotten with it."""

from __future__ import annotations

import dataclasses
import gc
import weakref

from scoring.model import Bank
from survey.bank import load_default_bank
from survey.services.banks import per_bank


def test_derived_once_per_bank_and_forgotten_with_it() -> None:
    calls: list[int] = []

    @per_bank
    def version_of(bank: Bank) -> int:
        calls.append(bank.version)
        return bank.version

    shipped = load_default_bank()
    other = dataclasses.replace(shipped, version=shipped.version + 1)
    assert [version_of(shipped), version_of(shipped), version_of(other)] == [
        shipped.version,
        shipped.version,
        shipped.version + 1,
    ]
    assert len(calls) == 2

    gone = weakref.ref(other)
    del other
    gc.collect()
    assert gone() is None  # the cache kept no bank alive
