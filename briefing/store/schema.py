"""The shape every data file must have, checked before anything uses it.

A file that parses as JSON can still be unusable: a table that is a list, a
record that is a string, a note without an ``id`` or with ``start`` as text.
Such a file must be refused as damaged (and ``briefing doctor`` must say so)
rather than crash whatever reads it next. Duplicate JSON keys are refused too:
the next write would silently drop one of the two copies.

Files are TinyDB documents: ``{table: {doc_id: record}}``, with doc ids the
decimal strings TinyDB writes. Which records a table holds depends on the kind
of file, told by its path under the data folder (:func:`kind_of`). Unknown
tables and kinds are checked only for that generic shape, so that a file
written by another part of the program (or a later layout) is not refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

#: How deep nesting is refused: past the parser's recursion limit.
TOO_DEEP = "nested too deeply (over a thousand levels) to be a data file"

Check = Callable[[Any], bool]


class ShapeError(ValueError):
    """What is wrong with a file's shape, in words for the user."""


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _dict(value: Any) -> bool:
    return isinstance(value, dict)


def _list(value: Any) -> bool:
    return isinstance(value, list)


def _anything(value: Any) -> bool:
    return True


# field -> (check, required, what it should be)
Fields = dict[str, tuple[Check, bool, str]]

ANNOTATION: Fields = {
    "id": (lambda v: isinstance(v, str) and bool(v), True, "a non-empty string"),
    "user": (_str, True, "a string"),
    "briefing": (_str, True, "a string"),
    "section": (_str, True, "a string"),
    "quote": (_str, True, "a string"),
    "prefix": (_str, False, "a string"),
    "suffix": (_str, False, "a string"),
    "start": (_int, True, "a whole number"),
    "end": (_int, True, "a whole number"),
    "text_hash": (_str, False, "a string"),
    "note": (_str, False, "a string"),
    "tags": (_strs, False, "a list of strings"),
    "color": (_str, False, "a string"),
    "created": (_str, False, "a string"),
    "updated": (_str, False, "a string"),
    "status": (lambda v: v in ("anchored", "orphaned"), False, "anchored or orphaned"),
    "version": (_int, False, "a whole number"),
    "revision": (_str, False, "a string"),
}

TABLES: dict[str, dict[str, Fields]] = {
    "notes": {"annotations": ANNOTATION},
    "state": {
        "settings": {"key": (_str, True, "a string"), "value": (_anything, False, "")},
        "reading": {
            "briefing": (_str, True, "a string"),
            "section": (_str, False, "a string"),
            "scroll": (_number, False, "a number"),
            "read": (_strs, False, "a list of strings"),
        },
        "drafts": {
            "key": (_str, True, "a string"),
            "briefing": (_str, True, "a string"),
            "section": (_str, True, "a string"),
            "start": (_int, True, "a whole number"),
            "end": (_int, True, "a whole number"),
            "note": (_str, False, "a string"),
            "tags": (_strs, False, "a list of strings"),
        },
    },
    "library": {
        "briefings": {
            "slug": (_str, True, "a string"),
            "title": (_str, True, "a string"),
            "meta": (_dict, False, "an object"),
            "lead": (_str, False, "a string"),
            "sections": (_list, False, "a list"),  # layout 2: [key, title] pairs
        },
        "sections": {  # layout 1 only
            "briefing": (_str, True, "a string"),
            "key": (lambda v: isinstance(v, str) and bool(v), True, "a non-empty string"),
            "title": (_str, True, "a string"),
            "position": (_int, True, "a whole number"),
            "markdown": (_str, True, "a string"),
            "text": (_str, True, "a string"),
            "blocks": (_list, False, "a list"),
        },
    },
}
# Layout 2 (issue 18): one briefing's own file, briefings/<slug>.json.
TABLES["briefing"] = {
    "briefing": TABLES["library"]["briefings"],
    "sections": TABLES["library"]["sections"],
}


def kind_of(path: Path, root: Path) -> str:
    """``library``, ``briefing``, ``state``, ``notes`` or ``other``, by where the file lives."""
    try:
        parts = PurePath(path).relative_to(root).parts
    except ValueError:
        return "other"
    if parts == ("library.json",):
        return "library"
    if len(parts) == 2 and parts[0] == "briefings" and parts[1].endswith(".json"):
        return "briefing"
    if len(parts) == 3 and parts[0] == "users" and parts[2] == "state.json":
        return "state"
    if len(parts) == 4 and parts[0] == "users" and parts[2] == "notes":
        return "notes"
    return "other"


def strict_loads(raw: bytes | str) -> Any:
    """``json.loads`` that refuses duplicate keys and absurd nesting.

    Raises :class:`ShapeError`, or ``json.JSONDecodeError`` for bad JSON. Nesting is
    left to the parser, which raises ``RecursionError`` past Python's limit (~1,000
    levels; 100,000 levels of brackets is refused in microseconds, with no scan of
    our own over every byte); shallower nesting than that cannot pass :func:`check`,
    whose records are flat.
    """
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ShapeError(TOO_DEEP) from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ShapeError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return result


def check(data: dict[str, Any], kind: str) -> None:
    """Raise :class:`ShapeError` unless ``data`` has the shape of a ``kind`` file."""
    known = TABLES.get(kind, {})
    for table, records in data.items():
        if not isinstance(records, dict):
            raise ShapeError(f"table {table!r} is a {_type(records)}, not an object")
        fields = known.get(table)
        ids: set[str] = set()
        for doc_id, record in records.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                raise ShapeError(f"table {table!r}: document id {doc_id!r} is not a number")
            if not isinstance(record, dict):
                raise ShapeError(f"{table!r} record {doc_id} is a {_type(record)}, not an object")
            if fields is not None:
                check_record(record, fields, f"{table!r} record {doc_id}")
            if table == "annotations":
                if record["id"] in ids:
                    raise ShapeError(f"two notes have the id {record['id']!r}")
                ids.add(record["id"])
                if not 0 <= record["start"] <= record["end"]:
                    raise ShapeError(f"note {record['id']!r}: start and end are out of order")


def check_record(record: dict[str, Any], fields: Fields, where: str) -> None:
    for name, (ok, required, wanted) in fields.items():
        if name not in record:
            if required:
                raise ShapeError(f"{where} has no {name!r}")
            continue
        if not ok(record[name]):
            raise ShapeError(f"{where}: {name!r} is {_describe(record[name])}, not {wanted}")


def valid_annotation(record: Any) -> bool:
    """Whether a record (say, one salvaged from a damaged file) is a whole note."""
    if not isinstance(record, dict):
        return False
    try:
        check_record(record, ANNOTATION, "note")
    except ShapeError:
        return False
    return bool(0 <= record["start"] <= record["end"])


def _type(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _describe(value: Any) -> str:
    return "null" if value is None else f"a {_type(value)}"
