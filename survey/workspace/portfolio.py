"""The portfolio: where each of the consultant's organisations stands, one row each.

A consultant may have hundreds of organisations, so the rows are built here as plain
tuples of display strings and the template only places them: no macro call, no
``url_for`` and no attribute lookups per row (each costs more than the row's data).
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Response, render_template, url_for
from flask_login import current_user

from survey import charts
from survey.i18n import current_locale
from survey.services import overview
from survey.services.banks import current_bank
from survey.workspace.routes import _canvas, _svg, bp


class Row(NamedTuple):
    """One organisation's line; the wave's fields are ``None`` while none is placed."""

    link: str
    organisation: str
    wave: str | None
    created_on: str | None
    type: str | None
    score: str | None


def organisation_link() -> str:
    """The organisation page's URL with ``{}`` for the id: ``url_for`` once, not per row."""
    sample = url_for("workspace.organisation", organisation_id=0)
    head, _, tail = sample.rpartition("/0")
    return head + "/{}" + tail


def rows(cards: list[overview.OrganisationCard], locale: str) -> list[Row]:
    link = organisation_link()
    found = []
    for card in cards:
        organisation, placed = card.organisation, card.placed
        if placed is None:
            found.append(Row(link.format(organisation.id), organisation.name, *(None,) * 4))
            continue
        wave = placed.assessment
        found.append(
            Row(
                link.format(organisation.id),
                organisation.name,
                wave.name,
                wave.created_on.isoformat(),
                placed.type.name.get(locale) if placed.type is not None else "",
                f"{placed.score:.1f}" if placed.score is not None else "",
            )
        )
    return found


def _chart_rows(cards: list[overview.OrganisationCard]) -> list[tuple[str, float]]:
    return [
        (card.organisation.name, card.placed.score)
        for card in cards
        if card.placed is not None and card.placed.score is not None
    ]


@bp.get("/portfolio")
def portfolio() -> str:
    cards = overview.organisation_cards(current_user, counts=False)
    return render_template(
        "workspace/portfolio.html",
        rows=rows(cards, current_locale()),
        has_chart=bool(_chart_rows(cards)),
    )


@bp.get("/portfolio/chart.svg")
def portfolio_chart() -> Response:
    found = _chart_rows(overview.organisation_cards(current_user, counts=False))
    return _svg(charts.portfolio_chart(found, _canvas(current_bank())))
