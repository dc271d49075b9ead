"""Reading YAML: libyaml's fast parser and PyYAML's Python parser give the same result.

`load_yaml` parses with libyaml (about nine times faster on the bank) and lets the
Python parser read again only what libyaml refuses, so that syntax errors keep
their wording (tests/unit/test_bank.py checks those messages).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from survey import yaml_input
from tests.conftest import ROOT

SHIPPED = sorted(
    [ROOT / "questions.yaml", ROOT / "demo.yaml", *(ROOT / "tests" / "fixtures").glob("*.yaml")]
)


def both_parsers(text: str) -> tuple[Any, Any]:
    """(document, duplicate keys) from each parser."""
    results = []
    for loader_class in (yaml_input._StrictLoader, yaml_input._FastStrictLoader):
        assert loader_class is not None, "PyYAML was installed without libyaml"
        loader: Any = loader_class(text)
        try:
            results.append((loader.get_single_data(), loader.duplicate_keys))
        finally:
            loader.dispose()
    return results[0], results[1]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_file_reads_the_same_with_both_parsers(path: Path) -> None:
    python, fast = both_parsers(path.read_text(encoding="utf-8"))
    assert fast == python


def test_yaml_1_2_booleans_duplicates_and_merge_keys_alike() -> None:
    text = (
        "base: &base {answer: no, switch: on, flag: True, other: yes}\n"
        "first:\n  <<: *base\n  extra: FALSE\n"
        "first: again\n"
        "list: [y, n, Off, true]\n"
    )
    python, fast = both_parsers(text)
    assert fast == python
    document, duplicates = fast
    assert document["first"] == "again"
    assert document["base"] == {"answer": "no", "switch": "on", "flag": True, "other": "yes"}
    assert document["list"] == ["y", "n", "Off", True]
    assert duplicates == [(5, "first")]
    problems: list[str] = []
    assert yaml_input.load_yaml(text, "f.yaml", problems) == document
    assert problems == ["f.yaml: line 5: duplicate key 'first'"]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS, st.sampled_from([None, False, True]))
def test_any_document_reads_the_same_with_both_parsers(document: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=flow)
    python, fast = both_parsers(text)
    assert fast == python
    problems: list[str] = []
    assert yaml_input.load_yaml(text, "f.yaml", problems) == python[0]
    assert problems == []


def test_what_libyaml_refuses_is_worded_by_the_python_parser() -> None:
    problems: list[str] = []
    assert yaml_input.load_yaml("a: [1, 2\nb: 3\n", "f.yaml", problems) is None
    (problem,) = problems
    assert problem.startswith("f.yaml: line ")
    assert "YAML syntax error: " in problem
