"""Golden-file tests for :mod:`briefing.core.export`, plus filtering and JSON checks.

The inputs are a fixture briefing (``tests/data/export-fixture.md``) and a fixed
set of annotations built here, with tricky passages and notes. The expected
outputs live in ``tests/golden/``. After an intended format change, regenerate
them and review the diff before committing::

    BRIEFING_UPDATE_GOLDEN=1 python -m pytest tests/test_export.py

With ``BRIEFING_UPDATE_GOLDEN=1`` the golden tests rewrite the files instead of
comparing (and pass).
"""

from __future__ import annotations

import json
import os
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest

from briefing.core import export
from briefing.core.export import ExportItem, export_json, export_markdown, filter_annotations
from briefing.core.ingest import load_file, parse_briefing
from briefing.core.model import Anchor, Annotation, Briefing

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "data" / "export-fixture.md"
GOLDEN = HERE / "golden"
EXPORTED_AT = "2026-11-28T05:40:12Z"
VERSION = "0.1.0"

SECOND = """\
---
title: Grain corridor
source: Shipping desk, weekly note
date: 2026-11-18
---

# Grain corridor

A second, smaller briefing for multi-briefing exports.

## Volumes

Exports rose 12% in October, the third monthly rise.

## Risks

Insurance premiums doubled after the latest strike on a port.
"""

THIRD = "# Quiet week\n\n## Nothing\n\nNothing happened.\n"


def fixture_briefing() -> Briefing:
    return load_file(FIXTURE)


def note_on(briefing: Briefing, ident: str, section: str, quote: str, **fields: Any) -> Annotation:
    """An annotation anchored on ``quote``, found in the section's plain text."""
    found = briefing.section(section)
    assert found is not None, section
    text = found.text
    start = text.index(quote)
    end = start + len(quote)
    anchor = Anchor(quote, text[max(0, start - 32) : start], text[end : end + 32], start, end, "h0")
    return Annotation(ident, "analyst", briefing.slug, section, anchor, **fields)


def orphan(briefing: Briefing, ident: str, section: str, quote: str, **fields: Any) -> Annotation:
    anchor = Anchor(quote, "", "", 0, len(quote), "h-old")
    return Annotation(ident, "analyst", briefing.slug, section, anchor, **fields)


def fixture_annotations(b: Briefing) -> list[Annotation]:
    """Ten annotations, deliberately not in export order."""
    t1, t2, t3 = "2026-11-21T08:15:00Z", "2026-11-22T10:00:00Z", "2026-11-23T17:02:41Z"
    return [
        note_on(
            b,
            "1b2c3d4e",
            "repair-capacity",
            "&amp;-escaped HTML: <b>EUR 1.2m</b>, with * and _ and \\ left in.",
            note="Costs: ~~EUR 1.0m~~ EUR 1.2m, so +20 % | the table in 1. above is stale.",
            tags=("costs",),
            color="green",
            created=t2,
            updated=t2,
        ),
        note_on(
            b,
            "c3d2e5f4",
            "what-happened",
            "17 Nov, 21:10 — AIS signal lost near the cable route.\n\n"
            "18 Nov, 03:00 — first outage reported.",
            note="# Not a heading\n> not a quote either\n---\n[x]: http://evil.example\n\n"
            "Timeline is *tight*: six hours.",
            tags=("timeline",),
            color="blue",
            created=t1,
            updated=t1,
        ),
        note_on(
            b,
            "a1f0c3d2",
            "summary",
            "The vessel's AIS track shows a 40-minute gap (21:10–21:50 UTC).",
            note="Check against **MarineTraffic** history:\n\n- ask the coastguard\n"
            "- ask the operator",
            tags=("ais", "Attribution"),
            color="yellow",
            created=t1,
            updated=t1,
        ),
        orphan(
            b,
            "3d4e5f60",
            "attribution",
            "Three vessels loitered over the route in October.",
            note="The whole section was dropped from the briefing.",
            color="blue",
            created=t1,
            updated=t1,
        ),
        note_on(
            b,
            "0a1b2c3d",
            "repair-capacity",
            "# vessel log\n---\n1. Alpha: cut   \n[ref]: http://example.org/x\n"
            "    (hold for weather)\n= pending =",
            note="Log is verbatim from the operator.\nStray escape in the feed: \x1b[31m "
            "(shown, not obeyed).",
            tags=("logistics", "cable ship"),
            color="orange",
            created=t2,
            updated=t3,
        ),
        note_on(
            b,
            "f6a5b8c7",
            "what-happened",
            "> 40 km of seabed was surveyed",
            tags=("survey",),
            color="yellow",
            created=t2,
            updated=t2,
        ),
        note_on(
            b,
            "e5f4a7b6",
            "what-happened",
            "#2 in line: the second cut, 60 km north",
            note="`#2` is the operator's numbering, not ours.\n\n```\n# kept as code\n```",
            color="orange",
            created=t2,
            updated=t2,
        ),
        note_on(
            b,
            "d4c3f6a5",
            "what-happened",
            'Investigators quoted the master as saying\n"we dropped nothing".',
            note="Single **wire** report; no second source yet.",
            tags=("sourcing", "#attribution"),
            color="pink",
            created=t1,
            updated=t3,
        ),
        note_on(
            b,
            "b2e1d4c3",
            "summary",
            "traffic was rerouted via C-Lion|B, at a cost of ~30 ms latency.",
            note="Latency matters for *trading* links; see "
            "[the operator notice](https://example.org/notice).",
            tags=("impact",),
            color="green",
            created=t1,
            updated=t3,
        ),
        orphan(
            b,
            "2c3d4e5f",
            "summary",
            "A state actor is the most likely culprit.",
            note="Withdrawn in revision 2; kept for the record.",
            tags=("attribution",),
            color="pink",
            created=t1,
            updated=t1,
            status="orphaned",
        ),
    ]


def one_items() -> list[ExportItem]:
    b = fixture_briefing()
    return [ExportItem(b, tuple(fixture_annotations(b)))]


def many_items() -> list[ExportItem]:
    b = fixture_briefing()
    grain = parse_briefing(SECOND, slug="grain-corridor")
    quiet = parse_briefing(THIRD, slug="quiet-week")
    grain_notes = (
        note_on(
            grain,
            "9f8e7d6c",
            "risks",
            "Insurance premiums doubled",
            note="Ask Lloyd's desk for the *actual* rates.",
            tags=("insurance",),
            color="pink",
            created="2026-11-19T12:00:00Z",
            updated="2026-11-19T12:00:00Z",
        ),
        note_on(
            grain,
            "8e7d6c5b",
            "volumes",
            "Exports rose 12% in October",
            tags=("trend",),
            created="2026-11-19T11:00:00Z",
            updated="2026-11-19T11:00:00Z",
        ),
    )
    ours = filter_annotations(fixture_annotations(b), tags=["attribution", "#Timeline"])
    return [
        ExportItem(b, tuple(ours)),
        ExportItem(quiet, ()),
        ExportItem(grain, grain_notes),
    ]


def empty_items() -> list[ExportItem]:
    b = fixture_briefing()
    return [ExportItem(b, tuple(filter_annotations(fixture_annotations(b), tags=["nope"])))]


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("BRIEFING_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs; see the module docstring to regenerate"


def md(items: list[ExportItem]) -> str:
    return export_markdown(items, exported_at=EXPORTED_AT, version=VERSION)


def test_golden_one_markdown() -> None:
    check_golden("export-one.md", md(one_items()))


def test_golden_one_json() -> None:
    check_golden(
        "export-one.json", export_json(one_items(), exported_at=EXPORTED_AT, version=VERSION)
    )


def test_golden_many_markdown() -> None:
    check_golden("export-many.md", md(many_items()))


def test_golden_empty_markdown() -> None:
    check_golden("export-empty.md", md(empty_items()))


def test_module_docstring_example_is_real_output() -> None:
    b = fixture_briefing()
    notes = [a for a in fixture_annotations(b) if a.id in ("b2e1d4c3", "2c3d4e5f")]
    assert textwrap.indent(md([ExportItem(b, tuple(notes))]), "    ") in (export.__doc__ or "")


def test_output_does_not_depend_on_annotation_order() -> None:
    b = fixture_briefing()
    notes = fixture_annotations(b)
    expected = md([ExportItem(b, tuple(notes))])
    for seed in range(5):
        shuffled = notes[:]
        random.Random(seed).shuffle(shuffled)
        assert md([ExportItem(b, tuple(shuffled))]) == expected


def test_single_front_matter_keys_and_tool() -> None:
    text = md(one_items())
    front = text.split("---\n")[1]
    keys = [line.split(":")[0] for line in front.splitlines()]
    keys = [k for k in keys if not k.startswith("- ")]
    assert keys == ["title", "aliases", "tags", "url", "date", "exported", "notes", "tool"]
    assert "tool: briefing 0.1.0" in front


def test_empty_export_is_a_valid_document() -> None:
    text = md(empty_items())
    assert "notes: 0" in text
    assert text.rstrip().endswith("No notes match.")
    assert md([]).rstrip().endswith("No notes match.")


def test_json_keeps_exact_text_and_escapes_invisible_characters() -> None:
    b = fixture_briefing()
    tricky = note_on(b, "abc", "outlook", "Repairs should take", note="x\x1b\x85\u202ey")
    raw = export_json([ExportItem(b, (tricky,))], exported_at=EXPORTED_AT, version=VERSION)
    assert raw.endswith("}\n")
    for char in "\x1b\x85\u202e":
        assert char not in raw
    data = json.loads(raw)
    assert list(data) == ["schema", "exported", "tool", "briefings"]
    note = data["briefings"][0]["notes"][0]
    assert note["note"] == "x\x1b\x85\u202ey"
    assert list(note) == [
        "id",
        "slug",
        "section",
        "section_title",
        "quote",
        "note",
        "tags",
        "color",
        "created",
        "updated",
        "status",
        "start",
        "end",
    ]


def test_json_orders_notes_and_marks_missing_sections_orphaned() -> None:
    data = json.loads(export_json(one_items(), exported_at=EXPORTED_AT, version=VERSION))
    notes = data["briefings"][0]["notes"]
    assert [n["status"] for n in notes][-2:] == ["orphaned", "orphaned"]
    assert notes[-1]["id"] == "3d4e5f60"  # unknown section sorts after known ones
    anchored = [n for n in notes if n["status"] == "anchored"]
    order = ["summary", "what-happened", "repair-capacity"]
    assert anchored == sorted(anchored, key=lambda n: (order.index(n["section"]), n["start"]))


def test_block_ids_are_sanitised_and_distinct() -> None:
    b = fixture_briefing()
    odd = [
        note_on(b, ident, "outlook", "Repairs should take", created="2026-11-21T00:00:00Z")
        for ident in ("ab_c/1", "abc1", "", "é")
    ]
    text = md([ExportItem(b, tuple(odd))])
    ids = [line[1:] for line in text.splitlines() if line.startswith("^")]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert "abc1" in ids
    assert all(i and all(c.isascii() and (c.isalnum() or c == "-") for c in i) for i in ids)


def test_tags_become_obsidian_tags() -> None:
    b = fixture_briefing()
    a = note_on(b, "t1", "outlook", "Repairs", tags=("#North Korea", "_x_", "a_b", "un/sc"))
    text = md([ExportItem(b, (a,))])
    assert "> [!question] yellow · #north-korea #x #a_b #un/sc\n" in text


def test_non_url_source_is_escaped() -> None:
    b = parse_briefing(SECOND, slug="grain")
    text = md([ExportItem(b, ())])
    assert "*Source: Shipping desk, weekly note · Date: 2026-11-18*" in text
    odd = parse_briefing(SECOND.replace("Shipping desk, weekly note", "'*desk* <b> #1'"), slug="g")
    assert "*Source: \\*desk\\* \\<b> \\#1 · Date: 2026-11-18*" in md([ExportItem(odd, ())])


class TestFilter:
    def annotations(self) -> list[Annotation]:
        return fixture_annotations(fixture_briefing())

    def ids(self, found: list[Annotation]) -> set[str]:
        return {a.id for a in found}

    def test_no_criteria_keeps_everything_in_order(self) -> None:
        notes = self.annotations()
        assert filter_annotations(notes) == notes

    def test_tags_any_of_case_insensitive_hash_stripped(self) -> None:
        found = filter_annotations(self.annotations(), tags=["#ATTRIBUTION", "survey"])
        assert self.ids(found) == {"a1f0c3d2", "d4c3f6a5", "2c3d4e5f", "f6a5b8c7"}

    def test_section_by_key_or_title(self) -> None:
        by_key = filter_annotations(self.annotations(), section="what-happened")
        by_title = filter_annotations(self.annotations(), section="What happened")
        assert by_key == by_title
        assert self.ids(by_key) == {"c3d2e5f4", "f6a5b8c7", "e5f4a7b6", "d4c3f6a5"}

    def test_since_uses_created_or_updated(self) -> None:
        found = filter_annotations(self.annotations(), since="2026-11-23")
        assert self.ids(found) == {"0a1b2c3d", "d4c3f6a5", "b2e1d4c3"}
        assert len(filter_annotations(self.annotations(), since="2026-11-21")) == 10
        assert filter_annotations(self.annotations(), since="2026-11-24") == []

    def test_since_is_inclusive_and_utc(self) -> None:
        a = self.annotations()[0].with_changes(
            created="2026-11-22T23:30:00-02:00", updated="2026-11-22T23:30:00-02:00"
        )
        assert filter_annotations([a], since="2026-11-23") == [a]
        assert filter_annotations([a], since="2026-11-24") == []

    def test_criteria_combine(self) -> None:
        found = filter_annotations(
            self.annotations(), tags=["attribution"], section="summary", since="2026-11-21"
        )
        assert self.ids(found) == {"a1f0c3d2", "2c3d4e5f"}

    def test_bad_since_is_a_clear_error(self) -> None:
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            filter_annotations(self.annotations(), since="last week")
