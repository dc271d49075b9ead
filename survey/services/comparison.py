"""A wave beside the earlier waves of its organisation, for the report.

Only *placed* waves take part, each with its published result (released groups only)
scored with its own bank version; areas are matched by id. All waves are read in a
constant number of queries (``overview.waves``). Later waves never appear in an
earlier wave's report.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from scoring import AssessmentResult
from survey.extensions import db
from survey.models import Assessment
from survey.services import overview
from survey.services.highlights import AreaChange, areas_moved_most


@dataclass(frozen=True)
class Comparison:
    """This wave (last) and the placed waves before it, oldest first."""

    waves: tuple[overview.Wave, ...]
    #: Combined area scores of every wave, each with its change from the wave before.
    areas: tuple[overview.DimensionRow, ...]
    #: The areas that changed most since the previous placed wave, largest first.
    moved_most: tuple[AreaChange, ...]

    @property
    def current(self) -> overview.Wave:
        return self.waves[-1]

    @property
    def previous(self) -> overview.Wave:
        return self.waves[-2]

    @property
    def score_change(self) -> float:
        now, then = self.current.result.score, self.previous.result.score
        assert now is not None and then is not None
        return now - then

    @property
    def ranges_overlap(self) -> bool:
        """Whether the two waves' 95 % ranges overlap, so part of the change may be chance."""
        now, then = self.current.result.score_interval, self.previous.result.score_interval
        if now is None or then is None:
            return True
        return now.low <= then.high and then.low <= now.high


def earlier_waves(assessment: Assessment) -> list[Assessment]:
    """The organisation's waves made before this one, oldest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(
                Assessment.organisation_id == assessment.organisation_id,
                Assessment.id < assessment.id,
            )
            .order_by(Assessment.id)
        )
    )


def comparison_of(assessment: Assessment, result: AssessmentResult) -> Comparison | None:
    """This wave beside its earlier placed waves; ``None`` unless both it and at least
    one earlier wave are placed. ``result`` is the wave's own published result."""
    if not result.is_placed:
        return None
    placed = [wave for wave in overview.waves(earlier_waves(assessment)) if wave.is_placed]
    if not placed:
        return None
    current = overview.wave(assessment)
    waves = (*placed, current)
    return Comparison(
        waves=waves,
        areas=tuple(overview.dimension_changes(waves)),
        moved_most=tuple(areas_moved_most(placed[-1].result, current.result)),
    )
