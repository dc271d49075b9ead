"""The scoring core: pure functions over frozen dataclasses, standard library only.

``scoring.model`` holds the bank and answers, ``scoring.rules`` the placement,
gaps and moves, ``scoring.advisor`` the "do we need to be more aligned?" advice.
"""

from scoring.advisor import Advice, Context, Recommendation, advise, target_type
from scoring.model import (
    Bank,
    Dimension,
    Item,
    LocalText,
    Move,
    RelationshipType,
    Response,
    Side,
)
from scoring.rules import (
    DEFAULT_THRESHOLD,
    AssessmentResult,
    DimensionResult,
    ItemResult,
    ItemTally,
    OwnView,
    RankedMove,
    SideSummary,
    Status,
    Tallies,
    is_counted,
    own_view,
    place_score,
    score_assessment,
    score_responses,
    tally_responses,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Advice",
    "AssessmentResult",
    "Bank",
    "Context",
    "Dimension",
    "DimensionResult",
    "Item",
    "ItemResult",
    "ItemTally",
    "LocalText",
    "Move",
    "OwnView",
    "RankedMove",
    "Recommendation",
    "RelationshipType",
    "Response",
    "Side",
    "SideSummary",
    "Status",
    "Tallies",
    "advise",
    "is_counted",
    "own_view",
    "place_score",
    "score_assessment",
    "score_responses",
    "tally_responses",
    "target_type",
]
