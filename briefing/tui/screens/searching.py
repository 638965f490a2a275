"""Searching the open briefing: ``/`` types a query, ``n`` and ``N`` go from match to match.

A plain object the reader screen holds (:class:`SearchController`): the screen owns the keys
(:mod:`briefing.tui.screens.reader_keys`) and routes the search line's messages here. What it
needs from the screen is :class:`~briefing.tui.screens.reader_host.ReaderHost`.

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

from textual.widget import Widget
from textual.worker import Worker

from briefing.core.model import Annotation, Briefing
from briefing.core.rules import counted
from briefing.store.facade import DataError
from briefing.tui.services import ThreadedIndex
from briefing.tui.widgets.search_bar import Found, LatestQuery, SearchBar

if TYPE_CHECKING:
    from briefing.core.search.index import Hit, HitKind
    from briefing.tui.screens.reader_host import ReaderHost
    from briefing.tui.screens.search import Chosen
    from briefing.tui.widgets.notes_pane import NotesPane
    from briefing.tui.widgets.section_view import SectionView


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


class SearchController:
    """Search over the briefing the reader shows: the search line, its matches, ``n``/``N``.

    ``node`` runs the search workers and mounts the search line, below ``panes``, on first
    use (most sessions never search, and start-up should not build it). The node hands
    every ``Worker.StateChanged`` to :meth:`worker_changed`.
    """

    def __init__(
        self,
        host: ReaderHost,
        node: Widget,
        view: SectionView,
        pane: NotesPane,
        index: ThreadedIndex,
        panes: Widget,
    ) -> None:
        """``index``: the app's, holding this briefing."""
        self.host = host
        self.view = view
        self.pane = pane
        self.index = index
        self._node = node
        self._panes = panes
        self.bar: SearchBar | None = None
        self.latest = LatestQuery[Match](node, self._show_found)
        self.current: Match | None = None  # the match n/N went to, while it is a match
        self._chosen: Match | None = None  # the match n/N went to last, until cleared
        self._notes_failure: str | None = None  # the notes file error last told of

    # -- the search line -------------------------------------------------------

    async def _search_line(self) -> SearchBar:
        if self.bar is None:
            self.bar = SearchBar(
                placeholder='words, "a phrase" or tag:name; enter goes to the first match',
                id="search-bar",
            )
            await self._node.mount(self.bar, after=self._panes)
        self.bar.display = True
        return self.bar

    async def open_at(self, result: Chosen) -> None:
        """Open at a global search ``result``: its query is searched here too."""
        bar = await self._search_line()
        bar.set_query(result.query)
        self.search_for(result.query)
        self.latest.submit(partial(self._go_to_hit, result.hit))

    async def open(self) -> None:
        """``/``: show the search line and type in it."""
        bar = await self._search_line()
        bar.input.focus()
        self.host.refresh_bindings()

    @property
    def line_focused(self) -> bool:
        return self.bar is not None and self.host.focused is self.bar.input

    @property
    def shown(self) -> bool:
        """The search line is on screen (a query may be set)."""
        return self.bar is not None and bool(self.bar.display)

    def close(self) -> None:
        """Esc in the search line: back to the text. The matches stay; an empty line goes."""
        self.view.focus()
        if self.bar is not None and not self.bar.value.strip():
            self.clear()
        self.host.refresh_bindings()

    def clear(self) -> None:
        """Forget the query and its matches, and fold the search line away."""
        self.current = self._chosen = None
        self.latest.clear()
        bar = self.bar
        if bar is not None:
            focused = self.host.focused
            if focused is not None and bar in focused.ancestors_with_self:
                self.view.focus()
            bar.set_query("")
            bar.display = False
        self.host.refresh_bindings()

    def submitted(self, query: str) -> None:
        """Enter: to the text, and to the next match once this query's matches are in."""
        self.view.focus()
        if query.strip():
            self.latest.submit(self.next_match)
        else:
            self.clear()
        self.host.refresh_bindings()

    def worker_changed(self, event: Worker.StateChanged) -> None:
        self.latest.finished(event)

    # -- searching ---------------------------------------------------------------

    def search_for(self, query: str) -> None:
        """Search in a thread: folding the text on the first search takes a moment."""
        if not query.strip():
            self.latest.clear(query)
            return
        index, briefing = self.index, self.host.briefing
        try:
            notes = tuple(self.host.store.annotations(briefing.slug))  # the store is read here
        except DataError as error:  # the text can still be searched, as global search does
            notes = ()
            if str(error) != self._notes_failure:  # said once, not at every pause in typing
                self._notes_failure = str(error)
                self.host.failed(error, "Notes not searched")
        else:
            self._notes_failure = None

        def search() -> tuple[Match, ...]:
            hits = index.search(query, notes, briefing=briefing.slug)
            return tuple(reader_matches(briefing, hits, notes))

        self.latest.search(query, search)

    def _show_found(self, found: Found[Match]) -> None:
        """Draw the matches; the one n/N went to stays current if it is still a match."""
        # The match n/N went to stays chosen while the query is retyped: current again as
        # soon as a query finds it (keys typed slower than the debounce search in between).
        self.current = self._chosen if self._chosen in found.items else None
        spans: dict[str, list[tuple[int, int]]] = {}
        for match in found.items:
            if match.kind == "text" and match.section is not None:
                spans.setdefault(match.section, []).append((match.start, match.end))
        current = self._marked(self.current) if found.items else None
        self.view.set_search(spans, current, found.query)
        self._show_match_count()
        self.host.refresh_bindings()

    def notes_changed(self) -> None:
        """Notes changed: so may what they match."""
        if self.latest.wanted.strip():
            self.search_for(self.latest.wanted)

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
        matches = self.latest.shown.items
        return matches.index(match, bisect_left(matches, _where(match), key=_where))

    def _show_match_count(self) -> None:
        bar = self.bar
        if bar is None:
            return
        shown = self.latest.shown
        total = len(shown.items)
        if not shown.query.strip():
            bar.set_count("")
        elif not total:
            bar.set_count("No matches")
        elif self.current is None:
            bar.set_count(counted(total, "match", "matches"))
        else:
            number = self._number(self.current) + 1
            bar.set_count(f"{number}/{total}", "n/N next/previous")

    # -- going to a match ------------------------------------------------------------

    def next_match(self) -> None:
        self._step_match(+1)

    def previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, delta: int) -> None:
        """From the current match while it is in the section shown; else from where the
        reader is: the passage, or the top of the section."""
        matches = self.latest.shown.items
        if not matches:
            return
        current = self.current
        if current is not None and current.section in (None, self.host.current.key):
            target = self._number(current) + delta
        else:
            passage = self.view.passage
            here = (
                self.host.briefing.section_index(self.host.current.key),
                passage[0] if passage else 0,
            )
            after = bisect_left(matches, here, key=_where)  # the first match from here on
            target = after if delta > 0 else after - 1
        self._go_to_match(matches[target % len(matches)])

    def _go_to_hit(self, hit: Hit) -> None:
        """The match a global search result stands for, else the first in its section."""
        matches = self.latest.shown.items
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
        self.current = self._chosen = match
        self.view.set_search_current(self._marked(match))
        switched = match.section is not None and match.section != self.host.current.key
        if switched and match.section is not None:
            self.host.go_to_section(match.section)
        if match.kind == "note":
            self.host.show_notes_pane()
            self.pane.highlight_note(match.annotation or "")
        self._reveal_match(match, switched)
        self._show_match_count()
        self.host.refresh_bindings()

    def _reveal_match(self, match: Match, switched: bool) -> None:
        if match.kind == "title" or (match.kind == "note" and not match.anchored):
            self.view.scroll_home(animate=False)
        elif match.kind == "note":
            self.view.flash(match.start, match.end)
        else:  # centred when arriving in a section; the least scroll within one
            self.view.reveal(match.start, match.end, center=switched)

    def can(self, action: str) -> bool | None:
        """Whether a search action works now; asked by the reader's one ``check_action``."""
        if action in ("next_match", "previous_match"):
            return bool(self.latest.shown.items)
        return True
