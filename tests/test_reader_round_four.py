"""Pilot tests for the fourth round of reader fixes found by a second QA pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import make_app
from briefing.tui.screens.reader import ReaderScreen
from tests.conftest import BUNDLED, SLUG
from tests.helpers.waiting import until

pytestmark = pytest.mark.ui

VETO = "Russia can veto decisions of the UN Security Council."
CONCERN = "The deepening military partnership has raised concern among Western nations."


def _mark(store: Store, key: str, quote: str) -> None:
    text = store.section(SLUG, key).text
    start = text.index(quote)
    store.add_annotation(SLUG, key, start, start + len(quote))


@pytest.mark.usefixtures("quick_follow")
async def test_the_reimport_notice_says_what_the_cli_says_a_rename_is_no_move(
    store: Store, tmp_path: Path
) -> None:
    _mark(store, "western-reaction", CONCERN)
    _mark(store, "un-veto", VETO)
    source = BUNDLED.read_text(encoding="utf-8")
    paragraph = next(p for p in source.split("\n\n") if p.startswith(VETO))
    revised = source.replace("## Western reaction", "## Western response")
    revised = revised.replace(f"\n\n{paragraph}", "", 1)
    revised = revised.replace("## Legal framework\n", f"## Legal framework\n\n{paragraph}\n", 1)
    path = tmp_path / "rev" / f"{SLUG}.md"
    path.parent.mkdir()
    path.write_text(revised, encoding="utf-8")

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        import_paths(Store(store.paths.root, "tester"), [path])  # as another process would

        def said() -> str:
            return "\n".join(f"{n.title}\n{n.message}" for n in app._notifications)

        await until(pilot, lambda: "Re-imported" in said(), "the re-import")
        shown = said()
    assert "Re-imported: 1 of your notes moved" in shown
    assert "section “Western reaction” is now “Western response”" in shown
    assert "(from UN veto to Legal framework)" in shown and "Russia can veto" in shown
    assert "raised concern" not in shown  # its section was renamed around it: not moved


async def test_help_at_40_columns_keeps_a_key_and_its_description_on_one_line(
    store: Store,
) -> None:
    from briefing.tui.screens.help import HelpScreen

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys")
        lines = str(keys.render()).splitlines()
        assert all(len(line) <= keys.size.width for line in lines)
        assert any(line.split() == ["j", "Scroll", "down", "a", "line"] for line in lines)
        assert any(line.split() == ["q", "Back", "to", "the", "library"] for line in lines)
        # A description too long for its line goes on under its own column, not under the key.
        column = next(line for line in lines if line.split()[:1] == ["j"]).index("Scroll")
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["c"])
        assert lines[at].index("Show") == column
        assert lines[at + 1].startswith(" " * column) and lines[at + 1].strip()
        # A key too long for the column has its description start on the line under it.
        at = next(i for i, line in enumerate(lines) if line.strip() == "tab / shift+tab")
        assert lines[at + 1].index("Move focus") == column


@pytest.mark.parametrize("size", [(40, 12), (60, 12), (80, 24)])
async def test_the_library_fits_its_width_with_no_sideways_scrollbar(
    store: Store, size: tuple[int, int]
) -> None:
    from textual.widgets import DataTable

    from briefing.tui.screens.library import LibraryScreen

    for n in range(8):  # more rows than fit: a vertical scrollbar takes its columns
        import_paths(store, [BUNDLED], slug=f"pact-{n}")
    app = make_app(Store(store.paths.root, "tester"), None)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if not isinstance(app.screen, LibraryScreen):
            await pilot.press("q")
            await pilot.pause()
        table = app.screen.query_one(DataTable)
        await pilot.pause()
        assert table.show_vertical_scrollbar or size[1] > 12
        assert not table.show_horizontal_scrollbar  # its edge was the stray glyph
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert "Title" in str(table.columns[next(iter(table.columns))].label)


async def test_a_short_reader_scrolled_down_still_names_its_section(store: Store) -> None:
    from textual.widgets import Static

    from briefing.tui.widgets.section_view import SectionView

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(SectionView)
        head = view.query_one("#sticky-head", Static)
        assert not head.display  # at the top the headings themselves show
        await pilot.press("space")
        await pilot.pause()
        assert view.scroll_y > 2 and head.display
        assert head.region.y == view.region.y  # it stays on the view's top line
        assert str(head.render()).startswith("Treaty terms · The Russia")
        await pilot.press("g")
        await pilot.pause()
        assert not head.display
    tall = make_app(Store(store.paths.root, "tester"), SLUG, "treaty-terms")
    async with tall.run_test(size=(80, 40)) as pilot:  # tall: the headings were enough
        await pilot.pause()
        view = tall.screen.query_one(SectionView)
        view.scroll_to(y=10, animate=False)
        await pilot.pause()
        assert not view.query_one("#sticky-head").display
