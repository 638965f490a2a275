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
        await pilot.app.workers.wait_for_complete()  # the search, in its thread
        await pilot.pause()
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


#: Decoration, not text: the half-block edges of an input field.
EDGES = set("▔▁▊▎")


def _low(app: object, widget: object, theme: str, skip: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Every run of text in ``widget`` under AA (marks under 3:1), as drawn now."""
    update = app.screen._compositor.render_full_update()  # type: ignore[attr-defined]
    found = []
    for y, run, fg, bg in _cells(update, widget.region):  # type: ignore[attr-defined]
        if set(run) <= EDGES or run in skip:
            continue
        ratio = contrast(fg, bg)
        if ratio < (MARK if set(run) <= MARKS else AA):
            name = getattr(widget, "id", None) or type(widget).__name__
            found.append(f"{theme} {name} line {y}: {run[:24]!r} {fg} on {bg} = {ratio:.2f}")
    return found


def _disabled_keys(screen: object) -> set[str]:
    """What the key bar draws, dimmed, for a key that does not work now (WCAG exempts it)."""
    found: set[str] = set()
    for active in screen.active_bindings.values():  # type: ignore[attr-defined]
        if not active.enabled:
            label = screen.app.get_key_display(active.binding)  # type: ignore[attr-defined]
            found |= {active.binding.description, label}
    return found


async def test_the_library_and_notes_list_and_key_bar_are_at_aa_in_every_theme(
    store: Store,
) -> None:
    """The chrome around the text: the key bar's keys, the library's filter hint and cursor
    row, the notes list's header, filter hint and highlighted card (its meta line)."""
    from textual.widgets import DataTable, Input, Label

    from briefing.tui.screens.all_notes import AllNotesScreen
    from briefing.tui.screens.library import LibraryScreen
    from briefing.tui.widgets.key_bar import KeyBar

    text = store.section(SLUG, "treaty-terms").text
    for start, end in sentences(text)[:2]:
        store.add_annotation(SLUG, "treaty-terms", start, end, note="n", tags=["legal"])
    app = make_app(store, None)
    failures: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        themes = sorted(app.available_themes)
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            assert library.query_one(DataTable).has_focus
            skip = _disabled_keys(library)
            for widget in (
                library.query_one("#library-title", Label),
                library.query_one("#filter", Input),
                library.query_one(DataTable),
                library.query_one(KeyBar),
            ):
                failures += _low(app, widget, theme, skip)
        await pilot.press("ctrl+n")
        await pilot.pause()
        notes = app.screen
        assert isinstance(notes, AllNotesScreen)
        pane = notes.query_one(NotesPane)
        assert pane.has_focus and pane.highlighted is not None
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            skip = _disabled_keys(notes)
            for widget in (
                notes.query_one("#all-notes-title", Label),
                notes.query_one("#all-notes-filter", Input),
                pane,
                notes.query_one(KeyBar),
            ):
                failures += _low(app, widget, theme, skip)
    assert not failures, "\n".join(failures[:40]) + f"\n... {len(failures)} in all"
