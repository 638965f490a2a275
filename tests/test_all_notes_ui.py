"""The library's notes list: every note across briefings, by briefing, by tag (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from briefing.core.ingest import load_file
from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.commands import BriefingCommands
from briefing.tui.screens.all_notes import AllNotesScreen
from briefing.tui.screens.help import help_text
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.key_bar import KeyBar
from briefing.tui.widgets.notes_pane import NotesPane
from tests.conftest import SLUG
from tests.helpers.screen_text import on_screen
from tests.helpers.waiting import until

pytestmark = pytest.mark.ui

SECOND = """---
title: Arctic shipping
date: 2026-01-02
---

# Arctic shipping

## Routes

The northern sea route opened for three months this year. Traffic doubled.

## Insurance

Insurers priced the ice risk at twice last year's rate.
"""


@pytest.fixture
def two_briefings(store: Store, tmp_path: Path) -> Store:
    source = tmp_path / "arctic.md"
    source.write_text(SECOND, encoding="utf-8")
    store.import_briefings([(load_file(source), "arctic")])
    text = store.section("arctic", "insurance").text
    start = text.index("Insurers")
    store.add_annotation(
        "arctic", "insurance", start, start + 8, note="ice premium", tags=["watch"]
    )
    store.add_annotation(SLUG, "un-veto", 0, 20, note="veto note", tags=["watch", "un"])
    store.add_annotation(SLUG, "treaty-terms", 0, 20, note="terms note", tags=["legal"])
    return store


def cards(pane: NotesPane) -> list[str]:
    return [str(pane.get_option_at_index(i).prompt) for i in range(pane.option_count)]


async def _open_notes_list(pilot: Pilot[int]) -> AllNotesScreen:
    """From wherever the app started, back to the library, then ctrl+n: the notes list."""
    await pilot.pause()
    if not isinstance(pilot.app.screen, LibraryScreen):
        await pilot.press("q")
        await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, AllNotesScreen)
    return screen


async def test_ctrl_n_lists_every_note_by_briefing_and_enter_opens_it(two_briefings: Store) -> None:
    store = two_briefings
    app = make_app(store, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        store.set_setting("last_briefing", None)
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert "^n All notes" in str(library.query_one(KeyBar).render())
        assert "Your notes across every briefing" in str(help_text(library))
        palette = [name for name, _, _ in BriefingCommands(library)._commands()]
        assert "All notes" in palette
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AllNotesScreen)
        pane = screen.query_one(NotesPane)
        shown = cards(pane)
        # In library (title) order, each briefing under its title, sections named.
        arctic = shown.index("Arctic shipping")
        pact = next(i for i, text in enumerate(shown) if text.startswith("The Russia"))
        assert arctic < pact
        assert "§ Insurance" in shown[arctic + 1] and "ice premium" in shown[arctic + 1]
        terms = next(i for i, text in enumerate(shown) if "terms note" in text)
        veto = next(i for i, text in enumerate(shown) if "veto note" in text)
        assert pact < terms < veto  # reading order within a briefing
        # A tag filter with completion, by the one tag rule.
        await pilot.press("t", "W", "a")
        field = screen.query_one("#all-notes-filter")
        # The completion comes from a worker: wait for it.
        await until(pilot, lambda: bool(field._suggestion), "the completion")  # type: ignore[attr-defined]
        await pilot.press("right", "enter")
        assert screen.query_one("#all-notes-filter").value == "Watch"  # type: ignore[attr-defined]
        texts = cards(pane)
        assert not any("terms note" in text for text in texts)
        assert any("veto note" in text for text in texts)
        assert any("ice premium" in text for text in texts)
        # Enter on a note: its briefing in the reader, at the passage.
        pane.highlighted = next(i for i, text in enumerate(cards(pane)) if "veto note" in text)
        await pilot.press("enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.briefing.slug == SLUG and reader.current.key == "un-veto"
        view = reader.query_one("#text")
        # Scrolled to the passage once it is laid out.
        await until(pilot, lambda: on_screen(view, 0), "the passage")  # type: ignore[arg-type]
        chosen = reader.notes.pane.highlighted_annotation
        assert chosen is not None and chosen.note == "veto note"
        bar = str(reader.query_one(KeyBar).render())
        assert " q Notes" in bar and "Library" not in bar  # named for where q goes
        told = str(help_text(reader))
        assert "Back to the notes list" in told and "Back to the library" not in told
        await pilot.press("q")  # back to the notes list, where the user came from
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_esc_leaves_the_filter_then_clears_it_then_goes_back(two_briefings: Store) -> None:
    app = make_app(two_briefings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_notes_list(pilot)
        pane = screen.query_one(NotesPane)
        await pilot.press("t", *"legal", "escape")
        assert len(pane.shown) == 1 and pane.has_focus
        await pilot.press("escape")  # the applied filter goes
        assert len(pane.shown) == 3
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_the_notes_list_reads_no_briefing_text(
    two_briefings: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its cost does not grow with the library's text: only the index and notes files."""
    store = Store(two_briefings.paths.root, "tester")  # nothing read or cached yet
    store.set_setting("last_briefing", "none")

    def no_text(*args: object) -> None:
        raise AssertionError("a briefing's text was read")

    monkeypatch.setattr(Store, "get", no_text)
    monkeypatch.setattr(Store, "_load", no_text)
    app = make_app(store, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, AllNotesScreen)
        assert len(app.screen.query_one(NotesPane).shown) == 3


@pytest.mark.usefixtures("quick_follow")
async def test_the_notes_list_follows_a_note_added_elsewhere_and_starts_at_the_top(
    two_briefings: Store,
) -> None:
    app = make_app(two_briefings, None)
    async with app.run_test(size=(40, 12)) as pilot:
        screen = await _open_notes_list(pilot)
        pane = screen.query_one(NotesPane)
        await pilot.pause(0.2)
        await pilot.pause()
        assert pane.scroll_y == 0  # the first briefing's title shows
        assert "Arctic shipping" in cards(pane)[0]
        # As `briefing notes add` in another process would:
        Store(two_briefings.paths.root, "tester").add_annotation(
            "arctic", "routes", 0, 12, note="added from the CLI"
        )
        await until(
            pilot, lambda: any("added from the CLI" in text for text in cards(pane)), "the note"
        )


async def test_a_section_is_named_once_for_its_notes(two_briefings: Store) -> None:
    two_briefings.add_annotation(SLUG, "treaty-terms", 30, 50, note="second in terms")
    app = make_app(two_briefings, None)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = cards((await _open_notes_list(pilot)).query_one(NotesPane))
        assert sum("§ Treaty terms" in text for text in shown) == 1
        assert sum("§ UN veto" in text for text in shown) == 1
