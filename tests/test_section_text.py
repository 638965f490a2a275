"""The section text as drawn and as the mouse selects it: one widget, many lines.

Pilot tests of what a reader sees and gets: where a drag starts and ends, what a
selection still means after the text moved, and how odd text is drawn.
"""

from __future__ import annotations

from pathlib import Path

from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import make_app
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.section_body import BLANK, SectionBody
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import SLUG
from tests.helpers.waiting import resize, until

LONG = "\n\n".join(f"Paragraph {i} " + "word " * 30 for i in range(12))
BRIEFING = f"""---
title: Odd text
---
# Odd text

## Long one

{LONG}

## Long two

{LONG}

## Items and code

- first item, long enough to wrap onto a second line at eighty columns or less for sure
- second

```
x\ty\tz
```

## Empty

## After
Some text.
"""


def add_briefing(store: Store, tmp_path: Path) -> str:
    path = tmp_path / "odd.md"
    path.write_text(BRIEFING, encoding="utf-8")
    import_paths(store, [path])
    return "odd"


def body_of(app) -> SectionBody:  # type: ignore[no-untyped-def]
    return app.screen.query_one(SectionView).body


def text_x(body: SectionBody, y: int) -> int:
    """The column where line ``y``'s text starts, after the margin and any marker."""
    line = body.lines[y]
    return body.column(body.size.width)[0] + len(line.prefix)


async def drag(pilot, body: SectionBody, start: tuple[int, int], end: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    await pilot.mouse_down(body, offset=start)
    await pilot.hover(body, offset=end)
    await pilot.mouse_up(body, offset=end)
    await pilot.pause()


async def test_a_drag_ending_on_the_blank_line_or_past_the_text_ends_with_that_line(
    store: Store,
) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        body, view = body_of(app), app.screen.query_one(SectionView)
        second, third = body.blocks[1], body.blocks[2]
        y = body.line_of(second.start)
        blank = body.line_of(second.end - 1) + 1  # type: ignore[operator]
        assert y is not None and body.lines[blank].block == BLANK
        x = text_x(body, y)
        await drag(pilot, body, (x + 3, y), (2, blank))
        assert view.selected_span() == (second.start + 3, second.end)
        app.screen.clear_selection()
        # Past the right end of a line, into the space beside the column.
        await drag(pilot, body, (x + 3, y), (body.size.width - 2, y))
        assert view.selected_span() == (second.start + 3, body.lines[y].end)
        app.screen.clear_selection()
        third_y = body.line_of(third.start)
        assert third_y is not None
        await drag(pilot, body, (2, blank), (x + 8, third_y))  # from the blank line down
        # The character under the pointer is selected too: it ends after it.
        assert view.selected_span() == (second.end, third.start + 9)


async def test_a_drag_from_a_list_marker_starts_at_the_item_and_is_drawn(
    store: Store, tmp_path: Path
) -> None:
    slug = add_briefing(store, tmp_path)
    app = make_app(store, slug, "items-and-code")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body, view = body_of(app), app.screen.query_one(SectionView)
        item = body.blocks[0]
        y = body.line_of(item.start)
        assert y is not None
        x = text_x(body, y)
        await drag(pilot, body, (0, y), (x + 10, y))  # from the margin, over "• "
        assert view.selected_span() == (item.start, item.start + 11)
        cells = [segment.style for segment in body.render_line(y) for _ in segment.text]
        assert cells[x].bgcolor != cells[x + 20].bgcolor  # its first letter is highlighted


async def test_a_selection_is_let_go_when_the_text_changes_under_it(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        body = body_of(app)
        y = body.line_of(body.blocks[1].start)
        assert y is not None
        x = text_x(body, y)
        await drag(pilot, body, (x, y), (x + 15, y))
        assert screen.passage() is not None
        await pilot.press("right_square_bracket")  # another section: a would annotate it
        await pilot.pause()
        assert not screen.selections and screen.passage() is None
        assert screen.check_action("annotate", ()) is False

        await drag(pilot, body, (x, y), (x + 15, y))
        assert screen.passage() is not None
        await resize(pilot, 70, 30)  # rewrapped: the columns mean other text now
        await pilot.pause()
        assert not screen.selections and screen.passage() is None


async def test_leaving_a_section_at_its_end_does_not_mark_the_next_read(
    store: Store, tmp_path: Path
) -> None:
    slug = add_briefing(store, tmp_path)
    app = make_app(store, slug, "long-one")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await pilot.press("G")
        await until(pilot, lambda: "long-one" in screen.state.read, "the section read")
        await pilot.press("right_square_bracket")
        await pilot.pause(0.2)
        assert screen.current.key == "long-two"
        assert "long-two" not in screen.state.read


async def test_an_empty_section_counts_as_read_once_shown(store: Store, tmp_path: Path) -> None:
    slug = add_briefing(store, tmp_path)
    app = make_app(store, slug, "empty")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await until(pilot, lambda: "empty" in screen.state.read, "the empty section read")


async def test_tabs_are_drawn_as_spaces(store: Store, tmp_path: Path) -> None:
    slug = add_briefing(store, tmp_path)
    app = make_app(store, slug, "items-and-code")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = body_of(app)
        code = next(b for b in body.blocks if b.kind == "code")
        y = body.line_of(code.start)
        assert y is not None
        drawn = body.render_line(y).text
        assert "\t" not in drawn and "x y z" in drawn
        assert body.render_line(y).cell_length == body.size.width
