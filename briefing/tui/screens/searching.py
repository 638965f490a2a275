"""Searching the open briefing: ``/`` types a query, ``n`` and ``N`` go from match to match.

A base class of :class:`~briefing.tui.screens.reader.ReaderScreen`, between it and
:class:`~briefing.tui.screens.annotating.AnnotatingScreen`, so that the reader module stays about
moving through a briefing. The reader lists :data:`SEARCH_BINDINGS` in its ``BINDINGS``.

A match is each place the query occurs in a section's text, a section matched only in its
heading (counted once, at its top) and each note whose text, tags or quote match (counted
once, at its passage), all in reading order: that order is what the counter "3/11" counts.
The rules of matching are :mod:`briefing.core.search.index`'s.
"""

from __future__ import annotations

import operator
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.worker import Worker

from briefing.core.model import Annotation, Briefing
from briefing.store.facade import DataError
from briefing.tui.screens.annotating import AnnotatingScreen
from briefing.tui.services import ThreadedIndex
from briefing.tui.widgets.search_bar import Found, LatestQuery, SearchBar

if TYPE_CHECKING:
    from briefing.core.search.index import Hit, HitKind
    from briefing.tui.screens.search import Chosen

SEARCH_BINDINGS = [
    Binding(
        "slash",
        "open_search",
        "Search",
        id="reader.search",
        key_display="/",
        tooltip="Search this briefing and its notes",
    ),
    Binding(
        "n",
        "next_match",
        "Next match",
        id="reader.next_match",
        show=False,
        tooltip="Go to the next search match",
    ),
    Binding(
        "N",
        "previous_match",
        "Previous match",
        id="reader.previous_match",
        show=False,
        key_display="N",
        tooltip="Go to the previous search match",
    ),
    Binding(
        "ctrl+f",
        "app.search_all",
        "Search all briefings",
        id="reader.search_all",
        show=False,
        tooltip="Search every briefing and all your notes",
    ),
    # Esc in the search line closes it, passage or not: see check_action.
    Binding(
        "escape",
        "close_search",
        "Close search line",
        id="reader.close_search",
        show=False,
        key_display="esc",
        tooltip="Search line: back to the text (the matches stay)",
    ),
    # Enabled only with no passage and no field focused: after the other esc keys.
    Binding(
        "escape",
        "clear_search",
        "Clear search",
        id="reader.clear_search",
        show=False,
        key_display="esc",
        tooltip="Clear the search (again: back to library)",
    ),
]


@dataclass(frozen=True, slots=True)
class Match:
    """A place ``n`` and ``N`` stop at.

    ``kind``: "text" (a span of the section's text), "title" (the section's heading, or the
    briefing title above it: shown at the top) or "note" (a note matched: its passage).
    ``section`` is None for an orphaned note whose section is gone: it shows with every one.
    ``position``: the section's place in the briefing (after the last for such an orphan),
    so that finding a place among the matches is a bisection.
    """

    section: str | None
    start: int
    end: int
    kind: HitKind
    annotation: str | None = None
    anchored: bool = True
    position: int = field(kw_only=True)


#: Where a match is in reading order, as far as bisecting for a place needs.
_where = operator.attrgetter("position", "start")


def reader_matches(
    briefing: Briefing, hits: Iterable[Hit], notes: Sequence[Annotation]
) -> list[Match]:
    """Every match of one briefing's hits, in reading order (sections, then offsets)."""
    from briefing.core.search.index import KIND_RANK

    order = {section.key: number for number, section in enumerate(briefing.sections)}
    last = len(order)  # where an orphan goes: after every section
    by_id = {note.id: note for note in notes}
    hits = list(hits)
    spanned = {hit.section for hit in hits if hit.kind != "note" and hit.matches}
    found: list[Match] = []
    headed: set[str] = set()
    for hit in hits:
        if hit.kind == "note":
            note = by_id.get(hit.annotation or "")
            if note is not None:
                section = note.section if note.section in order else None
                anchored = note.status == "anchored"
                place = order.get(note.section, last)
                found.append(
                    Match(section, note.start, note.end, "note", note.id, anchored, position=place)
                )
        elif hit.matches:
            place = order.get(hit.section, last)
            found.extend(
                Match(hit.section, start, end, "text", position=place) for start, end in hit.matches
            )
        elif hit.section not in spanned and hit.section not in headed:
            headed.add(hit.section)  # a heading or briefing title: once, at the top
            found.append(Match(hit.section, 0, 0, "title", position=order.get(hit.section, last)))
    found.sort(key=lambda m: (m.position, m.start, KIND_RANK[m.kind], m.annotation or ""))
    return found


class SearchingScreen(AnnotatingScreen):
    """Search over the briefing the subclass shows.

    Besides what :class:`AnnotatingScreen` needs, the subclass provides ``show_notes_pane``
    and composes a ``#panes`` container: the search line is mounted after it, on first use
    (most sessions never search, and start-up should not build it).
    """

    def __init__(self, index: ThreadedIndex, result: Chosen | None = None) -> None:
        """``index``: the app's, holding this briefing. ``result``: a global search result
        to open at, with the query that found it (searched here too)."""
        super().__init__()
        self._search_index = index
        self._search_bar: SearchBar | None = None
        self._latest = LatestQuery[Match](self, self._show_found)
        self._search_current: Match | None = None  # the match n/N went to last
        self._opening_result = result
        self._notes_failure: str | None = None  # the notes file error last told of

    # -- the search line -------------------------------------------------------

    async def _search_line(self) -> SearchBar:
        if self._search_bar is None:
            self._search_bar = SearchBar(
                placeholder='words, "a phrase" or tag:name; enter goes to the first match',
                id="search-bar",
            )
            await self.mount(self._search_bar, after="#panes")
        self._search_bar.display = True
        return self._search_bar

    async def on_mount(self) -> None:
        """Runs after the reader's own ``on_mount`` (Textual calls both): the section shows."""
        if self._opening_result is not None:
            query, hit = self._opening_result.query, self._opening_result.hit
            bar = await self._search_line()
            bar.set_query(query)
            self._search_for(query)
            self._latest.submit(partial(self._go_to_hit, hit))

    async def action_open_search(self) -> None:
        bar = await self._search_line()
        bar.input.focus()
        self.refresh_bindings()

    def action_close_search(self) -> None:
        """Esc in the search line: back to the text. The matches stay; an empty line goes."""
        self._text.focus()
        if self._search_bar is not None and not self._search_bar.value.strip():
            self.action_clear_search()
        self.refresh_bindings()

    def action_clear_search(self) -> None:
        self._latest.clear()
        bar = self._search_bar
        if bar is not None:
            if self.focused is not None and bar in self.focused.ancestors_with_self:
                self._text.focus()
            bar.set_query("")
            bar.display = False
        self.refresh_bindings()

    @on(SearchBar.QueryChanged, "#search-bar")
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        self._search_for(event.query)

    @on(SearchBar.Submitted, "#search-bar")
    def _query_submitted(self, event: SearchBar.Submitted) -> None:
        """Enter: to the text, and to the next match once this query's matches are in."""
        self._text.focus()
        if event.query.strip():
            self._latest.submit(self.action_next_match)
        else:
            self.action_clear_search()
        self.refresh_bindings()

    # -- searching ---------------------------------------------------------------

    def _search_for(self, query: str) -> None:
        """Search in a thread: folding the text on the first search takes a moment."""
        if not query.strip():
            self._latest.clear(query)
            return
        index, briefing = self._search_index, self.briefing
        try:
            notes = tuple(self.store.annotations(briefing.slug))  # the store is read here
        except DataError as error:  # the text can still be searched, as global search does
            notes = ()
            if str(error) != self._notes_failure:  # said once, not at every pause in typing
                self._notes_failure = str(error)
                self._failed(error, "Notes not searched")
        else:
            self._notes_failure = None

        def search() -> tuple[Match, ...]:
            hits = index.search(query, notes, briefing=briefing.slug)
            return tuple(reader_matches(briefing, hits, notes))

        self._latest.search(query, search)

    @on(Worker.StateChanged)
    def _search_finished(self, event: Worker.StateChanged) -> None:
        self._latest.finished(event)

    def _show_found(self, found: Found[Match]) -> None:
        """Draw the matches; the one n/N went to stays current if it is still a match."""
        if self._search_current not in found.items:
            self._search_current = None
        spans: dict[str, list[tuple[int, int]]] = {}
        for match in found.items:
            if match.kind == "text" and match.section is not None:
                spans.setdefault(match.section, []).append((match.start, match.end))
        self._text.set_search(spans, self._marked(self._search_current), found.query)
        self._show_match_count()
        self.refresh_bindings()

    def reload_notes(self, highlight: str | None = None) -> None:
        """Notes changed: so may what they match."""
        super().reload_notes(highlight)
        if self._latest.wanted.strip():
            self._search_for(self._latest.wanted)

    # -- drawing ---------------------------------------------------------------------

    @staticmethod
    def _marked(match: Match | None) -> tuple[str, int, int] | None:
        """Where the text marks ``match`` as the current one: a heading is not in the text,
        and an orphan's offsets point at nothing."""
        if match is None or match.section is None or match.kind == "title" or not match.anchored:
            return None
        return match.section, match.start, match.end

    def _number(self, match: Match) -> int:
        """``match``'s place in the list: a bisection to its section and offset, then the
        few matches sharing them (a heading and a note can start where text does)."""
        matches = self._latest.shown.items
        return matches.index(match, bisect_left(matches, _where(match), key=_where))

    def _show_match_count(self) -> None:
        bar = self._search_bar
        if bar is None:
            return
        shown = self._latest.shown
        total = len(shown.items)
        if not shown.query.strip():
            bar.set_count("")
        elif not total:
            bar.set_count("No matches")
        elif self._search_current is None:
            bar.set_count(f"{total} match{'es' if total > 1 else ''}")
        else:
            number = self._number(self._search_current) + 1
            bar.set_count(f"{number}/{total}", "n/N next/previous")

    # -- going to a match ------------------------------------------------------------

    def action_next_match(self) -> None:
        self._step_match(+1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, delta: int) -> None:
        """From the current match while it is in the section shown; else from where the
        reader is: the passage, or the top of the section."""
        matches = self._latest.shown.items
        if not matches:
            return
        current = self._search_current
        if current is not None and current.section in (None, self.current.key):
            target = self._number(current) + delta
        else:
            passage = self._text.passage
            here = (self.briefing.section_index(self.current.key), passage[0] if passage else 0)
            after = bisect_left(matches, here, key=_where)  # the first match from here on
            target = after if delta > 0 else after - 1
        self._go_to_match(matches[target % len(matches)])

    def _go_to_hit(self, hit: Hit) -> None:
        """The match a global search result stands for, else the first in its section."""
        matches = self._latest.shown.items
        for match in matches:
            if hit.kind == "note":
                found = match.annotation == hit.annotation
            else:
                same = match.section == hit.section and match.kind != "note"
                found = same and (match.kind == "title" or match.start == hit.start)
            if found:
                self._go_to_match(match)
                return
        first = next((m for m in matches if m.section == hit.section), None)
        if first is not None:
            self._go_to_match(first)

    def _go_to_match(self, match: Match) -> None:
        self._search_current = match
        self._text.set_search_current(self._marked(match))
        switched = match.section is not None and match.section != self.current.key
        if switched and match.section is not None:
            self.go_to_section(match.section)
        if match.kind == "note":
            self.show_notes_pane()
            self._pane.highlight_note(match.annotation or "")
        self._reveal_match(match, switched)
        self._show_match_count()
        self.refresh_bindings()

    def _reveal_match(self, match: Match, switched: bool) -> None:
        if match.kind == "title" or (match.kind == "note" and not match.anchored):
            self._text.scroll_home(animate=False)
        elif match.kind == "note":
            self._text.flash(match.start, match.end)
        else:  # centred when arriving in a section; the least scroll within one
            self._text.reveal(match.start, match.end, center=switched)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "previous_match"):
            return bool(self._latest.shown.items)
        line_focused = self._search_bar is not None and self.focused is self._search_bar.input
        if action == "close_search":
            return line_focused
        if action == "clear_passage" and line_focused:
            return False  # esc in the search line is for the line; the passage stays
        if action == "clear_search":
            # Esc tries clear_passage and close_search first (BINDINGS order); False lets it
            # fall through to "back to library".
            return self._search_bar is not None and self._search_bar.display
        return super().check_action(action, parameters)
