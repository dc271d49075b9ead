"""Benchmark: how long a command takes to start, beside importing Flask and SQLAlchemy.

Runs ``flask --app app bank check`` and ``python -c "import flask, sqlalchemy"``
alternately (with hyperfine when it is installed), with compiled bytecode cached as
in any installed copy (in a temporary folder, not in the source tree), and prints
the medians, their ratio, and the modules that take longest to import.

``bank check`` is a Flask plugin command and builds no app; ``bank export`` runs
beside them for the start-up of a command that does build it (every other command).

Targets (issue 12): ``bank check`` ≤ 0.6 s wall and ≤ 4× the bare import. Run with
``make bench`` or ``.venv/bin/python -m bench.startup``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
COMMANDS = {
    "bank check": [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "bank", "check"],
    "import flask, sqlalchemy": [PYTHON, "-c", "import flask, sqlalchemy"],
    "bank export (builds the app)": [
        str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "bank", "export"
    ],
}
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def environment(cache: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
        "PYTHONPYCACHEPREFIX": cache,
        "DATABASE_URL": f"sqlite:///{cache}/bench.sqlite3",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def with_hyperfine(runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                "hyperfine",
                "--warmup",
                "2",
                "--runs",
                str(runs),
                "--export-json",
                report.name,
                *(" ".join(command) for command in COMMANDS.values()),
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        results = json.loads(Path(report.name).read_text())["results"]
    return {name: result["times"] for name, result in zip(COMMANDS, results, strict=True)}


def alternating(runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for run in range(runs + 2):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
            if run >= 2:  # the first two fill the bytecode cache
                times[name].append(time.perf_counter() - started)
    return times


def slowest_imports(env: dict[str, str], shown: int) -> list[tuple[float, str]]:
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "flask", "--app", "app", "bank", "check"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    found = []
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        # top-level packages and the app's own modules, not every submodule
        if match and (len(match[3]) <= 2 or match[4].startswith(("survey.", "scoring"))):
            found.append((int(match[2]) / 1000, match[4]))
    return sorted(found, reverse=True)[:shown]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = environment(cache)
        tool = "hyperfine" if shutil.which("hyperfine") else "alternating runs"
        times = (with_hyperfine if shutil.which("hyperfine") else alternating)(args.runs, env)
        imports = slowest_imports(env, 12)
    medians = {name: statistics.median(samples) for name, samples in times.items()}
    print(f"command start-up ({tool}, {args.runs} runs each, bytecode cached)")
    for name, samples in times.items():
        print(f"  {name:<30} median {medians[name]:.3f} s   min {min(samples):.3f} s")
    ratio = medians["bank check"] / medians["import flask, sqlalchemy"]
    print(
        f"  bank check: {medians['bank check']:.2f} s (target ≤ 0.6 s), "
        f"{ratio:.1f}× the bare import (target ≤ 4×)"
    )
    print("slowest imports of `bank check` (cumulative ms, one run; -X importtime)")
    for milliseconds, module in imports:
        print(f"  {milliseconds:7.1f}  {module}")


if __name__ == "__main__":
    main()
