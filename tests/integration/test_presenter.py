"""The presenter view and its links: join codes and short addresses, QR codes with the
standard's quiet zone (on screen and as downloads), the A4 sheet per side, and the view's
JSON, which carries released results only and no trace of a single response."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scoring import Side
from survey.extensions import db
from survey.models import Assessment, AuditEvent, Response, User
from survey.services import join_codes
from survey.services.invitations import ALPHABET
from tests.conftest import add_responses, create_assessment, create_organisation, uniform_answers

SHORT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


# --- join codes -------------------------------------------------------------------------


def test_every_new_wave_has_two_distinct_join_codes_of_40_bits(consultant: User) -> None:
    organisation = create_organisation("Acme Ltd", consultant)
    codes = []
    for number in range(20):
        wave = create_assessment(organisation, name=f"Wave {number}")
        codes += [wave.marketing_join_code, wave.sales_join_code]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert code is not None and len(code) == join_codes.CODE_LENGTH == 8
        assert set(code) <= set(ALPHABET)  # Crockford's base 32: no I, L, O or U
    assert len(ALPHABET) ** join_codes.CODE_LENGTH >= 2**40


def test_a_join_code_leads_to_its_sides_survey_however_it_is_typed(
    app: Flask, wave: Assessment
) -> None:
    anonymous = app.test_client()
    code = wave.sales_join_code or ""
    typed = [code, code.lower(), f"{code[:4]}-{code[4:]}", f" {code[:4]} {code[4:]} "]
    if "0" in code or "1" in code:
        typed.append(code.replace("0", "O").replace("1", "l"))
    for variant in typed:
        response = anonymous.get(f"/j/{variant}")
        assert response.status_code == 302, variant
        assert response.headers["Location"] == f"/s/{wave.sales_token}"
    marketing = anonymous.get(f"/j/{wave.marketing_join_code}")
    assert marketing.headers["Location"] == f"/s/{wave.marketing_token}"
    start = anonymous.get(f"/j/{code}", follow_redirects=True)
    assert start.status_code == 200 and "Start" in text(start)


def test_unknown_join_codes_count_against_the_address_limit(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, SURVEY_TOKEN_LIMIT="3 per minute")
    with app.app_context():
        wave = create_assessment(create_organisation())
        client = app.test_client()
        here = {"REMOTE_ADDR": "10.0.0.1"}
        statuses = [
            client.get(f"/j/{code}", environ_base=here).status_code
            for code in ("AAAA-AAAA", "not-a-code", "BBBBBBBB", "CCCCCCCC")
        ]
        assert statuses == [404, 404, 404, 429]
        # An unknown survey token is counted in the same bucket.
        assert client.get("/s/unknown-token", environ_base=here).status_code == 429
        # A known code still works from that address, and another address is not affected.
        known = client.get(f"/j/{wave.sales_join_code}", environ_base=here)
        assert known.status_code == 302
        assert (
            client.get("/j/AAAAAAAA", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 404
        )


def test_a_wave_without_codes_gets_them_on_its_first_presenter_view(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    wave.marketing_join_code = wave.sales_join_code = None
    db.session.commit()
    page = text(signed_in.get(f"/workspace/assessments/{wave.id}"))
    assert "Open the presenter view once to give it join codes." in page

    live = text(signed_in.get(f"/workspace/assessments/{wave.id}/live"))
    db.session.expire_all()
    stored = db.session.get(Assessment, wave.id)
    assert stored is not None and stored.marketing_join_code and stored.sales_join_code
    assert join_codes.JoinCode(Side.SALES, stored.sales_join_code).shown in live
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions == ["assessment.join_codes"]
    text(signed_in.get(f"/workspace/assessments/{wave.id}/live"))  # the second view makes none
    assert len(list(db.session.scalars(select(AuditEvent.action)))) == 1


# --- the wave page and the presenter page ---------------------------------------------------


def test_the_wave_page_offers_every_link_with_a_copy_button(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    page = text(signed_in.get(f"/workspace/assessments/{wave.id}"))
    for side in ("marketing", "sales"):
        code = join_codes.codes_of(wave)[Side(side)]  # type: ignore[index]
        assert f"http://survey.test/j/{code.code}" in page
        assert code.shown in page
        assert f'data-copy-target="survey-link-{side}"' in page
        assert f'data-copy-target="short-link-{side}"' in page
        assert f"/workspace/assessments/{wave.id}/qr/{side}/download.svg" in page
        assert f"/workspace/assessments/{wave.id}/qr/{side}/download.png" in page
        assert f"/workspace/assessments/{wave.id}/sheet/{side}" in page
    assert 'data-copy-target="report-link"' in page
    # What was copied is announced in a live region.
    assert re.search(r'<p class="visually-hidden" role="status" data-copy-status', page)


def test_the_presenter_page_shows_codes_addresses_counts_and_shortcuts(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    wave.sales_headcount = 12
    db.session.commit()
    add_responses(wave, Side.SALES, uniform_answers(3), 2)
    page = text(signed_in.get(f"/workspace/assessments/{wave.id}/live"))
    codes = join_codes.codes_of(wave)
    assert codes is not None
    for side, code in codes.items():
        assert re.search(rf'data-join-code="{side.value}">{code.shown}<', page)
        # The address breaks, if it must, only before /j/ (never inside the code).
        assert (
            f'data-short-link="{side.value}"><span>http://survey.test</span><wbr>'
            f"<span>/j/{code.code}</span>"
        ) in page
    assert re.search(r'data-live-received="sales" data-live-count>2<', page)
    assert "of 12 expected" in page
    assert "<kbd>F</kbd>" in page and "<kbd>R</kbd>" in page
    assert 'data-action="fullscreen"' in page and 'data-action="reveal"' in page
    assert "js/live.js" in page and "<script>" not in page and "style=" not in page
    # Not placed yet: the result panel is hidden, even with ?reveal=1.
    revealed = text(signed_in.get(f"/workspace/assessments/{wave.id}/live?reveal=1"))
    assert re.search(r'data-panel="result" data-live-result hidden', revealed)


def test_results_show_only_after_the_reveal(signed_in: FlaskClient, wave: Assessment) -> None:
    add_responses(wave, Side.MARKETING, uniform_answers(5), 3)
    add_responses(wave, Side.SALES, uniform_answers(2), 3)
    page = text(signed_in.get(f"/workspace/assessments/{wave.id}/live"))
    assert re.search(r'data-panel="result" data-live-result hidden', page)
    assert re.search(r'data-panel="ready">', page)
    revealed = text(signed_in.get(f"/workspace/assessments/{wave.id}/live?reveal=1"))
    assert re.search(r'data-panel="result" data-live-result>', revealed)
    assert revealed.count('<span class="gap-statement">') == 5


# --- the presenter's JSON --------------------------------------------------------------------


def walk(data: Any) -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [pair for key, value in data.items() for pair in [(key, value), *walk(value)]]
    if isinstance(data, list):
        return [pair for value in data for pair in walk(value)]
    return []


def test_the_json_carries_released_results_and_no_response_id(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    url = f"/workspace/assessments/{wave.id}/live.json"
    add_responses(wave, Side.MARKETING, uniform_answers(5), 3)
    add_responses(wave, Side.SALES, uniform_answers(3), 2)
    state = signed_in.get(url).get_json()
    assert state["placed"] is False
    assert state["sides"]["sales"] == {
        "received": 2,
        "waiting": 2,
        "counted": 0,
        "needed": 3,
        "headcount": None,
    }
    assert "gaps" not in state and "type" not in state

    # The third sales response releases the group: every statement is two points apart.
    sales = uniform_answers(3)
    add_responses(wave, Side.SALES, sales)
    state = signed_in.get(url).get_json()
    assert state["placed"] is True
    assert state["type"] and state["score_text"].isdigit()
    assert len(state["gaps"]) == 5
    gaps = [float(gap["gap"]) for gap in state["gaps"]]
    assert gaps == sorted(gaps, key=abs, reverse=True)
    assert state["flagged"] >= 5

    response_ids = set(db.session.scalars(select(Response.id)))
    serialised = json.dumps(state)
    assert not any(response_id in serialised for response_id in response_ids)
    keys = {key for key, _ in walk(state)}
    assert keys <= {
        "threshold",
        "is_open",
        "sides",
        "marketing",
        "sales",
        "received",
        "waiting",
        "counted",
        "needed",
        "headcount",
        "placed",
        "version",
        "type",
        "score_text",
        "gaps",
        "statement",
        "gap",
        "flagged",
    }


def test_between_releases_only_the_counters_move(signed_in: FlaskClient, wave: Assessment) -> None:
    url = f"/workspace/assessments/{wave.id}/live.json"
    add_responses(wave, Side.MARKETING, uniform_answers(5), 3)
    add_responses(wave, Side.SALES, uniform_answers(2), 3)
    before = signed_in.get(url).get_json()
    add_responses(wave, Side.SALES, uniform_answers(1))  # one more person
    after = signed_in.get(url).get_json()
    assert after["sides"]["sales"]["received"] == before["sides"]["sales"]["received"] + 1
    assert after["sides"]["sales"]["waiting"] == before["sides"]["sales"]["waiting"] + 1
    for state in (before, after):
        for side in state["sides"].values():
            del side["received"], side["waiting"]
    assert after == before


# --- QR codes and the sheet ----------------------------------------------------------------


def test_qr_codes_have_a_four_module_quiet_zone_and_download(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    base = f"/workspace/assessments/{wave.id}/qr/sales"
    svg = signed_in.get(f"{base}.svg")
    assert svg.mimetype == "image/svg+xml"
    # The survey link makes a version-4 symbol: 33 modules, plus 4 on each side, 4 px each.
    width = int(re.search(rb'viewBox="0 0 (\d+) ', svg.data).group(1))  # type: ignore[union-attr]
    assert width == (33 + 2 * 4) * 4
    # The dark modules (drawn in module units) start after the 4-module quiet zone.
    first = re.search(rb'stroke="#000" d="M(\d+) (\d+)', svg.data)
    assert first is not None and (int(first.group(1)), int(first.group(2))) == (4, 4)

    png = signed_in.get(f"{base}/download.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["Content-Disposition"] == "attachment; filename=survey-qr-sales.png"
    download = signed_in.get(f"{base}/download.svg")
    assert download.headers["Content-Disposition"] == "attachment; filename=survey-qr-sales.svg"
    assert download.data == svg.data
    assert signed_in.get(f"{base}/download.gif").status_code == 404


def test_the_a4_sheet_has_the_qr_code_the_short_address_and_the_code(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    page = text(signed_in.get(f"/workspace/assessments/{wave.id}/sheet/marketing"))
    code = join_codes.codes_of(wave)[Side.MARKETING]  # type: ignore[index]
    assert f"/workspace/assessments/{wave.id}/qr/marketing.svg" in page
    assert f"http://survey.test/j/{code.code}" in page
    assert code.shown in page
    assert "css/sheet.css" in page
    assert signed_in.get(f"/workspace/assessments/{wave.id}/sheet/finance").status_code == 404
