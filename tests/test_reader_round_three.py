"""Pilot tests for the third round of reader fixes found by a new user's QA pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Label

from briefing.core.rules import excerpt
from briefing.core.sentences import sentences
from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import make_app
from briefing.tui.passage import by_word, word_spans
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.notes_pane import preview
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import BUNDLED, SLUG
from tests.helpers.screen_text import on_screen
from tests.helpers.waiting import until

pytestmark = pytest.mark.ui


async def test_the_config_theme_is_not_saved_as_a_pick_and_a_later_change_takes_effect(
    store: Store,
) -> None:
    app = make_app(store)
    app.default_theme = "textual-light"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"
    assert Store(store.paths.root, "tester").setting("theme") is None
    again = make_app(store)
    again.default_theme = "dracula"
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "dracula"
        again.theme = "nord"  # the user picks one: that is remembered
        await pilot.pause()
    assert Store(store.paths.root, "tester").setting("theme") == "nord"


@pytest.mark.usefixtures("quick_follow")
async def test_the_open_reader_says_what_a_reimport_did_to_the_notes_once(
    store: Store, tmp_path: Path
) -> None:
    text = store.section(SLUG, "treaty-terms").text
    (a0, a1), (b0, b1) = sentences(text)[:2]
    moving, going = text[a0:a1], text[b0:b1]
    store.add_annotation(SLUG, "treaty-terms", a0, a1, note="moves")
    store.add_annotation(SLUG, "treaty-terms", b0, b1, note="goes")
    source = BUNDLED.read_text(encoding="utf-8")
    revised = source.replace(moving, "", 1).replace(going, "", 1)
    revised = revised.replace("## UN veto\n", f"## UN veto\n\n{moving}\n", 1)
    assert revised.count(moving) == 1 and going not in revised
    path = tmp_path / "rev" / f"{SLUG}.md"
    path.parent.mkdir()
    path.write_text(revised, encoding="utf-8")

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        import_paths(Store(store.paths.root, "tester"), [path])  # as another process would

        def said() -> str:
            return "\n".join(f"{n.title}\n{n.message}" for n in app._notifications)

        await until(pilot, lambda: "orphaned" in said(), "the orphaned note")
        shown = said()
        assert "1 of your notes moved, 1 orphaned" in shown
        assert "(from Treaty terms to UN veto)" in shown
        assert "up to date" not in shown
    again = make_app(Store(store.paths.root, "tester"), SLUG, "treaty-terms")
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not [n for n in again._notifications if "orphaned" in n.title]


async def test_a_library_filter_that_matches_nothing_says_so_where_the_rows_were(
    store: Store,
) -> None:
    app = make_app(store, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")  # the reader, opened at start-up, closes onto the library
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        title = str(app.screen.query_one(DataTable).get_row_at(0)[0])
        assert title.endswith("…") and "The Russia–North Korea Mutual Defence Treaty".startswith(
            title[:-1] + " "
        )  # cut between words
        await pilot.press("q", "q")  # as a user quitting twice
        await pilot.pause()
        empty = app.screen.query_one("#library-empty", Label)
        assert empty.display and empty.region.y < 8  # right under the filter
        said = str(empty.render())
        assert "No briefing matches “qq”" in said
        assert "esc clears" in said and "ctrl+q quits" in said
        await pilot.press("escape")
        await pilot.pause()
        assert not empty.display and app.screen.query_one(DataTable).row_count == 1


async def test_at_40x12_a_section_opens_with_its_text_under_a_one_line_header(
    store: Store,
) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        view = screen.query_one(SectionView)
        await pilot.pause()
        first_line_end = view.body.lines[view.line_y(0) or 0].end
        assert on_screen(view, 0) and on_screen(view, first_line_end + 40)  # text, not facts
        headings = [line.heading for line in view.body.lines if line.heading]
        assert headings[0].startswith("The Russia") and headings[0].endswith("…")
        assert headings[1] == "Treaty terms" and len(headings) == 2
        assert not any("News report" in heading for heading in headings)
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:  # room enough: the whole header
        await pilot.pause()
        view = app.screen.query_one(SectionView)
        assert any("News report" in line.heading for line in view.body.lines)


@pytest.mark.unit
def test_w_and_big_w_undo_each_other_full_stop_included() -> None:
    text = "Putin visited in 2000. Kim met him, and they signed."
    words = word_spans(text)
    passage = (0, text.index(".") + 1)  # "Putin visited in 2000."
    more = by_word(passage, words, "end", 1, text)
    assert text[slice(*more)] == "Putin visited in 2000. Kim"
    assert by_word(more, words, "end", -1, text) == passage
    less = by_word(passage, words, "end", -1, text)
    assert text[slice(*less)] == "Putin visited in"
    assert by_word(less, words, "end", 1, text) == passage
    him = (0, text.index("him") + 3)
    assert text[slice(*by_word(him, words, "end", 1, text))].endswith("him, and")
    assert text[slice(*by_word(by_word(him, words, "end", 1, text), words, "end", -1, text))] == (
        "Putin visited in 2000. Kim met him,"
    )


@pytest.mark.unit
def test_cut_text_ends_at_a_word_with_an_ellipsis() -> None:
    text = "On Wednesday, 19 June 2024, North Korea’s leader met Putin in Pyongyang."
    assert excerpt(text, 20) == "On Wednesday, 19…"
    lines = preview(text, 20, 2).split("\n")
    assert len(lines) == 2 and lines[-1].endswith("…") and all(len(x) <= 20 for x in lines)
    assert not lines[-1][:-1].endswith(("Kor", "Nort"))  # whole words
    assert preview("short", 20, 2) == "short"


async def test_the_note_editor_shows_a_long_quote_cut_with_an_ellipsis(store: Store) -> None:
    from textual.widgets import Static

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l", "L", "L", "a")  # three sentences: longer than three lines
        await pilot.pause()
        shown = str(app.screen.query_one("#note-quote", Static).render())
        assert shown.rstrip().endswith("…") and len(shown.splitlines()) <= 3


async def test_help_at_40_columns_keeps_every_description_off_the_left_edge(
    store: Store,
) -> None:
    from briefing.tui.screens.help import HelpScreen
    from briefing.tui.widgets.key_bar import KeyBar

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = help_screen.query_one("#help-keys")
        lines = str(keys.render()).splitlines()
        assert all(len(line) <= keys.size.width for line in lines)
        edge = [line for line in lines if line.strip() and not line.startswith("  ")]
        assert edge == ["Reader", "Everywhere"]
        bar = str(help_screen.query_one(KeyBar).render())
        assert "Close" in bar and "Next §" not in bar  # the help's keys, not the reader's
        await pilot.press("escape", "x")
        await pilot.pause()
        bar = str(app.screen.query_one(KeyBar).render())
        assert "Cancel" in bar and "Next §" not in bar
