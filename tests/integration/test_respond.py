"""Taking the survey through a team's link: start, answer, save, resume, submit."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, text

from scoring import Bank
from survey.extensions import db, limiter
from survey.models import Answer, Assessment, Draft, Response
from survey.services.banks import current_bank
from tests.conftest import create_assessment, create_organisation, uniform_answers

COOKIE = "survey_draft"
SENT_COOKIE = "survey_submitted"
SCALE = {"1", "2", "3", "4", "5", "na"}


# --- helpers -----------------------------------------------------------------


class QuestionPage(HTMLParser):
    """What a respondent sees of the questions: sections, fieldsets and radio buttons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        #: dimension title → ids of the fieldsets under it, in page order
        self.sections: dict[str, list[str]] = {}
        self.fieldsets: dict[str, dict[str, str | None]] = {}
        #: radio name → its values, in page order
        self.radios: dict[str, list[str]] = {}
        self.checked: dict[str, str] = {}
        self._in_section = False
        self._in_h2 = False
        self._title = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section" and "dimension" in classes:
            self._in_section = True
            self._title = ""
        elif tag == "h2" and self._in_section and not self._title:
            self._in_h2 = True
        elif tag == "fieldset" and "item" in classes:
            fieldset_id = attributes["id"] or ""
            self.fieldsets[fieldset_id] = attributes
            self.sections[self._title].append(fieldset_id)
        elif tag == "input" and attributes.get("type") == "radio":
            name, value = attributes["name"] or "", attributes["value"] or ""
            self.radios.setdefault(name, []).append(value)
            if "checked" in attributes:
                self.checked[name] = value

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self._title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._in_h2:
            self._in_h2 = False
            self._title = self._title.strip()
            self.sections[self._title] = []
        elif tag == "section":
            self._in_section = False


def form_values(answers: Mapping[str, int | None]) -> dict[str, str]:
    return {item_id: "na" if value is None else str(value) for item_id, value in answers.items()}


def start(client: FlaskClient, token: str) -> str:
    """Press "Start"; returns the draft cookie's value."""
    response = client.post(f"/s/{token}/start")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/s/{token}/questions")
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


def submit(
    client: FlaskClient, token: str, values: Mapping[str, str], action: str = "submit"
) -> Any:
    return client.post(f"/s/{token}/questions", data={**values, "action": action})


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


# --- start page -------------------------------------------------------------


def test_start_page_names_the_team_time_and_anonymity(client: FlaskClient) -> None:
    assessment = create_assessment(create_organisation("Nordwind GmbH"), threshold=5)

    marketing = client.get(f"/s/{assessment.marketing_token}").get_data(as_text=True)
    sales = client.get(f"/s/{assessment.sales_token}").get_data(as_text=True)

    assert "This survey is for the marketing staff of Nordwind GmbH." in marketing
    assert "This survey is for the sales staff of Nordwind GmbH." in sales
    assert "sales staff" not in marketing
    # 41 statements × 15 s = 615 s ≈ 10 minutes
    assert "It takes about 10 minutes" in marketing
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
        assert respondent.get(f"/s/{token}/questions").status_code == 200
        done = submit(respondent, token, form_values(answers_80(bank)))
        assert done.status_code == 200
        assert "Your answers have been received." in done.get_data(as_text=True)
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


# --- the questions page ------------------------------------------------------


def test_questions_page_has_one_fieldset_per_item_grouped_by_dimension(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    start(client, assessment.sales_token)

    response = client.get(f"/s/{assessment.sales_token}/questions")
    html = response.get_data(as_text=True)
    page = QuestionPage(html)

    assert response.status_code == 200
    assert len(page.fieldsets) == len(bank.items) == 41
    assert set(page.radios) == {item.id for item in bank.items}
    assert all(values == ["1", "2", "3", "4", "5", "na"] for values in page.radios.values())
    assert page.checked == {}
    for dimension in bank.dimensions:
        expected = [f"item-{item.id}" for item in bank.items_in(dimension.id)]
        assert page.sections[dimension.title.get()] == expected
    for words in ("Strongly disagree", "Neither agree nor disagree", "Strongly agree"):
        assert html.count(f"<span>{words}</span>") == 41
    assert html.count("<span>Don't know</span>") == 41
    assert "0 of 41 answered" in html
    assert '<progress max="41" value="0"' in html
    # The sales link shows the sales wording of each statement.
    first = bank.items[0]
    assert first.sales.get() in html
    assert first.marketing.get() not in html


def test_questions_page_without_a_draft_goes_back_to_the_start_page(client: FlaskClient) -> None:
    assessment = create_assessment()

    response = client.get(f"/s/{assessment.marketing_token}/questions")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/s/{assessment.marketing_token}"


# --- submitting -------------------------------------------------------------


def test_full_submission_stores_one_counted_response_and_shows_own_view(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    answers = answers_80(bank)
    unknown = next(item.id for item in bank.items if not item.reverse)
    answers[unknown] = None  # one "don't know": the other 40 items still score 4 each

    response = submit(client, token, form_values(answers))
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Your answers have been received." in page
    assert '<p class="type-name">Integrated</p>' in page
    assert "Score: 80.0 out of 100" in page
    assert "share structures, systems, targets and rewards" in page  # the type's description
    assert "at least 5 people from marketing and 5 from sales" in page
    assert "cannot count" not in page
    stored = db.session.scalars(select(Response)).one()
    assert (stored.side, stored.counted, stored.assessment_id) == ("marketing", True, assessment.id)
    values = {
        row.item_id: row.value for row in db.session.execute(select(Answer.item_id, Answer.value))
    }
    assert len(values) == 41
    assert values[unknown] is None
    assert values == answers
    assert count(Draft) == 0
    # The cookie is expired with the draft.
    cookie = set_cookie(response.headers.getlist("Set-Cookie"))
    assert cookie["value"] == ""
    assert cookie["max-age"] == "0"


def test_missing_answers_store_nothing_and_keep_what_was_given(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    given = form_values(answers_80(bank))
    left_out = [bank.items[2].id, bank.items[17].id, bank.items[40].id]
    for item_id in left_out:
        del given[item_id]

    response = submit(client, token, given)
    html = response.get_data(as_text=True)
    page = QuestionPage(html)

    assert response.status_code == 200
    assert count(Response) == 0
    assert "3 statements have no answer yet" in html
    for item_id in left_out:
        assert f'href="#item-{item_id}"' in html
        assert page.fieldsets[f"item-{item_id}"]["class"] == "item missing"
        assert page.fieldsets[f"item-{item_id}"]["aria-invalid"] == "true"
    marked = [fid for fid, attributes in page.fieldsets.items() if "missing" in attributes["class"]]
    assert len(marked) == 3
    assert page.checked == given
    assert "38 of 41 answered" in html
    # The given answers were saved into the draft too: a later visit still has them.
    again = QuestionPage(client.get(f"/s/{token}/questions").get_data(as_text=True))
    assert again.checked == given


def test_an_answer_off_the_scale_counts_as_missing(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    values = form_values(answers_80(bank))
    values[bank.items[0].id] = "7"

    html = submit(client, token, values).get_data(as_text=True)

    assert "1 statement has no answer yet" in html
    assert count(Response) == 0


def test_too_many_dont_know_answers_are_stored_but_excluded(
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

    page = submit(client, token, form_values(answers)).get_data(as_text=True)

    stored = db.session.scalars(select(Response)).one()
    assert stored.counted is False
    assert count(Answer) == 41
    assert "Your answers cannot count toward the results." in page
    assert "you rated 27 of 41 statements" in page
    assert "at least 28 of them are rated from 1 to 5" in page


def test_thirteen_dont_know_answers_still_count(client: FlaskClient, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    answers = answers_80(bank)
    for item in bank.items[:13]:  # 28 rated answers: just enough
        answers[item.id] = None

    page = submit(client, token, form_values(answers)).get_data(as_text=True)

    assert db.session.scalars(select(Response)).one().counted is True
    assert "cannot count" not in page


def test_posting_the_same_answers_twice_stores_one_response(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    values = form_values(answers_80(bank))

    first = submit(client, token, values).get_data(as_text=True)
    second = submit(client, token, values).get_data(as_text=True)

    assert "Your answers have been received." in first
    assert "Your answers were already received. Nothing more was stored." in second
    assert count(Response) == 1
    assert count(Answer) == 41


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

    response = submit(client, token, values)
    html = response.get_data(as_text=True)

    # Nothing was stored, and the page does not pretend otherwise ...
    assert response.status_code == 200
    assert count(Response) == 0
    assert "received" not in html
    assert "Your saved progress could not be found on this device" in html
    assert "Nothing has been sent yet" in html
    assert "press “Send my answers” again to send them" in html
    # ... every answer is still on the page ...
    assert QuestionPage(html).checked == values
    assert "41 of 41 answered" in html
    # ... and in a fresh draft, so the next press stores exactly one response.
    assert set_cookie(response.headers.getlist("Set-Cookie"))["value"] != ""
    sent = submit(client, token, values).get_data(as_text=True)
    assert "Your answers have been received." in sent
    assert "Score: 80.0 out of 100" in sent  # 40 rated items, each scoring 4
    stored = {
        row.item_id: row.value for row in db.session.execute(select(Answer.item_id, Answer.value))
    }
    assert stored == answers
    again = submit(client, token, values).get_data(as_text=True)
    assert "Your answers were already received. Nothing more was stored." in again
    assert count(Response) == 1


def test_incomplete_answers_after_the_draft_expired_are_kept_with_the_missing_ones_marked(
    app: Flask, bank: Bank
) -> None:
    # A browser whose cookie and draft are both long gone: it sends no cookie at all.
    token = create_assessment().sales_token
    client = app.test_client()
    given = form_values(answers_80(bank))
    del given[bank.items[7].id]

    response = submit(client, token, given)
    html = response.get_data(as_text=True)

    assert "Your saved progress could not be found on this device" in html
    assert "1 statement has no answer yet" in html
    assert QuestionPage(html).checked == given
    assert count(Response) == 0
    draft = db.session.scalars(select(Draft)).one()
    assert draft.answers == given
    resumed = QuestionPage(client.get(f"/s/{token}/questions").get_data(as_text=True))
    assert resumed.checked == given


def test_a_replay_after_sending_stores_nothing_and_starts_no_draft(
    client: FlaskClient, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    key = start(client, token)
    values = form_values(answers_80(bank))
    incomplete = dict(values)
    del incomplete[bank.items[0].id]

    done = submit(client, token, values)

    assert "Your answers have been received." in done.get_data(as_text=True)
    headers = done.headers.getlist("Set-Cookie")
    assert set_cookie(headers)["max-age"] == "0"
    marker = set_cookie(headers, SENT_COOKIE)
    assert marker["value"] == "1"  # no id: nothing links the browser to its response
    assert "httponly" in marker
    assert "secure" in marker
    assert marker["samesite"] == "Lax"
    assert marker["path"] == f"/s/{token}"
    assert marker["max-age"] == str(30 * 24 * 60 * 60)
    assert count(Draft) == 0

    for replay in (
        submit(client, token, values, action="save"),
        submit(client, token, incomplete),
        submit(client, token, incomplete, action="save"),
        submit(client, token, values),
    ):
        page = replay.get_data(as_text=True)
        assert replay.status_code == 200
        assert "Your answers were already received. Nothing more was stored." in page
        assert "Your answers are saved" not in page
        assert "<fieldset" not in page
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
        page = submit(client, token, incomplete, action=action).get_data(as_text=True)
        assert "Your answers were already received. Nothing more was stored." in page
    assert count(Draft) == 0
    assert count(Response) == 1


def test_start_page_after_sending_says_so_and_offers_no_new_start(
    client: FlaskClient, app: Flask, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    start(client, token)
    submit(client, token, form_values(answers_80(bank)))

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


def test_concurrent_submissions_of_one_draft_store_one_response(app: Flask, bank: Bank) -> None:
    assessment = create_assessment()
    token = assessment.sales_token
    key = start(app.test_client(), token)
    values = {**form_values(answers_80(bank)), "action": "submit"}
    db.session.rollback()
    barrier = threading.Barrier(2)
    pages: list[str] = []
    errors: list[BaseException] = []

    def post() -> None:
        client = app.test_client()
        client.set_cookie(COOKIE, key, path=f"/s/{token}")
        try:
            barrier.wait(timeout=10)
            pages.append(client.post(f"/s/{token}/questions", data=values).get_data(as_text=True))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert count(Response) == 1
    assert sorted("already received" in page for page in pages) == [False, True]


# --- saving and resuming -----------------------------------------------------


def test_save_and_finish_later_then_resume_on_the_same_device(
    client: FlaskClient, app: Flask, bank: Bank
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    start(client, token)
    partial = {item.id: "2" for item in bank.items[:4]}
    partial[bank.items[4].id] = "na"

    saved = submit(client, token, partial, action="save")

    assert saved.status_code == 200
    saved_page = saved.get_data(as_text=True)
    assert "Your answers are saved" in saved_page
    assert "open the same survey link again on this device" in saved_page
    assert "5 of 41 statements answered so far" in saved_page
    assert count(Response) == 0
    # Back through the link: the start page offers to continue, the questions are filled in.
    again = client.get(f"/s/{token}").get_data(as_text=True)
    assert "You have already answered 5 statements on this device." in again
    assert f'href="/s/{token}/questions">Continue</a>' in again
    resumed = client.get(f"/s/{token}/questions").get_data(as_text=True)
    assert QuestionPage(resumed).checked == partial
    assert "5 of 41 answered" in resumed

    # Another browser (no cookie) starts blank.
    other = app.test_client()
    assert ">Start</button>" in other.get(f"/s/{token}").get_data(as_text=True)
    start(other, token)
    assert QuestionPage(other.get(f"/s/{token}/questions").get_data(as_text=True)).checked == {}


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
    later = client.post(f"/s/{token}/draft", data={bank.items[1].id: "na"})

    assert first.get_json() == {"saved": True, "answered": 1}
    assert later.get_json() == {"saved": True, "answered": 2}
    page = QuestionPage(client.get(f"/s/{token}/questions").get_data(as_text=True))
    assert page.checked == {bank.items[0].id: "3", bank.items[1].id: "na"}


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
        done = submit(browser, token, form_values(answers_80(current_bank())))
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
    refused = submit(client, token, form_values(answers_80(bank)))

    assert "This survey is closed" in start_page
    assert ">Start</button>" not in start_page
    assert "This survey is closed" in questions
    assert "<fieldset" not in questions
    assert refused.status_code == 409
    refused_page = refused.get_data(as_text=True)
    assert "This survey is closed" in refused_page
    assert "Your answers were not sent: nothing was stored." in refused_page
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
        assert count(Response) == 0

        done = client.post(
            f"/s/{token}/questions", data={**values, "csrf_token": csrf_token(questions)}
        )
        assert done.status_code == 200
        assert '<p class="type-name">Integrated</p>' in done.get_data(as_text=True)
        assert count(Response) == 1
        db.session.remove()


# --- anonymity of the stored rows -------------------------------------------


def test_stored_responses_hold_nothing_that_identifies_a_person(app: Flask) -> None:
    tables = inspect(db.engine)
    if db.engine.dialect.name == "sqlite":
        # No hidden, growing row number either: storage order must not give away the
        # order in which responses, comments or codes came.
        for table in ("response", "answer", "comment", "invitation_code", "draft"):
            created = db.session.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": table}
            )
            assert created.rstrip().endswith("WITHOUT ROWID"), table
    # release_group: which whole group of at least ``threshold`` people it was published with.
    assert {c["name"] for c in tables.get_columns("response")} == {
        "id",
        "assessment_id",
        "side",
        "counted",
        "submitted_on",
        "release_group",
        # Set only while an import is being written (and then cleared): never a person.
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
