"""Benchmark: how often the report calls noise a perception gap, and how often it finds a real one.

Simulates whole assessments on the shipped question bank with ``scoring`` alone (no
database, no web app) and prints:

* **false flags** — the mean number of items flagged per assessment when both sides
  answer from the *same* distribution, with 5 and with 10 people per side (target
  ≤ 0.3), and the share of assessments with at least one flag;
* **power** — the share of truly different items (a true gap of 1.5 points, 10
  people per side) that get flagged (target ≥ 80 %), and the false flags among the
  other items of those assessments.

Each figure is also given for the old rule (``|gap| ≥ 1.0`` alone) for comparison.

How answers are simulated (the demo scenario's spreads, ``demo.yaml``): every item
has a tendency drawn evenly from 2.0 to 4.0 on the scored scale; every respondent
leans by N(0, 0.35); an answer is the tendency plus the lean plus N(0, 0.8), rounded
and kept within 1–5 (reverse items are answered the other way round); 4 % of
answers are "don't know". In the power runs, 8 of the 41 items get a true gap of
1.5: marketing's tendency is the item's + 0.75, sales' − 0.75 (item tendencies from
2.5 to 3.5, so that the 1–5 ends hardly shrink the gap). ``--answer-spread`` and
``--respondent-spread`` change the spreads.

Seeded, so every run prints the same figures. Run with ``make bench`` or
``.venv/bin/python -m bench.noise [--runs N] [--seed S]``. Not a test.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring import DEFAULT_THRESHOLD, AssessmentResult, Bank, Response, Side, score_responses
from scoring.model import HIGHEST_ANSWER, LOWEST_ANSWER
from survey.bank import load_default_bank

ANSWER_SPREAD = 0.8
RESPONDENT_SPREAD = 0.35


@dataclass(frozen=True)
class Spreads:
    answer: float = ANSWER_SPREAD
    respondent: float = RESPONDENT_SPREAD


DONT_KNOW = 0.04
TRUE_GAP = 1.5
DIFFERENT_ITEMS = 8
OLD_FLAG_GAP = 1.0


def respondent(
    bank: Bank,
    side: Side,
    tendencies: Mapping[str, float],
    rng: random.Random,
    spreads: Spreads = Spreads(),
) -> Response:
    """One simulated person's answers (raw, as they would tick them)."""
    lean = rng.gauss(0.0, spreads.respondent)
    answers: dict[str, int | None] = {}
    for item in bank.items:
        if rng.random() < DONT_KNOW:
            answers[item.id] = None
            continue
        scored = round(tendencies[item.id] + lean + rng.gauss(0.0, spreads.answer))
        scored = min(max(scored, LOWEST_ANSWER), HIGHEST_ANSWER)
        answers[item.id] = LOWEST_ANSWER + HIGHEST_ANSWER - scored if item.reverse else scored
    return Response(side=side, answers=answers)


def assessment(
    bank: Bank,
    per_side: int,
    tendencies: Mapping[Side, Mapping[str, float]],
    rng: random.Random,
    spreads: Spreads,
) -> AssessmentResult:
    responses = [
        respondent(bank, side, tendencies[side], rng, spreads)
        for side in Side
        for _ in range(per_side)
    ]
    return score_responses(bank, responses, threshold=DEFAULT_THRESHOLD)


def old_rule_flags(result: AssessmentResult, items: Sequence[str] | None = None) -> int:
    """Items the old rule (|gap| ≥ 1.0 alone) would flag."""
    return sum(
        1
        for r in result.items
        if r.gap is not None
        and abs(r.gap) >= OLD_FLAG_GAP
        and (items is None or r.item.id in items)
    )


@dataclass(frozen=True)
class NullFigures:
    per_side: int
    runs: int
    mean_flagged: float
    any_flagged: float
    old_mean_flagged: float
    old_any_flagged: float


def same_distribution(
    bank: Bank, per_side: int, runs: int, rng: random.Random, spreads: Spreads = Spreads()
) -> NullFigures:
    flagged = any_flagged = old_flagged = old_any = 0
    for _ in range(runs):
        shared = {item.id: rng.uniform(2.0, 4.0) for item in bank.items}
        result = assessment(bank, per_side, {side: shared for side in Side}, rng, spreads)
        count, old = len(result.flagged_items), old_rule_flags(result)
        flagged += count
        any_flagged += count > 0
        old_flagged += old
        old_any += old > 0
    return NullFigures(
        per_side,
        runs,
        flagged / runs,
        any_flagged / runs,
        old_flagged / runs,
        old_any / runs,
    )


@dataclass(frozen=True)
class PowerFigures:
    per_side: int
    runs: int
    found: float
    old_found: float
    false_per_assessment: float


def true_gaps(
    bank: Bank, per_side: int, runs: int, rng: random.Random, spreads: Spreads = Spreads()
) -> PowerFigures:
    found = old_found = false_flags = 0
    ids = [item.id for item in bank.items]
    for _ in range(runs):
        different = set(rng.sample(ids, DIFFERENT_ITEMS))
        tendencies: dict[Side, dict[str, float]] = {side: {} for side in Side}
        for item_id in ids:
            if item_id in different:
                base = rng.uniform(2.5, 3.5)
                tendencies[Side.MARKETING][item_id] = base + TRUE_GAP / 2
                tendencies[Side.SALES][item_id] = base - TRUE_GAP / 2
            else:
                base = rng.uniform(2.0, 4.0)
                tendencies[Side.MARKETING][item_id] = tendencies[Side.SALES][item_id] = base
        result = assessment(bank, per_side, tendencies, rng, spreads)
        for item in result.flagged_items:
            if item.item.id in different:
                found += 1
            else:
                false_flags += 1
        old_found += old_rule_flags(result, sorted(different))
    total = runs * DIFFERENT_ITEMS
    return PowerFigures(per_side, runs, found / total, old_found / total, false_flags / runs)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=500, help="assessments per scenario")
    parser.add_argument("--seed", type=int, default=2006)
    parser.add_argument(
        "--answer-spread", type=float, default=ANSWER_SPREAD, help="sd of one answer"
    )
    parser.add_argument(
        "--respondent-spread",
        type=float,
        default=RESPONDENT_SPREAD,
        help="sd of one respondent's overall leaning",
    )
    args = parser.parse_args(argv)
    spreads = Spreads(args.answer_spread, args.respondent_spread)

    bank = load_default_bank()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    print(
        f"{len(bank.items)} items; threshold {DEFAULT_THRESHOLD}; {args.runs} simulated "
        f"assessments per scenario; seed {args.seed}; answer spread {spreads.answer}, "
        f"respondent spread {spreads.respondent}"
    )
    print()
    print("Both sides answer from the same distribution (every flag is a false alarm):")
    print(
        f"  {'people per side':>15}  {'flagged per assessment':>22}  {'any flag':>9}"
        f"  {'old rule: flagged':>17}  {'any flag':>9}"
    )
    for per_side in (5, 10):
        null = same_distribution(bank, per_side, args.runs, rng, spreads)
        print(
            f"  {null.per_side:>15}  {null.mean_flagged:>22.3f}  {null.any_flagged:>9.1%}"
            f"  {null.old_mean_flagged:>17.2f}  {null.old_any_flagged:>9.1%}"
        )
    print()
    power = true_gaps(bank, 10, args.runs, rng, spreads)
    print(
        f"{DIFFERENT_ITEMS} of {len(bank.items)} items truly differ by {TRUE_GAP} points, "
        f"{power.per_side} people per side:"
    )
    print(f"  truly different items flagged:  {power.found:.1%}  (old rule {power.old_found:.1%})")
    print(f"  other items flagged per assessment:  {power.false_per_assessment:.3f}")
    print()
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
