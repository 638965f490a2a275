"""Searching the open briefing: ``/`` types a query, ``n`` and ``N`` go from match to match.

A base class of :class:`~briefing.tui.reader.ReaderScreen`, between it and
:class:`~briefing.tui.annotating.AnnotatingScreen`, so that the reader module stays about
moving through a briefing. The reader lists :data:`SEARCH_BINDINGS` in its ``BINDINGS``.

A match is each place the query occurs in a section's text, a section matched only in its
heading (counted once, at its top) and each note whose text, tags or quote match (counted
once, at its passage), all in reading order: that order is what the counter "3/11" counts.
The rules of matching are :mod:`briefing.search`'s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from textual import on
from textual.binding import Binding
from textual.widgets import Input
from textual.worker import Worker

from briefing.model import Annotation, Briefing
from briefing.tui.annotating import AnnotatingScreen
from briefing.tui.widgets.search_bar import SearchBar, finished_search, search_in_thread

if TYPE_CHECKING:
    from briefing.search import Hit, SearchIndex

MatchKind = Literal["title", "text", "note"]

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


class ThreadedIndex:
    """A :class:`~briefing.search.SearchIndex` searched from worker threads, one at a time.

    The index is not thread-safe, and a cancelled thread worker still runs to its end: the
    lock keeps a stale search and the fresh one apart. Built on the first search, so the
    reader's start-up pays neither for the index nor for importing it.
    """

    def __init__(self, briefings: Iterable[Briefing]) -> None:
        self._briefings = list(briefings)
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._notes: tuple[Annotation, ...] | None = None

    def search(self, query: str, notes: tuple[Annotation, ...], **options: Any) -> list[Hit]:
        """Hits for ``query`` (see ``SearchIndex.search`` for ``options``) among ``notes``;
        the notes part of the index is rebuilt when they changed since the last search."""
        from briefing.search import SearchIndex

        with self._lock:
            if self._index is None:
                self._index = SearchIndex(self._briefings)
            if notes != self._notes:
                self._index.set_annotations(notes)
                self._notes = notes
            return self._index.search(query, **options)


@dataclass(frozen=True, slots=True)
class Match:
    """A place ``n`` and ``N`` stop at.

    ``kind``: "text" (a span of the section's text), "title" (the section's heading, or the
    briefing title above it: shown at the top) or "note" (a note matched: its passage).
    ``section`` is None for an orphaned note whose section is gone: it shows with every one.
    """

    section: str | None
    start: int
    end: int
    kind: MatchKind
    annotation: str | None = None
    anchored: bool = True


_KIND_ORDER: dict[MatchKind, int] = {"title": 0, "text": 1, "note": 2}


def reader_matches(
    briefing: Briefing, hits: Iterable[Hit], notes: Sequence[Annotation]
) -> list[Match]:
    """Every match of one briefing's hits, in reading order (sections, then offsets)."""
    order = {section.key: number for number, section in enumerate(briefing.sections)}
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
                found.append(Match(section, note.start, note.end, "note", note.id, anchored))
        elif hit.matches:
            found.extend(Match(hit.section, start, end, "text") for start, end in hit.matches)
        elif hit.section not in spanned and hit.section not in headed:
            headed.add(hit.section)  # a heading or briefing title: once, at the top
            found.append(Match(hit.section, 0, 0, "title"))
    last = len(order)
    found.sort(
        key=lambda m: (
            last if m.section is None else order.get(m.section, last),
            m.start,
            _KIND_ORDER[m.kind],
            m.annotation or "",
        )
    )
    return found


@dataclass(frozen=True, slots=True)
class Found:
    """What one search found: the worker's result."""

    query: str
    matches: tuple[Match, ...]


class SearchingScreen(AnnotatingScreen):
    """Search over the briefing the subclass shows.

    Besides what :class:`AnnotatingScreen` needs, the subclass provides ``show_notes_pane``
    and composes a ``#panes`` container: the search line is mounted after it, on first use
    (most sessions never search, and start-up should not build it).
    """

    def __init__(self) -> None:
        super().__init__()
        self._search_index: ThreadedIndex | None = None
        self._search_bar: SearchBar | None = None
        self._search_wanted = ""  # the query last asked for
        self._search_shown = ""  # the query whose matches are drawn
        self._search_matches: tuple[Match, ...] = ()
        self._search_at: int | None = None  # the match n/N went to last
        self._search_then: Callable[[], None] | None = None  # when the results arrive
        self._search_deferred: tuple[str, Hit] | None = None

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
        self.workers.cancel_group(self, "search")
        self._search_wanted = self._search_shown = ""
        self._search_matches = ()
        self._search_at = None
        self._search_then = None
        self._text.set_search({})
        bar = self._search_bar
        if bar is not None:
            if self.focused is not None and bar in self.focused.ancestors_with_self:
                self._text.focus()
            bar.set_query("")
            bar.set_count("")
            bar.display = False
        self.refresh_bindings()

    @on(SearchBar.QueryChanged, "#search-bar")
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        self._search_for(event.query)

    @on(SearchBar.Submitted, "#search-bar")
    def _query_submitted(self, event: SearchBar.Submitted) -> None:
        """Enter: to the text, and to the next match once this query's matches are in."""
        self._text.focus()
        if not event.query.strip():
            self.action_clear_search()
        elif self._search_shown == event.query and self._search_wanted == event.query:
            self.action_next_match()
        else:
            self._search_then = self.action_next_match
        self.refresh_bindings()

    def show_search(self, query: str, hit: Hit) -> None:
        """Search for ``query`` and go to the match behind ``hit`` (a global search result).

        Called by the app on a reader it has just pushed: before the reader is mounted, the
        search waits for it.
        """
        if self.is_mounted:
            self.call_later(self._show_search, query, hit)
        else:
            self._search_deferred = (query, hit)

    async def on_mount(self) -> None:
        """Runs after the reader's own ``on_mount`` (Textual calls both): the section shows."""
        if self._search_deferred is not None:
            query, hit = self._search_deferred
            self._search_deferred = None
            await self._show_search(query, hit)

    async def _show_search(self, query: str, hit: Hit) -> None:
        bar = await self._search_line()
        bar.set_query(query)
        self._search_for(query)
        self._search_then = lambda: self._go_to_hit(hit)

    # -- searching ---------------------------------------------------------------

    def _search_for(self, query: str) -> None:
        """Search in a thread: folding the text on the first search takes a moment."""
        self._search_wanted = query
        self._search_then = None
        if not query.strip():
            self.workers.cancel_group(self, "search")
            self._show_found(Found(query, ()))
            return
        if self._search_index is None:
            self._search_index = ThreadedIndex([self.briefing])
        index, briefing = self._search_index, self.briefing
        notes = tuple(self.store.annotations(briefing.slug))  # the store is read here, not there

        def search() -> Found:
            hits = index.search(query, notes, briefing=briefing.slug)
            return Found(query, tuple(reader_matches(briefing, hits, notes)))

        search_in_thread(self, search)

    @on(Worker.StateChanged)
    def _search_finished(self, event: Worker.StateChanged) -> None:
        found = finished_search(event)
        if isinstance(found, Found):
            self._show_found(found)

    def _show_found(self, found: Found) -> None:
        if found.query != self._search_wanted:
            return  # a newer query is on its way
        current = self._current_match()
        self._search_shown = found.query
        self._search_matches = found.matches
        self._search_at = found.matches.index(current) if current in found.matches else None
        self._draw_matches()
        then, self._search_then = self._search_then, None
        if then is not None and found.matches:
            then()
        self._show_match_count()
        self.refresh_bindings()

    def reload_notes(self, highlight: str | None = None) -> None:
        """Notes changed: so may what they match."""
        super().reload_notes(highlight)
        if self._search_wanted.strip():
            self._search_for(self._search_wanted)

    # -- drawing ---------------------------------------------------------------------

    def _current_match(self) -> Match | None:
        at, matches = self._search_at, self._search_matches
        return matches[at] if at is not None and at < len(matches) else None

    def _draw_matches(self) -> None:
        spans: dict[str, list[tuple[int, int]]] = {}
        for match in self._search_matches:
            if match.kind == "text" and match.section is not None:
                spans.setdefault(match.section, []).append((match.start, match.end))
        current = self._current_match()
        marked = None
        # A heading is not in the text, and an orphan's offsets point at nothing.
        if current is not None and current.section is not None and current.kind != "title":
            marked = (current.section, current.start, current.end) if current.anchored else None
        self._text.set_search(spans, marked)

    def _show_match_count(self) -> None:
        bar = self._search_bar
        if bar is None:
            return
        total = len(self._search_matches)
        if not self._search_shown.strip():
            bar.set_count("")
        elif not total:
            bar.set_count("No matches")
        elif self._search_at is None:
            bar.set_count(f"{total} match{'es' if total > 1 else ''}")
        else:
            bar.set_count(f"{self._search_at + 1}/{total}", "n/N next/previous")

    # -- going to a match ------------------------------------------------------------

    def action_next_match(self) -> None:
        self._step_match(+1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, delta: int) -> None:
        """From the current match while it is in the section shown; else from where the
        reader is: the passage, or the top of the section."""
        matches = self._search_matches
        if not matches:
            return
        current = self._current_match()
        at = self._search_at
        if at is not None and current is not None and current.section in (None, self.current.key):
            self._go_to_match((at + delta) % len(matches))
            return
        count = len(self.briefing.sections)
        passage = self._text.passage
        here = (self.briefing.section_index(self.current.key), passage[0] if passage else 0)
        places = [
            (count if m.section is None else self.briefing.section_index(m.section), m.start)
            for m in matches
        ]
        if delta > 0:
            target = next((i for i, place in enumerate(places) if place >= here), 0)
        else:
            before = [i for i, place in enumerate(places) if place < here]
            target = before[-1] if before else len(matches) - 1
        self._go_to_match(target)

    def _go_to_hit(self, hit: Hit) -> None:
        """The match a global search result stands for, else the first in its section."""
        matches = self._search_matches
        for number, match in enumerate(matches):
            if hit.kind == "note":
                found = match.annotation == hit.annotation
            else:
                same = match.section == hit.section and match.kind != "note"
                found = same and (match.kind == "title" or match.start == hit.start)
            if found:
                self._go_to_match(number)
                return
        section = next((n for n, m in enumerate(matches) if m.section == hit.section), None)
        if section is not None:
            self._go_to_match(section)

    def _go_to_match(self, number: int) -> None:
        match = self._search_matches[number]
        self._search_at = number
        self._draw_matches()
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
            return bool(self._search_matches)
        line_focused = self._search_bar is not None and self.focused is self._search_bar.input
        if action == "close_search":
            return line_focused
        if action == "clear_passage" and line_focused:
            return False  # esc in the search line is for the line; the passage stays
        if action == "clear_search":  # False lets esc fall through to "back to library"
            return (
                self._search_bar is not None
                and self._search_bar.display
                and not isinstance(self.focused, Input)
                and self._text.passage is None
                and self._text.selected_span() is None
            )
        return super().check_action(action, parameters)
