"""One way to read the YAML files the app takes in, and one way to word what is wrong.

The question bank, a demo scenario and an advisor context all go through
:func:`load_yaml` and, for their shape, through pydantic models whose errors
:func:`describe_error` turns into ``where: what`` lines. So the same mistake
gets the same message in every file:

* only ``true``/``false`` (any letter case) are booleans — YAML 1.2, so a
  language key ``no`` or a choice ``on`` stays the text it is;
* a key given twice in one mapping is reported with its line (merge keys
  ``<<`` are allowed);
* a syntax error names its line.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import yaml
from pydantic_core import ErrorDetails

__all__ = ["CUSTOM_ERROR_PREFIX", "describe_error", "load_yaml", "shown"]

_BOOL_TAG = "tag:yaml.org,2002:bool"
#: Error types of our own validators start with this; their message is used as it is.
CUSTOM_ERROR_PREFIX = "input_"


class _StrictConstruction:
    """YAML 1.2 booleans (set on each loader below); duplicate mapping keys recorded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]  # the loader's __init__
        self.duplicate_keys: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                self.duplicate_keys.append((key_node.start_mark.line + 1, key_node.value))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class _StrictLoader(_StrictConstruction, yaml.SafeLoader):
    """PyYAML's own parser, in Python: it words every syntax error, with its line."""


# libyaml's parser (when PyYAML was built with it) reads a bank about nine times faster;
# a document it refuses is read again by the Python parser, whose messages are the ones
# users see. The constructor and resolver stay PyYAML's, so the result is the same.
_FastStrictLoader: type[_StrictConstruction] | None = None
if yaml.__with_libyaml__:

    class _CStrictLoader(_StrictConstruction, yaml.CSafeLoader):
        """libyaml's parser, with the same construction and resolution."""

    _FastStrictLoader = _CStrictLoader

_STRICT_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _loader in (_StrictLoader, _FastStrictLoader):
    if _loader is not None:
        _loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
            first: list(resolvers) for first, resolvers in _STRICT_RESOLVERS.items()
        }
        _loader.add_implicit_resolver(  # type: ignore[attr-defined]
            _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
        )


def _load_fast(text: str) -> tuple[object, list[tuple[int, str]]] | None:
    """The document and its duplicate keys, or None when the Python parser must read it."""
    # The Python reader refuses characters YAML does not allow; libyaml may let some pass.
    if _FastStrictLoader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    loader = _FastStrictLoader(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys  # type: ignore[attr-defined]
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()  # type: ignore[attr-defined]


def load_yaml(text: str, source: str, problems: list[str]) -> object:
    """The document in ``text``; syntax errors and duplicate keys become lines in ``problems``.

    After a syntax error the result is ``None``. ``source`` names the file in each line.
    """
    fast = _load_fast(text)
    if fast is not None:
        document, duplicate_keys = fast
        problems.extend(_duplicates(source, duplicate_keys))
        return document
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)
        document: object = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        what = error.problem or error.context or "invalid YAML"
        problems.append(f"{source}: {where}YAML syntax error: {what}")
        return None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line = text.count("\n", 0, max(error.position, 0)) + 1
        problems.append(
            f"{source}: line {line}: YAML syntax error: unacceptable character "
            f"#x{error.character:04x}: {error.reason}"
        )
        return None
    except yaml.YAMLError as error:
        problems.append(f"{source}: YAML syntax error: {error}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    problems.extend(_duplicates(source, loader.duplicate_keys))
    return document


def _duplicates(source: str, keys: list[tuple[int, str]]) -> list[str]:
    return [f"{source}: line {line}: duplicate key '{key}'" for line, key in keys]


# --------------------------------------------------------------------------- pydantic errors


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters for a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_WHAT_BY_ERROR_TYPE: Mapping[str, str] = {
    "missing": "missing",
    "extra_forbidden": "unknown key",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
}


def _number(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _entry_name(document: object, path: Sequence[str], index: int, key: str) -> str | None:
    node: object = document
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    entry = node[index] if isinstance(node, list) and index < len(node) else None
    name = entry.get(key) if isinstance(entry, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _where(
    loc: Sequence[int | str], document: object, label_keys: Mapping[str, str]
) -> str:
    """``items[2] (shared_lead): text.sales`` for a location, naming list entries by a key."""
    parts = [part for part in loc if part != "[key]"]
    head, path, rest_from = "", [], 0
    for position, part in enumerate(parts):
        if isinstance(part, int) and not isinstance(part, bool):
            dotted = ".".join(path)
            if dotted in label_keys:
                name = _entry_name(document, path, part, label_keys[dotted])
                head = f"{dotted}[{part}]" + (f" ({name})" if name else "")
                rest_from = position + 1
            break
        path.append(str(part))
    tail = ""
    for part in parts[rest_from if head else 0 :]:
        if isinstance(part, int) and not isinstance(part, bool):
            tail += f"[{part}]"
        else:
            tail += f".{part}" if tail else str(part)
    return f"{head}: {tail}" if head and tail else head or tail or "document"


def describe_error(
    error: ErrorDetails, document: object, label_keys: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """``(where, what)`` for one pydantic error; ``label_keys`` maps a list's path (such as
    ``"items"`` or ``"advisor.factors"``) to the key that names its entries."""
    loc = error["loc"]
    kind = error["type"]
    if kind == "invalid_key":  # the offending key is the last part of the location
        loc = loc[:-1]
    where = _where(loc, document, label_keys or {})
    if kind.startswith(CUSTOM_ERROR_PREFIX):
        what = error["msg"]
    elif kind in ("missing", "extra_forbidden"):
        what = _WHAT_BY_ERROR_TYPE[kind]
    elif kind == "invalid_key":
        what = f"key {shown(error['input'])} must be text"
    else:
        limits = {key: _number(value) for key, value in error.get("ctx", {}).items()}
        template = _WHAT_BY_ERROR_TYPE.get(kind)
        base = template.format(**limits) if template else error["msg"]
        what = f"{base} (got {shown(error['input'])})"
    return where, what
