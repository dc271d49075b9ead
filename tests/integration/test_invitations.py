"""Who may answer: a per-address limit on open links, headcounts, single-use codes.

The stuffing attack of the security review: one real salesperson plus made-up
responses from fresh cookie jars reach the threshold, and subtracting the known
fakes reveals the real answers. Each guard below stops it a different way.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select

from scoring import Side
from survey.extensions import db, limiter
from survey.models import Assessment, InvitationCode, Response
from survey.services import invitations
from tests.conftest import create_assessment, create_user, uniform_answers


def answers() -> dict[str, str]:
    return {item: str(value) for item, value in uniform_answers(4).items()}


def respond(client: FlaskClient, token: str, code: str | None = None) -> Any:
    """One whole respondent: start (with a code if given), answer everything, send, and
    land on the thank-you page the send redirects to."""
    started = client.post(f"/s/{token}/start", data={"code": code} if code else {})
    if started.status_code != 303:
        return started
    return client.post(
        f"/s/{token}/questions", data={**answers(), "action": "submit"}, follow_redirects=True
    )


def stored(assessment: Assessment, side: str = "sales") -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.assessment_id == assessment.id, Response.side == side)
    )


@pytest.fixture
def limited(make_app: Any) -> Any:
    app = make_app(RATELIMIT_ENABLED=True, SURVEY_RESPONSE_LIMIT="3 per minute")
    with app.app_context():
        limiter.reset()
        yield app


# --- open links --------------------------------------------------------------------


def test_fresh_clients_from_one_address_hit_the_response_limit(limited: Flask) -> None:
    wave = create_assessment(threshold=5)
    token = wave.sales_token
    assert respond(limited.test_client(), token).status_code == 200  # the real salesperson
    assert respond(limited.test_client(), token).status_code == 200  # fake 1
    assert respond(limited.test_client(), token).status_code == 200  # fake 2
    refused = respond(limited.test_client(), token)  # fake 3: over the limit
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Please try again in a minute" in page
    assert "Your answers are kept on this device" in page
    assert stored(wave) == 3  # the side never reaches its threshold of 5 this way


def test_the_limit_counts_per_link_so_the_other_team_can_still_answer(limited: Flask) -> None:
    wave = create_assessment(threshold=5)
    for _ in range(3):
        assert respond(limited.test_client(), wave.sales_token).status_code == 200
    assert respond(limited.test_client(), wave.marketing_token).status_code == 200


def test_a_side_stops_at_its_headcount(app: Flask) -> None:
    wave = create_assessment(threshold=2)
    wave.sales_headcount = 3
    db.session.commit()
    token = wave.sales_token
    for _ in range(3):
        assert respond(app.test_client(), token).status_code == 200

    late = app.test_client()
    start_page = late.get(f"/s/{token}")
    assert "All expected answers are in" in start_page.get_data(as_text=True)
    refused = late.post(f"/s/{token}/start")
    assert refused.status_code == 409
    assert "nothing was stored" in refused.get_data(as_text=True)
    assert stored(wave) == 3

    # Someone who had started before the headcount filled up is told too, and nothing is kept.
    wave.sales_headcount = 4
    db.session.commit()
    early = app.test_client()
    assert early.post(f"/s/{token}/start").status_code == 303
    assert respond(app.test_client(), token).status_code == 200  # the 4th fills the side
    sent = early.post(f"/s/{token}/questions", data={**answers(), "action": "submit"})
    assert sent.status_code == 409
    assert "All expected answers are in" in sent.get_data(as_text=True)
    assert stored(wave) == 4


def test_the_wave_page_shows_the_response_rate(app: Flask) -> None:
    owner = create_user()
    wave = create_assessment(threshold=5)
    wave.organisation.owner = owner
    wave.marketing_headcount = 8
    db.session.commit()
    respond(app.test_client(), wave.marketing_token)
    page = app.test_client(user=owner).get(f"/workspace/assessments/{wave.id}")
    assert page.headers["Cache-Control"] == "no-store"
    assert "1 / 8" in page.get_data(as_text=True)


# --- invitation codes ----------------------------------------------------------------


@pytest.fixture
def coded(app: Flask) -> Assessment:
    wave = create_assessment(threshold=2)
    wave.invitations = "codes"
    db.session.commit()
    return wave


def test_codes_are_short_unambiguous_and_forgiving() -> None:
    code = invitations.new_code()
    assert len(code) == invitations.CODE_LENGTH == 12
    assert set(code) <= set(invitations.ALPHABET)
    assert not set("ILOU") & set(invitations.ALPHABET)
    assert len(invitations.ALPHABET) ** invitations.CODE_LENGTH >= 2**60
    shown = invitations.shown(code)
    assert invitations.normalise(f"  {shown.lower()} ") == code
    assert invitations.normalise("0OIL-1111-2222") == "0011" + "11112222"
    assert invitations.normalise("too short") is None


def test_a_coded_wave_takes_each_code_once(app: Flask, coded: Assessment) -> None:
    first, second = invitations.generate(coded, Side.SALES, 2)
    token = coded.sales_token

    assert respond(app.test_client(), token, invitations.shown(first)).status_code == 200
    reused = respond(app.test_client(), token, first)
    assert reused.status_code == 400
    assert "used already" in reused.get_data(as_text=True)

    unknown = respond(app.test_client(), token, "ABCD-EFGH-JKMN")
    assert unknown.status_code == 400
    assert "not valid for this survey" in unknown.get_data(as_text=True)

    no_code = app.test_client().post(f"/s/{token}/start")
    assert no_code.status_code == 400

    # A sales code does not open the marketing side.
    other_side = respond(app.test_client(), coded.marketing_token, second)
    assert other_side.status_code == 400

    assert respond(app.test_client(), token, second.lower()).status_code == 200
    assert stored(coded) == 2


def test_two_people_who_started_with_one_code_store_one_response(
    app: Flask, coded: Assessment
) -> None:
    (code,) = invitations.generate(coded, Side.SALES, 1)
    token = coded.sales_token
    first, second = app.test_client(), app.test_client()
    assert first.post(f"/s/{token}/start", data={"code": code}).status_code == 303
    assert second.post(f"/s/{token}/start", data={"code": code}).status_code == 303
    sent = first.post(f"/s/{token}/questions", data={**answers(), "action": "submit"})
    assert sent.headers["Location"] == f"/s/{token}/thanks"
    late = second.post(f"/s/{token}/questions", data={**answers(), "action": "submit"})
    assert late.status_code == 409
    assert "used already" in late.get_data(as_text=True)
    assert stored(coded) == 1


def test_guessing_codes_is_limited(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, INVITATION_CODE_LIMIT="3 per 15 minutes")
    with app.app_context():
        limiter.reset()
        wave = create_assessment(threshold=2)
        wave.invitations = "codes"
        db.session.commit()
        guesser = app.test_client()
        statuses = [
            guesser.post(
                f"/s/{wave.sales_token}/start", data={"code": invitations.new_code()}
            ).status_code
            for _ in range(5)
        ]
        assert statuses == [400, 400, 400, 429, 429]


def test_nothing_links_a_code_to_its_response(app: Flask, coded: Assessment) -> None:
    codes = invitations.generate(coded, Side.SALES, 4)
    for code in codes[:3]:
        assert respond(app.test_client(), coded.sales_token, code).status_code == 200

    columns = {
        table: {c["name"] for c in inspect(db.engine).get_columns(table)}
        for table in ("invitation_code", "response", "answer", "draft")
    }
    assert columns["invitation_code"] == {"code", "assessment_id", "side", "used"}
    assert "invitation_code" not in columns["response"] | columns["answer"]

    db.session.rollback()
    code_rows = [tuple(row) for row in db.session.execute(select(InvitationCode.__table__))]
    response_rows = [tuple(row) for row in db.session.execute(select(Response.__table__))]
    assert sorted(used for *_, used in code_rows) == [False, True, True, True]
    shared = {value for row in code_rows for value in row} & {
        value for row in response_rows for value in row
    }
    # Only the wave and the side are common to both; no id, time or order.
    assert shared <= {coded.id, "sales", True, False}
    assert db.session.scalar(select(func.count()).select_from(db.metadata.tables["draft"])) == 0


def test_the_command_line_creates_a_coded_wave_with_headcounts(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "assessment",
            "create",
            "--org",
            "Initech",
            "--invitations",
            "codes",
            "--marketing-headcount",
            "4",
            "--sales-headcount",
            "12",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()
    wave = db.session.scalars(select(Assessment)).one()
    assert (wave.invitations, wave.marketing_headcount, wave.sales_headcount) == ("codes", 4, 12)
    refused = app.test_cli_runner().invoke(
        args=["assessment", "create", "--org", "X", "--sales-headcount", "0"]
    )
    assert refused.exit_code == 2
    assert "--sales-headcount" in refused.output
