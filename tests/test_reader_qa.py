"""What QA found in the reader and the library after issue 15's first round, each reproduced."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from briefing.core.ingest import load_file
from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.dialogs.note_editor import NoteEditor
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.section_nav import SectionNav
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import SLUG

pytestmark = pytest.mark.ui


def visible_in(widget: object, container: object) -> bool:
    region = widget.region  # type: ignore[attr-defined]
    box = container.region  # type: ignore[attr-defined]
    return bool(region.height) and box.contains_region(region)


async def test_the_note_editor_scrolls_to_the_tags_and_to_its_warning_at_40x12(
    store: Store,
) -> None:
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("l", "a", *"hi", "tab")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        box = editor.query_one("#note-editor")
        assert visible_in(editor.query_one("#note-tags"), box)
        await pilot.press("escape")  # changed: asks first
        await pilot.pause()
        assert visible_in(editor.query_one("#note-status"), box)


async def test_esc_clears_an_applied_tag_filter(store: Store) -> None:
    store.add_annotation(SLUG, "un-veto", 0, 20, note="a", tags=["watch"])
    store.add_annotation(SLUG, "un-veto", 30, 50, note="b", tags=["legal"])
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        pane = reader.query_one(NotesPane)
        await pilot.press("t", *"watch", "enter")
        assert len(pane.shown) == 1
        await pilot.press("escape")  # the filter is left; Esc now clears it
        assert len(pane.shown) == 2
        assert not reader.query_one("#tag-filter", Input).value


async def test_q_is_a_letter_in_the_library_filter(store: Store) -> None:
    store.set_setting("last_briefing", "none")
    app = make_app(store, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await pilot.press("q")
        assert app.is_running and library.query_one("#filter", Input).value == "q"
        await pilot.press("q")
        assert library.query_one("#filter", Input).value == "qq"


async def test_word_and_sentence_extension_stay_inside_one_block(store: Store) -> None:
    section = store.section(SLUG, "un-veto")
    text = section.text
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(SectionView)
        cursor = view.cursor
        first_block = cursor.paragraphs[0]
        last_in_block = max(i for i, (s, _) in enumerate(cursor.sentences) if s < first_block[1])
        cursor.place(last_in_block)
        await pilot.press("L", "L")  # would run into the next paragraph
        assert view.passage is not None and view.passage[1] <= first_block[1]
        await pilot.press(*"w" * 12)  # word by word past the paragraph's end
        start, end = view.passage
        assert end <= first_block[1]
        await pilot.press("a", *"x", "ctrl+s")
        await pilot.pause()
        (note,) = store.annotations(SLUG)
        assert note.quote == text[start:end] and "\n" not in note.quote


async def test_wrapped_section_titles_hang_under_their_first_letter(
    store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "long.md"
    source.write_text(
        "# Long titles\n\n## A section title far too long for the contents pane\n\nText.\n"
        "\n## Short\n\nMore.\n",
        encoding="utf-8",
    )
    store.import_briefings([(load_file(source), "long")])
    app = make_app(store, "long")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        nav = app.screen.query_one(SectionNav)
        title = str(nav.get_option_at_index(0).prompt)
        lines = title.split("\n")
        assert len(lines) > 1 and lines[0][2:].startswith("A section")  # after the read mark
        for line in lines[1:]:
            assert line.startswith("  ") and not line.startswith("   ")
        words = " ".join(line.strip() for line in lines)[2:]
        assert words == "A section title far too long for the contents pane"


async def test_the_library_counts_sections_as_briefing_list_does(store: Store) -> None:
    store.set_setting("last_briefing", "none")
    listing = store.listing(SLUG)
    assert listing.sections[0].is_lead  # the bundled briefing has a lead
    app = make_app(store, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = table.get_row(SLUG)
        assert str(row[3]) == str(len(listing.body_sections)) == "4"
        assert str(row[5]) == "0/4"


async def test_repeated_notices_replace_each_other(store: Store) -> None:
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(4):
            await pilot.press("escape")
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert shown.count("Press q to go back to the library.") == 1
