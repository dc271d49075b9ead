"""The report charts: SVG that is safe to serve, deterministic, and drawn once per fingerprint.

Results are scored from plain responses with the scoring core; no app or database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import pytest

from scoring import AssessmentResult, Bank, LocalText, Response, Side, score_responses
from survey import charts
from survey.bank import load_bank
from survey.services.results import Fingerprint, chart_cache
from tests.conftest import FIXTURE_BANK


@pytest.fixture(autouse=True)
def empty_chart_cache() -> None:
    chart_cache.clear()


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(FIXTURE_BANK)


def scoring(bank: Bank, value: int, **overrides: int) -> dict[str, int | None]:
    """Answers whose scored value is ``value`` on every item (reverse items mirrored)."""
    answers: dict[str, int | None] = {
        item.id: 6 - value if item.reverse else value for item in bank.items
    }
    answers.update(overrides)
    return answers


def placed(
    bank: Bank, marketing: Mapping[str, int | None], sales: Mapping[str, int | None]
) -> AssessmentResult:
    responses = [Response(Side.MARKETING, marketing)] * 5 + [Response(Side.SALES, sales)] * 5
    return score_responses(bank, responses, threshold=5)


def fingerprint(groups: int) -> Fingerprint:
    """A wave's fingerprint after ``groups`` releases of each side."""
    return Fingerprint(
        assessment_id=1,
        bank_digest="0" * 64,
        threshold=5,
        context="null",
        released=((groups, 5 * groups, 0), (groups, 5 * groups, 0)),
    )


@pytest.fixture(scope="module")
def result_70(bank: Bank) -> AssessmentResult:
    # marketing scores 4 everywhere (80), sales 3 (60): organisation 70.0, Aligned
    return placed(bank, scoring(bank, 4), scoring(bank, 3))


RENDERERS: dict[str, Callable[[Bank, AssessmentResult], bytes]] = {
    "placement": lambda bank, result: charts.placement_chart(bank, result),
    "dimensions": lambda _bank, result: charts.dimension_chart(result, "en"),
    "gaps": lambda _bank, result: charts.gap_chart(result, "en"),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_each_chart_is_deterministic_svg_without_scripts_or_date(
    name: str, bank: Bank, result_70: AssessmentResult
) -> None:
    first = RENDERERS[name](bank, result_70)
    second = RENDERERS[name](bank, result_70)
    assert first.startswith(b"<?xml")
    assert b"<svg" in first
    assert b"<script" not in first.lower()
    assert b"<dc:date>" not in first
    assert first == second


def test_the_catalogue_names_the_three_charts() -> None:
    assert sorted(charts.CHARTS) == ["dimensions", "gaps", "placement"]


def test_placement_chart_names_the_bands_and_marks_the_score(
    bank: Bank, result_70: AssessmentResult
) -> None:
    svg = charts.placement_chart(bank, result_70).decode()
    for name in ("Undefined", "Defined", "Aligned", "Integrated"):
        assert f">{name}<" in svg
    assert "Organisation 70.0" in svg
    assert charts.MARKETING_COLOUR in svg  # marketing's marker
    assert charts.SALES_COLOUR in svg  # sales' marker


def test_dimension_chart_draws_both_sides_per_dimension(
    bank: Bank, result_70: AssessmentResult
) -> None:
    svg = charts.dimension_chart(result_70, "en").decode()
    assert ">Communication<" in svg
    assert ">Culture and trust<" in svg
    # nine dimensions, a value label per side each
    assert svg.count(">80.0<") == 9
    assert svg.count(">60.0<") == 9
    assert charts.MARKETING_COLOUR in svg
    assert charts.SALES_COLOUR in svg


def test_gap_chart_marks_only_the_flagged_items(bank: Bank) -> None:
    # Every item gap is 4 − 3 = +1.0 (flagged) except know_whom_to_call, answered 3 by both.
    result = placed(bank, scoring(bank, 4, know_whom_to_call=3), scoring(bank, 3))
    svg = charts.gap_chart(result, "en").decode()
    assert svg.count("▲ ") == 40 + 1  # 40 flagged labels + the legend entry
    assert ">When we need help from sales, we know exactly…<" in svg


def test_bank_text_with_markup_comes_out_escaped(bank: Bank) -> None:
    evil = LocalText.of({"en": "<script>alert(1)</script>"})
    hostile = dataclasses.replace(
        bank,
        dimensions=tuple(dataclasses.replace(d, title=evil) for d in bank.dimensions),
        types=tuple(dataclasses.replace(t, name=evil) for t in bank.types),
        items=tuple(dataclasses.replace(i, marketing=evil) for i in bank.items),
    )
    result = placed(hostile, scoring(hostile, 4), scoring(hostile, 3))
    for svg in (
        charts.placement_chart(hostile, result),
        charts.dimension_chart(result, "en"),
        charts.gap_chart(result, "en"),
    ):
        assert b"<script" not in svg
        assert b"&lt;script&gt;" in svg


def test_no_chart_while_a_side_is_below_the_threshold(bank: Bank) -> None:
    responses = [Response(Side.MARKETING, scoring(bank, 4))] * 5 + [
        Response(Side.SALES, scoring(bank, 3))
    ] * 2
    waiting = score_responses(bank, responses, threshold=5)
    for render in RENDERERS.values():
        with pytest.raises(charts.ChartUnavailable):
            render(bank, waiting)
    with pytest.raises(charts.ChartUnavailable):
        charts.cached_chart("placement", waiting, fingerprint(7), bank, "en")


def test_cached_chart_draws_once_per_fingerprint_and_locale(
    bank: Bank, result_70: AssessmentResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = charts.CHARTS["dimensions"]

    def counting(bank: Bank, result: AssessmentResult, locale: str) -> bytes:
        calls.append(locale)
        return original(bank, result, locale)

    monkeypatch.setitem(charts.CHARTS, "dimensions", counting)
    first = charts.cached_chart("dimensions", result_70, fingerprint(10), bank, "en")
    again = charts.cached_chart("dimensions", result_70, fingerprint(10), bank, "en")
    assert calls == ["en"]
    assert again == first

    charts.cached_chart("dimensions", result_70, fingerprint(11), bank, "en")  # a new group
    assert calls == ["en", "en"]
    charts.cached_chart("dimensions", result_70, fingerprint(11), bank, "fr")
    assert calls == ["en", "en", "fr"]


def test_unknown_chart_name_is_refused(bank: Bank, result_70: AssessmentResult) -> None:
    with pytest.raises(KeyError):
        charts.cached_chart("pie", result_70, fingerprint(10), bank, "en")


def test_etag_changes_with_fingerprint_name_and_locale() -> None:
    tag = charts.chart_etag(fingerprint(10), "gaps", "en")
    assert tag == charts.chart_etag(fingerprint(10), "gaps", "en")
    assert tag != charts.chart_etag(fingerprint(11), "gaps", "en")
    assert tag != charts.chart_etag(fingerprint(10), "placement", "en")
    assert tag != charts.chart_etag(fingerprint(10), "gaps", "fr")


def test_charts_need_no_inline_styles_so_the_strict_csp_holds(
    bank: Bank, result_70: AssessmentResult
) -> None:
    """The site's CSP has no 'unsafe-inline': a chart must draw with attributes only."""
    result = result_70
    for svg in (
        charts.placement_chart(bank, result),
        charts.dimension_chart(result),
        charts.gap_chart(result),
    ):
        text = svg.decode()
        assert "<style" not in text
        assert " style=" not in text
        sides = (charts.MARKETING_COLOUR, charts.SALES_COLOUR)
        assert any(f'fill="{colour}"' in text for colour in sides)
