"""SVG snapshots of the main screens (pytest-textual-snapshot).

The autouse fixture in conftest points the data dir, HOME and the user at
temporary values, so the user's own notes and theme never reach a snapshot.
Update after an intended UI change with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import make_app
from tests.conftest import SLUG


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notes show when they were written, in local time; the pictures must not change with
    the clock or the machine's time zone."""
    import time

    monkeypatch.setattr("briefing.core.rules.now_iso", lambda: "2026-11-28T09:00:00Z")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_library(snap_compare, store: Store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "energy-outlook.md"
    other.write_text(
        "---\ndate: 2024-05-02\ntags: [energy, gas]\n---\n# Gas prices in Europe\n\n"
        "## Supply\n\nText.\n\n## Demand\n\nMore text.\n",
        encoding="utf-8",
    )
    import_paths(store, [other])
    assert snap_compare(make_app(store), terminal_size=(80, 24))


def test_reader_80x24(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(store, SLUG, "treaty-terms"), terminal_size=(80, 24))


def test_reader_120x36_with_notes(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    text = store.get(SLUG).section("western-reaction").text  # type: ignore[union-attr]
    quote = "“propped up”"
    start = text.index(quote)
    store.add_annotation(
        SLUG,
        "western-reaction",
        start,
        start + len(quote),
        note="Stoltenberg's framing",
        tags=["nato"],
    )
    app = make_app(store, SLUG, "western-reaction")
    assert snap_compare(app, terminal_size=(120, 36))


def test_help(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(store, SLUG), terminal_size=(80, 24), press=["question_mark"])


def test_reader_three_highlights_and_notes(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    """Three colours of highlight in the text, their notes listed beside it in text order."""
    text = store.get(SLUG).section("treaty-terms").text  # type: ignore[union-attr]
    for quote, color, note, tags in [
        ("signed a pact on mutual defence assistance", "yellow", "The core claim", ["treaty"]),
        ("“mutual assistance in the event of aggression", "green", "", ["wording"]),
        ("“confrontational policy”", "pink", "Putin on the **US**", ["us", "rhetoric"]),
    ]:
        start = text.index(quote)
        store.add_annotation(
            SLUG, "treaty-terms", start, start + len(quote), note=note, tags=tags, color=color
        )
    app = make_app(store, SLUG, "treaty-terms")
    assert snap_compare(app, terminal_size=(120, 36))


def test_reader_80x24_searching(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    """An active search: matches marked, the current one in reverse, the line and counter
    above the keys."""

    async def search(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("slash", *"korea")
        for _ in range(60):  # the debounce, then the search worker
            await pilot.pause(0.05)
            if pilot.app.screen.search.latest.shown.query == "korea":
                break
        await pilot.press("enter", "n")
        await pilot.pause()

    app = make_app(store, SLUG, "treaty-terms")
    assert snap_compare(app, terminal_size=(80, 24), run_before=search)


RICH = Path(__file__).parent / "data" / "rich" / "arms-transfers.md"


def test_reader_the_lead_80x24(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    """The bundled briefing opens on its lead: the four key points, a section of their own."""
    assert snap_compare(make_app(store, SLUG), terminal_size=(80, 24))


def test_reader_table_and_footnote_80x24(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    """A Markdown table as an aligned grid, the footnote it cites under the section."""
    import_paths(store, [RICH])
    assert snap_compare(make_app(store, "arms-transfers", "shipments"), terminal_size=(80, 24))


def test_outline_editor_80x24(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    """The outline editor: the lead, then each section's paragraphs under its break."""
    app = make_app(store, SLUG, "treaty-terms")
    assert snap_compare(app, terminal_size=(80, 24), press=["o", "down", "down"])


@pytest.mark.parametrize(
    ("size", "theme"), [((80, 24), "textual-dark"), ((40, 12), "textual-light")]
)
def test_all_notes(snap_compare, store: Store, tmp_path: Path, size, theme) -> None:  # type: ignore[no-untyped-def]
    """The library's notes across briefings (ctrl+n): grouped by briefing, sections named."""
    other = tmp_path / "energy-outlook.md"
    other.write_text(
        "# Gas prices in Europe\n\n## Supply\n\nStorage is full for the winter.\n",
        encoding="utf-8",
    )
    import_paths(store, [other])
    store.add_annotation("energy-outlook", "supply", 0, 7, note="*Full* storage", tags=["gas"])
    text = store.section(SLUG, "un-veto").text
    store.add_annotation(SLUG, "un-veto", 0, text.index(" can"), note="veto", tags=["un"])
    store.set_setting("theme", theme)
    store.set_setting("last_briefing", "none")
    assert snap_compare(make_app(store), terminal_size=size, press=["ctrl+n"])
