"""`flask --app app bank …` as an operator runs it: `check` needs only the bank file.

The group is a Flask plugin command (the ``flask.commands`` entry point that
``make`` installs), so `bank check` reads the BANK_PATH setting the way the app
does but builds no app: no database, web views or secret key (issue 12: it starts
in well under the app's start-up). The in-process tests of the same commands are
in test_cli.py and test_bank_versions.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from app import create_app
from survey import config
from tests.conftest import FIXTURE_BANK, ROOT, TEST_SECRET

IMPORTED = re.compile(r"^import time:.*\|\s*(\S+)\s*$", re.MULTILINE)


def flask_command(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        # No SECRET_KEY or DATABASE_URL unless a test gives one.
        env={"PATH": "", "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_bank_commands_are_a_flask_plugin() -> None:
    found = metadata.entry_points(group="flask.commands", name="bank")
    assert [entry.value for entry in found] == ["survey.commands.bank:group"], (
        "the project is not installed in this venv: run `make .venv/.dev`"
    )


def test_bank_check_reads_bank_path_and_builds_no_app(tmp_path: Path) -> None:
    done = flask_command("bank", "check", tmp_path=tmp_path, BANK_PATH=str(FIXTURE_BANK))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"{FIXTURE_BANK}: OK: version 1, 9 dimensions, 41 items")
    imported = set(IMPORTED.findall(done.stderr))
    assert "survey.bank" in imported
    # Neither the app, its database layer nor its views were loaded.
    assert not imported & {"survey.setup", "survey.models", "sqlalchemy", "survey.respond"}


def test_bank_check_with_an_empty_setting_checks_the_shipped_bank(tmp_path: Path) -> None:
    # Set (empty) rather than unset, so that a developer's instance/config.py has no say.
    done = flask_command("bank", "check", tmp_path=tmp_path, BANK_PATH="")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"{ROOT / 'questions.yaml'}: OK: version 1")


def test_a_broken_bank_in_use_gets_its_problems_listed(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\ndimensions: []\n", encoding="utf-8")
    done = flask_command("bank", "check", tmp_path=tmp_path, BANK_PATH=str(broken))
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"{broken}: " in done.stderr
    assert "the bank cannot be used" in done.stderr
    assert "Traceback" not in done.stderr


def test_bank_export_builds_the_app_when_it_needs_it(tmp_path: Path) -> None:
    done = flask_command(
        "bank",
        "export",
        tmp_path=tmp_path,
        SECRET_KEY=TEST_SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'survey.sqlite3'}",
        BANK_PATH=str(FIXTURE_BANK),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    exported = json.loads(done.stdout)
    assert len(exported["items"]) == 41
    assert "survey.setup" in IMPORTED.findall(done.stderr)


def test_the_path_setting_is_read_in_the_apps_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BANK_PATH", raising=False)
    assert config.read_path_setting("BANK_PATH", tmp_path) is None

    (tmp_path / "config.py").write_text("BANK_PATH = 'from-instance.yaml'\n", encoding="utf-8")
    assert config.read_path_setting("BANK_PATH", tmp_path) == "from-instance.yaml"

    monkeypatch.setenv("BANK_PATH", "from-environment.yaml")
    assert config.read_path_setting("BANK_PATH", tmp_path) == "from-environment.yaml"

    with pytest.raises(ValueError, match="SECRET_KEY is not one of the path settings"):
        config.read_path_setting("SECRET_KEY", tmp_path)


def test_the_path_setting_is_what_the_app_reads(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("BANK_PATH", str(FIXTURE_BANK))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.instance_path == str(config.INSTANCE_DIRECTORY)
    read = config.read_path_setting("BANK_PATH", config.INSTANCE_DIRECTORY)
    assert read == app.config["BANK_PATH"] == str(FIXTURE_BANK)
