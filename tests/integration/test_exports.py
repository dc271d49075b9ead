"""A wave's results as CSV and XLSX: released aggregates only, and no cell a spreadsheet
would run as a formula, however the organisation and the wave are named."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.models import Assessment, User
from survey.services.banks import current_bank
from tests.conftest import add_responses, create_assessment, create_organisation, uniform_answers

#: What an attacker types into a name, hoping a spreadsheet runs it.
HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "@SUM(1)", "-2")


def placed_wave(owner_user: User, organisation: str, wave: str) -> Assessment:
    assessment = create_assessment(create_organisation(organisation, owner_user), name=wave)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=5)
    return assessment


def csv_rows(client: FlaskClient, assessment: Assessment) -> list[list[str]]:
    response = client.get(f"/workspace/assessments/{assessment.id}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def workbook(client: FlaskClient, assessment: Assessment) -> openpyxl.Workbook:
    response = client.get(f"/workspace/assessments/{assessment.id}/results.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


@pytest.mark.parametrize("name", HOSTILE)
def test_formula_names_come_back_as_text(
    signed_in: FlaskClient, consultant: User, name: str
) -> None:
    assessment = placed_wave(consultant, name, name)
    rows = csv_rows(signed_in, assessment)
    named = {row[0]: row[1] for row in rows if len(row) == 2}
    # The CSV neutralises them with a leading apostrophe: a spreadsheet shows text.
    assert named["Organisation"] == "'" + name
    assert named["Wave"] == "'" + name
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                float(cell)  # only our own negative numbers may start with a minus
    # The XLSX stores them as strings (never formulas), with Excel's quote prefix.
    sheet = workbook(signed_in, assessment)["Placement and advice"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for label in ("Organisation", "Wave"):
        assert cells[label].value == name
        assert cells[label].data_type == "s"
        assert cells[label].quotePrefix
    for row in workbook(signed_in, assessment).worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


def test_exports_hold_the_published_aggregates_and_no_response(
    signed_in: FlaskClient, consultant: User
) -> None:
    assessment = placed_wave(consultant, "Acme Ltd", "Baseline")
    bank = current_bank()
    book = workbook(signed_in, assessment)
    assert book.sheetnames == [
        "Placement and advice",
        "Areas",
        "Questions",
        "Next steps",
        "Buyer's journey",
    ]
    summary = {
        row[0].value: row[1].value for row in book["Placement and advice"].iter_rows(min_row=2)
    }
    assert summary["Score (20 to 100)"] == 70.0
    assert summary["Type"] == "Aligned"
    assert summary["Marketing: score"] == 80.0
    assert summary["Sales: counted responses"] == 5
    areas = list(book["Areas"].iter_rows(min_row=2, values_only=True))
    assert len(areas) == len(bank.dimensions)
    assert areas[0][2:6] == (80.0, 60.0, 70.0, 20.0)
    questions = list(book["Questions"].iter_rows(values_only=True))
    header, rows = questions[0], questions[1:]
    assert len(rows) == len(bank.items)  # one row per question, never per respondent
    assert header[4:8] == (
        "Marketing: answered",
        "Marketing: don't know",
        "Marketing: mean",
        "Marketing: standard deviation",
    )
    first = rows[0]
    # five answers a side: the mean, no spread (it needs twice the threshold), gap +1, marked
    assert first[4:8] == (5, 0, 4.0, None)
    assert first[-2:] == (1.0, "yes")
    text = "\n".join(",".join(row) for row in csv_rows(signed_in, assessment))
    assert "Questions" in text and bank.items[0].marketing.get() in text
    assert "response" not in " ".join(str(cell) for cell in header).lower()


def test_a_waiting_wave_exports_no_hidden_side(signed_in: FlaskClient, consultant: User) -> None:
    assessment = create_assessment(create_organisation("Acme Ltd", consultant))
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(2), count=4)  # one short of a group
    book = workbook(signed_in, assessment)
    assert book.sheetnames == ["Placement and advice", "Questions", "Buyer's journey"]
    summary = {
        row[0].value: row[1].value for row in book["Placement and advice"].iter_rows(min_row=2)
    }
    assert summary["Status"] == "waiting"
    assert summary["Score (20 to 100)"] is None
    assert summary["Sales: score"] is None
    for row in book["Questions"].iter_rows(min_row=2, values_only=True):
        assert row[8:12] == (None, None, None, None)  # sales: answered, don't know, mean, sd
    for row in book["Buyer's journey"].iter_rows(min_row=2, values_only=True):
        # sales' leader, four shares and counts, then both sides': nothing from a hidden side
        assert row[10:17] == (None,) * 7
        assert row[17:22] == (None,) * 5


def test_only_the_owner_may_export(app: Flask, signed_in: FlaskClient, consultant: User) -> None:
    from survey.extensions import db

    assessment = placed_wave(consultant, "Acme Ltd", "Baseline")
    other = User(email="bob@example.com", password_hash="unused")
    db.session.add(other)
    db.session.commit()
    stranger = app.test_client(user=other)
    for kind in ("csv", "xlsx"):
        url = f"/workspace/assessments/{assessment.id}/results.{kind}"
        assert stranger.get(url).status_code == 404
        assert app.test_client().get(url).status_code == 302  # to the sign-in page
        assert signed_in.get(url).status_code == 200


def test_the_wave_page_offers_the_exports_and_the_pdf(
    signed_in: FlaskClient, consultant: User
) -> None:
    assessment = placed_wave(consultant, "Acme Ltd", "Baseline")
    html = signed_in.get(f"/workspace/assessments/{assessment.id}").get_data(as_text=True)
    assert f'href="/workspace/assessments/{assessment.id}/results.csv"' in html
    assert f'href="/workspace/assessments/{assessment.id}/results.xlsx"' in html
    assert f'href="/r/{assessment.report_token}/report.pdf"' in html
