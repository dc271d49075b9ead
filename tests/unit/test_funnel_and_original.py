"""The funnel ownership map and the original-twenty score, worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from types import MappingProxyType

import pytest

from scoring import Bank, Side, score_responses
from scoring.funnel import Owner
from scoring.model import Funnel, FunnelStage, Response, funnel_question
from tests.unit.scoring_factories import item, make_bank, move, text

M, S = Side.MARKETING, Side.SALES
STAGES = ("awareness", "consideration", "intention", "purchase")


def funnel_bank() -> Bank:
    """Three items in two dimensions, two moves out of Defined, and a four-stage funnel."""
    bank = make_bank(
        [item("a", "talk"), item("b", "handoffs"), item("c", "talk")],
        moves=[move("talk_more", "defined", "talk"), move("agree_handoff", "defined", "handoffs")],
    )
    funnel = Funnel(
        question=MappingProxyType({M: text("Who leads?"), S: text("Who leads?")}),
        stages=tuple(
            FunnelStage(id=s, name=text(s), description=text(s), conventional=M if i < 2 else S)
            for i, s in enumerate(STAGES)
        ),
        related_dimensions=("handoffs",),
    )
    return replace(bank, funnel=funnel)


def answer(side: Side, owners: tuple[int | None, ...]) -> Response:
    # "talk" (a, c) scores lower than "handoffs" (b); the whole sits in Defined.
    answers: dict[str, int | None] = {"a": 2, "b": 3, "c": 2}
    for stage, owner in zip(STAGES, owners, strict=True):
        answers[funnel_question(stage)] = owner
    return Response(side, answers)


def test_the_map_names_leaders_disagreements_and_each_sides_handoff() -> None:
    bank = funnel_bank()
    mk, sl, both = Owner.MARKETING.value, Owner.SALES.value, Owner.BOTH.value
    responses = [
        # Marketing: it leads the first three stages; sales takes over at purchase.
        *[answer(M, (mk, mk, mk, sl))] * 2,
        answer(M, (mk, mk, both, sl)),
        # Sales: marketing leads awareness only; sales from consideration on.
        *[answer(S, (mk, sl, sl, sl))] * 2,
        answer(S, (mk, both, sl, None)),
    ]
    result = score_responses(bank, responses, threshold=3)
    funnel = result.funnel
    assert funnel is not None
    awareness, consideration, intention, purchase = funnel.stages
    assert awareness.marketing.leader is Owner.MARKETING
    assert awareness.marketing.shares[Owner.MARKETING] == 1
    assert not awareness.disagree
    assert consideration.sales.shares[Owner.SALES] == Fraction(2, 3)
    assert consideration.disagree and intention.disagree
    assert intention.marketing.shares[Owner.BOTH] == Fraction(1, 3)
    # Purchase: two sales answers and a "don't know" — fewer than three: not shown.
    assert not purchase.sales.shown
    assert purchase.sales.leader is None and not purchase.disagree
    assert funnel.handoff[M] is not None and funnel.handoff[M].id == "purchase"
    assert funnel.handoff[S] is not None and funnel.handoff[S].id == "consideration"
    assert funnel.handoff_apart
    # Combined view: the mean of both sides' shares.
    assert consideration.combined.shares[Owner.MARKETING] == Fraction(1, 2)
    assert consideration.combined.shares[Owner.SALES] == Fraction(1, 3)
    # Apart on the handoff: the move on handoffs comes first, although "talk" scores lower.
    assert result.type is not None and result.type.id == "defined"
    assert [ranked.move.id for ranked in result.moves] == ["agree_handoff", "talk_more"]
    assert result.moves[0].handoff and not result.moves[1].handoff


def test_a_tie_names_no_leader_and_a_hidden_side_shows_nothing() -> None:
    bank = funnel_bank()
    mk, sl = Owner.MARKETING.value, Owner.SALES.value
    responses = [answer(M, (mk, sl, mk, sl)), answer(M, (sl, mk, mk, sl)), answer(S, (mk,) * 4)]
    funnel = score_responses(bank, responses, threshold=2).funnel
    assert funnel is not None
    assert funnel.stages[0].marketing.leader is None  # one each: a tie
    assert not funnel.stages[0].sales.shown  # sales has one response: hidden
    assert funnel.handoff[S] is None


def test_the_original_score_uses_only_the_original_statements() -> None:
    items = [item("o1", "d1"), item("o2", "d2"), item("new", "d1")]
    bank = make_bank(items)
    bank = replace(bank, items=tuple(replace(i, original=i.id.startswith("o")) for i in bank.items))
    responses = [
        *[Response(M, {"o1": 4, "o2": 5, "new": 1})] * 2,
        *[Response(S, {"o1": 2, "o2": 3, "new": 5})] * 2,
    ]
    result = score_responses(bank, responses, threshold=2)
    original = result.original
    assert original is not None and original.items == 2
    # marketing (4 + 5) / 2 × 20 = 90; sales (2 + 3) / 2 × 20 = 50; organisation 70
    assert original.sides == {M: 90.0, S: 50.0}
    assert original.score == 70.0
    assert original.type is not None and original.type.id == "aligned"
    # The full score counts the new statement too: (10/3 × 20 + 10/3 × 20) / 2 ≈ 66.7
    assert result.score == pytest.approx(200 / 3)


def test_a_bank_without_original_statements_or_funnel_gives_neither() -> None:
    bank = make_bank([item("a"), item("b")])
    result = score_responses(
        bank, [Response(M, {"a": 3, "b": 3}), Response(S, {"a": 3, "b": 3})], threshold=1
    )
    assert result.original is None and result.funnel is None
