"""Taking the survey through a team's link: start, pages, save, resume, send, thank you."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from markupsafe import escape
from sqlalchemy import func, inspect, select

from scoring import Bank
from survey.extensions import db, limiter
from survey.models import Answer, Assessment, Draft, Response
from survey.services.banks import current_bank
from tests.conftest import TEST_SECRET, create_assessment, create_organisation, uniform_answers

COOKIE = "survey_draft"
SENT_COOKIE = "survey_submitted"
#: One page per dimension, the funnel's page, then the page that sends.
PAGES = 11
#: Answers a sent response stores: every statement and every stage of the funnel.
STORED_ANSWERS = 41 + 8


# --- helpers -----------------------------------------------------------------


class QuestionPage(HTMLParser):
    """What a respondent sees of a page: heading, fieldsets, radios, hidden copies."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.h1 = ""
        self.fieldsets: dict[str, dict[str, str | None]] = {}
        #: radio name → its values, in page order
        self.radios: dict[str, list[str]] = {}
        self.checked: dict[str, str] = {}
        self.hidden: dict[str, str] = {}
        self.autofocus: list[str] = []
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "h1":
            self._in_h1 = True
        elif tag == "fieldset" and "item" in classes:
            self.fieldsets[attributes["id"] or ""] = attributes
        elif tag == "input" and attributes.get("type") == "radio":
            name, value = attributes["name"] or "", attributes["value"] or ""
            self.radios.setdefault(name, []).append(value)
            if "checked" in attributes:
                self.checked[name] = value
            if "autofocus" in attributes:
                self.autofocus.append(f"{name}={value}")
        elif tag == "input" and attributes.get("type") == "hidden":
            self.hidden[attributes["name"] or ""] = attributes["value"] or ""

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
            self.h1 = " ".join(self.h1.split())

    @property
    def items(self) -> list[str]:
        return [fieldset_id.removeprefix("item-") for fieldset_id in self.fieldsets]


def form_values(answers: Mapping[str, int | None]) -> dict[str, str]:
    return {item_id: "na" if value is None else str(value) for item_id, value in answers.items()}


def start(client: FlaskClient, token: str) -> str:
    """Press "Start"; returns the draft cookie's value."""
    response = client.post(f"/s/{token}/start")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{token}/questions/1?started=1"
    return set_cookie(response.headers.getlist("Set-Cookie"))["value"]


def set_cookie(headers: list[str], cookie: str = COOKIE) -> dict[str, str]:
    """A cookie's value and attributes (lower-case names) from Set-Cookie headers."""
    for header in headers:
        if header.startswith(f"{cookie}="):
            first, *rest = header.split("; ")
            attributes = {"value": first.split("=", 1)[1]}
            for part in rest:
                name, _, value = part.partition("=")
                attributes[name.lower()] = value
            return attributes
    raise AssertionError(f"no {cookie} cookie in {headers}")


def send(client: FlaskClient, token: str, values: Mapping[str, str], action: str = "submit") -> Any:
    """The last page's form (or a whole questionnaire in one POST)."""
    return client.post(f"/s/{token}/questions", data={**values, "action": action})


def on_page(
    client: FlaskClient, token: str, step: int, values: Mapping[str, str], action: str = "next"
) -> Any:
    return client.post(f"/s/{token}/questions/{step}", data={**values, "action": action})


def page_of(client: FlaskClient, url: str) -> QuestionPage:
    response = client.get(url)
    assert response.status_code == 200, url
    return QuestionPage(response.get_data(as_text=True))


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def count(model: Any) -> int:
    db.session.rollback()  # a fresh snapshot: see what the requests committed
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def answers_80(bank: Bank) -> dict[str, int | None]:
    """Every plain item 4, every reverse item 2: each scores 4, so 20 × 4 = 80.0 (Integrated)."""
    return uniform_answers(4, reverse_value=2)


def stage_keys(bank: Bank) -> list[str]:
    """The answer keys of the funnel's stages, in funnel order."""
    assert bank.funnel is not None
    return [f"funnel:{stage.id}" for stage in bank.funnel.stages]


def items_of_page(bank: Bank, step: int) -> list[str]:
    """The item ids of page ``step`` (one page per dimension in the test bank)."""
    return [item.id for item in bank.items_in(bank.dimensions[step - 1].id)]


# --- start page -------------------------------------------------------------


def test_start_page_names_the_team_time_anonymity_and_the_counting_rule(
    client: FlaskClient,
) -> None:
    assessment = create_assessment(create_organisation("Nordwind GmbH"), threshold=5)

    marketing = client.get(f"/s/{assessment.marketing_token}").get_data(as_text=True)
    sales = client.get(f"/s/{assessment.sales_token}").get_data(as_text=True)

    assert "This survey is for the marketing staff of Nordwind GmbH." in marketing
    assert "This survey is for the sales staff of Nordwind GmbH." in sales
    assert "sales staff" not in marketing
    # 41 statements × 15 s + 8 funnel stages × 8 s = 679 s ≈ 11 minutes
    assert "It takes about 11 minutes" in marketing
    assert "They come on 11 short pages, one topic each" in marketing
    assert "One page asks who leads each of the 8 stages of a customer's journey" in marketing
    # Said before anyone starts: two thirds of 41 is 27.3, so 28 rated answers.
    assert "at least 28 of the 41 statements are rated from 1 to 5" in marketing
    assert "At the end you may add a few words of your own." in marketing
    assert "we do not store your IP address" in marketing
    assert "only the day" in marketing
    assert "whole groups of at least 5 people" in marketing
    assert "may be recognisable" not in marketing
    assert ">Start</button>" in marketing


def test_start_page_warns_when_answers_may_be_identifiable(client: FlaskClient) -> None:
    assessment = create_assessment(threshold=2)

    page = client.get(f"/s/{assessment.sales_token}").get_data(as_text=True)

    assert "groups as small as 2 people, so your answers may be recognisable" in page
    # … and no promise that contradicts it.
    assert "nobody can pick out one person's answers" not in page
    assert "never for one person" not in page


def test_unknown_token_is_not_found(client: FlaskClient) -> None:
    create_assessment()
    assert client.get("/s/not-a-real-token").status_code == 404
    assert client.get("/s/not-a-real-token/questions").status_code == 404
    assert client.get("/s/not-a-real-token/questions/1").status_code == 404
    assert client.get("/s/not-a-real-token/thanks").status_code == 404
    assert client.post("/s/not-a-real-token/start").status_code == 404


def test_guessing_survey_tokens_is_rate_limited(make_app: Any) -> None:
    limited = make_app(RATELIMIT_ENABLED=True, SURVEY_TOKEN_LIMIT="3 per minute")
    with limited.app_context():
        limiter.reset()
        token = create_assessment().marketing_token
        client = limited.test_client()
        # Valid links cost nothing ...
        for _ in range(5):
            assert client.get(f"/s/{token}").status_code == 200
        # ... but the fourth unknown token in a minute is refused, whichever page it names.
        guesses = [
            client.get("/s/guess-0").status_code,
            client.get("/s/guess-1/questions").status_code,
            client.post("/s/guess-2/start").status_code,
        ]
        assert guesses == [404, 404, 404]
        refused = client.get("/s/guess-3")
        assert refused.status_code == 429
        assert "Too many attempts" in refused.get_data(as_text=True)
        assert client.post("/s/guess-4/draft").status_code == 429
        # Another address has its own count.
        assert client.get("/s/guess-5", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404
        db.session.remove()


def test_mistyped_links_never_lock_out_a_valid_link(make_app: Any, bank: Bank) -> None:
    # A workshop behind one address: a few mistyped QR scans, then everyone else.
    limited = make_app(RATELIMIT_ENABLED=True, SURVEY_TOKEN_LIMIT="3 per minute")
    with limited.app_context():
        limiter.reset()
        token = create_assessment().sales_token
        client = limited.test_client()
        statuses = [client.get(f"/s/typo-{n}").status_code for n in range(4)]
        assert statuses == [404, 404, 404, 429]

        assert client.get(f"/s/{token}").status_code == 200
        respondent = limited.test_client()
        assert respondent.get(f"/s/{token}").status_code == 200
        start(respondent, token)
        assert respondent.get(f"/s/{token}/questions/1").status_code == 200
        done = send(respondent, token, form_values(answers_80(bank)))
        assert done.status_code == 303
        thanks = respondent.get(done.headers["Location"])
        assert "Your answers have been received." in thanks.get_data(as_text=True)
        assert count(Response) == 1
        # The valid link consumed nothing: unknown tokens are still refused, not counted anew.
        assert client.get("/s/typo-4").status_code == 429
        db.session.remove()


def test_unknown_tokens_are_still_counted_when_the_limit_store_is_down(
    make_app: Any, monkeypatch: Any
) -> None:
    limited = make_app(RATELIMIT_ENABLED=True, SURVEY_TOKEN_LIMIT="3 per minute")
    with limited.app_context():
        limiter.reset()
        token = create_assessment().marketing_token

        def unreachable(*args: object, **kwargs: object) -> bool:
            raise ConnectionError("limit store unreachable")

        monkeypatch.setattr(limiter.limiter, "hit", unreachable)
        client = limited.test_client()
        statuses = [client.get(f"/s/guess-{n}").status_code for n in range(4)]
        assert statuses == [404, 404, 404, 429]
        assert client.get(f"/s/{token}").status_code == 200
        db.session.remove()


# --- the pages ---------------------------------------------------------------


def test_one_page_per_dimension_with_a_step_indicator_then_the_page_that_sends(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)

    seen: list[str] = []
    for step, dimension in enumerate(bank.dimensions, start=1):
        html = text(client.get(f"/s/{token}/questions/{step}"))
        page = QuestionPage(html)
        assert page.h1 == dimension.title.get()
        assert f"Step {step} of {PAGES}" in html
        assert page.items == items_of_page(bank, step)
        assert 4 <= len(page.items) <= 5
        assert all(values == ["1", "2", "3", "4", "5", "na"] for values in page.radios.values())
        assert page.checked == {}
        assert "0 of 41 statements answered" in html
        assert '<progress max="41" value="0"' in html
        # Words for every point, for screen readers; the two ends printed under the row.
        assert html.count('<span class="point-words">Strongly disagree</span>') == len(page.items)
        assert html.count('<span class="point-words">Neither agree nor disagree</span>') == len(
            page.items
        )
        assert html.count("<span>Don't know</span>") == len(page.items)
        seen += page.items
        # The sales link shows the sales wording of each statement.
        first = bank.item(page.items[0])
        assert escape(first.sales.get()) in html
        assert escape(first.marketing.get()) not in html
    assert seen == [item.id for item in bank.items]

    last = text(client.get(f"/s/{token}/questions/{PAGES}"))
    assert f"Step {PAGES} of {PAGES}" in last
    assert "<h1>Before you send</h1>" in last
    assert "What is the one thing the marketing team could do" in last
    assert "Please do not name anyone" in last
    assert ">Send my answers</button>" in last
    assert client.get(f"/s/{token}/questions/{PAGES + 1}").status_code == 404
    assert client.get(f"/s/{token}/questions/0").status_code == 404


def test_next_saves_the_page_and_asks_for_what_is_missing(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    asked = items_of_page(bank, 2)
    given = {asked[0]: "4", asked[2]: "na"}

    refused = on_page(client, token, 2, given)
    html = text(refused)
    page = QuestionPage(html)

    assert refused.status_code == 200
    assert f"{len(asked) - 2} statements have no answer yet" in html
    for item_id in (asked[1], asked[3]):
        assert f'href="#item-{item_id}"' in html
        assert page.fieldsets[f"item-{item_id}"]["class"] == "item missing"
        assert page.fieldsets[f"item-{item_id}"]["aria-invalid"] == "true"
    assert page.checked == given
    assert "2 of 41 statements answered" in html
    # What was given is in the draft: a later visit has it.
    assert page_of(client, f"/s/{token}/questions/2").checked == given

    done = on_page(client, token, 2, dict.fromkeys(asked, "3"))
    assert done.status_code == 303
    assert done.headers["Location"] == f"/s/{token}/questions/3"
    assert count(Response) == 0


def test_back_and_save_keep_the_page_without_asking_for_more(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    first_of_three = items_of_page(bank, 3)[0]

    back = on_page(client, token, 3, {first_of_three: "5"}, action="back")
    assert back.status_code == 303
    assert back.headers["Location"] == f"/s/{token}/questions/2"
    assert page_of(client, f"/s/{token}/questions/3").checked == {first_of_three: "5"}

    saved = on_page(client, token, 3, {first_of_three: "2"}, action="save")
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/s/{token}/saved"
    saved_page = text(client.get(saved.headers["Location"]))
    assert "Your answers are saved" in saved_page
    assert "1 of 41 statements answered so far" in saved_page
    assert f'href="/s/{token}/questions">Continue now</a>' in saved_page
    # The saved page can be reloaded: it reads the draft, it posts nothing.
    assert "1 of 41 statements answered so far" in text(client.get(f"/s/{token}/saved"))

    last_back = send(client, token, {}, action="back")
    assert last_back.headers["Location"] == f"/s/{token}/questions/{PAGES - 1}"
    assert count(Response) == 0


def test_every_page_carries_the_answers_of_the_others(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    first = items_of_page(bank, 1)
    on_page(client, token, 1, dict.fromkeys(first, "4"))

    page = page_of(client, f"/s/{token}/questions/2")

    assert page.hidden == {
        "csrf_token": page.hidden["csrf_token"],
        **{f"saved-{item_id}": "4" for item_id in first},
    }


# --- resuming ----------------------------------------------------------------


def test_coming_back_lands_on_the_first_statement_not_answered(
    client: FlaskClient, app: Flask, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    for step in range(1, 5):
        on_page(client, token, step, dict.fromkeys(items_of_page(bank, step), "2"))
    fifth = items_of_page(bank, 5)
    on_page(client, token, 5, {fifth[0]: "4", fifth[1]: "na"}, action="save")

    # The link again: a browser with a draft goes on where it left, not to the top.
    again = client.get(f"/s/{token}")
    assert again.status_code == 302
    assert again.headers["Location"] == f"/s/{token}/questions"
    html = text(client.get(f"/s/{token}/questions"))
    page = QuestionPage(html)

    assert f"Step 5 of {PAGES}" in html
    assert page.items == fifth
    assert page.checked == {fifth[0]: "4", fifth[1]: "na"}
    assert page.autofocus == [f"{fifth[2]}=1"]  # the third statement of the page
    assert "Welcome back." in html
    assert f"{sum(len(items_of_page(bank, s)) for s in range(1, 5)) + 2} of 41" in html

    # Another browser (no cookie) starts blank.
    other = app.test_client()
    assert ">Start</button>" in text(other.get(f"/s/{token}"))
    start(other, token)
    assert page_of(other, f"/s/{token}/questions/1").checked == {}


def test_coming_back_with_every_statement_answered_opens_the_page_that_sends(
    client: FlaskClient, bank: Bank
) -> None:
    token = create_assessment().sales_token
    start(client, token)
    send(client, token, form_values(answers_80(bank)), action="save")
    # The funnel's stages come before sending: the first one without an answer first.
    assert QuestionPage(text(client.get(f"/s/{token}/questions"))).autofocus == [
        "funnel:customer_awareness=1"
    ]
    send(client, token, dict.fromkeys(stage_keys(bank), "na"), action="save")

    html = text(client.get(f"/s/{token}/questions"))

    assert "<h1>Before you send</h1>" in html
    assert "Every statement has an answer; only sending is left." in html
    assert "You answered all 41 statements." in html


# --- sending -----------------------------------------------------------------


def test_sending_redirects_to_a_thank_you_page_that_survives_a_reload(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    answers = answers_80(bank)
    unknown = next(item.id for item in bank.items if not item.reverse)
    answers[unknown] = None  # one "don't know": the other 40 items still score 4 each

    response = send(client, token, form_values(answers))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{token}/thanks"
    for _ in range(2):  # the page itself, then a reload
        page = text(client.get(f"/s/{token}/thanks"))
        assert "Your answers have been received." in page
        assert '<p class="type-name">Integrated</p>' in page
        assert "Score: 80.0 out of 100" in page
        assert "share structures, systems, targets and rewards" in page  # the type's description
        assert "at least 5 people from marketing and 5 from sales" in page
        assert "cannot count" not in page
        assert "already" not in page
    stored = db.session.scalars(select(Response)).one()
    assert (stored.side, stored.counted, stored.assessment_id) == ("marketing", True, assessment.id)
    values = {
        row.item_id: row.value for row in db.session.execute(select(Answer.item_id, Answer.value))
    }
    # The funnel's stages were not answered: each is stored as "don't know".
    assert values == {**answers, **dict.fromkeys(stage_keys(bank))}
    assert count(Draft) == 0
    # The draft cookie is expired with the draft.
    cookie = set_cookie(response.headers.getlist("Set-Cookie"))
    assert cookie["value"] == ""
    assert cookie["max-age"] == "0"


def test_the_sent_cookie_holds_the_own_view_and_nothing_else(
    client: FlaskClient, bank: Bank
) -> None:
    token = create_assessment().sales_token
    start(client, token)

    done = send(client, token, form_values(answers_80(bank)))

    marker = set_cookie(done.headers.getlist("Set-Cookie"), SENT_COOKIE)
    assert "httponly" in marker
    assert "secure" in marker
    assert marker["samesite"] == "Lax"
    assert marker["path"] == f"/s/{token}"
    assert marker["max-age"] == str(30 * 24 * 60 * 60)
    own = URLSafeSerializer(TEST_SECRET, salt="survey-sent-own-view").loads(marker["value"])
    # Whether it counts, the score as shown and the type: no answer, no id, no time.
    assert own == {"c": True, "s": 80.0, "t": "integrated"}

    # A forged cookie shows nothing: the thank-you page goes back to the start page.
    payload = URLSafeSerializer("not the secret", salt="survey-sent-own-view")
    forged = payload.dumps({"c": True, "s": 20.0, "t": "undefined"})
    client.set_cookie(SENT_COOKIE, forged, path=f"/s/{token}")
    assert client.get(f"/s/{token}/thanks").status_code == 302


def test_sending_with_statements_missing_shows_where_they_are(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    given = form_values(answers_80(bank))
    left_out = [bank.items[2].id, bank.items[17].id, bank.items[40].id]
    for item_id in left_out:
        del given[item_id]

    response = send(client, token, given)
    html = text(response)
    page = QuestionPage(html)

    assert response.status_code == 200
    assert count(Response) == 0
    # The first page with a gap, its gap marked, and every gap listed with its page.
    assert page.items == items_of_page(bank, 1)
    assert "3 statements have no answer yet" in html
    assert f'href="#item-{left_out[0]}"' in html
    assert page.fieldsets[f"item-{left_out[0]}"]["aria-invalid"] == "true"
    for item_id in left_out[1:]:
        assert re.search(rf'href="/s/{token}/questions/\d+#item-{item_id}"', html)
    assert "38 of 41 statements answered" in html
    # The given answers were saved into the draft too: a later visit still has them.
    resumed = page_of(client, f"/s/{token}/questions")
    assert resumed.autofocus == [f"{left_out[0]}=1"]


def test_an_answer_off_the_scale_counts_as_missing(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    values = form_values(answers_80(bank))
    values[bank.items[0].id] = "7"

    html = text(send(client, token, values))

    assert "1 statement has no answer yet" in html
    assert count(Response) == 0


def test_fewer_than_two_thirds_rated_is_warned_before_sending_and_may_still_be_sent(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    answers = answers_80(bank)
    # 41 items: a response counts with at least 2/3 × 41 = 27.3, so 28 rated answers.
    # 14 "don't know" leave 27.
    for item in bank.items[:14]:
        answers[item.id] = None
    send(client, token, form_values(answers), action="save")

    before = text(client.get(f"/s/{token}/questions/{PAGES}"))

    assert "Your answers would not count" in before
    assert "You rated 27 of the 41 statements from 1 to 5" in before
    assert "at least 28 of the 41 statements are rated from 1 to 5" in before
    # The way back leads to the first "don't know".
    assert f'href="/s/{token}/questions/1#item-{bank.items[0].id}"' in before
    assert ">Send my answers</button>" in before

    done = send(client, token, {})
    page = text(client.get(done.headers["Location"]))

    stored = db.session.scalars(select(Response)).one()
    assert stored.counted is False
    assert count(Answer) == STORED_ANSWERS
    assert "Your answers cannot count toward the results." in page
    assert "You rated 27 of 41 statements" in page
    assert "at least 28 of them are rated from 1 to 5" in page


def test_thirteen_dont_know_answers_still_count_and_are_not_warned(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    answers = answers_80(bank)
    for item in bank.items[:13]:  # 28 rated answers: just enough
        answers[item.id] = None
    send(client, token, form_values(answers), action="save")

    assert "would not count" not in text(client.get(f"/s/{token}/questions/{PAGES}"))
    page = text(client.get(send(client, token, {}).headers["Location"]))

    assert db.session.scalars(select(Response)).one().counted is True
    assert "cannot count" not in page


def test_posting_the_same_answers_twice_stores_one_response(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    values = form_values(answers_80(bank))

    first = send(client, token, values)
    second = send(client, token, values)

    assert first.headers["Location"] == f"/s/{token}/thanks"
    assert second.headers["Location"] == f"/s/{token}/thanks?again=1"
    page = text(client.get(second.headers["Location"]))
    assert "They had already arrived before, so nothing more was stored." in page
    assert '<p class="type-name">Integrated</p>' in page  # the first send's own view stays
    assert count(Response) == 1
    assert count(Answer) == STORED_ANSWERS


def test_answers_sent_after_the_draft_cookie_was_lost_are_kept_and_sent_once(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    client.delete_cookie(COOKIE, path=f"/s/{token}")  # cleared by the browser, or expired
    answers = answers_80(bank)
    answers[bank.items[5].id] = None
    values = form_values(answers)

    response = send(client, token, values)

    # Nothing was stored, and nothing pretends otherwise: the last page, to send again ...
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{token}/questions/{PAGES}?recovered=1"
    assert count(Response) == 0
    html = text(client.get(response.headers["Location"]))
    assert "received" not in html
    assert "Your saved progress could not be found on this device" in html
    assert "nothing has been sent yet" in html
    assert "41 of 41 statements answered" in html
    # ... every answer is in a fresh draft, so the next press stores exactly one response.
    assert set_cookie(response.headers.getlist("Set-Cookie"))["value"] != ""
    sent = send(client, token, {})
    assert "Score: 80.0 out of 100" in text(client.get(sent.headers["Location"]))
    stored = {
        row.item_id: row.value for row in db.session.execute(select(Answer.item_id, Answer.value))
    }
    assert stored == {**answers, **dict.fromkeys(stage_keys(bank))}
    again = send(client, token, values)
    assert again.headers["Location"] == f"/s/{token}/thanks?again=1"
    assert count(Response) == 1


def test_a_page_posted_after_the_cookie_was_lost_keeps_what_it_carried(
    app: Flask, bank: Bank
) -> None:
    # A browser whose cookie and draft are both long gone: it sends no cookie at all,
    # but the page still holds hidden copies of the answers of the pages before.
    token = create_assessment().sales_token
    client = app.test_client()
    earlier = {f"saved-{item_id}": "5" for item_id in items_of_page(bank, 1)}
    third = items_of_page(bank, 2)

    response = on_page(client, token, 2, {**earlier, third[0]: "1"})
    html = text(response)

    assert response.status_code == 200  # the page's gaps are marked ...
    assert "Your saved progress could not be found on this device" in html
    assert f"{len(third) - 1} statements have no answer yet" in html
    assert count(Response) == 0
    draft = db.session.scalars(select(Draft)).one()
    # ... and the carried answers went into the fresh draft with the page's own.
    assert draft.answers == {
        **dict.fromkeys(items_of_page(bank, 1), "5"),
        third[0]: "1",
    }
    assert page_of(client, f"/s/{token}/questions/2").checked == {third[0]: "1"}


def test_a_replay_after_sending_stores_nothing_and_starts_no_draft(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    key = start(client, token)
    values = form_values(answers_80(bank))
    incomplete = dict(values)
    del incomplete[bank.items[0].id]

    done = send(client, token, values)
    assert done.headers["Location"] == f"/s/{token}/thanks"
    assert count(Draft) == 0

    for replay in (
        send(client, token, values, action="save"),
        send(client, token, incomplete),
        send(client, token, incomplete, action="save"),
        send(client, token, values),
        on_page(client, token, 1, values),
        on_page(client, token, 2, values, action="save"),
    ):
        assert replay.status_code == 303
        assert replay.headers["Location"] == f"/s/{token}/thanks?again=1"
    background = client.post(f"/s/{token}/draft", data={bank.items[0].id: "3"})
    assert background.status_code == 409
    assert background.get_json()["saved"] is False
    assert "already received" in background.get_json()["reason"]
    assert count(Draft) == 0
    assert count(Response) == 1

    # The same replay carrying the old draft cookie instead (say the marker never arrived,
    # as with a double click): its draft is gone, so those answers were sent.
    client.delete_cookie(SENT_COOKIE, path=f"/s/{token}")
    client.set_cookie(COOKIE, key, path=f"/s/{token}")
    for action in ("save", "submit"):
        replay = send(client, token, incomplete, action=action)
        assert replay.headers["Location"] == f"/s/{token}/thanks?again=1"
    assert count(Draft) == 0
    assert count(Response) == 1


def test_back_after_sending_raises_no_cookie_alarm(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    send(client, token, form_values(answers_80(bank)))

    # The browser's Back button: the pages before the thank-you page, as they were reached.
    for url in (f"/s/{token}/questions/{PAGES}", f"/s/{token}/questions/1?started=1"):
        back = client.get(url)
        assert back.status_code == 302
        assert back.headers["Location"] == f"/s/{token}"
    page = text(client.get(f"/s/{token}"))

    assert "did not keep the small cookie" not in page
    assert "Your answers from this device were already received." in page
    assert f'href="/s/{token}/thanks"' in page


def test_a_browser_that_refuses_cookies_is_told_so(app: Flask) -> None:
    token = create_assessment().sales_token
    client = app.test_client()

    page = text(client.get(f"/s/{token}/questions/1?started=1"))

    assert "did not keep the small cookie" in page
    assert ">Start</button>" in page


def test_start_page_after_sending_says_so_and_offers_no_new_start(
    client: FlaskClient, app: Flask, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    send(client, token, form_values(answers_80(bank)))

    page = client.get(f"/s/{token}").get_data(as_text=True)
    started = client.post(f"/s/{token}/start")

    assert "Your answers from this device were already received." in page
    assert ">Start</button>" not in page
    assert started.status_code == 303
    assert started.headers["Location"] == f"/s/{token}"
    assert COOKIE not in " ".join(started.headers.getlist("Set-Cookie"))
    questions = client.get(f"/s/{token}/questions")
    assert questions.status_code == 302
    assert questions.headers["Location"] == f"/s/{token}"
    assert count(Draft) == 0
    # The marker belongs to this link only, and to this browser only.
    other_link = client.get(f"/s/{assessment.marketing_token}").get_data(as_text=True)
    assert ">Start</button>" in other_link
    assert ">Start</button>" in app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert app.test_client().get(f"/s/{token}/thanks").status_code == 302


def test_concurrent_submissions_of_one_draft_store_one_response(app: Flask, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    key = start(app.test_client(), token)
    values = {**form_values(answers_80(bank)), "action": "submit"}
    db.session.rollback()
    barrier = threading.Barrier(2)
    places: list[str] = []
    errors: list[BaseException] = []

    def post() -> None:
        client = app.test_client()
        client.set_cookie(COOKIE, key, path=f"/s/{token}")
        try:
            barrier.wait(timeout=10)
            places.append(client.post(f"/s/{token}/questions", data=values).headers["Location"])
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert count(Response) == 1
    assert sorted(places) == [f"/s/{token}/thanks", f"/s/{token}/thanks?again=1"]


# --- the background save -------------------------------------------------------


def test_background_autosave_adds_to_the_draft_but_never_creates_one(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token

    orphan = client.post(f"/s/{token}/draft", data={bank.items[0].id: "3"})
    assert orphan.status_code == 409
    assert orphan.get_json()["saved"] is False
    assert "could not be found" in orphan.get_json()["reason"]
    assert count(Draft) == 0

    start(client, token)
    first = client.post(f"/s/{token}/draft", data={bank.items[0].id: "3"})
    later = client.post(
        f"/s/{token}/draft",
        # The hidden copies of other pages are never taken over in the background.
        data={bank.items[1].id: "na", f"saved-{bank.items[0].id}": "5", "open-answer": "Hi"},
    )

    assert first.get_json() == {"saved": True, "answered": 1}
    assert later.get_json() == {"saved": True, "answered": 2}
    page = page_of(client, f"/s/{token}/questions/1")
    assert page.checked == {bank.items[0].id: "3", bank.items[1].id: "na"}
    assert ">Hi</textarea>" in text(client.get(f"/s/{token}/questions/{PAGES}"))


def test_draft_cookie_is_http_only_limited_to_the_link_and_stored_hashed(
    client: FlaskClient, make_app: Any
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token

    response = client.post(f"/s/{token}/start")
    cookie = set_cookie(response.headers.getlist("Set-Cookie"))

    assert "httponly" in cookie
    assert "secure" in cookie
    assert cookie["path"] == f"/s/{token}"
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == str(30 * 24 * 60 * 60)
    assert len(cookie["value"]) >= 43  # 32 random bytes, URL-safe base64
    draft = db.session.scalars(select(Draft)).one()
    assert draft.key_hash == hashlib.sha256(cookie["value"].encode()).hexdigest()
    assert draft.key_hash != cookie["value"]

    plain_http = make_app(SESSION_COOKIE_SECURE=False)
    with plain_http.app_context():
        browser = plain_http.test_client()
        answer = browser.post(f"/s/{token}/start")
        assert "secure" not in set_cookie(answer.headers.getlist("Set-Cookie"))
        done = send(browser, token, form_values(answers_80(current_bank())))
        assert "secure" not in set_cookie(done.headers.getlist("Set-Cookie"), SENT_COOKIE)
        db.session.remove()


# --- closed assessments ------------------------------------------------------


def test_a_closed_survey_accepts_no_answers(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    db.session.get_one(Assessment, assessment.id).is_open = False
    db.session.commit()

    start_page = client.get(f"/s/{token}").get_data(as_text=True)
    questions = client.get(f"/s/{token}/questions").get_data(as_text=True)
    one_page = client.get(f"/s/{token}/questions/2").get_data(as_text=True)
    refused = send(client, token, form_values(answers_80(bank)))
    refused_page = on_page(client, token, 1, form_values(answers_80(bank)))

    assert "This survey is closed" in start_page
    assert ">Start</button>" not in start_page
    for page in (questions, one_page):
        assert "This survey is closed" in page
        assert "<fieldset" not in page
    for response in (refused, refused_page):
        assert response.status_code == 409
        assert "Your answers were not sent: nothing was stored." in text(response)
    assert count(Response) == 0
    assert client.post(f"/s/{token}/start").status_code == 409


# --- CSRF, end to end --------------------------------------------------------


def test_end_to_end_with_csrf_protection(make_app: Any, bank: Bank) -> None:
    protected = make_app(WTF_CSRF_ENABLED=True)
    with protected.app_context():
        token = create_assessment().marketing_token
        client = protected.test_client()

        start_page = client.get(f"/s/{token}").get_data(as_text=True)
        assert client.post(f"/s/{token}/start").status_code == 400  # no token
        assert count(Draft) == 0
        started = client.post(f"/s/{token}/start", data={"csrf_token": csrf_token(start_page)})
        assert started.status_code == 303
        questions = client.get(started.headers["Location"]).get_data(as_text=True)
        values = {**form_values(answers_80(bank)), "action": "submit"}

        forged = client.post(f"/s/{token}/questions", data=values)
        assert forged.status_code == 400
        assert "Nothing was changed" in forged.get_data(as_text=True)
        forged_page = client.post(f"/s/{token}/questions/1", data=values)
        assert forged_page.status_code == 400
        assert count(Response) == 0

        done = client.post(
            f"/s/{token}/questions", data={**values, "csrf_token": csrf_token(questions)}
        )
        assert done.status_code == 303
        page = client.get(done.headers["Location"]).get_data(as_text=True)
        assert '<p class="type-name">Integrated</p>' in page
        assert count(Response) == 1
        db.session.remove()


# --- anonymity of the stored rows -------------------------------------------


def test_stored_responses_hold_nothing_that_identifies_a_person(app: Flask) -> None:
    tables = inspect(db.engine)
    # release_group: which whole group of at least ``threshold`` people it was published with;
    # import_batch: the CSV import a row came from (empty for the survey's own responses).
    assert {c["name"] for c in tables.get_columns("response")} == {
        "id",
        "assessment_id",
        "side",
        "counted",
        "submitted_on",
        "release_group",
        "import_batch",
    }
    assert {c["name"] for c in tables.get_columns("answer")} == {"response_id", "item_id", "value"}
    assert {c["name"] for c in tables.get_columns("draft")} == {
        "key_hash",
        "assessment_id",
        "side",
        "answers",
        "updated_on",
        "invitation_code",
    }
    # A comment shares nothing with its response but the wave and the side.
    assert {c["name"] for c in tables.get_columns("comment")} == {
        "id",
        "assessment_id",
        "side",
        "text",
        "release_group",
        "hidden",
    }


def test_a_draft_found_before_its_transaction_ended_is_looked_up_again(app: Flask) -> None:
    """``submit`` trusts a draft the caller found only in the write transaction it goes
    on in: once that ended, a draft sent meanwhile is not stored twice."""
    from scoring import Side
    from survey.services.drafts import find_draft, start_draft, submit

    assessment = create_assessment(threshold=3)
    key = start_draft(assessment, Side.SALES, None).key  # type: ignore[union-attr]
    answers = {item_id: "4" for item_id in uniform_answers(4)}
    bank = current_bank()
    draft = find_draft(assessment, Side.SALES, key)
    assert draft is not None
    assert submit(assessment, Side.SALES, key, answers, bank) is not None  # commits
    assert submit(assessment, Side.SALES, key, answers, bank, draft=draft) is None
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
