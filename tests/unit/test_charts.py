"""The charts: SVG that is safe to serve, deterministic, drawn at the size it is shown (no
text under 12 CSS px on screens, 8 pt on paper), and drawn once per fingerprint.

Results are scored from plain responses with the scoring core; no app or database.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from xml.etree import ElementTree

import pytest

from scoring import AssessmentResult, Bank, LocalText, Response, Side, score_responses
from survey import charts
from survey.bank import load_bank
from survey.charts import Canvas, Size
from survey.charts import cache as chart_cache
from survey.charts.funnel import BOTH_COLOUR, NOBODY_COLOUR, OWNER_COLOURS, TEXT_ON
from survey.services.results import Fingerprint, clear_caches
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


#: Who each side says leads the funnel's eight stages (1 marketing, 2 sales, 3 both,
#: 4 nobody): marketing hands over at purchase intention, sales at brand consideration.
OWNERS = {Side.MARKETING: (1, 1, 1, 3, 2, 2, 2, 4), Side.SALES: (1, 1, 2, 2, 2, 2, 2, 2)}


def owners(bank: Bank, side: Side) -> dict[str, int | None]:
    assert bank.funnel is not None
    return {
        f"funnel:{stage.id}": code
        for stage, code in zip(bank.funnel.stages, OWNERS[side], strict=True)
    }


@pytest.fixture(scope="module")
def result_70(bank: Bank) -> AssessmentResult:
    # marketing scores 4 everywhere (80), sales 3 (60): organisation 70.0, Aligned
    return placed(
        bank,
        {**scoring(bank, 4), **owners(bank, Side.MARKETING)},
        {**scoring(bank, 3), **owners(bank, Side.SALES)},
    )


def drawn_with(name: str) -> Callable[[Bank, AssessmentResult], bytes]:
    return lambda bank, result: charts.CHARTS[name](result, Canvas(bank))


RENDERERS: dict[str, Callable[[Bank, AssessmentResult], bytes]] = {
    name: drawn_with(name) for name in charts.CHARTS
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


def test_the_catalogue_names_the_four_charts() -> None:
    assert sorted(charts.CHARTS) == ["dimensions", "funnel", "gaps", "placement"]


def test_placement_chart_names_the_bands_and_marks_the_score(
    bank: Bank, result_70: AssessmentResult
) -> None:
    svg = charts.placement_chart(result_70, Canvas(bank)).decode()
    for name in ("Undefined", "Defined", "Aligned", "Integrated"):
        assert f">{name}<" in svg
    # whole numbers, as the page writes them, each on a row of its own
    assert ">Organisation: 70<" in svg
    assert ">Marketing: 80<" in svg
    assert ">Sales: 60<" in svg
    assert charts.MARKETING_COLOUR in svg  # marketing's marker
    assert charts.SALES_COLOUR in svg  # sales' marker


def test_dimension_chart_draws_both_sides_per_dimension(
    bank: Bank, result_70: AssessmentResult
) -> None:
    svg = charts.dimension_chart(result_70, Canvas(bank)).decode()
    assert ">Communication<" in svg
    assert ">Culture and trust<" in svg
    # nine dimensions, a value label per side each
    assert svg.count(">80<") == 9 + 1  # and the axis tick 80
    assert svg.count(">60<") == 9 + 1
    assert charts.MARKETING_COLOUR in svg
    assert charts.SALES_COLOUR in svg


def test_gap_chart_marks_only_the_flagged_items_with_their_whole_wording(bank: Bank) -> None:
    # Every item gap is 4 − 3 = +1.0 (flagged) except know_whom_to_call, answered 3 by both.
    result = placed(bank, scoring(bank, 4, know_whom_to_call=3), scoring(bank, 3))
    svg = charts.gap_chart(result, Canvas(bank)).decode()
    assert svg.count("▲ ") == 40  # every marked question, and only those
    know = next(item for item in bank.items if item.id == "know_whom_to_call")
    assert know.marketing.get() not in svg.replace("\n", " ")  # no gap: not among the largest


def test_gap_chart_shows_the_largest_gaps_first_whichever_side_rates_higher(
    bank: Bank,
) -> None:
    ids = [item.id for item in bank.items]
    # marketing 3 everywhere; sales 4.6 on the first item (gap −1.6), 1.8 on the second
    # (+1.2), 2.4 on the third (0.6 either way, as the item may be reverse), 3 elsewhere
    sales = [
        scoring(bank, 3, **{ids[0]: 5, ids[1]: 2, ids[2]: 2}),
        scoring(bank, 3, **{ids[0]: 5, ids[1]: 2, ids[2]: 3}),
        scoring(bank, 3, **{ids[0]: 4, ids[1]: 1, ids[2]: 2}),
        scoring(bank, 3, **{ids[0]: 4, ids[1]: 2, ids[2]: 3}),
        scoring(bank, 3, **{ids[0]: 5, ids[1]: 2, ids[2]: 2}),
    ]
    responses = [Response(Side.MARKETING, scoring(bank, 3))] * 5
    responses += [Response(Side.SALES, answers) for answers in sales]
    result = score_responses(bank, responses, threshold=5)
    svg = charts.gap_chart(result, Canvas(bank, size=Size.NARROW)).decode()
    texts = [text for text in ElementTree.fromstring(svg).itertext() if text.strip()]
    labels = [t for t in texts if t.startswith(("-", "+")) and t[1:2].isdigit()]
    assert labels[:2] == ["-1.60", "+1.20"]  # sales higher first: the larger gap
    assert [abs(float(label)) for label in labels] == [1.6, 1.2, 0.6]


def test_bank_text_with_markup_comes_out_escaped(bank: Bank) -> None:
    evil = LocalText.of({"en": "<script>alert(1)</script>"})
    assert bank.funnel is not None
    funnel = dataclasses.replace(
        bank.funnel, stages=tuple(dataclasses.replace(s, name=evil) for s in bank.funnel.stages)
    )
    hostile = dataclasses.replace(
        bank,
        dimensions=tuple(dataclasses.replace(d, title=evil) for d in bank.dimensions),
        types=tuple(dataclasses.replace(t, name=evil) for t in bank.types),
        items=tuple(dataclasses.replace(i, marketing=evil) for i in bank.items),
        funnel=funnel,
    )
    result = placed(hostile, scoring(hostile, 4), scoring(hostile, 3))
    for svg in (render(result, Canvas(hostile)) for render in charts.CHARTS.values()):
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
    with pytest.raises(charts.ChartUnavailable, match="both sides"):
        charts.cached_chart("placement", waiting, fingerprint(7), Canvas(bank))


def test_cached_chart_draws_once_per_fingerprint_and_locale(
    bank: Bank, result_70: AssessmentResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, Size]] = []
    original = charts.CHARTS["dimensions"]

    def counting(result: AssessmentResult, canvas: Canvas) -> bytes:
        calls.append((canvas.locale, canvas.size))
        return original(result, canvas)

    monkeypatch.setitem(charts.CHARTS, "dimensions", counting)
    english, french = Canvas(bank, "en"), Canvas(bank, "fr")
    first = charts.cached_chart("dimensions", result_70, fingerprint(10), english)
    again = charts.cached_chart("dimensions", result_70, fingerprint(10), english)
    assert calls == [("en", Size.WIDE)]
    assert again == first

    charts.cached_chart("dimensions", result_70, fingerprint(11), english)  # a new group
    assert len(calls) == 2
    charts.cached_chart("dimensions", result_70, fingerprint(11), french)
    assert calls[-1] == ("fr", Size.WIDE)
    narrow = Canvas(bank, "fr", Size.NARROW)
    charts.cached_chart("dimensions", result_70, fingerprint(11), narrow)
    assert calls[-1] == ("fr", Size.NARROW)
    clear_caches()  # the results' cache takes the charts' with it
    charts.cached_chart("dimensions", result_70, fingerprint(11), narrow)
    assert len(calls) == 5


def test_unknown_chart_name_is_refused(bank: Bank, result_70: AssessmentResult) -> None:
    with pytest.raises(KeyError, match="pie"):
        charts.cached_chart("pie", result_70, fingerprint(10), Canvas(bank))


def test_etag_changes_with_fingerprint_name_locale_and_size(bank: Bank) -> None:
    def tag(groups: int, name: str, locale: str = "en", size: Size = Size.WIDE) -> str:
        return charts.chart_etag(fingerprint(groups), name, Canvas(bank, locale, size))

    assert tag(10, "gaps") == tag(10, "gaps")
    assert tag(10, "gaps") != tag(11, "gaps")
    assert tag(10, "gaps") != tag(10, "placement")
    assert tag(10, "gaps") != tag(10, "gaps", "fr")
    assert tag(10, "gaps") != tag(10, "gaps", size=Size.NARROW)


def test_charts_need_no_inline_styles_so_the_strict_csp_holds(
    bank: Bank, result_70: AssessmentResult
) -> None:
    """The site's CSP has no 'unsafe-inline': a chart must draw with attributes only."""
    for render in charts.CHARTS.values():
        text = render(result_70, Canvas(bank)).decode()
        assert "<style" not in text
        assert " style=" not in text
        sides = (charts.MARKETING_COLOUR, charts.SALES_COLOUR)
        assert any(f'fill="{colour}"' in text for colour in sides)


# --------------------------------------------------------------------------- readable text

#: Every text of every chart, at its intrinsic size: CSS px on screens, pt on paper.
SCREEN_MINIMUM_PX = 12
PRINT_MINIMUM_PT = 8


def smallest_text(svg: bytes) -> float:
    """The smallest text of ``svg`` shown at its own width, in CSS px."""
    root = ElementTree.fromstring(svg)
    scale = float(root.get("width", "0")) / float(root.get("viewBox", "0 0 1 1").split()[2])
    sizes = [
        float(re.sub("px$", "", element.get("font-size", "0")))
        for element in root.iter()
        if element.tag.endswith("}text")
    ]
    assert sizes, "the chart has no text"
    return min(sizes) * scale


@pytest.mark.parametrize("size", list(Size))
@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_no_chart_text_is_smaller_than_12_px_on_screen_or_8_pt_on_paper(
    name: str, size: Size, bank: Bank, result_70: AssessmentResult
) -> None:
    svg = charts.CHARTS[name](result_70, Canvas(bank, size=size))
    smallest = smallest_text(svg)
    width = float(ElementTree.fromstring(svg).get("width", "0"))
    assert width == pytest.approx(charts.SIZES[size].width_px, abs=0.5)
    if size is Size.PRINT:
        assert smallest * 0.75 >= PRINT_MINIMUM_PT  # 1 CSS px = 0.75 pt
    else:
        assert smallest >= SCREEN_MINIMUM_PX


def test_the_size_check_fails_for_a_chart_drawn_too_small(bank: Bank) -> None:
    """A chart drawn for print but shown 40 % narrower has text below 12 px."""
    svg = charts.placement_chart(placed(bank, scoring(bank, 4), scoring(bank, 3)), Canvas(bank))
    shrunk = re.sub(
        rb'width="([0-9.]+)"', lambda m: b'width="%.1f"' % (float(m[1]) * 0.6), svg, count=1
    )
    assert smallest_text(shrunk) < SCREEN_MINIMUM_PX


@pytest.mark.parametrize("size", list(Size))
def test_marketing_and_sales_markers_never_overlap_even_at_the_same_score(
    bank: Bank, size: Size
) -> None:
    same = placed(bank, scoring(bank, 4), scoring(bank, 4))
    root = ElementTree.fromstring(charts.placement_chart(same, Canvas(bank, size=size)))
    rows = {}
    for element in root.iter():
        if element.tag.endswith("}use") and element.get("fill") in (
            charts.MARKETING_COLOUR,
            charts.SALES_COLOUR,
        ):
            rows[element.get("fill")] = float(element.get("y", "0"))
    assert set(rows) == {charts.MARKETING_COLOUR, charts.SALES_COLOUR}
    # the markers (8 pt across) lie on rows at least a marker apart
    assert abs(rows[charts.MARKETING_COLOUR] - rows[charts.SALES_COLOUR]) > 10


def test_workspace_charts_take_the_same_canvas(bank: Bank) -> None:
    points = [("Baseline", 52.9), ("After 6 months", 61.7)]
    for render in (charts.trend_chart, charts.portfolio_chart):
        svg = render(points, Canvas(bank, size=Size.NARROW))
        assert smallest_text(svg) >= SCREEN_MINIMUM_PX
        assert b">After 6 months<" in svg


def test_importing_the_charts_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, survey.charts, survey.report.routes; print('matplotlib' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "False"


# --------------------------------------------------------------------------- the funnel map


def texts_of(svg: bytes) -> list[str]:
    return [text for text in ElementTree.fromstring(svg).itertext() if text.strip()]


def test_the_funnel_map_names_each_views_leader_with_its_share(
    bank: Bank, result_70: AssessmentResult
) -> None:
    texts = texts_of(charts.funnel_chart(result_70, Canvas(bank)))
    # Eight stages, three views each: marketing's, sales', and both sides weighed equally.
    # Both awareness stages in every view, and marketing's brand consideration:
    assert texts.count("Marketing 100%") == 3 + 3 + 1
    # marketing's brand preference, on two lines: the words are too wide for one
    assert texts.count("Both together") == 1
    assert texts[texts.index("Both together") + 1] == "100%"
    assert texts.count("Nobody 100%") == 1  # marketing's advocacy
    # Purchase intention to loyalty in every view; sales' consideration, preference, advocacy:
    assert texts.count("Sales 100%") == 3 * 3 + 3
    # Both sides weighed equally where they disagree: half each, so no leader.
    assert texts.count("Tie 50%") == 3
    assert "Sales 50%" not in texts
    for header in ("Marketing says", "Sales says", "Both sides"):
        assert header in texts


def test_the_funnel_map_marks_disagreements_and_handoffs_not_by_colour_alone(
    bank: Bank, result_70: AssessmentResult
) -> None:
    svg = charts.funnel_chart(result_70, Canvas(bank))
    texts = texts_of(svg)
    # The sides name different leaders for brand consideration, brand preference, advocacy.
    marked = [text for text in texts if text.startswith("≠ ") and "disagree" not in text]
    assert marked == ["≠ Brand consideration", "≠ Brand preference", "≠ Customer advocacy"]
    assert "a side's handoff to sales" in texts
    # Two thick lines, one above each side's handoff cell (purchase intention, consideration).
    root = ElementTree.fromstring(svg)
    thick = [
        element
        for element in root.iter()
        if element.tag.endswith("}path") and element.get("stroke-width") == "3.5"
    ]
    assert len(thick) == 3  # the legend's sample and the two sides' handoffs
    fills = {element.get("fill") for element in root.iter()}
    assert {charts.MARKETING_COLOUR, charts.SALES_COLOUR, BOTH_COLOUR, NOBODY_COLOUR} <= fills


def test_funnel_cells_keep_their_text_readable_on_their_colour() -> None:
    for owner, fill in OWNER_COLOURS.items():
        ink = "#ffffff" if TEXT_ON[owner] == "white" else TEXT_ON[owner]
        assert contrast(fill, ink) >= 4.5, owner


def test_the_funnel_map_shows_a_dash_for_a_view_with_too_few_answers(bank: Bank) -> None:
    # Everybody says "don't know" to every stage: nothing is shown, nothing is guessed.
    result = placed(bank, scoring(bank, 4), scoring(bank, 3))
    texts = texts_of(charts.funnel_chart(result, Canvas(bank, size=Size.NARROW)))
    assert texts.count("—") == 8 * 3
    assert "— too few answers" in texts
    assert not any(text.endswith("%") for text in texts)


def test_no_funnel_map_for_a_bank_without_a_funnel(bank: Bank, result_70: AssessmentResult) -> None:
    plain = dataclasses.replace(bank, funnel=None)
    result = placed(plain, scoring(plain, 4), scoring(plain, 3))
    with pytest.raises(charts.ChartUnavailable):
        charts.funnel_chart(result, Canvas(plain))


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
