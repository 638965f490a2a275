"""Issue #12, cases 2 and 5: no typed text thrown away, edits merge or refuse, never revert.

Pilot tests of the note editor against the real store, with the "other session"
being a second :class:`Store` (or the CLI) on the same data folder.
"""

from __future__ import annotations

import os
import signal

import pytest
from textual.widgets import TextArea

from briefing.core.model import ReadingState
from briefing.core.rules import MAX_NOTE_CHARS
from briefing.core.sentences import sentences
from briefing.store import drafts
from briefing.store.atomic import WriteFailed
from briefing.store.facade import Store
from briefing.store.merging import EditConflict
from briefing.tui.app import make_app
from briefing.tui.dialogs.note_editor import NoteEditor
from briefing.tui.screens.reader import ReaderScreen
from tests.conftest import SLUG
from tests.conftest import run_cli as cli

pytestmark = pytest.mark.ui
SECTION = "treaty-terms"
SIZE = (100, 30)


def _first_sentence(store: Store) -> tuple[int, int]:
    section = store.get(SLUG).section(SECTION)
    assert section is not None
    return sentences(section.text)[0]


def _status(editor: NoteEditor) -> str:
    return str(editor.query_one("#note-status").render())


def _text(editor: NoteEditor) -> str:
    return editor.query_one("#note-text", TextArea).text


async def test_a_refused_save_keeps_the_editor_open_with_the_text(store: Store) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "a")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        too_long = "x" * (MAX_NOTE_CHARS + 1)
        editor.query_one("#note-text", TextArea).load_text(too_long)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and _text(editor) == too_long
        assert "Not saved" in _status(editor) and "over the limit" in _status(editor)
        assert store.annotations(SLUG) == []
        # Cut to the limit, the same editor saves it.
        editor.query_one("#note-text", TextArea).load_text(too_long[:MAX_NOTE_CHARS])
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        [note] = store.annotations(SLUG)
        assert len(note.note) == MAX_NOTE_CHARS


async def test_a_full_disk_keeps_the_reader_open_and_the_text(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise WriteFailed("cannot write notes.json: the disk is full; it was not changed")

    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "a", *"My careful note")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        with monkeypatch.context() as patch:
            patch.setattr(store, "add_annotation", full)
            patch.setattr(store, "save_reading_state", full)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is editor and _text(editor) == "My careful note"
            assert "the disk is full" in _status(editor)
        await pilot.press("ctrl+s")  # room again: saved
        await pilot.pause()
        assert [n.note for n in store.annotations(SLUG)] == ["My careful note"]


async def test_editing_a_note_deleted_meanwhile_offers_to_save_it_anew(store: Store) -> None:
    note = store.add_annotation(SLUG, SECTION, *_first_sentence(store), note="Old")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "e", *" and new")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        Store(store.paths.root, "tester").delete_annotation(note.id)  # another session
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and "deleted elsewhere meanwhile" in _status(editor)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        [again] = store.annotations(SLUG)
        assert again.note == "Old and new" and (again.start, again.end) == (note.start, note.end)


async def test_a_note_edited_from_the_cli_and_a_reader_at_once_merges_fields(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    note = store.add_annotation(SLUG, SECTION, *_first_sentence(store), note="Draft", tags=["a"])
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "e", *" plus")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        code, _, _ = cli(capsys, "notes", "edit", note.id, "--tag", "from-cli")
        assert code == 0
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    [merged] = Store(store.paths.root, "tester").annotations(SLUG)
    assert merged.note == "Draft plus"  # the reader's change
    assert merged.tags == ("from-cli",)  # the CLI's change, not reverted
    assert merged.version == note.version + 2


async def test_the_same_field_changed_twice_is_refused_showing_the_other_version(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    note = store.add_annotation(SLUG, SECTION, *_first_sentence(store), note="Draft")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "e", *" by the reader")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        code, _, _ = cli(capsys, "notes", "edit", note.id, "--note", "Rewritten in the CLI")
        assert code == 0
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and _text(editor) == "Draft by the reader"
        assert "Changed elsewhere meanwhile" in _status(editor)
        assert "Rewritten in the CLI" in _status(editor)
        [stored] = store.annotations(SLUG)
        assert stored.note == "Rewritten in the CLI"  # nothing was reverted
        await pilot.press("ctrl+s")  # seen, and saved over it on purpose
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    [final] = store.annotations(SLUG)
    assert final.note == "Draft by the reader"


def test_a_stale_edit_through_the_store_is_refused(store: Store) -> None:
    note = store.add_annotation(SLUG, SECTION, *_first_sentence(store), note="One")
    store.update_annotation(note.id, note="Two")
    with pytest.raises(EditConflict, match="changed elsewhere meanwhile") as caught:
        store.update_annotation(note.id, note="Three", base=note)
    assert caught.value.current.note == "Two"
    assert store.annotations(SLUG)[0].note == "Two"


def test_two_readers_read_marks_are_merged(store: Store) -> None:
    one, two = Store(store.paths.root, "tester"), Store(store.paths.root, "tester")
    one.save_reading_state(ReadingState(SLUG, "un-veto", 0.0, {"un-veto"}))
    two.save_reading_state(ReadingState(SLUG, SECTION, 2.0, {SECTION}))
    state = Store(store.paths.root, "tester").reading_state(SLUG)
    assert state.read == {"un-veto", SECTION} and state.section == SECTION


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
async def test_an_open_draft_survives_a_hangup_and_is_offered_back(
    store: Store, signum: int
) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "l", "a", *"Half a thought")
        assert isinstance(app.screen, NoteEditor)
        os.kill(os.getpid(), signum)  # the SSH connection drops
        await pilot.pause()
        await pilot.pause()
    assert store.annotations(SLUG) == []
    (kept,) = drafts.kept(Store(store.paths.root, "tester"), SLUG)
    assert kept.note == "Half a thought" and kept.section == SECTION
    assert Store(store.paths.root, "tester").reading_state(SLUG).section == SECTION

    app = make_app(Store(store.paths.root, "tester"), SLUG)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert "recovered" in editor.heading and _text(editor) == "Half a thought"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    again = Store(store.paths.root, "tester")
    assert [n.note for n in again.annotations(SLUG)] == ["Half a thought"]
    assert drafts.kept(again, SLUG) == []
