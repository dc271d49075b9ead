"""`responses import` with the optional funnel columns: who leads each stage, in words."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from tests.conftest import create_assessment
from tests.integration.test_import import (
    HEADER,
    STAGE_COLUMNS,
    assert_refused,
    import_file,
    row,
    stored,
    write_csv,
)

AWARENESS, CONSIDERATION, ADVOCACY = STAGE_COLUMNS[0], STAGE_COLUMNS[2], STAGE_COLUMNS[-1]


def test_stage_columns_are_stored_as_owner_codes(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assessment = create_assessment()
    header = [*HEADER, AWARENESS, CONSIDERATION, ADVOCACY]
    path = write_csv(
        tmp_path,
        [
            header,
            [*row("marketing", "4"), "Marketing", " both ", ""],
            [*row("sales", "2"), "sales", "NA", "nobody"],
        ],
    )
    result = import_file(runner, assessment, path)
    assert result.exit_code == 0, result.output

    ((_, marketing),) = stored("marketing")
    ((_, sales),) = stored("sales")
    # 1 marketing, 2 sales, 3 both, 4 nobody; empty and na are "don't know"
    assert {key: marketing[key] for key in (AWARENESS, CONSIDERATION, ADVOCACY)} == {
        AWARENESS: 1,
        CONSIDERATION: 3,
        ADVOCACY: None,
    }
    assert {key: sales[key] for key in (AWARENESS, CONSIDERATION, ADVOCACY)} == {
        AWARENESS: 2,
        CONSIDERATION: None,
        ADVOCACY: 4,
    }
    # Only the stages the file has: the others store nothing, which reads as "don't know".
    assert STAGE_COLUMNS[1] not in marketing


def test_a_file_without_stage_columns_imports_as_before(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assessment = create_assessment()
    path = write_csv(tmp_path, [HEADER, row("sales", "3")])
    assert import_file(runner, assessment, path).exit_code == 0
    ((_, answers),) = stored("sales")
    assert not any(key.startswith("funnel:") for key in answers)


def test_bad_stage_cells_and_columns_are_named_with_row_and_column(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assessment = create_assessment()
    path = write_csv(
        tmp_path,
        [
            [*HEADER, AWARENESS, "funnel:brand_awarenes", AWARENESS],
            [*row("sales"), "marketing", "sales", "sales"],
            [*row("marketing"), "3", "sales", "sales"],
            [*row("marketing"), "Both together", "", ""],
        ],
    )
    assert_refused(
        import_file(runner, assessment, path),
        "4 problems",
        f"{path}: row 1, column funnel:brand_awarenes: unknown column: not a stage of the "
        "funnel; did you mean funnel:brand_awareness?",
        f"{path}: row 1, column {AWARENESS}: duplicate column (also column 43)",
        f"{path}: row 3, column {AWARENESS}: '3' is not who leads the stage: use marketing, "
        "sales, both or nobody, or leave it empty or write na for don't know",
        f"{path}: row 4, column {AWARENESS}: 'Both together' is not who leads the stage",
    )
