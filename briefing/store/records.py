"""Stored records <-> model objects: briefings, sections, blocks and annotations.

Pure conversions on the JSON the data files hold; no file is read here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from briefing.core.model import (
    DEFAULT_COLOR,
    Anchor,
    Annotation,
    Block,
    Briefing,
    Listing,
    Section,
    SectionTitle,
    Span,
)


def content_hash(briefing: Briefing) -> str:
    """A short hash of everything an import stores of ``briefing``: same hash, same briefing."""
    payload = json.dumps(
        [briefing.title, briefing.meta, briefing.lead]
        + [[s.key, s.title, s.markdown] for s in briefing.sections],
        sort_keys=True,
        ensure_ascii=False,
    )
    import hashlib  # on first use: the reader starts without it

    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def briefings_from(data: dict[str, Any] | None) -> dict[str, Briefing]:
    """Every briefing of a library file, by slug, in title order."""
    if not data:
        return {}
    sections: dict[str, list[dict[str, Any]]] = {}
    for record in data.get("sections", {}).values():
        sections.setdefault(record["briefing"], []).append(record)
    result: dict[str, Briefing] = {}
    for record in data.get("briefings", {}).values():
        slug = record["slug"]
        ordered = sorted(sections.get(slug, []), key=lambda r: r["position"])
        parts = tuple(section_from(r) for r in ordered)
        lead = record.get("lead", "")
        if lead and not any(part.is_lead for part in parts):  # stored before the lead was one
            from briefing.core.ingest import lead_section

            lead_part = lead_section(lead)
            parts = parts if lead_part is None else (lead_part, *parts)
        result[slug] = Briefing(
            slug=slug,
            title=record["title"],
            meta=record.get("meta", {}),
            lead=lead,
            sections=parts,
        )
    return dict(sorted(result.items(), key=lambda item: item[1].title.casefold()))


def block_record(block: Block) -> list[Any]:
    """A block, stored parsed so the reader needs no Markdown parser; its text is
    not stored twice: it is the slice ``[start, start + length)`` of the section text."""
    spans = [[s.start, s.end, s.style, s.href] for s in block.spans]
    return [block.kind, block.start, len(block.text), block.level, block.marker, spans]


def section_from(record: dict[str, Any]) -> Section:
    """A stored section record as a :class:`Section` (blocks parsed again only if absent)."""
    text, markdown = record["text"], record["markdown"]
    stored = record.get("blocks")
    if stored is None:  # imported by a version that did not store blocks
        from briefing.core.ingest import section_blocks

        blocks = section_blocks(markdown)
    else:
        blocks = tuple(
            Block(kind, text[start : start + length], start, _spans(stored_spans), level, marker)
            for kind, start, length, level, marker, stored_spans in stored
        )
    return Section(record["key"], record["title"], markdown, text, blocks)


def _spans(records: list[list[Any]]) -> tuple[Span, ...]:
    return tuple(Span(start, end, style, href) for start, end, style, href in records)


def annotation_record(annotation: Annotation) -> dict[str, Any]:
    """The stored form of an annotation."""
    anchor = annotation.anchor
    return {
        "id": annotation.id,
        "user": annotation.user,
        "briefing": annotation.briefing,
        "section": annotation.section,
        "quote": anchor.quote,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "start": anchor.start,
        "end": anchor.end,
        "text_hash": anchor.text_hash,
        "note": annotation.note,
        "tags": list(annotation.tags),
        "color": annotation.color,
        "created": annotation.created,
        "updated": annotation.updated,
        "status": annotation.status,
        "version": annotation.version,
        "revision": annotation.revision,
    }


def annotation_from(record: dict[str, Any]) -> Annotation:
    """An annotation from its stored form; absent optional fields take their defaults."""
    return Annotation(
        id=record["id"],
        user=record["user"],
        briefing=record["briefing"],
        section=record["section"],
        anchor=Anchor(
            quote=record["quote"],
            prefix=record.get("prefix", ""),
            suffix=record.get("suffix", ""),
            start=record["start"],
            end=record["end"],
            text_hash=record.get("text_hash", ""),
        ),
        note=record.get("note", ""),
        tags=tuple(record.get("tags", ())),
        color=record.get("color", DEFAULT_COLOR),
        created=record.get("created", ""),
        updated=record.get("updated", ""),
        status=record.get("status", "anchored"),
        version=record.get("version", 0),
        revision=record.get("revision", ""),
    )


def annotations_from(data: dict[str, Any] | None) -> tuple[Annotation, ...]:
    """Every annotation of a notes file, in text order."""
    if not data:
        return ()
    records = data.get("annotations", {}).values()
    return tuple(sorted((annotation_from(r) for r in records), key=lambda a: (a.start, a.id)))


# -- layout 2: a small library index, and each briefing's text in its own file ------


def listing_record(briefing: Briefing, digest: str, origin: str, stamp: str) -> dict[str, Any]:
    """A briefing's record in the library index: everything but its text."""
    return {
        "slug": briefing.slug,
        "title": briefing.title,
        "meta": briefing.meta,
        "sections": [[s.key, s.title] for s in briefing.sections],
        "hash": digest,
        "origin": origin,
        "imported": stamp,
    }


def listing_from(record: dict[str, Any]) -> Listing:
    """A library index record as a :class:`Listing`."""
    return Listing(
        slug=record["slug"],
        title=record["title"],
        meta=record.get("meta", {}),
        sections=tuple(SectionTitle(key, title) for key, title in record.get("sections", ())),
        revision=record.get("hash", ""),
    )


class LibraryIndex(Mapping[str, Listing]):
    """The library index: every briefing's :class:`Listing` by slug, in title order.

    A record becomes a Listing when first asked for: showing, opening or searching one
    briefing in a library of thousands converts one record, not every one (``list``
    converts them all, to print them)."""

    def __init__(self, data: dict[str, Any] | None) -> None:
        records = list((data or {}).get("briefings", {}).values())
        records.sort(key=lambda record: str(record["title"]).casefold())
        self._records: dict[str, dict[str, Any]] = {r["slug"]: r for r in records}
        self._listings: dict[str, Listing] = {}

    def __getitem__(self, slug: str) -> Listing:
        listing = self._listings.get(slug)
        if listing is None:
            listing = self._listings[slug] = listing_from(self._records[slug])
        return listing

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, slug: object) -> bool:
        return slug in self._records

    def revision(self, slug: str) -> str:
        """The revision (content hash) of ``slug``, without making its Listing."""
        return str(self._records[slug].get("hash", ""))


def section_records(briefing: Briefing) -> list[dict[str, Any]]:
    """The stored form of a briefing's sections, text and parsed blocks."""
    return [
        {
            "briefing": briefing.slug,
            "key": s.key,
            "title": s.title,
            "position": position,
            "markdown": s.markdown,
            "text": s.text,
            "blocks": [block_record(b) for b in s.blocks],
        }
        for position, s in enumerate(briefing.sections)
    ]


def content_tables(
    briefing: Briefing, digest: str, origin: str, stamp: str
) -> dict[str, list[dict[str, Any]]]:
    """The tables of one briefing's own file: its record (with the lead) and its sections."""
    record = {
        "slug": briefing.slug,
        "title": briefing.title,
        "meta": briefing.meta,
        "lead": briefing.lead,
        "hash": digest,
        "origin": origin,
        "imported": stamp,
    }
    return {"briefing": [record], "sections": section_records(briefing)}


def briefing_from_content(data: dict[str, Any] | None) -> Briefing | None:
    """The briefing a per-briefing file holds; None if there is no file."""
    if not data:
        return None
    tables = {"briefings": data.get("briefing", {}), "sections": data.get("sections", {})}
    return next(iter(briefings_from(tables).values()), None)
