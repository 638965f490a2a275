"""Issue #12, case 1: a re-import (or a note added) in another process under an open reader.

The reader notices within a second or so (a stat per second, see
``ReaderScreen.FOLLOW_EVERY``; every 20 ms here, the ``quick_follow`` fixture); the tests
wait for it by pausing in a loop, and time nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import TextArea

from briefing.core.sentences import sentences
from briefing.store import revisions
from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.dialogs.note_editor import NoteEditor
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.section_view import HIGHLIGHT_STYLES, SectionView
from tests.conftest import BUNDLED, ROOT, SLUG
from tests.helpers.screen_text import styles_at
from tests.helpers.waiting import until

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("quick_follow")]
SECTION = "treaty-terms"
SIZE = (100, 30)
ADDED = "A paragraph added in the revised briefing, before everything else."


def _revise(tmp_path: Path) -> Path:
    source = BUNDLED.read_text(encoding="utf-8")
    revised = source.replace("## Treaty terms\n", f"## Treaty terms\n\n{ADDED}\n", 1)
    assert revised != source
    path = tmp_path / "rev" / f"{SLUG}.md"
    path.parent.mkdir()
    path.write_text(revised, encoding="utf-8")
    return path


def _cli_in_another_process(data_dir: Path, *argv: str) -> None:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "BRIEFING_HOME": str(data_dir), "BRIEFING_USER": "tester"}
    result = subprocess.run(
        [sys.executable, "-m", "briefing", *argv],
        env={**env, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


async def test_the_reader_follows_a_reimport_in_another_process(
    store: Store, tmp_path: Path
) -> None:
    text = store.section(SLUG, SECTION).text
    first = sentences(text)[0]
    note = store.add_annotation(SLUG, SECTION, *first, note="mine")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        view = screen.query_one(SectionView)
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, note.start)

        _cli_in_another_process(store.paths.root, "import", str(_revise(tmp_path)))
        await until(pilot, lambda: ADDED in view.section.text, "the revised text")
        new_text = view.section.text
        [moved] = screen._pane.annotations
        assert new_text[moved.start : moved.end] == note.quote  # on the same words
        assert moved.start == note.start + len(ADDED) + 2
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, moved.start)
        assert HIGHLIGHT_STYLES["yellow"] not in styles_at(view, note.start)

        # A note made now is stored on the new text, with the quote the user selected.
        await pilot.press("l", "a", *"after", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    current = revisions.revision_of(store.get(SLUG))
    for saved in Store(store.paths.root, "tester").annotations(SLUG):
        section = store.section(SLUG, saved.section)
        assert section.text[saved.start : saved.end] == saved.quote
        assert saved.revision == current


async def test_a_save_under_a_reimport_is_refused_then_found_again(
    store: Store, tmp_path: Path
) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "a", *"written while it changed")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        selected = editor.quote
        _cli_in_another_process(store.paths.root, "import", str(_revise(tmp_path)))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor  # refused: offsets taken on the old text
        status = str(editor.query_one("#note-status").render())
        assert "re-imported meanwhile" in status and "found again" in status
        assert editor.query_one("#note-text", TextArea).text == "written while it changed"
        assert Store(store.paths.root, "tester").annotations(SLUG) == []
        reader = app.screen_stack[-2]  # the reader under the editor follows the change
        assert isinstance(reader, ReaderScreen) and ADDED in reader.current.text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    [saved] = Store(store.paths.root, "tester").annotations(SLUG)
    text = store.section(SLUG, saved.section).text
    assert saved.quote == selected == text[saved.start : saved.end]
    assert saved.note == "written while it changed"


async def test_a_note_added_from_the_cli_appears_in_the_open_reader(store: Store) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        quote = sentences(store.section(SLUG, SECTION).text)[1]
        words = store.section(SLUG, SECTION).text[quote[0] : quote[1]]
        _cli_in_another_process(
            store.paths.root, "notes", "add", SLUG, SECTION, "--quote", words, "--note", "cli"
        )
        await until(
            pilot, lambda: [n.note for n in screen._pane.annotations] == ["cli"], "the new note"
        )


async def test_a_reimport_keeps_the_window_on_the_same_passage(
    store: Store, tmp_path: Path
) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        view = screen.query_one(SectionView)
        await pilot.press(*["j"] * 8)
        await pilot.pause()
        assert view.scroll_y > 0

        def top_sentence() -> str:
            start, end = view.cursor.sentences[view._first_visible_sentence()]
            return view.section.text[start:end]

        before = top_sentence()
        _cli_in_another_process(store.paths.root, "import", str(_revise(tmp_path)))
        await until(pilot, lambda: ADDED in view.section.text, "the revised text")
        await pilot.pause()
        await pilot.pause()
        assert top_sentence() == before
