"""The report as a PDF handout: drawn on the server, read back with pypdf.

The demo (``flask demo``, the suite's own scenario) gives the waves. The first page of
the later wave's PDF is rendered to ``test-output/report-page-1.png`` (poppler's
pdftoppm) for a person to look at.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader

from survey.report.pdf import NotFetched, _fetcher
from survey.services import action_plans
from survey.services.assessments import find_by_report_token
from survey.services.results import assessment_result
from tests.conftest import add_responses, create_assessment, uniform_answers

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
#: The issue's target for the demo wave.
MOST_PAGES = 6
A4 = (595, 842)
LETTER = (612, 792)


@pytest.fixture
def demo(app: Flask, runner: FlaskCliRunner) -> dict[str, object]:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    made: dict[str, object] = json.loads(result.stdout)
    return made


def report_path(demo: dict[str, object], index: int) -> str:
    waves = demo["waves"]
    assert isinstance(waves, list)
    return urlsplit(waves[index]["report_link"]).path


def pdf_of(client: FlaskClient, path: str, paper: str = "") -> PdfReader:
    response = client.get(f"{path}/report.pdf" + (f"?paper={paper}" if paper else ""))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["Content-Disposition"].endswith('.pdf"')
    assert "no-store" in response.headers["Cache-Control"]
    return PdfReader(io.BytesIO(response.data))


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("index", [0, 1], ids=["baseline", "after 6 months"])
def test_the_demo_handout_is_short_and_every_page_says_whose_it_is(
    client: FlaskClient, demo: dict[str, object], index: int
) -> None:
    path = report_path(demo, index)
    reader = pdf_of(client, path)
    pages = [words(page.extract_text()) for page in reader.pages]
    assert 2 <= len(pages) <= MOST_PAGES
    waves = demo["waves"]
    assert isinstance(waves, list)
    wave = waves[index]["name"]
    for number, text in enumerate(pages, start=1):
        assert str(demo["organisation"]) in text, f"page {number}"
        assert wave in text, f"page {number}"
        assert re.search(rf"(?<!\d){number} / {len(pages)}(?!\d)", text), f"page {number}"
    for page in reader.pages:
        width, height = (round(float(v)) for v in page.mediabox.upper_right)
        assert (width, height) == A4
        assert list(page.images) == []  # charts are vectors, not pictures
    assessment = find_by_report_token(path.rsplit("/", 1)[-1])
    assert assessment is not None
    result, _ = assessment_result(assessment)
    assert result.is_placed and result.type is not None
    first = pages[0]
    assert "Summary" in first
    assert result.type.name.get() in first
    assert "What to do" in first
    # fonts are embedded (nothing is fetched, on the server or by a reader)
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        for font in [font.get_object()]
    }
    assert any("DejaVu" in name for name in fonts), fonts


def test_the_first_page_is_rendered_for_a_person_to_look_at(
    client: FlaskClient, demo: dict[str, object]
) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
    response = client.get(f"{report_path(demo, 1)}/report.pdf")
    OUTPUT.mkdir(exist_ok=True)
    pdf = OUTPUT / "report.pdf"
    pdf.write_bytes(response.data)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(OUTPUT / "report-page-1"),
        ],
        check=True,
    )
    image = OUTPUT / "report-page-1.png"
    assert image.stat().st_size > 10_000
    print(f"page 1 of the demo report: {image}")


def test_letter_paper_on_request_and_unknown_paper_refused(
    client: FlaskClient, demo: dict[str, object]
) -> None:
    path = report_path(demo, 1)
    reader = pdf_of(client, path, "letter")
    for page in reader.pages:
        assert tuple(round(float(v)) for v in page.mediabox.upper_right) == LETTER
    assert re.search(rf"1 / {len(reader.pages)}", reader.pages[0].extract_text())
    assert client.get(f"{path}/report.pdf?paper=a3").status_code == 404
    assert client.get("/r/not-a-token/report.pdf").status_code == 404


def test_a_waiting_wave_prints_without_charts_or_hidden_numbers(
    app: Flask, client: FlaskClient
) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    reader = pdf_of(client, f"/r/{assessment.report_token}")
    text = words(" ".join(page.extract_text() for page in reader.pages))
    assert "Not enough answers yet" in text
    assert "5 more sales responses needed" in text  # the 2 received wait for a group
    assert "Summary" not in text


def test_the_pdf_fetches_nothing_but_its_charts_and_static_files(app: Flask) -> None:
    static = Path(app.static_folder or "static")
    fetch = _fetcher({"/r/x/charts/gaps.svg?size=print": b"<svg/>"}, static, "/static")
    assert fetch("http://survey.test/r/x/charts/gaps.svg?size=print").read() == b"<svg/>"
    assert b"@page" in fetch("http://survey.test/static/css/pdf.css").read()
    for url in (
        "https://example.com/font.woff2",
        "http://survey.test/static/../app.py",
        "http://survey.test/r/x/charts/gaps.svg",
        "file:///etc/passwd",
    ):
        with pytest.raises(NotFetched, match="does not fetch"):
            fetch(url)


def test_the_action_plan_is_in_the_handout_as_on_the_page(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=5)
    move = action_plans.moves_of(assessment)[0]
    action_plans.add_item(
        assessment,
        action_plans.Entry(move_id=move.id, marketing_owner="Ada Lovelace", sales_owner="Bo"),
    )
    page = words(client.get(f"/r/{assessment.report_token}").get_data(as_text=True))
    assert "Ada Lovelace" in page
    reader = pdf_of(client, f"/r/{assessment.report_token}")
    text = words(" ".join(page.extract_text() for page in reader.pages))
    assert "Action plan" in text
    assert move.title.get() in text
    assert "Ada Lovelace" in text
