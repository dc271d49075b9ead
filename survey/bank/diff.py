"""What changed between two versions of a question bank, line by line, for people.

Compares the banks as plain data (``bank_to_dict``), so every section the bank has is
covered: list sections entry by entry, matched by id (rules by their type), each with
the fields that changed; texts per language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scoring.model import Bank
from survey.bank.convert import bank_to_dict
from survey.bank.schema import LABEL_KEYS

#: List sections and the key that names their entries: the schema's own table, so a
#: new list section is compared entry by entry as soon as ``_sections`` lays it out.
_KEYED = LABEL_KEYS


def _sections(data: Mapping[str, object]) -> dict[str, object]:
    flat = {key: value for key, value in data.items() if key != "advisor"}
    advisor = data.get("advisor")
    if isinstance(advisor, dict):
        for key, value in advisor.items():
            flat[f"advisor.{key}"] = value
    return flat


def _fields_changed(old: object, new: object, prefix: str = "") -> list[str]:
    """Dotted names of the fields that differ (texts down to their language)."""
    if isinstance(old, dict) and isinstance(new, dict):
        changed: list[str] = []
        for key in dict.fromkeys([*old, *new]):
            name = f"{prefix}.{key}" if prefix else str(key)
            if key not in old:
                changed.append(f"{name} (added)")
            elif key not in new:
                changed.append(f"{name} (removed)")
            else:
                changed.extend(_fields_changed(old[key], new[key], name))
        return changed
    return [] if old == new else [prefix or "value"]


def _entries(value: object, key: str) -> dict[str, Mapping[str, object]]:
    if not isinstance(value, list):
        return {}
    return {str(entry[key]): entry for entry in value if isinstance(entry, dict) and key in entry}


def bank_changes(old: Bank, new: Bank) -> list[str]:
    """One line per difference, in section order; empty when the banks are the same."""
    before, after = _sections(bank_to_dict(old)), _sections(bank_to_dict(new))
    lines: list[str] = []
    for section in dict.fromkeys([*before, *after]):
        if section in _KEYED:
            lines.extend(_section_changes(section, before.get(section), after.get(section)))
        elif before.get(section) != after.get(section):
            fields = _fields_changed(before.get(section), after.get(section))
            lines.append(f"{section}: changed ({', '.join(fields)})")
    return lines


def _section_changes(section: str, old: object, new: object) -> Sequence[str]:
    key = _KEYED[section]
    before, after = _entries(old, key), _entries(new, key)
    lines = [f"{section}: '{name}' removed" for name in before if name not in after]
    lines += [f"{section}: '{name}' added" for name in after if name not in before]
    for name in before:
        if name in after and before[name] != after[name]:
            fields = _fields_changed(before[name], after[name])
            lines.append(f"{section}: '{name}' changed: {', '.join(fields)}")
    order = [name for name in after if name in before]
    if [name for name in before if name in after] != order:
        lines.append(f"{section}: the order changed")
    return lines
