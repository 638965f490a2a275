"""Keys typed right after a focus change go to the newly focused widget, in order (issue 15).

Every test here posts its keys in one batch (:func:`tests.helpers.keys.keys_together`),
as a pty delivers keys typed fast or over SSH; ``pilot.press`` would wait between keys.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.dialogs.note_editor import NoteEditor
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.notes_pane import NotesPane
from tests.conftest import SLUG
from tests.helpers.keys import handled, keys_together

pytestmark = pytest.mark.ui


async def test_tags_typed_right_after_tab_in_the_note_editor_go_to_the_tags(store: Store) -> None:
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("l", "a")
        await handled(pilot)
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        keys_together(app, *"keep", "tab", *"watch", "shift+tab", *"!")
        await handled(pilot)
        assert editor.query_one("#note-text", TextArea).text == "keep!"
        assert editor.query_one("#note-tags", Input).value == "watch"


async def test_enter_in_the_tags_saves_and_the_next_keys_reach_the_reader(store: Store) -> None:
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("l", "a")
        await handled(pilot)
        keys_together(app, *"note", "tab", *"watch", "enter", "left_square_bracket")
        await handled(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        saved = store.annotations(SLUG)
        assert [(a.note, a.tags) for a in saved] == [("note", ("watch",))]
        assert reader.current.key != "un-veto"  # "[" went to the reader: previous section


async def test_typing_after_t_and_after_enter_in_the_tag_filter(store: Store) -> None:
    for key in ("treaty-terms", "un-veto"):
        store.add_annotation(SLUG, key, 0, 20, note=f"on {key}", tags=["watch"])
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        contents = reader.query_one("#contents")
        # t, then the tag at once: the tag goes into the filter, c and h do nothing.
        keys_together(app, "t", *"watch", "enter", "S", "home", "enter")
        await handled(pilot)
        assert reader.query_one("#tag-filter", Input).value == "watch"
        assert contents.display and not reader.notes.has_passage
        # After enter the keys went to the notes pane: S listed the briefing, home
        # highlighted its first note and enter went to it.
        pane = reader.query_one(NotesPane)
        assert len(pane.shown) == 2
        assert reader.current.key == "treaty-terms"
        keys_together(app, "slash", *"veto", "enter", "n")
        await handled(pilot)
        assert reader.search.bar is not None and reader.search.bar.value == "veto"
        assert reader.focused is reader.query_one("#text")


async def test_typing_fast_in_the_library_filters_with_every_letter(store: Store) -> None:
    store.set_setting("last_briefing", "none")
    app = make_app(store, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        keys_together(app, *"qrussia")  # q first: a letter for the filter, not quit
        await handled(pilot)
        assert app.is_running
        assert library.query_one("#filter", Input).value == "qrussia"
        keys_together(app, "escape", *"russ")
        await handled(pilot)
        assert library.query_one("#filter", Input).value == "russ"
