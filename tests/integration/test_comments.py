"""The open question: stored with the response, published only with a whole released group,
never on the live view, hidden by the consultant without being lost."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from scoring import Side
from survey.extensions import db
from survey.models import Assessment, AuditEvent, Comment, Response
from tests.conftest import (
    FIXTURE_BANK,
    add_responses,
    create_assessment,
    create_organisation,
    create_user,
    uniform_answers,
)

SOON = "Share the campaign calendar with us before a launch, not after."
LATER = "Tell us which leads you never call back, and why."


def answers() -> dict[str, str]:
    return {item: str(value) for item, value in uniform_answers(4).items()}


def respond(app: Flask, token: str, comment: str | None = None) -> Any:
    """One whole respondent through the pages' own form: start, answer, write, send."""
    client = app.test_client()
    assert client.post(f"/s/{token}/start").status_code == 303
    data = {**answers(), "action": "submit"}
    if comment is not None:
        data["open-answer"] = comment
    return client.post(f"/s/{token}/questions", data=data)


def stored() -> list[Comment]:
    db.session.rollback()  # see what the requests committed
    return list(db.session.scalars(select(Comment)))


def texts(page: str) -> list[str]:
    return re.findall(r'<blockquote class="comment-text">([^<]*)</blockquote>', page)


@pytest.fixture
def wave(app: Flask) -> tuple[Assessment, FlaskClient, FlaskClient]:
    owner = create_user()
    assessment = create_assessment(create_organisation("Acme Ltd", owner), threshold=3)
    return assessment, app.test_client(user=owner), app.test_client()


def views(wave: tuple[Assessment, FlaskClient, FlaskClient]) -> dict[str, str]:
    assessment, owner, public = wave
    base = f"/workspace/assessments/{assessment.id}"
    export = owner.post(f"/workspace/organisations/{assessment.organisation_id}/export.json")
    return {
        "report": public.get(f"/r/{assessment.report_token}").get_data(as_text=True),
        "wave page": owner.get(base).get_data(as_text=True),
        "live view": owner.get(f"{base}/live").get_data(as_text=True),
        "live JSON": owner.get(f"{base}/live.json").get_data(as_text=True),
        "export": export.get_data(as_text=True),
    }


def showing(text: str, pages: dict[str, str]) -> set[str]:
    return {name for name, page in pages.items() if text in page}


def pdf_text(public: FlaskClient, assessment: Assessment) -> str:
    """The words of the report's PDF handout, on one line."""
    response = public.get(f"/r/{assessment.report_token}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_comment_appears_only_once_its_sides_group_is_released_never_live(
    app: Flask, wave: tuple[Assessment, FlaskClient, FlaskClient]
) -> None:
    assessment = wave[0]
    token = assessment.sales_token
    add_responses(assessment, Side.MARKETING, {item: 4 for item in answers()}, 3)

    assert respond(app, token, SOON).status_code == 303
    [waiting] = stored()
    assert (waiting.side, waiting.text, waiting.release_group, waiting.hidden) == (
        "sales",
        SOON,
        None,
        False,
    )
    assert showing(SOON, views(wave)) == set()

    assert respond(app, token, LATER).status_code == 303
    assert showing(LATER, views(wave)) | showing(SOON, views(wave)) == set()

    assert respond(app, token).status_code == 303  # the third: a whole group, no comment
    assert {comment.release_group for comment in stored()} == {1}
    pages = views(wave)
    for text in (SOON, LATER):
        # The report, the consultant's review and the export; never the projected live view.
        assert showing(text, pages) == {"report", "wave page", "export"}
    # In the order of the comments' random ids, which says nothing about who came first.
    in_id_order = [comment.text for comment in sorted(stored(), key=lambda c: c.id)]
    assert texts(pages["report"]) == in_id_order
    assert "What is the one thing the marketing team could do" in pages["report"]


def test_a_comment_of_a_waiting_response_joins_the_next_release_of_its_side_only(
    app: Flask, wave: tuple[Assessment, FlaskClient, FlaskClient]
) -> None:
    assessment = wave[0]
    add_responses(assessment, Side.SALES, {item: 4 for item in answers()}, 2)
    assert respond(app, assessment.marketing_token, SOON).status_code == 303

    # Sales reaches its group: the marketing comment still waits for marketing's.
    assert respond(app, assessment.sales_token).status_code == 303
    assert [comment.release_group for comment in stored()] == [None]
    assert showing(SOON, views(wave)) == set()


def test_a_hidden_comment_leaves_the_report_its_pdf_and_the_export_but_is_kept_and_audited(
    app: Flask, wave: tuple[Assessment, FlaskClient, FlaskClient]
) -> None:
    assessment, owner, public = wave
    for text in (SOON, LATER, None):
        respond(app, assessment.sales_token, text)
    [soon] = [comment for comment in stored() if comment.text == SOON]
    base = f"/workspace/assessments/{assessment.id}/comments/{soon.id}"

    hidden = owner.post(f"{base}/hide")

    assert hidden.status_code == 302
    assert hidden.headers["Location"].endswith(f"/workspace/assessments/{assessment.id}#comments")
    pages = views(wave)
    assert showing(SOON, pages) == {"wave page"}  # still there for the consultant ...
    assert showing(LATER, pages) == {"report", "wave page", "export"}
    assert "Hidden from the report" in pages["wave page"]
    printed = pdf_text(public, assessment)  # the PDF handout is the report, drawn
    assert LATER in printed
    assert SOON not in printed
    assert [comment.hidden for comment in stored() if comment.text == SOON] == [True]  # ... kept
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "comment.hide")).one()
    assert audit.target == f"comment {soon.id} of assessment {assessment.id}"
    assert SOON not in audit.target

    assert owner.post(f"{base}/show").status_code == 302
    assert showing(SOON, views(wave)) == {"report", "wave page", "export"}
    assert SOON in pdf_text(public, assessment)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "comment.show")
    )


def test_only_the_owner_hides_and_only_released_comments(
    app: Flask, wave: tuple[Assessment, FlaskClient, FlaskClient]
) -> None:
    assessment, owner, public = wave
    respond(app, assessment.sales_token, SOON)
    [waiting] = stored()
    intruder = app.test_client(user=create_user("other@example.com"))
    url = f"/workspace/assessments/{assessment.id}/comments/{waiting.id}/hide"

    assert owner.post(url).status_code == 404  # waiting: nobody may see it yet
    waiting_row = db.session.get_one(Comment, waiting.id)
    waiting_row.release_group = 1
    db.session.commit()
    assert intruder.post(url).status_code == 404
    assert public.post(url).status_code == 302  # to the sign-in page
    assert [comment.hidden for comment in stored()] == [False]
    assert owner.post(url).status_code == 302
    assert [comment.hidden for comment in stored()] == [True]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("é" * 1000, "é" * 1000),  # 2 bytes each in UTF-8
        ("😀" * 1000, "😀" * 1000),  # 4 bytes each, 2 UTF-16 units
        ("e\u0301" * 1000, "é" * 1000),  # e + combining accent: one character once composed
        ("a\r\n" * 333 + "b", "a\n" * 333 + "b"),  # a browser's line ends count once
        ("  \x1bok\x07  ", "ok"),  # control characters and outer blanks dropped
    ],
)
def test_the_length_is_counted_in_characters_not_bytes(app: Flask, typed: str, kept: str) -> None:
    token = create_assessment().sales_token

    assert respond(app, token, typed).status_code == 303

    assert [comment.text for comment in stored()] == [kept]


def test_a_comment_over_the_limit_is_refused_plainly_and_kept_on_the_page(app: Flask) -> None:
    token = create_assessment().sales_token
    client = app.test_client()
    client.post(f"/s/{token}/start")
    too_long = "x" * 1001

    refused = client.post(
        f"/s/{token}/questions", data={**answers(), "open-answer": too_long, "action": "submit"}
    )
    page = refused.get_data(as_text=True)

    assert refused.status_code == 200
    assert "Your answer is 1,001 characters long. Please shorten it to 1,000" in page
    assert f">{too_long}</textarea>" in page
    assert 'aria-invalid="true"' in page
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert stored() == []

    shorter = client.post(
        f"/s/{token}/questions", data={"open-answer": too_long[:1000], "action": "submit"}
    )
    assert shorter.headers["Location"] == f"/s/{token}/thanks"
    assert [len(comment.text) for comment in stored()] == [1000]


def test_no_comment_and_a_blank_one_store_no_row(app: Flask) -> None:
    token = create_assessment().sales_token
    assert respond(app, token).status_code == 303
    assert respond(app, token, " \r\n\t ").status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    assert stored() == []


def test_a_refused_response_keeps_no_comment(app: Flask) -> None:
    assessment = create_assessment(threshold=2)
    assessment.sales_headcount = 1
    db.session.commit()
    late = app.test_client()
    assert late.post(f"/s/{assessment.sales_token}/start").status_code == 303
    assert respond(app, assessment.sales_token).status_code == 303  # fills the side

    refused = late.post(
        f"/s/{assessment.sales_token}/questions",
        data={**answers(), "open-answer": SOON, "action": "submit"},
    )

    assert refused.status_code == 409
    assert stored() == []


def test_the_comment_is_saved_with_the_draft_until_it_is_sent(app: Flask) -> None:
    token = create_assessment().sales_token
    client = app.test_client()
    client.post(f"/s/{token}/start")
    client.post(f"/s/{token}/questions", data={"open-answer": SOON, "action": "save"})

    # The last page: nine of statements and the funnel's come before it.
    page = client.get(f"/s/{token}/questions/11").get_data(as_text=True)
    assert f">{SOON}</textarea>" in page
    assert stored() == []
    # The other pages carry it, so a lost cookie does not lose it.
    assert f'name="saved-open-answer" value="{SOON}"' in client.get(
        f"/s/{token}/questions/2"
    ).get_data(as_text=True)

    sent = client.post(f"/s/{token}/questions", data={**answers(), "action": "submit"})
    assert sent.status_code == 303
    assert [comment.text for comment in stored()] == [SOON]


def test_a_wave_whose_bank_has_no_open_question_asks_none(make_app: Any, tmp_path: Any) -> None:
    source = FIXTURE_BANK.read_text(encoding="utf-8")
    start, end = source.index("open_question:"), source.index("\ntypes:")
    plain = tmp_path / "bank.yaml"
    plain.write_text(source[:start] + source[end:], encoding="utf-8")
    application = make_app(BANK_PATH=str(plain))
    with application.app_context():
        token = create_assessment().sales_token
        client = application.test_client()
        client.post(f"/s/{token}/start")
        page = client.get(f"/s/{token}/questions/10").get_data(as_text=True)
        assert "<textarea" not in page
        assert "At the end you may add" not in client.get(f"/s/{token}").get_data(as_text=True)
        client.post(
            f"/s/{token}/questions", data={**answers(), "open-answer": SOON, "action": "submit"}
        )
        assert stored() == []
        db.session.remove()
