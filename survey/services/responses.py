"""Storing answers: one response per submission, all answers or none."""

from __future__ import annotations

from collections.abc import Mapping

from scoring import Bank, Side, is_counted
from scoring import Response as ScoringResponse
from survey.extensions import db
from survey.models import Answer, Assessment, Response

#: What a survey form or a CSV cell sends for "don't know".
DONT_KNOW = "na"


def parse_answer(raw: str | None) -> int | None:
    """``"1"``–``"5"`` → the value; ``"na"`` or empty → ``None`` (don't know).

    Raises ``ValueError`` for anything else.
    """
    text = (raw or "").strip().lower()
    if text in ("", DONT_KNOW):
        return None
    if text in {"1", "2", "3", "4", "5"}:
        return int(text)
    raise ValueError(f"{raw!r} is not 1–5, empty or 'na'")


def add_response(
    assessment: Assessment, side: Side, answers: Mapping[str, int | None], bank: Bank
) -> Response:
    """Add one response with its answers to the session (the caller commits).

    ``answers`` holds only items of ``bank``; whether it counts is decided here.
    """
    unknown = [item_id for item_id in answers if not bank.has_item(item_id)]
    if unknown:
        raise ValueError(f"unknown item ids: {', '.join(sorted(unknown))}")
    response = Response(
        assessment=assessment,
        side=side.value,
        counted=is_counted(bank, ScoringResponse(side=side, answers=answers)),
        answers=[Answer(item_id=item_id, value=value) for item_id, value in answers.items()],
    )
    db.session.add(response)
    return response
