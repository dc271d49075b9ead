"""``take_in`` (many responses at once: imports, the demo) gives exactly what taking them in
one at a time gives, whatever waited before and whatever the threshold."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Side
from scoring.model import Response
from scoring.release import (
    Contribution,
    Histogram,
    Intake,
    Ledger,
    contribution,
    receive,
    release_due,
    take_in,
)
from tests.unit.scoring_factories import item, make_bank

BANK = make_bank([item("a", "d1"), item("b", "d1"), item("c", "d2", reverse=True)])
ANSWER = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
RESPONSE = st.fixed_dictionaries({"a": ANSWER, "b": ANSWER, "c": ANSWER}).map(
    lambda answers: contribution(BANK, Response(Side.SALES, answers))
)


def one_at_a_time(
    ledger: Ledger, carried: Histogram, new: Sequence[Contribution], threshold: int
) -> Intake:
    """The reference: ``receive`` for each response, noting each release as it happens."""
    groups: list[int | None] = []
    releases: list[tuple[int, int]] = []
    joined: int | None = None

    def released(after: Ledger) -> None:
        nonlocal carried, joined
        releases.append((after.groups, threshold))
        carried = after.pending.answers
        joined = after.groups if joined is None else joined
        groups[:] = [after.groups if group is None else group for group in groups]

    assert not release_due(ledger, threshold)  # thresholds only go up
    for given_ in new:
        before = ledger.groups
        ledger = receive(ledger, given_, threshold)
        groups.append(None)
        if ledger.groups > before:
            released(ledger)
    return Intake(
        ledger=ledger,
        carried=dict(carried),
        groups=tuple(groups),
        waiting_joined=joined,
        releases=tuple(releases),
    )


@settings(max_examples=300, deadline=None, database=None)
@given(
    first=st.integers(min_value=1, max_value=5),
    rise=st.integers(min_value=0, max_value=3),
    earlier=st.lists(RESPONSE, max_size=25),
    batch=st.lists(RESPONSE, max_size=40),
)
def test_a_batch_is_taken_in_as_its_responses_one_by_one(
    first: int, rise: int, earlier: list[Contribution], batch: list[Contribution]
) -> None:
    # What the database holds before the batch: earlier responses, maybe a raised threshold.
    before = take_in(Ledger(), {}, earlier, first)
    threshold = first + rise
    fast = take_in(before.ledger, before.carried, batch, threshold)
    slow = one_at_a_time(before.ledger, before.carried, batch, threshold)
    assert fast.ledger == slow.ledger
    assert dict(fast.carried) == dict(slow.carried)
    assert fast.groups == slow.groups
    assert fast.waiting_joined == slow.waiting_joined
    assert fast.releases == slow.releases


def test_the_reference_is_not_trivially_equal() -> None:
    rows = [contribution(BANK, Response(Side.SALES, {"a": 4, "b": 4, "c": 2}))] * 7
    intake = take_in(Ledger(), {}, rows, 3)
    assert intake.groups == (1, 1, 1, 2, 2, 2, None)
    assert intake.ledger.released.counted == 6
    assert one_at_a_time(Ledger(), {}, rows, 3) == intake
