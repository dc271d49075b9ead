"""The command line: creating assessments, checking the bank, the demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Assessment, Organisation, Response
from tests.conftest import FIXTURE_BANK, FIXTURE_DEMO, ROOT, create_organisation, create_user

ITEM_IDS: list[str] = [
    item["id"]
    for item in yaml.safe_load(FIXTURE_BANK.read_text(encoding="utf-8"))["items"]
]


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.id)))


def only_assessment() -> Assessment:
    (assessment,) = db.session.scalars(select(Assessment)).all()
    return assessment


def create(runner: FlaskCliRunner, *args: str) -> Any:
    return runner.invoke(args=["assessment", "create", *args])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- assessment create


def test_create_prints_absolute_links_that_work(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    result = create(runner, "--org", "Acme")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assessment = only_assessment()
    assert data == {
        "id": assessment.id,
        "survey_links": {
            "marketing": f"http://survey.test/s/{assessment.marketing_token}",
            "sales": f"http://survey.test/s/{assessment.sales_token}",
        },
        "report_link": f"http://survey.test/r/{assessment.report_token}",
    }
    for link in [*data["survey_links"].values(), data["report_link"]]:
        assert client.get(urlsplit(link).path).status_code == 200, link
    assert assessment.organisation.name == "Acme"
    assert assessment.organisation.owner is None
    assert assessment.name == "Baseline"
    assert assessment.threshold == 5  # the DEFAULT_THRESHOLD setting
    assert assessment.context is None
    assert assessment.is_open


def test_create_stores_wave_threshold_and_context(runner: FlaskCliRunner, tmp_path: Path) -> None:
    context = write(
        tmp_path,
        "context.yaml",
        "company_size: medium\nevident_conflicts: yes\ncommoditising_market: false\n"
        "sales_cycle: long\ncommon_funnel_possible:\n",
    )
    options = ["--wave", "After 6 months", "--threshold", "3", "--context", str(context)]
    result = create(runner, "--org", " Acme ", *options)
    assert result.exit_code == 0, result.output
    assessment = only_assessment()
    assert assessment.organisation.name == "Acme"
    assert assessment.name == "After 6 months"
    assert assessment.threshold == 3
    assert assessment.context == {
        "company_size": "medium",
        "evident_conflicts": True,
        "commoditising_market": False,
        "sales_cycle": "long",
    }


def test_default_threshold_comes_from_the_setting(make_app: Any) -> None:
    app = make_app(DEFAULT_THRESHOLD=8)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["assessment", "create", "--org", "Acme"])
        assert result.exit_code == 0, result.output
        assert only_assessment().threshold == 8


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        pytest.param(
            "evident_conflicts: yes\nmood: grumpy\n",
            ["context.yaml: mood: unknown factor"],
            id="unknown-factor",
        ),
        pytest.param(
            "evident_conflicts: 3\n",
            ["context.yaml: evident_conflicts: must be yes or no (got 3)"],
            id="wrong-kind",
        ),
        pytest.param(
            "company_size: huge\nsales_cycle: yes\n",
            [
                "context.yaml: company_size: 'huge' is not one of the choices "
                "(small, medium, large)",
                "context.yaml: sales_cycle: 'yes' is not one of the choices (short, long)",
            ],
            id="not-a-choice",
        ),
        pytest.param(
            "- evident_conflicts\n- yes\n",
            ["context.yaml: must be a mapping of factor id to answer"],
            id="not-a-mapping",
        ),
        pytest.param(
            "evident_conflicts: [yes\n",
            ["context.yaml: line 2: YAML syntax error"],
            id="yaml-error",
        ),
        pytest.param(
            "evident_conflicts: yes\nevident_conflicts: no\n",
            ["context.yaml: line 2: duplicate key 'evident_conflicts'"],
            id="duplicate-key",
        ),
        pytest.param("", ["context.yaml: the file is empty"], id="empty"),
    ],
)
def test_a_bad_context_file_creates_nothing(
    runner: FlaskCliRunner, tmp_path: Path, text: str, messages: list[str]
) -> None:
    context = write(tmp_path, "context.yaml", text)
    result = create(runner, "--org", "Acme", "--context", str(context))
    assert result.exit_code == 1
    assert "nothing was created" in result.stderr
    for message in messages:
        assert f"{tmp_path}/{message}" in result.stderr
    assert result.stdout == ""
    assert organisations() == []


def test_a_missing_context_file_creates_nothing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = create(runner, "--org", "Acme", "--context", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert f"{tmp_path}/nope.yaml: cannot read file" in result.stderr
    assert organisations() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--org", "Acme", "--threshold", "0"], "--threshold", id="threshold-zero"),
        pytest.param(["--org", "Acme", "--threshold", "x"], "--threshold", id="threshold-text"),
        pytest.param(["--org", "Acme", "--threshold", "1001"], "--threshold", id="threshold-huge"),
        pytest.param(["--org", "   "], "--org", id="empty-name"),
        pytest.param(["--org", "A" * 201], "--org", id="long-name"),
        pytest.param(["--org", "Acme", "--wave", ""], "--wave", id="empty-wave"),
        pytest.param([], "give either --org NAME", id="no-organisation"),
        pytest.param(["--org", "Acme", "--org-id", "1"], "give either", id="both"),
    ],
)
def test_bad_options_are_usage_errors(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = create(runner, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert organisations() == []


def test_a_low_threshold_is_accepted_with_a_warning(runner: FlaskCliRunner) -> None:
    result = create(runner, "--org", "Acme", "--threshold", "2")
    assert result.exit_code == 0, result.output
    assert "with a threshold below 3, answers may be identifiable" in result.stderr
    assert only_assessment().threshold == 2


def test_owner_attaches_the_organisation_to_a_consultant(runner: FlaskCliRunner) -> None:
    consultant = create_user("ada@example.com")
    result = create(runner, "--org", "Acme", "--owner", "ADA@example.com")
    assert result.exit_code == 0, result.output
    (organisation,) = organisations()
    assert organisation.owner_id == consultant.id


def test_unknown_owner_creates_nothing(runner: FlaskCliRunner) -> None:
    result = create(runner, "--org", "Acme", "--owner", "nobody@example.com")
    assert result.exit_code == 1
    assert "the account nobody@example.com does not exist; nothing was created" in result.stderr
    assert organisations() == []


def test_org_id_adds_a_wave_to_an_existing_organisation(runner: FlaskCliRunner) -> None:
    organisation = create_organisation("Acme")
    result = create(runner, "--org-id", str(organisation.id), "--wave", "After 6 months")
    assert result.exit_code == 0, result.output
    assert [o.name for o in organisations()] == ["Acme"]
    assert only_assessment().organisation_id == organisation.id

    result = create(runner, "--org-id", "999")
    assert result.exit_code == 1
    assert "there is no organisation with id 999" in result.stderr


# --------------------------------------------------------------------------- list, close, open


def test_list_close_and_open(runner: FlaskCliRunner) -> None:
    assert "No assessments yet" in runner.invoke(args=["assessment", "list"]).stdout
    created = json.loads(create(runner, "--org", "Acme", "--wave", "Spring").stdout)
    number = str(created["id"])

    result = runner.invoke(args=["assessment", "close", number])
    assert result.exit_code == 0, result.output
    assert f"Assessment {number} (Acme / Spring) is now closed." in result.stdout
    assert not only_assessment().is_open
    listing = runner.invoke(args=["assessment", "list"]).stdout
    assert "Acme" in listing and "Spring" in listing and "closed" in listing

    result = runner.invoke(args=["assessment", "open", number])
    assert result.exit_code == 0
    db.session.expire_all()
    assert only_assessment().is_open

    result = runner.invoke(args=["assessment", "close", "999"])
    assert result.exit_code == 1
    assert "there is no assessment with id 999" in result.stderr


# --------------------------------------------------------------------------- bank


def test_bank_check_checks_the_bank_in_use(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "check"])
    assert result.exit_code == 0, result.output
    assert "bank.yaml: OK: version 1, 9 dimensions, 41 items, 4 types, 15 moves" in (
        result.stdout
    )


def test_bank_check_accepts_the_shipped_bank(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "check", str(ROOT / "questions.yaml")])
    assert result.exit_code == 0, result.output
    assert "questions.yaml: OK: version" in result.stdout


BROKEN_BANK = """\
version: 2
dimensions:
  - id: talk
    title: {en: Talk}
    description: {en: How the teams talk}
items:
  - id: meet_often
    dimension: nowhere
    text: {marketing: {en: We meet sales.}, sales: {en: We meet marketing.}}
types: []
moves: []
"""


def test_bank_check_lists_every_problem(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", BROKEN_BANK)
    result = runner.invoke(args=["bank", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}: 4 problems; the bank cannot be used" in result.stderr
    for problem in [
        "version: unknown version 2 (supported: 1)",
        "types: the bank has no types",
        "items[0] (meet_often): dimension 'nowhere' is not declared in dimensions",
        "dimensions[0] (talk): no item belongs to this dimension",
    ]:
        assert f"{path}: {problem}" in result.stderr
    assert result.stdout == ""


def test_bank_check_of_a_missing_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["bank", "check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'none.yaml'}: cannot read file" in result.stderr


def test_bank_export_is_json_with_every_item(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "export"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert [item["id"] for item in data["items"]] == ITEM_IDS


# --------------------------------------------------------------------------- demo


def responses_of(assessment: Assessment, side: str, counted: bool) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(
                Response.assessment_id == assessment.id,
                Response.side == side,
                Response.counted.is_(counted),
            )
        )
        or 0
    )


def test_demo_creates_two_waves_with_both_sides(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    (organisation,) = organisations()
    assert organisation.name == "Northwind Demo"
    assert organisation.owner is None
    baseline, follow_up = organisation.assessments
    assert [baseline.name, follow_up.name] == ["Baseline", "After 6 months"]
    for wave in (baseline, follow_up):
        assert responses_of(wave, "marketing", counted=True) == 8
        assert responses_of(wave, "sales", counted=True) == 24
        assert responses_of(wave, "marketing", counted=False) == 1
        assert responses_of(wave, "sales", counted=False) == 1
        assert wave.context and wave.context["company_size"] == "medium"
        assert wave.threshold <= 8
    assert follow_up.created_on > baseline.created_on
    dont_knows = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.value.is_(None))
    )
    assert dont_knows and dont_knows > 0

    data = json.loads(result.stdout)
    assert data["id"] == baseline.id
    assert data["report_link"] == f"http://survey.test/r/{baseline.report_token}"
    assert [wave["report_link"] for wave in data["waves"]] == [
        f"http://survey.test/r/{baseline.report_token}",
        f"http://survey.test/r/{follow_up.report_token}",
    ]
    assert "Created the demo organisation 'Northwind Demo'" in result.stderr
    assert client.get(urlsplit(data["report_link"]).path).status_code == 200


def test_demo_is_reproducible(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    first, second = organisations()

    def answers(organisation: Organisation) -> list[tuple[str, str, int | None]]:
        # Response ids are random: compare the responses as a sorted collection.
        return sorted(
            (
                (response.side, answer.item_id, answer.value)
                for assessment in organisation.assessments
                for response in assessment.responses
                for answer in response.answers
            ),
            key=repr,
        )

    assert answers(first) == answers(second)
    # every respondent answers every item and every funnel stage (or "don't know")
    stages = yaml.safe_load(FIXTURE_BANK.read_text(encoding="utf-8"))["funnel"]["stages"]
    assert len(answers(first)) == 2 * (8 + 24 + 2) * (len(ITEM_IDS) + len(stages))


def test_demo_if_empty_creates_one_demo(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo", "--if-empty"])
    second = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert len(organisations()) == 1
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert "is already there" in second.stderr


def test_demo_if_empty_leaves_a_database_with_data_alone(runner: FlaskCliRunner) -> None:
    create_organisation("Acme")
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has organisations; no demo was created" in result.stderr
    assert [o.name for o in organisations()] == ["Acme"]


def test_demo_owner_sees_it_in_the_workspace(runner: FlaskCliRunner) -> None:
    consultant = create_user("demo-owner@example.com")
    result = runner.invoke(args=["demo", "--owner", "demo-owner@example.com"])
    assert result.exit_code == 0, result.output
    organisation = db.session.scalars(select(Organisation)).one()
    assert organisation.owner_id == consultant.id


def test_demo_with_an_unknown_owner_creates_nothing(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "--owner", "nobody@example.com"])
    assert result.exit_code != 0
    assert "nobody@example.com does not exist" in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def scenario_file(folder: Path, document: dict[str, Any]) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def shipped_scenario() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(FIXTURE_DEMO.read_text(encoding="utf-8"))
    return document


@contextmanager
def demo_app(make_app: Any, scenario: Path) -> Iterator[FlaskCliRunner]:
    """A CLI runner of an app whose DEMO_PATH is ``scenario``, inside its app context."""
    application = make_app(DEMO_PATH=str(scenario))
    with application.app_context():
        yield application.test_cli_runner()


def test_demo_with_an_unknown_item_creates_nothing(make_app: Any, tmp_path: Path) -> None:
    document = shipped_scenario()
    document["waves"][0]["sides"]["sales"]["items"]["lead_quality"] = 1.5
    path = scenario_file(tmp_path, document)
    with demo_app(make_app, path) as runner:
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 1
        assert "the demo scenario has 1 problem; nothing was created" in result.stderr
        assert (
            f"{path}: waves[0] (Baseline): sides.sales.items: 'lead_quality' is not an item "
            "of the bank (did you mean 'lead_quality_blame'?)"
        ) in result.stderr
        assert "Traceback" not in result.output
        assert result.stdout == ""
        assert db.session.scalar(select(func.count(Organisation.id))) == 0
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_demo_with_an_unknown_factor_creates_nothing(make_app: Any, tmp_path: Path) -> None:
    document = shipped_scenario()
    document["context"]["team_size"] = "big"
    document["context"]["sales_cycle"] = "endless"
    path = scenario_file(tmp_path, document)
    with demo_app(make_app, path) as runner:
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 1
        assert "the demo scenario has 2 problems; nothing was created" in result.stderr
        assert f"{path}: context: team_size: unknown factor" in result.stderr
        assert f"{path}: context: sales_cycle: 'endless' is not one of the choices" in result.stderr
        assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_demo_with_a_missing_scenario_file_creates_nothing(make_app: Any, tmp_path: Path) -> None:
    with demo_app(make_app, tmp_path / "gone.yaml") as runner:
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 1
        assert f"{tmp_path / 'gone.yaml'}: cannot read file" in result.stderr
        assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_demo_follows_the_scenario_demo_path_names(make_app: Any, tmp_path: Path) -> None:
    document = shipped_scenario()
    document["organisation"] = "Tailspin Pilot"
    pilot = document["waves"][0]
    pilot["name"] = "Pilot"
    pilot["sides"]["marketing"].update(respondents=3, excluded=0)
    pilot["sides"]["sales"].update(respondents=4, excluded=2)
    document["waves"] = [pilot]
    path = scenario_file(tmp_path, document)

    with demo_app(make_app, path) as runner:
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        (organisation,) = organisations()
        assert organisation.name == "Tailspin Pilot"
        (wave,) = organisation.assessments
        assert wave.name == "Pilot"
        assert wave.threshold == 3  # the smaller side, below the default of 5
        assert responses_of(wave, "marketing", counted=True) == 3
        assert responses_of(wave, "marketing", counted=False) == 0
        assert responses_of(wave, "sales", counted=True) == 4
        assert responses_of(wave, "sales", counted=False) == 2

        again = runner.invoke(args=["demo", "--if-empty"])
        assert again.exit_code == 0, again.output
        assert "The demo organisation 'Tailspin Pilot' is already there" in again.stderr
        assert len(organisations()) == 1
