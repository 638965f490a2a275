"""What new users tripped over in the reader (issue 15), each as a pilot test."""

from __future__ import annotations

import pytest

from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import SLUG
from tests.conftest import run_cli as run

pytestmark = pytest.mark.ui


def reader(app: object) -> ReaderScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ReaderScreen)
    return screen


@pytest.mark.unit
def test_show_takes_a_section_title_as_well_as_its_key(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, by_title, _ = run(capsys, "show", SLUG, "UN veto")
    assert code == 0 and by_title.startswith("UN veto\n")
    code, by_key, _ = run(capsys, "show", SLUG, "un-veto")
    assert by_title == by_key
    code, _, err = run(capsys, "show", SLUG, "UN vet")
    assert code == 1 and "no section 'UN vet'" in err


async def test_space_at_the_end_of_a_section_goes_on_to_the_next(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        for _ in range(40):
            if screen.current.key != "treaty-terms":
                break
            await pilot.press("space")
            await pilot.pause()
        assert screen.current.key == "western-reaction"
        assert view.scroll_y == 0


async def test_escape_never_leaves_the_reader_and_q_does(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        await pilot.press("l", "slash", *"putin", "escape", "escape", "escape")
        await pilot.press("tab", "escape", "escape", "escape", "escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
