"""Changing what was set up: names, threshold, headcounts, the advisor's context; and the
confirmation pages in front of everything that breaks a link already handed out."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from scoring import Side
from survey.extensions import db
from survey.models import Assessment, AuditEvent, Organisation, User, WaveSummary
from tests.conftest import add_responses, create_assessment, create_organisation, uniform_answers


def audit() -> list[tuple[str, str]]:
    return [
        (event.action, event.target)
        for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def fresh(wave: Assessment) -> Assessment:
    db.session.expire_all()
    found = db.session.get(Assessment, wave.id)
    assert found is not None
    return found


def settings(wave: Assessment, **changes: str) -> dict[str, str]:
    """The settings form as the page fills it in, with ``changes``."""
    data = {
        "name": wave.name,
        "threshold": str(wave.threshold),
        "marketing_headcount": str(wave.marketing_headcount or ""),
        "sales_headcount": str(wave.sales_headcount or ""),
    }
    for key, value in (wave.context or {}).items():
        data[f"context_{key}"] = ("yes" if value else "no") if isinstance(value, bool) else value
    return {**data, **changes}


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


# --- names ------------------------------------------------------------------------------


def test_renaming_an_organisation_shows_everywhere_and_is_audited(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    organisation_id = wave.organisation_id
    url = f"/workspace/organisations/{organisation_id}/edit"
    assert 'value="Acme Ltd"' in text(signed_in.get(url))

    assert "Enter the organisation" in text(signed_in.post(url, data={"name": "  "}))
    response = signed_in.post(url, data={"name": "  Acme Group  "})
    assert response.status_code == 302
    db.session.expire_all()
    renamed = db.session.get(Organisation, organisation_id)
    assert renamed is not None and renamed.name == "Acme Group"
    assert "Acme Group" in text(signed_in.get(f"/r/{wave.report_token}"))
    assert "Acme Group" in text(signed_in.get("/workspace/"))

    signed_in.post(url, data={"name": "Acme Group"})  # the same name: nothing to record
    assert audit() == [("organisation.rename", f"organisation {organisation_id}")]


def test_renaming_a_wave_and_its_audit_row_names_no_client(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    url = f"/workspace/assessments/{wave.id}/edit"
    page = text(signed_in.get(url))
    assert 'value="Baseline"' in page
    response = signed_in.post(url, data=settings(wave, name="Kick-off at Acme"))
    assert response.status_code == 302
    assert fresh(wave).name == "Kick-off at Acme"
    assert audit() == [("assessment.rename", f"assessment {wave.id}")]
    assert not any("Acme" in target for _, target in audit())


# --- the advisor's context -----------------------------------------------------------------


def test_context_filled_in_later_reaches_the_report(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    add_responses(wave, Side.MARKETING, uniform_answers(4), 3)
    add_responses(wave, Side.SALES, uniform_answers(3), 3)
    report = f"/r/{wave.report_token}"
    assert "context has not been filled in" in text(signed_in.get(report))

    response = signed_in.post(
        f"/workspace/assessments/{wave.id}/edit",
        data=settings(
            wave,
            context_evident_conflicts="yes",
            context_common_funnel_possible="yes",
            context_sales_cycle="long",
        ),
    )
    assert response.status_code == 302
    assert fresh(wave).context == {
        "evident_conflicts": True,
        "common_funnel_possible": True,
        "sales_cycle": "long",
    }
    page = text(signed_in.get(report))
    assert "context has not been filled in" not in page
    assert "Long, complex sales involve marketing at many stages" in page
    assert audit() == [("assessment.edit_context", f"assessment {wave.id}")]

    # The form shows what is stored; clearing an answer takes it out again.
    form = text(signed_in.get(f"/workspace/assessments/{wave.id}/edit"))
    assert re.search(r'value="long"[^>]*selected|selected[^>]*value="long"', form)
    signed_in.post(
        f"/workspace/assessments/{wave.id}/edit",
        data=settings(fresh(wave), context_sales_cycle=""),
    )
    assert fresh(wave).context == {"evident_conflicts": True, "common_funnel_possible": True}


# --- the threshold -----------------------------------------------------------------------


def test_the_threshold_goes_down_only_before_the_first_response(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    url = f"/workspace/assessments/{wave.id}/edit"
    # No response yet: down is allowed (with the confirmation below 3), and up.
    assert signed_in.post(url, data=settings(wave, threshold="5")).status_code == 302
    assert fresh(wave).threshold == 5
    page = text(signed_in.post(url, data=settings(wave, threshold="2")))
    assert "answers may be identifiable" in page
    assert fresh(wave).threshold == 5
    response = signed_in.post(url, data=settings(wave, threshold="2", identifiable_confirmed="y"))
    assert response.status_code == 302
    assert fresh(wave).threshold == 2

    # One response that waits for its group is enough to lock the way down.
    add_responses(wave, Side.SALES, uniform_answers(3))
    page = text(
        signed_in.post(url, data=settings(fresh(wave), threshold="1", identifiable_confirmed="y"))
    )
    assert "the threshold can only go up, not down" in page
    assert fresh(wave).threshold == 2
    assert signed_in.post(url, data=settings(fresh(wave), threshold="4")).status_code == 302
    assert fresh(wave).threshold == 4
    assert "can only go up (now 4)" in text(signed_in.get(url))

    assert audit() == [
        ("assessment.change_threshold", f"assessment {wave.id} (threshold 3 to 5)"),
        ("assessment.change_threshold", f"assessment {wave.id} (threshold 5 to 2)"),
        ("assessment.change_threshold", f"assessment {wave.id} (threshold 2 to 4)"),
    ]


def test_raising_the_threshold_hides_a_side_and_refreshes_the_stored_placement(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    add_responses(wave, Side.MARKETING, uniform_answers(4), 3)
    add_responses(wave, Side.SALES, uniform_answers(3), 3)
    summary = db.session.get(WaveSummary, wave.id)
    assert summary is not None and summary.placed
    assert "Aligned" in text(signed_in.get("/workspace/"))

    signed_in.post(f"/workspace/assessments/{wave.id}/edit", data=settings(wave, threshold="4"))
    db.session.expire_all()
    summary = db.session.get(WaveSummary, wave.id)
    assert summary is not None and not summary.placed
    assert "Aligned" not in text(signed_in.get("/workspace/"))
    report = text(signed_in.get(f"/r/{wave.report_token}"))
    assert "Not enough answers yet" in report
    state = signed_in.get(f"/workspace/assessments/{wave.id}/live.json").get_json()
    assert state["placed"] is False and state["sides"]["sales"]["needed"] == 1


# --- headcounts --------------------------------------------------------------------------


def test_headcounts_are_set_cleared_and_never_below_what_arrived(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    url = f"/workspace/assessments/{wave.id}/edit"
    signed_in.post(url, data=settings(wave, marketing_headcount="12", sales_headcount="40"))
    assert (fresh(wave).marketing_headcount, fresh(wave).sales_headcount) == (12, 40)

    for bad in ("0", "10001"):
        page = text(signed_in.post(url, data=settings(fresh(wave), sales_headcount=bad)))
        assert "A headcount must be a whole number from 1 to 10000." in page
    add_responses(fresh(wave), Side.SALES, uniform_answers(3), 4)
    page = text(signed_in.post(url, data=settings(fresh(wave), sales_headcount="3")))
    assert "4 responses have arrived from this team already" in page
    assert fresh(wave).sales_headcount == 40

    signed_in.post(url, data=settings(fresh(wave), sales_headcount="4", marketing_headcount=""))
    assert (fresh(wave).marketing_headcount, fresh(wave).sales_headcount) == (None, 4)
    assert f"/s/{wave.sales_token}" in text(signed_in.get(f"/workspace/assessments/{wave.id}"))
    assert [target for action, target in audit() if action == "assessment.change_headcount"] == [
        f"assessment {wave.id} (marketing headcount none to 12)",
        f"assessment {wave.id} (sales headcount none to 40)",
        f"assessment {wave.id} (marketing headcount 12 to none)",
        f"assessment {wave.id} (sales headcount 40 to 4)",
    ]


def test_saving_unchanged_settings_records_nothing(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    response = signed_in.post(f"/workspace/assessments/{wave.id}/edit", data=settings(wave))
    assert response.status_code == 302
    assert audit() == []


# --- confirmations ------------------------------------------------------------------------


def test_a_new_report_link_needs_the_confirmation_page(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    old = wave.report_token
    url = f"/workspace/assessments/{wave.id}/rotate-report-link"
    wave_page = text(signed_in.get(f"/workspace/assessments/{wave.id}"))
    assert f'href="{url}"' in wave_page  # a link to the confirmation, not a button that acts

    page = text(signed_in.get(url))
    assert "Give the report a new link?" in page
    assert "stops working at once" in page
    assert f'action="{url}"' in page or 'method="post"' in page
    assert fresh(wave).report_token == old  # looking changes nothing
    assert signed_in.get(f"/r/{old}").status_code == 200

    response = signed_in.post(url)
    assert response.status_code == 302
    new = fresh(wave).report_token
    assert new != old
    assert signed_in.get(f"/r/{old}").status_code == 404
    assert signed_in.get(f"/r/{new}").status_code == 200
    assert audit() == [("assessment.rotate_report_link", f"assessment {wave.id}")]


def test_new_join_codes_need_the_confirmation_page(
    signed_in: FlaskClient, wave: Assessment
) -> None:
    old = wave.sales_join_code
    url = f"/workspace/assessments/{wave.id}/join-codes/replace"
    page = text(signed_in.get(url))
    assert "Replace the join codes?" in page
    assert "stop working at once" in page
    assert fresh(wave).sales_join_code == old
    assert signed_in.get(f"/j/{old}").status_code == 302

    assert signed_in.post(url).status_code == 302
    new = fresh(wave).sales_join_code
    assert new and new != old
    assert signed_in.get(f"/j/{old}").status_code == 404
    assert signed_in.get(f"/j/{new}").headers["Location"].endswith(f"/s/{wave.sales_token}")
    assert audit() == [("assessment.replace_join_codes", f"assessment {wave.id}")]


def test_edits_need_a_csrf_token(make_app: Any) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = User(email="ada@example.com", password_hash="unused")
        db.session.add(user)
        db.session.commit()
        wave = create_assessment(create_organisation("Acme Ltd", user))
        client = app.test_client(user=user)
        for url, data in (
            (f"/workspace/organisations/{wave.organisation_id}/edit", {"name": "Other"}),
            (f"/workspace/assessments/{wave.id}/edit", settings(wave, name="Other")),
            (f"/workspace/assessments/{wave.id}/rotate-report-link", {}),
            (f"/workspace/assessments/{wave.id}/join-codes/replace", {}),
        ):
            assert client.post(url, data=data).status_code == 400, url
        assert audit() == []
