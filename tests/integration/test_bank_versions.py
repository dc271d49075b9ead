"""Each wave keeps the bank it was created with: editing the bank never rescores a wave."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskCliRunner

from scoring import Side
from survey.extensions import db
from survey.models import BankVersion
from tests.conftest import FIXTURE_BANK, add_responses, create_assessment, uniform_answers


def edit_bank(path: Path, change: Any) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def readings(client: Any, wave: Any) -> tuple[str, dict[str, Any]]:
    bearer = {"Authorization": f"Bearer {wave.report_token}"}
    report = client.get(f"/r/{wave.report_token}").get_data(as_text=True)
    result = json.loads(
        client.get(f"/api/v1/assessments/{wave.id}/result", headers=bearer).get_data(as_text=True)
    )
    return report, result


def test_a_new_bank_version_applies_to_new_waves_only(make_app: Any, tmp_path: Path) -> None:
    bank_file = tmp_path / "questions.yaml"
    shutil.copy(FIXTURE_BANK, bank_file)
    app = make_app(BANK_PATH=str(bank_file))
    with app.app_context():
        old = create_assessment(threshold=2)
        add_responses(old, Side.MARKETING, uniform_answers(4), 2)
        add_responses(old, Side.SALES, uniform_answers(2), 2)
        client = app.test_client()
        report_before, result_before = readings(client, old)
        first_item = result_before["items"][0]["id"]

        def reword_and_drop(document: dict[str, Any]) -> None:
            document["items"][0]["text"]["marketing"]["en"] = "A brand-new wording."
            del document["items"][-1]  # one statement fewer
            document["types"][1]["name"]["en"] = "Well defined"

        edit_bank(bank_file, reword_and_drop)
        new = create_assessment(threshold=2)
        add_responses(new, Side.MARKETING, {**uniform_answers(4)}, 2)

        # The old wave: every figure and every word as before.
        report_after, result_after = readings(client, old)
        assert result_after == result_before
        assert report_after == report_before
        assert new.bank_digest != old.bank_digest
        assert "fingerprint " + old.bank_digest[:12] in report_after

        # The new wave asks the new wording and one statement fewer.
        assert len(readings(client, new)[1]["items"]) == len(result_before["items"]) - 1
        started = client.post(f"/s/{new.marketing_token}/start")
        page = client.get(started.headers["Location"]).get_data(as_text=True)
        assert "A brand-new wording." in page
        assert first_item in {item["id"] for item in result_before["items"]}
        assert db.session.query(BankVersion).count() == 2


def test_bank_check_lists_what_changed(runner: FlaskCliRunner, tmp_path: Path) -> None:
    newer = tmp_path / "newer.yaml"
    shutil.copy(FIXTURE_BANK, newer)

    def change(document: dict[str, Any]) -> None:
        document["items"][0]["text"]["sales"]["en"] = "Reworded for sales."
        document["items"][0]["reverse"] = True
        document["moves"] = document["moves"][1:]
        document["items"].append(
            {
                "id": "new_statement",
                "dimension": document["items"][0]["dimension"],
                "text": {"marketing": {"en": "New."}, "sales": {"en": "New."}},
            }
        )

    edit_bank(newer, change)
    first_item = yaml.safe_load(FIXTURE_BANK.read_text(encoding="utf-8"))["items"][0]["id"]
    first_move = yaml.safe_load(FIXTURE_BANK.read_text(encoding="utf-8"))["moves"][0]["id"]
    result = runner.invoke(args=["bank", "check", str(newer), "--against", str(FIXTURE_BANK)])
    assert result.exit_code == 0, result.output
    assert "3 changes from" in result.output
    assert f"items: '{first_item}' changed: reverse, text.sales.en" in result.output
    assert "items: 'new_statement' added" in result.output
    assert f"moves: '{first_move}' removed" in result.output

    same = runner.invoke(args=["bank", "check", str(FIXTURE_BANK), "--against", str(FIXTURE_BANK)])
    assert "No change from" in same.output


def test_bank_versions_lists_the_stored_versions(runner: FlaskCliRunner) -> None:
    assert "No bank version is stored yet" in runner.invoke(args=["bank", "versions"]).output
    create_assessment()
    create_assessment()
    listed = runner.invoke(args=["bank", "versions"]).output
    assert "version 1" in listed and "2 waves" in listed
