"""The one JSON shape every ``--json`` output and the JSON export share.

Every document is an object with ``"schema": SCHEMA`` first; SCHEMA goes up when
a field changes meaning or goes away (added fields do not change it). One name
per thing, whichever command prints it:

* a briefing: ``slug``, ``title``, ``source``, ``date``, ``tags`` (list),
  then ``sections`` (``key``, ``title``) and ``note_count`` in ``list``, or
  ``notes`` (a list of notes) in ``export``;
* a note: ``id``, ``slug`` (its briefing), ``section``, ``section_title``,
  ``quote``, ``note``, ``tags``, ``color``, ``created``, ``updated``, ``status``
  (``anchored``/``orphaned``), ``start``, ``end``;
* a search hit: ``slug``, ``section``, ``kind`` (``text``/``note``), ``start``,
  ``end``, ``snippet``, ``note_id`` (the note's id, or null for ``text``).

Documents: ``list`` -> ``{schema, briefings}``; ``notes list`` -> ``{schema,
notes}``; ``search`` -> ``{schema, query, hits}``; ``export --format json`` ->
``{schema, exported, tool, briefings}`` (each briefing with its ``notes``).
The README's "JSON output" section shows the same. Pure: dicts in, dicts out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from briefing.core.model import Annotation, Briefing, Listing

SCHEMA = 1


def document(**fields: Any) -> dict[str, Any]:
    """A top-level JSON document: ``schema`` first, then ``fields`` in order."""
    return {"schema": SCHEMA, **fields}


def briefing_json(
    briefing: Briefing | Listing,
    *,
    note_count: int | None = None,
    notes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A briefing: with ``sections`` and ``note_count`` (a listing) or ``notes`` (an export)."""
    data: dict[str, Any] = {
        "slug": briefing.slug,
        "title": briefing.title,
        "source": briefing.source,
        "date": briefing.date,
        "tags": list(briefing.tags),
    }
    if note_count is not None:
        data["sections"] = [{"key": s.key, "title": s.title} for s in briefing.sections]
        data["note_count"] = note_count
    if notes is not None:
        data["notes"] = notes
    return data


def note_json(
    annotation: Annotation, *, section_title: str = "", status: str | None = None
) -> dict[str, Any]:
    """A note; ``status`` overrides the stored one (an export marks a note whose
    section is gone as orphaned)."""
    return {
        "id": annotation.id,
        "slug": annotation.briefing,
        "section": annotation.section,
        "section_title": section_title,
        "quote": annotation.quote,
        "note": annotation.note,
        "tags": list(annotation.tags),
        "color": annotation.color,
        "created": annotation.created,
        "updated": annotation.updated,
        "status": status or annotation.status,
        "start": annotation.start,
        "end": annotation.end,
    }


def section_titles(
    briefings: Iterable[Briefing | Listing],
) -> Mapping[tuple[str, str], str]:
    """(slug, section key) -> section title, for notes listed outside their briefing."""
    return {(b.slug, s.key): s.title for b in briefings for s in b.sections}


def hit_json(
    *, slug: str, section: str, kind: str, start: int, end: int, snippet: str, note_id: str | None
) -> dict[str, Any]:
    """A search hit; ``note_id`` is null for a hit in the briefing's text."""
    return {
        "slug": slug,
        "section": section,
        "kind": "note" if kind == "note" else "text",
        "start": start,
        "end": end,
        "snippet": snippet,
        "note_id": note_id or None,
    }
