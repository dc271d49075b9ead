"""The question-bank loader: valid banks load frozen, broken ones say exactly what is wrong."""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# `make` installs the project into its venv; this keeps the file importable when pytest
# runs from another Python with the project root as the working directory.
REPO_ROOT = Path(__file__).resolve().parents[2]
if importlib.util.find_spec("survey") is None:  # pragma: no cover - depends on the runner
    sys.path.insert(0, str(REPO_ROOT))

from scoring.model import Bank, Side  # noqa: E402
from survey.bank import (  # noqa: E402
    SUPPORTED_VERSIONS,
    BankError,
    bank_to_dict,
    default_bank_path,
    load_bank,
    load_default_bank,
    parse_bank,
)

SOURCE = "questions.yaml"

# --------------------------------------------------------------------------- helpers


def en(text: str) -> dict[str, str]:
    return {"en": text}


def item(item_id: str, dimension: str, *, reverse: bool | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": item_id,
        "dimension": dimension,
        "text": {
            "marketing": en(f"Marketing view of {item_id}."),
            "sales": en(f"Sales view of {item_id}."),
        },
    }
    if reverse is not None:
        result["reverse"] = reverse
    return result


def bank_type(type_id: str, lower: int, upper: int) -> dict[str, Any]:
    return {
        "id": type_id,
        "name": en(type_id.title()),
        "lower": lower,
        "upper": upper,
        "description": en(f"The {type_id} relationship."),
    }


def move(move_id: str, from_type: str, dimensions: list[str]) -> dict[str, Any]:
    return {
        "id": move_id,
        "from": from_type,
        "title": en(f"Title of {move_id}"),
        "action": en(f"Do {move_id}."),
        "dimensions": dimensions,
    }


def valid_bank() -> dict[str, Any]:
    """A small bank that passes every check; tests copy and break it."""
    return {
        "version": 1,
        "dimensions": [
            {"id": "communication", "title": en("Communication"), "description": en("Talk.")},
            {"id": "roles_and_handoffs", "title": en("Roles"), "description": en("Who.")},
            {"id": "goals", "title": en("Goals"), "description": en("What for.")},
        ],
        "items": [
            item("shared_definition_of_lead", "roles_and_handoffs"),
            item("leads_followed_up_in_time", "roles_and_handoffs", reverse=True),
            item("regular_joint_meetings", "communication", reverse=False),
            item("shared_revenue_goals", "goals"),
            item("feedback_on_lead_quality", "communication"),
        ],
        "types": [
            bank_type("undefined", 20, 40),
            bank_type("defined", 40, 60),
            bank_type("aligned", 60, 80),
            bank_type("integrated", 80, 100),
        ],
        "moves": [
            move("rules_of_engagement", "undefined", ["roles_and_handoffs"]),
            move("joint_planning", "defined", ["goals", "communication"]),
            move("shared_metrics", "aligned", ["goals"]),
        ],
        "advisor": {
            "factors": [
                {
                    "id": "company_size",
                    "question": en("How big is the company?"),
                    "choices": ["small", "medium", "large"],
                },
                {"id": "evident_conflicts", "question": en("Are there open conflicts?")},
            ],
            "rules": [
                {
                    "type": "undefined",
                    "stay_if": [
                        {"factor": "company_size", "equals": "small", "reason": en("Too small.")}
                    ],
                    "move_if": [
                        {"factor": "evident_conflicts", "equals": True, "reason": en("Conflict.")}
                    ],
                },
                {
                    "type": "defined",
                    "move_if": [
                        {"factor": "company_size", "equals": "large", "reason": en("Big.")}
                    ],
                },
            ],
        },
    }


def dump(bank: object) -> str:
    return yaml.safe_dump(bank, sort_keys=False, allow_unicode=True)


def problems_of_text(text: str, source: str = SOURCE) -> tuple[str, ...]:
    with pytest.raises(BankError) as info:
        parse_bank(text, source)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def problems_of(bank: object, source: str = SOURCE) -> tuple[str, ...]:
    return problems_of_text(dump(bank), source)


def assert_reported(problems: tuple[str, ...], expected: str) -> None:
    assert expected in problems, "\n".join(("expected:", expected, "got:", *problems))


Mutation = Callable[[dict[str, Any]], None]


def broken(mutate: Mutation) -> dict[str, Any]:
    bank = valid_bank()
    mutate(bank)
    return bank


# --------------------------------------------------------------------------- valid banks


def test_valid_bank_loads() -> None:
    bank = parse_bank(dump(valid_bank()))

    assert isinstance(bank, Bank)
    assert bank.version in SUPPORTED_VERSIONS
    assert [d.id for d in bank.dimensions] == ["communication", "roles_and_handoffs", "goals"]
    assert len(bank.items) == 5
    assert [i.id for i in bank.items if i.reverse] == ["leads_followed_up_in_time"]
    handoff = bank.item("leads_followed_up_in_time")
    assert handoff.dimension == "roles_and_handoffs"
    assert handoff.text_for(Side.SALES).get() == "Sales view of leads_followed_up_in_time."
    assert handoff.text_for(Side.MARKETING).get() == (
        "Marketing view of leads_followed_up_in_time."
    )
    assert [(t.id, t.lower, t.upper) for t in bank.types] == [
        ("undefined", 20.0, 40.0),
        ("defined", 40.0, 60.0),
        ("aligned", 60.0, 80.0),
        ("integrated", 80.0, 100.0),
    ]
    assert bank.moves[1].from_type == "defined"
    assert bank.moves[1].dimensions == ("goals", "communication")
    size, conflicts = bank.context_factors
    assert size.choices == ("small", "medium", "large")
    assert conflicts.is_yes_no
    first_rule = bank.advisor_rules[0]
    assert first_rule.type_id == "undefined"
    assert first_rule.stay_if[0].equals == "small"
    assert first_rule.move_if[0].equals is True
    assert bank.advisor_rules[1].stay_if == ()


def test_valid_bank_is_immutable() -> None:
    bank = parse_bank(dump(valid_bank()))

    with pytest.raises(dataclasses.FrozenInstanceError):
        bank.version = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        bank.items[0].reverse = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        bank.types[0].lower = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        bank.dimensions[0].title.by_language["en"] = "changed"  # type: ignore[index]
    assert isinstance(bank.items, tuple)
    assert isinstance(bank.moves[0].dimensions, tuple)


def test_advisor_section_is_optional() -> None:
    bank = broken(lambda b: b.pop("advisor"))

    loaded = parse_bank(dump(bank))

    assert loaded.context_factors == ()
    assert loaded.advisor_rules == ()


def test_other_languages_are_accepted() -> None:
    bank = valid_bank()
    bank["dimensions"][0]["title"]["fr"] = "Communication (fr)"
    bank["items"][0]["text"]["sales"]["pt-BR"] = "Vendas"
    bank["types"][0]["name"]["zh"] = "未定义"

    loaded = parse_bank(dump(bank))

    title = loaded.dimension("communication").title
    assert title.get("fr") == "Communication (fr)"
    assert title.get("de") == "Communication"  # falls back to English
    assert loaded.items[0].sales.get("pt-BR") == "Vendas"
    assert loaded.type("undefined").name.get("zh") == "未定义"


def test_yes_and_no_are_plain_strings() -> None:
    # YAML 1.1 would read an unquoted `no` (Norwegian) key as false.
    text = dump(valid_bank()).replace(
        "title:\n    en: Communication\n", "title:\n    en: Communication\n    no: Kommunikasjon\n"
    )
    assert "    no: Kommunikasjon" in text

    loaded = parse_bank(text)

    assert loaded.dimension("communication").title.get("no") == "Kommunikasjon"


@pytest.mark.parametrize("language", ["EN", "english", "pt-br", "e"])
def test_bad_language_key_is_reported(language: str) -> None:
    bank = broken(lambda b: b["dimensions"][0]["title"].update({language: "x"}))

    assert_reported(
        problems_of(bank),
        f"{SOURCE}: dimensions[0] (communication): title: bad language code '{language}' "
        "(expected e.g. 'en', 'fr', 'pt-BR')",
    )


def test_bank_to_dict_round_trips() -> None:
    bank = parse_bank(dump(valid_bank()))

    data = bank_to_dict(bank)
    encoded = json.dumps(data)

    assert json.loads(encoded) == data
    assert data["version"] == 1
    items = data["items"]
    assert isinstance(items, list)
    assert items[1] == {
        "id": "leads_followed_up_in_time",
        "dimension": "roles_and_handoffs",
        "reverse": True,
        "text": {
            "marketing": {"en": "Marketing view of leads_followed_up_in_time."},
            "sales": {"en": "Sales view of leads_followed_up_in_time."},
        },
    }
    moves = data["moves"]
    assert isinstance(moves, list)
    assert moves[0]["from"] == "undefined"
    # The dict has the shape of questions.yaml, so it loads back to the same bank.
    assert parse_bank(dump(json.loads(encoded))) == bank


# --------------------------------------------------------------------------- broken banks


def _set(path: tuple[str | int, ...], value: object) -> Mutation:
    def mutate(bank: dict[str, Any]) -> None:
        target: Any = bank
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[str | int, ...]) -> Mutation:
    def mutate(bank: dict[str, Any]) -> None:
        target: Any = bank
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(bank: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(bank)

    return mutate


BROKEN_BANKS = [
    pytest.param(
        _set(("version",), 7),
        "version: unknown version 7 (supported: 1)",
        id="unknown-version",
    ),
    pytest.param(
        _delete(("version",)),
        "version: missing",
        id="missing-version",
    ),
    pytest.param(
        _set(("items", 4, "id"), "shared_definition_of_lead"),
        "items[4] (shared_definition_of_lead): duplicate item id 'shared_definition_of_lead'",
        id="duplicate-item",
    ),
    pytest.param(
        _set(("items", 2, "dimension"), "nope"),
        "items[2] (regular_joint_meetings): dimension 'nope' is not declared in dimensions",
        id="item-unknown-dimension",
    ),
    pytest.param(
        _delete(("items", 2, "text", "sales")),
        "items[2] (regular_joint_meetings): text.sales: missing",
        id="item-missing-sales-text",
    ),
    pytest.param(
        _delete(("items", 2, "text", "marketing")),
        "items[2] (regular_joint_meetings): text.marketing: missing",
        id="item-missing-marketing-text",
    ),
    pytest.param(
        _set(("items", 2, "text", "sales"), {"fr": "Nous suivons."}),
        "items[2] (regular_joint_meetings): text.sales: missing 'en' text",
        id="item-missing-english",
    ),
    pytest.param(
        _set(("items", 2, "text", "sales", "en"), ""),
        "items[2] (regular_joint_meetings): text.sales: 'en' text is empty",
        id="item-empty-text",
    ),
    pytest.param(
        _set(("items", 2, "text", "sales", "en"), 5),
        "items[2] (regular_joint_meetings): text.sales: 'en' text must be a string (got 5)",
        id="item-text-not-a-string",
    ),
    pytest.param(
        _set(("items", 0, "reverse"), "yes"),
        "items[0] (shared_definition_of_lead): reverse: must be true or false (got 'yes')",
        id="item-reverse-not-bool",
    ),
    pytest.param(
        _set(("items", 0, "colour"), "red"),
        "items[0] (shared_definition_of_lead): colour: unknown key",
        id="item-unknown-key",
    ),
    pytest.param(
        _set(("items", 0, "id"), "Lead-Definition"),
        "items[0] (Lead-Definition): id: 'Lead-Definition' is not a snake_case id "
        "(a lowercase letter, then letters, digits or _)",
        id="item-bad-id",
    ),
    pytest.param(
        _set(("items", 3), "shared_revenue_goals"),
        "items[3]: must be a mapping (got 'shared_revenue_goals')",
        id="item-not-a-mapping",
    ),
    pytest.param(
        _set(("colour",), "red"),
        "colour: unknown key",
        id="unknown-top-level-key",
    ),
    pytest.param(
        _set(("items",), []),
        "items: the bank has no items",
        id="no-items",
    ),
    pytest.param(
        _set(("dimensions",), []),
        "dimensions: the bank has no dimensions",
        id="no-dimensions",
    ),
    pytest.param(
        _set(("types",), []),
        "types: the bank has no types",
        id="no-types",
    ),
    pytest.param(
        _set(("items",), {"id": "x"}),
        "items: must be a list (got {'id': 'x'})",
        id="items-not-a-list",
    ),
    pytest.param(
        _set(("dimensions", 2, "id"), "communication"),
        "dimensions[2] (communication): duplicate dimension id 'communication'",
        id="duplicate-dimension",
    ),
    pytest.param(
        _set(("items", 3, "dimension"), "communication"),
        "dimensions[2] (goals): no item belongs to this dimension",
        id="dimension-without-items",
    ),
    pytest.param(
        _set(("types", 1, "lower"), 45),
        "types: band of 'defined' starts at 45 but the previous band ends at 40 (gap)",
        id="band-gap",
    ),
    pytest.param(
        _set(("types", 1, "lower"), 35),
        "types: band of 'defined' starts at 35 but the previous band ends at 40 (overlap)",
        id="band-overlap",
    ),
    pytest.param(
        _set(("types", 0, "lower"), 0),
        "types: the first band ('undefined') starts at 0 but must start at 20",
        id="first-band-start",
    ),
    pytest.param(
        _set(("types", 3, "upper"), 99.5),
        "types: the last band ('integrated') ends at 99.5 but must end at 100",
        id="last-band-end",
    ),
    pytest.param(
        _both(_set(("types", 1, "lower"), 60), _set(("types", 1, "upper"), 40)),
        "types[1] (defined): lower 60 is not below upper 40",
        id="band-lower-not-below-upper",
    ),
    pytest.param(
        _set(("types", 1, "lower"), "40"),
        "types[1] (defined): lower: must be a number (got '40')",
        id="band-bound-not-a-number",
    ),
    pytest.param(
        _set(("types", 2, "id"), "defined"),
        "types[2] (defined): duplicate type id 'defined'",
        id="duplicate-type",
    ),
    pytest.param(
        _set(("moves", 1, "dimensions"), ["goals", "nope"]),
        "moves[1] (joint_planning): dimension 'nope' is not declared in dimensions",
        id="move-unknown-dimension",
    ),
    pytest.param(
        _set(("moves", 1, "dimensions"), []),
        "moves[1] (joint_planning): dimensions: must not be empty (got [])",
        id="move-without-dimensions",
    ),
    pytest.param(
        _set(("moves", 1, "from"), "nope"),
        "moves[1] (joint_planning): from 'nope' is not a type",
        id="move-from-unknown-type",
    ),
    pytest.param(
        _set(("moves", 1, "from"), "integrated"),
        "moves[1] (joint_planning): from 'integrated' is the top type; there is no type above it",
        id="move-from-top-type",
    ),
    pytest.param(
        _delete(("moves", 1, "from")),
        "moves[1] (joint_planning): from: missing",
        id="move-missing-from",
    ),
    pytest.param(
        _set(("moves", 2, "id"), "rules_of_engagement"),
        "moves[2] (rules_of_engagement): duplicate move id 'rules_of_engagement'",
        id="duplicate-move",
    ),
    pytest.param(
        _set(("advisor", "factors", 1, "id"), "company_size"),
        "advisor.factors[1] (company_size): duplicate factor id 'company_size'",
        id="duplicate-factor",
    ),
    pytest.param(
        _set(("advisor", "factors", 0, "choices"), ["small", "large", "small"]),
        "advisor.factors[0] (company_size): choices: 'small' is listed twice",
        id="duplicate-choice",
    ),
    pytest.param(
        _set(("advisor", "rules", 0, "type"), "nope"),
        "advisor.rules[0] (nope): type 'nope' is not a type",
        id="rule-unknown-type",
    ),
    pytest.param(
        _set(("advisor", "rules", 0, "stay_if", 0, "factor"), "budget"),
        "advisor.rules[0] (undefined): stay_if[0]: factor 'budget' is not declared in "
        "advisor.factors",
        id="rule-unknown-factor",
    ),
    pytest.param(
        _set(("advisor", "rules", 0, "stay_if", 0, "equals"), "huge"),
        "advisor.rules[0] (undefined): stay_if[0]: equals 'huge' is not one of the choices "
        "of 'company_size' (small, medium, large)",
        id="condition-not-a-choice",
    ),
    pytest.param(
        _set(("advisor", "rules", 0, "stay_if", 0, "equals"), True),
        "advisor.rules[0] (undefined): stay_if[0]: equals true is not one of the choices "
        "of 'company_size' (small, medium, large)",
        id="condition-bool-for-choice-factor",
    ),
    pytest.param(
        _set(("advisor", "rules", 0, "move_if", 0, "equals"), "yes"),
        "advisor.rules[0] (undefined): move_if[0]: equals 'yes' does not fit the yes/no "
        "factor 'evident_conflicts' (use true or false)",
        id="condition-string-for-yes-no-factor",
    ),
    pytest.param(
        _set(("advisor", "rules", 0, "move_if", 0, "equals"), 3),
        "advisor.rules[0] (undefined): move_if[0].equals: must be true, false or one of "
        "the factor's choices (got 3)",
        id="condition-equals-wrong-type",
    ),
    pytest.param(
        _set(("advisor", "rules", 1, "type"), "undefined"),
        "advisor.rules[1] (undefined): a second rule for type 'undefined'",
        id="duplicate-rule",
    ),
    pytest.param(
        _set(("advisor", "rules", 1, "type"), "integrated"),
        "advisor.rules[1] (integrated): move_if: 'integrated' is the top type; "
        "there is nothing above it",
        id="rule-moves-from-top-type",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BROKEN_BANKS)
def test_broken_bank_is_reported(mutate: Mutation, expected: str) -> None:
    problems = problems_of(broken(mutate))

    assert_reported(problems, f"{SOURCE}: {expected}")
    assert all(line.startswith(f"{SOURCE}: ") for line in problems)


def test_problems_name_the_given_source() -> None:
    bank = broken(_set(("version",), 7))

    problems = problems_of(bank, source="banks/draft.yaml")

    assert problems == ("banks/draft.yaml: version: unknown version 7 (supported: 1)",)


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    bank = broken(
        _both(
            _set(("version",), 2),
            _set(("items", 4, "id"), "shared_definition_of_lead"),
            _set(("items", 2, "dimension"), "nope"),
            _delete(("items", 0, "text", "sales")),
            _set(("types", 2, "lower"), 65),
            _set(("moves", 0, "from"), "integrated"),
            _set(("advisor", "rules", 0, "stay_if", 0, "equals"), "huge"),
        )
    )

    problems = problems_of(bank)

    assert set(problems) == {
        # structural, from pydantic
        f"{SOURCE}: items[0] (shared_definition_of_lead): text.sales: missing",
        # semantic, still checked on everything that parsed
        f"{SOURCE}: version: unknown version 2 (supported: 1)",
        f"{SOURCE}: items[4] (shared_definition_of_lead): duplicate item id "
        "'shared_definition_of_lead'",
        f"{SOURCE}: items[2] (regular_joint_meetings): dimension 'nope' is not declared "
        "in dimensions",
        f"{SOURCE}: types: band of 'aligned' starts at 65 but the previous band ends at 60 (gap)",
        f"{SOURCE}: moves[0] (rules_of_engagement): from 'integrated' is the top type; "
        "there is no type above it",
        f"{SOURCE}: advisor.rules[0] (undefined): stay_if[0]: equals 'huge' is not one of "
        "the choices of 'company_size' (small, medium, large)",
    }
    assert len(problems) == 7


def test_a_broken_declaration_is_not_reported_again_at_its_references() -> None:
    # The dimension is broken (no title) but declared: items using it are not blamed.
    bank = broken(_delete(("dimensions", 2, "title")))

    assert problems_of(bank) == (f"{SOURCE}: dimensions[2] (goals): title: missing",)


def test_yaml_syntax_error_names_the_line() -> None:
    text = "version: 1\ndimensions:\n  - id: communication\n    title: {en: [unclosed\n"

    (problem,) = problems_of_text(text)

    assert problem.startswith(f"{SOURCE}: line ")
    assert "YAML syntax error: " in problem
    line = int(problem.removeprefix(f"{SOURCE}: line ").split(":")[0])
    assert 4 <= line <= 5


def test_control_character_names_the_line() -> None:
    text = "version: 1\ndimensions: \x08\n"

    assert problems_of_text(text) == (
        f"{SOURCE}: line 2: YAML syntax error: unacceptable character #x0008: "
        "special characters are not allowed",
    )


def test_duplicate_yaml_keys_are_reported() -> None:
    text = dump(valid_bank()) + "version: 1\n"
    line = text.count("\n")

    assert_reported(problems_of_text(text), f"{SOURCE}: line {line}: duplicate key 'version'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 1\n- 2\n", "(got a list)"),
        ("just a sentence\n", "(got a string)"),
        ("42\n", "(got a int value)"),
    ],
)
def test_document_must_be_a_mapping(text: str, expected: str) -> None:
    (problem,) = problems_of_text(text)

    assert problem.startswith(f"{SOURCE}: the document must be a mapping")
    assert problem.endswith(expected)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_file_is_reported(text: str) -> None:
    assert problems_of_text(text) == (f"{SOURCE}: the file is empty",)


def test_missing_sections_are_reported() -> None:
    problems = problems_of_text("version: 1\n")

    assert problems == tuple(
        f"{SOURCE}: {section}: missing" for section in ("dimensions", "items", "types", "moves")
    )


# --------------------------------------------------------------------------- files


def test_load_bank_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(dump(valid_bank()), encoding="utf-8")

    assert load_bank(path) == parse_bank(dump(valid_bank()))
    assert load_bank(str(path)) == load_bank(path)


def test_load_bank_names_the_file_in_problems(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(dump(broken(_set(("items", 2, "dimension"), "nope"))), encoding="utf-8")

    with pytest.raises(BankError) as info:
        load_bank(path)

    assert info.value.problems == (
        f"{path}: items[2] (regular_joint_meetings): dimension 'nope' is not declared "
        "in dimensions",
    )


def test_missing_file_is_a_bank_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    with pytest.raises(BankError) as info:
        load_bank(path)

    (problem,) = info.value.problems
    assert problem.startswith(f"{path}: cannot read file: ")


def test_directory_is_a_bank_error(tmp_path: Path) -> None:
    with pytest.raises(BankError) as info:
        load_bank(tmp_path)

    (problem,) = info.value.problems
    assert problem.startswith(f"{tmp_path}: cannot read file: ")


def test_file_that_is_not_utf8_is_a_bank_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(dump(valid_bank()).encode("utf-8") + b"# caf\xe9\n")

    with pytest.raises(BankError) as info:
        load_bank(path)

    (problem,) = info.value.problems
    assert problem.startswith(f"{path}: cannot read file: not valid UTF-8")


def test_bank_error_survives_pickling() -> None:
    error = BankError(["a.yaml: version: missing", "a.yaml: items: missing"])

    copied = pickle.loads(pickle.dumps(error))

    assert isinstance(copied, BankError)
    assert copied.problems == error.problems
    assert str(copied) == "a.yaml: version: missing\na.yaml: items: missing"


def test_default_bank_is_cached_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import survey.bank

    path = tmp_path / "questions.yaml"
    path.write_text(dump(valid_bank()), encoding="utf-8")
    monkeypatch.setattr(survey.bank, "default_bank_path", lambda: path)

    first = load_default_bank()
    assert load_default_bank() is first

    changed = valid_bank()
    changed["items"].append(item("one_more_item", "goals"))
    path.write_text(dump(changed), encoding="utf-8")

    second = load_default_bank()
    assert second is not first
    assert second.has_item("one_more_item")

    path.unlink()
    with pytest.raises(BankError):
        load_default_bank()


def test_default_bank_path_is_at_the_repository_root() -> None:
    assert default_bank_path() == REPO_ROOT / "questions.yaml"


def test_shipped_bank_loads() -> None:
    bank = load_bank(default_bank_path())

    assert len(bank.dimensions) >= 9
    assert len(bank.items) >= 30
    assert sum(item.reverse for item in bank.items) >= 4
    assert load_default_bank() == bank


def test_shipped_bank_marks_the_twenty_original_statements() -> None:
    bank = load_bank(default_bank_path())

    original = [item for item in bank.items if item.original]

    # The published instrument has twenty statements; its 20–100 bands only hold for
    # a score over exactly twenty items, one per original topic.
    assert len(original) == 20
    assert len({item.id for item in original}) == 20


def test_shipped_funnel_has_the_eight_stages_with_the_handoff_in_the_middle() -> None:
    bank = load_bank(default_bank_path())

    assert bank.funnel is not None
    stages = bank.funnel.stages
    assert [stage.id for stage in stages] == [
        "customer_awareness",
        "brand_awareness",
        "brand_consideration",
        "brand_preference",
        "purchase_intention",
        "purchase",
        "customer_loyalty",
        "customer_advocacy",
    ]
    # The conventional split: marketing leads the first four stages, sales the last four.
    assert [stage.conventional for stage in stages] == [Side.MARKETING] * 4 + [Side.SALES] * 4
    assert all(stage.description.get() for stage in stages)
    # Worded for each side, as the items are.
    marketing, sales = (bank.funnel.question_for(side).get() for side in Side)
    assert "sales" in marketing
    assert "marketing" in sales
    assert set(bank.funnel.related_dimensions) == {"roles_and_handoffs", "systems_and_funnel"}


# --------------------------------------------------------------------------- robustness


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


VALUE_PATHS = _paths(valid_bank())

yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-1000, max_value=1000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(database=None, deadline=None, max_examples=150)
@given(st.text(max_size=200))
def test_any_text_gives_a_bank_or_a_bank_error(text: str) -> None:
    try:
        parse_bank(text)
    except BankError as error:
        assert error.problems
        assert all(line.startswith(f"{SOURCE}: ") for line in error.problems)


@settings(
    database=None,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(VALUE_PATHS), yaml_values)
def test_any_replaced_value_gives_a_bank_or_a_bank_error(
    path: tuple[str | int, ...], value: object
) -> None:
    bank = copy.deepcopy(valid_bank())
    _set(path, value)(bank)
    try:
        parse_bank(dump(bank))
    except BankError as error:
        assert error.problems
        assert all(line.startswith(f"{SOURCE}: ") for line in error.problems)


def test_a_bank_named_by_path_is_parsed_once_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import survey.bank as bank_module

    path = tmp_path / "bank.yaml"
    path.write_text(default_bank_path().read_text(encoding="utf-8"), encoding="utf-8")
    parses: list[str] = []
    original = bank_module.parse_bank

    def counting(text: str, source: str = "questions.yaml") -> Any:
        parses.append(source)
        return original(text, source)

    monkeypatch.setattr(bank_module, "parse_bank", counting)
    first = bank_module.load_bank_cached(path)
    assert bank_module.load_bank_cached(path) is first
    assert len(parses) == 1
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    bank_module.load_bank_cached(path)
    assert len(parses) == 2
