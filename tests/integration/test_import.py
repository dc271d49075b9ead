"""`responses template` and `responses import`: a whole CSV file or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Assessment, Response
from tests.conftest import FIXTURE_BANK, create_assessment

# Read straight from the bank file, so the expectations do not come from the code under test.
ITEM_IDS: list[str] = [
    item["id"] for item in yaml.safe_load(FIXTURE_BANK.read_text(encoding="utf-8"))["items"]
]
HEADER = ["side", *ITEM_IDS]
#: The funnel's stage columns, optional in a file, listed last in the template.
STAGE_COLUMNS: list[str] = [
    f"funnel:{stage['id']}"
    for stage in yaml.safe_load(FIXTURE_BANK.read_text(encoding="utf-8"))["funnel"]["stages"]
]
FIRST, SECOND, LAST = ITEM_IDS[0], ITEM_IDS[1], ITEM_IDS[-1]


def row(side: str, value: str = "3", **cells: str) -> list[str]:
    """A row with ``value`` for every item, except the items given as keywords."""
    return [side, *(cells.get(item_id, value) for item_id in ITEM_IDS)]


def write_csv(
    folder: Path, rows: list[list[str]], *, name: str = "answers.csv", delimiter: str = ","
) -> Path:
    path = folder / name
    path.write_text("\n".join(delimiter.join(cells) for cells in rows) + "\n", encoding="utf-8")
    return path


def import_file(runner: FlaskCliRunner, assessment: Assessment, path: Path) -> object:
    return runner.invoke(args=["responses", "import", str(assessment.id), str(path)])


def stored_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def normal(responses: list[tuple[bool, dict[str, int | None]]]) -> list[str]:
    """Responses in a fixed order, to compare collections that have none."""
    return sorted(
        repr((counted, sorted(answers.items(), key=repr))) for counted, answers in responses
    )


def stored(side: str) -> list[tuple[bool, dict[str, int | None]]]:
    """(counted, answers) of each stored response of ``side``, in no particular order
    (response ids are random, so storage keeps no order of arrival)."""
    result = []
    responses = db.session.scalars(select(Response).where(Response.side == side))
    for response in responses:
        answers = {
            answer.item_id: answer.value
            for answer in db.session.scalars(
                select(Answer).where(Answer.response_id == response.id)
            )
        }
        result.append((response.counted, answers))
    return result


# --------------------------------------------------------------------------- template


def test_template_is_the_header_row_in_bank_order(runner: FlaskCliRunner) -> None:
    assessment = create_assessment()
    result = runner.invoke(args=["responses", "template", str(assessment.id)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ",".join([*HEADER, *STAGE_COLUMNS]) + "\n"


def test_template_of_an_unknown_assessment_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["responses", "template", "999"])
    assert result.exit_code == 1
    assert "there is no assessment with id 999" in result.stderr


# --------------------------------------------------------------------------- success


def test_import_stores_every_row_with_its_values(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    # 28 of 41 items answered: just enough (two thirds is 27.3) for the response to count.
    barely = row("sales", "na", **dict.fromkeys(ITEM_IDS[:28], "2"))
    # 27 answered: one too few, stored but excluded.
    mostly_unknown = row("sales", "na", **dict.fromkeys(ITEM_IDS[:27], "5"))
    path = write_csv(
        tmp_path,
        [
            HEADER,
            row("marketing", "4"),
            row("Marketing ", "1", **{FIRST: "5", SECOND: "", LAST: "NA"}),
            row("sales", "2"),
            barely,
            mostly_unknown,
        ],
    )
    result = import_file(runner, assessment, path)
    assert result.exit_code == 0, result.output
    assert "Imported 5 responses" in result.stdout
    assert "marketing: 2, none excluded" in result.stdout
    assert "sales: 3, 1 of them excluded" in result.stdout

    marketing = stored("marketing")
    expected = dict.fromkeys(ITEM_IDS, 1)
    expected.update({FIRST: 5, SECOND: None, LAST: None})
    assert normal(marketing) == normal([(True, dict.fromkeys(ITEM_IDS, 4)), (True, expected)])

    sales = stored("sales")
    assert (True, dict.fromkeys(ITEM_IDS, 2)) in sales
    answered = sorted(
        (sum(value is not None for value in answers.values()), counted, set(answers.values()))
        for counted, answers in sales
        if answers != dict.fromkeys(ITEM_IDS, 2)
    )
    assert answered == [(27, False, {5, None}), (28, True, {2, None})]


def test_import_says_when_a_side_is_still_below_the_threshold(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assessment = create_assessment(threshold=2)
    path = write_csv(tmp_path, [HEADER, row("sales"), row("sales"), row("marketing")])
    result = import_file(runner, assessment, path)
    assert result.exit_code == 0, result.output
    assert (
        "marketing: 1 response waits for a whole group of 2 before the report changes"
        in result.stdout
    )
    assert "sales:" not in result.stdout.split("waits")[0].split("\n")[-1]
    assert "sales: 2" in result.stdout


def test_byte_order_mark_and_column_order_do_not_matter(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assessment = create_assessment()
    reordered = [*reversed(ITEM_IDS), "side"]
    path = tmp_path / "excel.csv"
    lines = [",".join(reordered), ",".join(["1"] * (len(ITEM_IDS) - 1) + ["5", "sales"])]
    path.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode() + b"\r\n\r\n")
    result = import_file(runner, assessment, path)
    assert result.exit_code == 0, result.output
    ((counted, answers),) = stored("sales")
    assert counted
    assert answers[FIRST] == 5  # the last cell of the row, under the reversed header
    assert answers[LAST] == 1


def test_semicolon_separated_files_are_read(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    path = write_csv(tmp_path, [HEADER, row("marketing", "5")], delimiter=";")
    result = import_file(runner, assessment, path)
    assert result.exit_code == 0, result.output
    assert stored("marketing") == [(True, dict.fromkeys(ITEM_IDS, 5))]


# --------------------------------------------------------------------------- refusals


def assert_refused(result: object, *messages: str) -> None:
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    for message in messages:
        assert message in result.stderr  # type: ignore[attr-defined]
    assert "nothing was imported" in result.stderr  # type: ignore[attr-defined]
    assert stored_responses() == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(
            [[*HEADER, "mood"], [*row("sales"), "3"]],
            "row 1, column mood: unknown column",
            id="unknown-column",
        ),
        pytest.param(
            [HEADER[:-1], row("sales")[:-1]],
            f"row 1, column {LAST}: missing column",
            id="missing-item-column",
        ),
        pytest.param(
            [[*HEADER, SECOND], [*row("sales"), "3"]],
            f"row 1, column {SECOND}: duplicate column (also column 3)",
            id="duplicate-column",
        ),
        pytest.param(
            [HEADER[1:], row("sales")[1:]],
            "row 1, column side: missing column",
            id="missing-side-column",
        ),
        pytest.param(
            [HEADER, row("sales"), row("Marketting")],
            "row 3, column side: 'Marketting' is not marketing or sales",
            id="bad-side",
        ),
        pytest.param(
            [HEADER, row(""), row("sales")],
            "row 2, column side: empty; must be marketing or sales",
            id="empty-side",
        ),
        pytest.param(
            [HEADER, row("sales"), row("sales", **{SECOND: "7"})],
            f"row 3, column {SECOND}: '7' is not an answer",
            id="value-out-of-scale",
        ),
        pytest.param(
            [HEADER, row("sales", **{LAST: "x"})],
            f"row 2, column {LAST}: 'x' is not an answer",
            id="value-not-a-number",
        ),
        pytest.param(
            [HEADER, row("marketing", **{FIRST: "3.5"})],
            f"row 2, column {FIRST}: '3.5' is not an answer",
            id="value-not-whole",
        ),
        pytest.param(
            [HEADER, row("sales"), row("sales")[:-1]],
            f"row 3, column {LAST}: missing cell: the row has 41 cells but the header has 42",
            id="too-few-cells",
        ),
        pytest.param(
            [HEADER, [*row("sales"), "4"]],
            "row 2, column 43: extra cell: the row has 43 cells but the header has 42",
            id="too-many-cells",
        ),
        pytest.param([HEADER], "no responses: the file has only the header row", id="header-only"),
        pytest.param(
            [HEADER, ["sales", '"3"x', *["3"] * (len(ITEM_IDS) - 1)]],
            "row 2: not readable as CSV",
            id="broken-quotes",
        ),
    ],
)
def test_a_bad_file_is_refused_with_row_and_column(
    runner: FlaskCliRunner, tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    assessment = create_assessment()
    path = write_csv(tmp_path, rows)
    assert_refused(import_file(runner, assessment, path), f"{path}: {message}")


def test_every_problem_in_the_file_is_listed(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    path = write_csv(
        tmp_path,
        [
            [*HEADER, "notes"],
            [*row("sales"), ""],
            [*row("sales", **{FIRST: "0"}), ""],
            [*row("sales"), ""],
            [*row("buyers", **{LAST: "six"}), ""],
        ],
    )
    assert_refused(
        import_file(runner, assessment, path),
        "4 problems",
        f"{path}: row 1, column notes: unknown column",
        f"{path}: row 3, column {FIRST}: '0' is not an answer",
        f"{path}: row 5, column side: 'buyers' is not marketing or sales",
        f"{path}: row 5, column {LAST}: 'six' is not an answer",
    )


def test_a_short_row_still_has_its_cells_checked(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    path = write_csv(tmp_path, [HEADER, row("seles", **{FIRST: "6"})[:-2]])
    assert_refused(
        import_file(runner, assessment, path),
        "3 problems",
        f"{path}: row 2, column {ITEM_IDS[-2]}: missing cell",
        f"{path}: row 2, column side: 'seles' is not marketing or sales",
        f"{path}: row 2, column {FIRST}: '6' is not an answer",
    )


def test_an_empty_file_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    path = tmp_path / "empty.csv"
    path.write_text("\n \n", encoding="utf-8")
    assert_refused(import_file(runner, assessment, path), f"{path}: the file is empty")


def test_a_file_that_is_not_utf8_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    path = tmp_path / "latin1.csv"
    text = ",".join(HEADER) + "\n" + ",".join(row("sales")) + "\n" + ",".join(row("ventes"))
    path.write_bytes(text.replace("ventes", "ventés").encode("latin-1"))
    assert_refused(
        import_file(runner, assessment, path),
        f"{path}: row 3: not UTF-8 text (byte 0xe9",
        "save the file as 'CSV UTF-8'",
    )


def test_a_closed_assessment_takes_no_import(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    assessment.is_open = False
    db.session.commit()
    path = write_csv(tmp_path, [HEADER, row("sales")])
    result = import_file(runner, assessment, path)
    assert_refused(result, f"assessment {assessment.id} (Acme Ltd / Baseline) is closed")


def test_an_unknown_assessment_or_missing_file_is_refused(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, [HEADER, row("sales")])
    result = runner.invoke(args=["responses", "import", "999", str(path)])
    assert result.exit_code == 1
    assert "there is no assessment with id 999" in result.stderr

    assessment = create_assessment()
    missing = tmp_path / "missing.csv"
    result = import_file(runner, assessment, missing)
    assert result.exit_code == 1
    assert f"{missing}: cannot read file" in result.stderr
    assert stored_responses() == 0
