"""What a reader should see first: the gaps that matter, the next steps, the waves before.

Pure selections over published results (``AssessmentResult``): the report's summary,
its gap chart and its phone list, and the comparison with earlier waves all pick their
rows here, so the page, the charts and the PDF always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring import AssessmentResult, ItemResult, LocalText, RankedMove
from scoring.rules import FLAG_GAP

#: Questions shown in the gap chart and the phone list: those that differ by at least half
#: the flag limit, the largest first, at most this many (every marked one in any case).
#: The appendix lists every question.
CHART_GAP_SHARE = 0.5
CHART_GAP_ROWS = 10
#: How many gaps, next steps and moved areas the summary names.
SUMMARY_ROWS = 3


def gaps_by_size(result: AssessmentResult) -> list[ItemResult]:
    """Items with a gap, the largest difference first whichever side rates higher;
    equal sizes keep bank order."""
    with_gap = [item for item in result.items if item.gap is not None]
    return sorted(with_gap, key=lambda item: -abs(item.gap or 0.0))


def largest_gaps(result: AssessmentResult) -> list[ItemResult]:
    """The rows of the gap chart: differences of at least half a point, the largest
    :data:`CHART_GAP_ROWS`, and every marked question even beyond that."""
    limit = float(FLAG_GAP) * CHART_GAP_SHARE
    ranked = [item for item in gaps_by_size(result) if abs(item.gap or 0.0) >= limit]
    return [item for rank, item in enumerate(ranked) if rank < CHART_GAP_ROWS or item.flagged]


def gaps_that_matter(result: AssessmentResult) -> list[ItemResult]:
    """The summary's gaps: the largest marked ones (large and unlikely to be chance)."""
    return [item for item in gaps_by_size(result) if item.flagged][:SUMMARY_ROWS]


def next_steps(result: AssessmentResult) -> list[RankedMove]:
    """The summary's steps: the first of the list the verdict calls for.

    Move up: towards the next type; stay: strengthening the current one; undecided: none
    (the summary then says which questions would decide it).
    """
    if result.next_steps is None:
        return []
    if result.next_steps.value == "move_up":
        return list(result.moves[:SUMMARY_ROWS])
    if result.next_steps.value == "strengthen":
        return list(result.strengthening[:SUMMARY_ROWS])
    return []


@dataclass(frozen=True)
class AreaChange:
    """An area (dimension) of both waves, matched by id: its combined scores then and now."""

    dimension_id: str
    #: As the later wave's bank words it.
    title: LocalText
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def areas_moved_most(earlier: AssessmentResult, later: AssessmentResult) -> list[AreaChange]:
    """The areas whose combined score changed most between two placed waves.

    Each wave keeps its own bank version, so areas are matched by id; an area missing from
    either wave, or without a combined score, is left out. Largest change first, ties in
    the later bank's order.
    """
    before = {row.dimension.id: row.combined for row in earlier.dimensions}
    changes = [
        AreaChange(row.dimension.id, row.dimension.title, then, row.combined)
        for row in later.dimensions
        if row.combined is not None and (then := before.get(row.dimension.id)) is not None
    ]
    return sorted(changes, key=lambda area: -abs(area.change))[:SUMMARY_ROWS]
