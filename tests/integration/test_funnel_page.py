"""The survey's funnel page: who leads each stage of a customer's journey, asked before the
last page, paged, saved and resumed like the statements' pages."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from scoring import Bank
from survey.extensions import db
from survey.models import Answer, Response
from tests.conftest import create_assessment
from tests.integration.test_respond import (
    PAGES,
    QuestionPage,
    answers_80,
    form_values,
    on_page,
    page_of,
    send,
    stage_keys,
    start,
    text,
)

#: The funnel's page comes just before the page that sends.
FUNNEL_PAGE = PAGES - 1


def test_the_funnel_page_asks_who_leads_each_stage_in_the_sides_own_words(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    assert bank.funnel is not None
    start(client, assessment.marketing_token)
    html = text(client.get(f"/s/{assessment.marketing_token}/questions/{FUNNEL_PAGE}"))
    page = QuestionPage(html)

    assert page.h1 == "Who leads each stage of a customer's journey?"
    assert f"Step {FUNNEL_PAGE} of {PAGES}" in html
    assert "Answer for how our team and sales work now" in html  # marketing's wording
    assert list(page.radios) == stage_keys(bank)
    # marketing, sales, both together, nobody, then "don't know"
    assert all(values == ["1", "2", "3", "4", "na"] for values in page.radios.values())
    for stage in bank.funnel.stages:
        assert f'<fieldset class="stage" id="stage-{stage.id}"' in html
        assert f'<span class="stage-name">{stage.name.get()}</span>' in html
        assert stage.description.get() in html
    for label in ("Marketing", "Sales", "Both together", "Nobody"):
        assert html.count(f"<span>{label}</span>") == len(bank.funnel.stages)

    client.post(f"/s/{assessment.sales_token}/start")
    sales = text(client.get(f"/s/{assessment.sales_token}/questions/{FUNNEL_PAGE}"))
    assert "Answer for how our team and marketing work now" in sales


def test_next_asks_for_every_stage_and_keeps_what_was_chosen(
    client: FlaskClient, bank: Bank
) -> None:
    token = create_assessment().sales_token
    start(client, token)
    keys = stage_keys(bank)
    given = {keys[0]: "1", keys[1]: "na", keys[2]: "5"}  # "5" is no owner: ignored

    refused = on_page(client, token, FUNNEL_PAGE, given)
    html = text(refused)
    page = QuestionPage(html)

    assert refused.status_code == 200
    assert "6 stages have no answer yet" in html
    assert 'href="#stage-brand_consideration">Brand consideration</a>' in html
    assert 'class="stage missing" id="stage-brand_consideration"' in html
    assert 'aria-describedby="stage-brand_consideration-error"' in html
    assert page.checked == {keys[0]: "1", keys[1]: "na"}
    assert page_of(client, f"/s/{token}/questions/{FUNNEL_PAGE}").checked == page.checked

    done = on_page(client, token, FUNNEL_PAGE, dict.fromkeys(keys, "3"))
    assert done.status_code == 303
    assert done.headers["Location"] == f"/s/{token}/questions/{PAGES}"
    back = on_page(client, token, FUNNEL_PAGE, {}, action="back")
    assert back.headers["Location"] == f"/s/{token}/questions/{FUNNEL_PAGE - 1}"


def test_other_pages_carry_the_stages_and_sending_stores_them(
    client: FlaskClient, bank: Bank
) -> None:
    token = create_assessment().marketing_token
    start(client, token)
    keys = stage_keys(bank)
    chosen = dict(zip(keys, ["1", "1", "1", "3", "2", "2", "na", "4"], strict=True))
    on_page(client, token, FUNNEL_PAGE, chosen)
    # Every other page carries hidden copies, so a lost cookie loses no stage either.
    assert page_of(client, f"/s/{token}/questions/1").hidden[f"saved-{keys[0]}"] == "1"
    last = text(client.get(f"/s/{token}/questions/{PAGES}"))
    assert "have no answer yet. If you send now" not in last

    sent = send(client, token, form_values(answers_80(bank)))

    assert sent.headers["Location"] == f"/s/{token}/thanks"
    stored = {
        row.item_id: row.value for row in db.session.execute(select(Answer.item_id, Answer.value))
    }
    assert {key: stored[key] for key in keys} == dict(
        zip(keys, [1, 1, 1, 3, 2, 2, None, 4], strict=True)
    )
    # The own view is the statements' alone: 80 whatever the stages say.
    assert "Score: 80.0 out of 100" in text(client.get(sent.headers["Location"]))


def test_stages_never_decide_whether_a_response_counts(client: FlaskClient, bank: Bank) -> None:
    token = create_assessment().marketing_token
    start(client, token)
    nothing_rated = dict.fromkeys((item.id for item in bank.items), "na")
    every_stage = dict.fromkeys(stage_keys(bank), "2")

    send(client, token, {**nothing_rated, **every_stage})

    assert db.session.scalars(select(Response.counted)).one() is False


def test_the_last_page_says_which_stages_are_still_open(client: FlaskClient, bank: Bank) -> None:
    token = create_assessment().sales_token
    start(client, token)
    keys = stage_keys(bank)
    send(client, token, {**form_values(answers_80(bank)), keys[0]: "1"}, action="save")

    html = text(client.get(f"/s/{token}/questions/{PAGES}"))

    assert "7 stages of the customer's journey have no answer yet." in html
    assert "they are sent as “Don't know”" in html
    assert f'href="/s/{token}/questions/{FUNNEL_PAGE}#stage-brand_awareness"' in html


def test_the_autosave_keeps_stage_choices(client: FlaskClient, bank: Bank) -> None:
    token = create_assessment().sales_token
    start(client, token)
    keys = stage_keys(bank)

    saved = client.post(f"/s/{token}/draft", data={keys[3]: "4", keys[4]: "9"})

    assert saved.get_json() == {"saved": True, "answered": 0}  # statements answered
    assert page_of(client, f"/s/{token}/questions/{FUNNEL_PAGE}").checked == {keys[3]: "4"}
