"""Every built-in theme keeps the reader's text readable: WCAG AA, 4.5:1, for every cell of
the text pane (facts line, highlights of every colour, search matches, the passage cursor,
a mouse selection) and of the notes pane."""

from __future__ import annotations

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip

from briefing.core.model import COLORS
from briefing.core.sentences import sentences
from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.colours import contrast
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import SLUG

pytestmark = pytest.mark.ui
AA = 4.5
#: Non-text marks (a note card's colour bar, the rule between cards) need 3:1.
MARK = 3.0
MARKS = set("▍▕▏│─")


def _hex(colour: RichColor | None) -> str | None:
    if colour is None or colour.triplet is None:
        return None
    return colour.triplet.hex


def _cells(update: object, region: object) -> list[tuple[int, str, str, str]]:
    """(line, text, foreground, background) of every drawn run of text in ``region`` of a
    full screen update."""
    found = []
    for y, strip in enumerate(update.strips):  # type: ignore[attr-defined]
        if not region.y <= y < region.bottom:  # type: ignore[attr-defined]
            continue
        x = 0
        pieces = [strip] if isinstance(strip, Strip) else strip
        for segment in (segment for piece in pieces for segment in piece):
            assert isinstance(segment, Segment)
            text, style = segment.text, segment.style
            width = len(text)
            inside = region.x <= x and x + width <= region.right  # type: ignore[attr-defined]
            x += width
            if not inside or not text.strip() or style is None:
                continue
            fg, bg = _hex(style.color), _hex(style.bgcolor)
            if style.reverse:
                fg, bg = bg, fg
            if fg is None or bg is None:
                continue
            found.append((y, text.strip(), fg, bg))
    return found


async def test_every_built_in_theme_keeps_text_at_aa_contrast(store: Store) -> None:
    text = store.section(SLUG, "treaty-terms").text
    spans = sentences(text)
    for colour, (start, end) in zip(COLORS, spans[1:], strict=False):
        store.add_annotation(
            SLUG, "treaty-terms", start, end, note=f"*{colour}* note", color=colour
        )
    app = make_app(store, SLUG, "treaty-terms")
    failures: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await pilot.press("slash", *"the", "enter", "escape", "l", "l")
        await pilot.pause(0.3)
        view = screen.query_one(SectionView)
        body = view.body
        screen.selections = {body: Selection(Offset(0, 6), Offset(12, 7))}
        themes = sorted(app.available_themes)
        assert len(themes) >= 20
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            pane = screen.query_one(NotesPane)
            update = screen._compositor.render_full_update()  # the whole screen, drawn once
            for widget in (view, pane):
                region = widget.content_region
                for y, run, fg, bg in _cells(update, region):
                    ratio = contrast(fg, bg)
                    if ratio < (MARK if set(run) <= MARKS else AA):
                        where = f"{theme} {type(widget).__name__} line {y}: {run[:20]!r}"
                        failures.append(f"{where} {fg} on {bg} = {ratio:.2f}")
    assert not failures, "\n".join(failures[:40]) + f"\n... {len(failures)} in all"
