"""Pilot tests: keys pressed in the running app, state asserted as a user would see it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.screens.help import HelpScreen
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.section_nav import SectionNav
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import SLUG
from tests.helpers.waiting import resize, until

KEYS = ["lead", "treaty-terms", "western-reaction", "legal-framework", "un-veto"]


async def test_first_run_opens_the_bundled_briefing_and_moves_through_all_sections(
    store: Store,
) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert screen.current.key == "lead"  # the lead, "Key points", is read first
        seen = [screen.current.key]
        for _ in range(4):
            await pilot.press("right_square_bracket")
            seen.append(screen.current.key)
        assert seen == KEYS
        assert screen.check_action("next_section", ()) is False  # disabled at the last
        await pilot.press("right_square_bracket")
        assert screen.current.key == "un-veto"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.current.key == "western-reaction"
        nav = screen.query_one(SectionNav)
        assert nav.highlighted == 2


async def test_enter_in_the_navigation_pane_opens_that_section(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        screen.query_one(SectionNav).focus()
        await pilot.press("down", "down", "down", "enter")
        assert screen.current.key == "legal-framework"
        assert app.focused is screen.query_one(SectionView)


async def test_list_items_hang_under_their_marker_and_reflow_on_resize(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = app.screen.query_one(SectionView).body
        item = next(b for b in body.blocks if b.kind == "item")

        def drawn() -> list[str]:
            y = body.line_of(item.start)
            assert y is not None
            margin = body.column(body.size.width)[0]  # left of the text column
            return [body.render_line(y + n).text[margin:].rstrip() for n in range(3)]

        first, second, _ = drawn()
        assert first.startswith("• " + item.text[:10])
        assert second.startswith("  ") and second[2] != " "  # under the text, not the bullet
        narrow = len(drawn()[0])
        await resize(pilot, 170, 40)
        await pilot.pause()
        assert len(drawn()[0]) > narrow  # the wider column holds more of the item per line
        assert drawn()[1].startswith("  ")


async def test_scroll_keys_move_the_text(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(SectionView)
        await pilot.press("j", "j")
        assert view.scroll_y == 2
        await pilot.press("k")
        assert view.scroll_y == 1
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0
        await pilot.press("space")
        assert view.scroll_y > 10
        await pilot.press("b")
        assert view.scroll_y == 0


async def test_pane_toggles_and_text_width_at_80_columns(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        contents, notes = screen.query_one("#contents"), screen.query_one("#notes")
        assert contents.display and not notes.display  # narrow: notes fold behind `s`
        assert screen.query_one(SectionView).size.width >= 48
        await pilot.press("s")
        await pilot.pause()
        assert notes.display and not contents.display  # one side pane at a time
        assert screen.query_one(SectionView).size.width >= 48
        await pilot.press("c")
        await pilot.pause()
        assert contents.display and not notes.display
        await pilot.press("c")
        await pilot.pause()
        assert not contents.display and not notes.display
        assert screen.query_one(SectionView).size.width >= 76


async def test_wide_terminal_shows_both_panes_and_caps_the_text_column(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#contents").display and screen.query_one("#notes").display
        body = screen.query_one(SectionView).body
        drawn = [body.render_line(y).text for y in range(20)]
        widths = [len(line.strip()) for line in drawn]
        assert 70 <= max(widths) <= 80
        margins = [len(line) - len(line.lstrip()) for line in drawn if line.strip()]
        assert min(margins) > 10  # the column is centred in the wider space


async def test_help_lists_the_keys_and_closes_with_escape(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query("Static")[1].render())
        assert "Next section" in text and "Previous section" in text
        assert "sections pane" in text and "Back to the library" in text
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_library_filter_and_open(store: Store, tmp_path: Path) -> None:
    from briefing.store.importing import import_paths

    other = tmp_path / "other.md"
    other.write_text("---\ntags: [energy]\n---\n# Gas prices\n\n## One\n\nText.\n")
    import_paths(store, [other])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)  # two briefings, none read yet
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("e", "n", "e", "r")
        assert app.screen.query_one("#filter", Input).value == "ener"
        assert table.row_count == 1
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.briefing.slug == "other"
        await pilot.press("escape")  # Esc never leaves the reader
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("escape")  # clears the filter
        assert table.row_count == 2
        assert app.return_code is None
        await pilot.press("q")  # a letter for the filter, like any other
        assert app.screen.query_one("#filter", Input).value == "q"
        assert app.return_code is None
        await pilot.press("ctrl+q")
        assert app.return_code == 0  # ctrl+q in the library quits


async def test_read_marks_and_position_survive_a_restart(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("G")  # the end of the lead is on screen: read
        await until(pilot, lambda: "lead" in app.screen.state.read, "the lead read")  # type: ignore[attr-defined]
        await pilot.press("right_square_bracket", "j", "j", "j")
        await pilot.pause()
    again = make_app(Store(store.paths.root, "tester"))
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, ReaderScreen)
        assert screen.current.key == "treaty-terms"
        view = screen.query_one(SectionView)
        await until(pilot, lambda: view.scroll_y == 3, "the place it was left at")
        await pilot.pause()
        assert view.scroll_y == 3  # and it stays there
        assert "lead" in screen.state.read
        option = screen.query_one(SectionNav).get_option_at_index(0)
        assert str(option.prompt).startswith("✓")
        read = len(screen.state.read - {"lead"})  # the lead is not one of the 4 sections
        await pilot.press("q")
        table = again.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[-1]) == f"{read}/4"


async def test_theme_choice_persists(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.theme = "nord"
        await pilot.pause()
    assert Store(store.paths.root, "tester").setting("theme") == "nord"
    again = make_app(store)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_the_key_bar_shows_working_keys_and_a_click_presses_one(store: Store) -> None:
    from briefing.tui.widgets.key_bar import KeyBar

    app = make_app(store, SLUG, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        text = str(bar.render())
        assert "Next §" in text and "Prev §" not in text  # disabled at the first section
        await pilot.click(KeyBar, offset=(2, 0))  # on "] Next §"
        await pilot.pause()
        assert app.screen.current.key == "treaty-terms"
        assert "Prev §" in str(bar.render())


async def test_at_80_columns_the_key_bar_keeps_help_and_the_keys_of_the_moment(
    store: Store,
) -> None:
    from briefing.tui.widgets.key_bar import KeyBar

    app = make_app(store, SLUG, "western-reaction")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        await pilot.press("l")  # a passage: a Annotate joins; next and previous both work
        await pilot.pause()
        text = str(bar.render())
        assert len(text) <= 80
        for key in ("] Next §", "[ Prev §", "a Annotate", "q Library", "? Help"):
            assert key in text, text
        await resize(pilot, 130, 30)
        await pilot.pause()
        wide = str(bar.render())
        assert "c Contents" in wide and "s Notes" in wide and "^p palette" in wide


async def test_the_start_up_hook_runs_once_after_the_first_frame(store: Store) -> None:
    """The CLI turns collection off for start-up and back on from this hook
    (briefing.tui.launch): a hook that never ran would leave a reader that never collects."""
    calls: list[int] = []
    app = make_app(store, SLUG, after_first_frame=lambda: calls.append(len(app.screen_stack)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("]")
        await pilot.pause()
    assert calls == [1]
