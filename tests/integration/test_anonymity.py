"""The attack of the security review, replayed against every published view.

With threshold 5 and 5 + 5 responses, an attacker reads everything anyone can
read (report, its charts, the result API, the wave page, the live view and its
JSON, the organisation page, the portfolio, the export). One more response must
change none of it; four more (a whole group) may. The same holds for a group of
mostly "don't know" answers to one statement: that statement's figures stay put.

Counters of received responses do move with every response — by design, they
reveal that someone answered, not what. They are elements marked
``data-live-count`` in pages and keys named ``received``/``waiting`` in JSON, and
only they are set aside.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring import Side
from survey.models import Assessment
from tests.conftest import (
    add_responses,
    create_assessment,
    create_organisation,
    create_user,
    uniform_answers,
)

#: A counter element, whole: whether it is there at all may change with each response.
COUNTER = re.compile(r"<(\w+)\b[^>]*\bdata-live-count\b[^>]*>.*?</\1>", re.S)
CSRF = re.compile(r'name="csrf_token" value="[^"]*"')
MOVING_KEYS = {"received", "waiting"}


def _steady(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _steady(v) for k, v in data.items() if k not in MOVING_KEYS}
    if isinstance(data, list):
        return [_steady(v) for v in data]
    return data


def published(owner: FlaskClient, public: FlaskClient, wave: Assessment) -> dict[str, Any]:
    """Everything an outsider with the report link, or the consultant, can read."""
    bearer = {"Authorization": f"Bearer {wave.report_token}"}
    base = f"/workspace/assessments/{wave.id}"
    organisation = f"/workspace/organisations/{wave.organisation_id}"
    pages = {
        "report": public.get(f"/r/{wave.report_token}"),
        "wave page": owner.get(base),
        "live view": owner.get(f"{base}/live"),
        "organisation": owner.get(organisation),
        "portfolio": owner.get("/workspace/portfolio"),
        "home": owner.get("/workspace/"),
    }
    for name in ("placement", "dimensions", "gaps"):
        pages[f"report chart {name}"] = public.get(f"/r/{wave.report_token}/charts/{name}.svg")
        pages[f"wave chart {name}"] = owner.get(f"{base}/charts/{name}.svg")
    pages["trend chart"] = owner.get(f"{organisation}/charts/trend.svg")
    pages["portfolio chart"] = owner.get("/workspace/portfolio/chart.svg")
    views: dict[str, Any] = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.get_data(as_text=True)
        views[name] = "\n".join(
            line.strip()
            for line in CSRF.sub("", COUNTER.sub("", text)).splitlines()
            if line.strip()
        )
    documents = {
        "result API": public.get(f"/api/v1/assessments/{wave.id}/result", headers=bearer),
        "details API": public.get(f"/api/v1/assessments/{wave.id}", headers=bearer),
        "live JSON": owner.get(f"{base}/live.json"),
        "export": owner.post(f"{organisation}/export.json"),
    }
    for name, response in documents.items():
        assert response.status_code == 200, name
        views[name] = _steady(json.loads(response.get_data(as_text=True)))
    return views


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    names = [name for name in before if before[name] != after[name]]
    for name in names:  # say what moved, so a failure shows the leak
        if isinstance(before[name], str):
            diff = difflib.unified_diff(
                before[name].splitlines(), after[name].splitlines(), lineterm="", n=0
            )
            print(name, "\n".join(list(diff)[:20]))
    return names


@pytest.fixture
def engagement(app: Flask) -> tuple[FlaskClient, FlaskClient, Assessment]:
    owner = create_user()
    wave = create_assessment(create_organisation("Acme Ltd", owner), threshold=5)
    add_responses(wave, Side.MARKETING, uniform_answers(4), 5)
    add_responses(wave, Side.SALES, uniform_answers(3), 5)
    return app.test_client(user=owner), app.test_client(), wave


def test_one_more_response_changes_no_published_figure(
    engagement: tuple[FlaskClient, FlaskClient, Assessment],
) -> None:
    owner, public, wave = engagement
    before = published(owner, public, wave)
    add_responses(wave, Side.SALES, uniform_answers(1))  # the victim: very different answers
    assert changed(before, published(owner, public, wave)) == []

    add_responses(wave, Side.SALES, uniform_answers(2), 3)
    assert changed(before, published(owner, public, wave)) == []

    add_responses(wave, Side.SALES, uniform_answers(2))  # the fifth: a whole group
    after = published(owner, public, wave)
    assert "result API" in changed(before, after)
    assert "report" in changed(before, after)
    sales = after["result API"]["sides"]["sales"]
    assert after["result API"]["responses"]["sales"]["counted"] == 10
    assert sales["score"] < before["result API"]["sides"]["sales"]["score"]


def test_a_group_that_mostly_did_not_answer_a_statement_does_not_expose_it(
    engagement: tuple[FlaskClient, FlaskClient, Assessment],
) -> None:
    owner, public, wave = engagement
    statement = next(iter(uniform_answers(3)))
    before = published(owner, public, wave)["result API"]

    # A whole new group of five: four say "don't know" to the statement, one answers it.
    unsure = {**uniform_answers(3), statement: None}
    add_responses(wave, Side.SALES, unsure, 4)
    add_responses(wave, Side.SALES, {**uniform_answers(3), statement: 1})
    after = published(owner, public, wave)["result API"]

    assert after["responses"]["sales"]["counted"] == 10  # the group was released …
    item_before = next(item for item in before["items"] if item["id"] == statement)
    item_after = next(item for item in after["items"] if item["id"] == statement)
    assert item_after == item_before  # … but the statement kept its figures

    # Four more answers to it make a group of its own, and then it moves.
    add_responses(wave, Side.SALES, {**uniform_answers(3), statement: 1}, 4)
    add_responses(wave, Side.SALES, unsure)
    moved = published(owner, public, wave)["result API"]
    item_moved = next(item for item in moved["items"] if item["id"] == statement)
    assert item_moved["sales"]["mean"] != item_before["sales"]["mean"]
