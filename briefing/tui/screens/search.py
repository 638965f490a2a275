"""Search every briefing and all the user's notes; enter opens the briefing at the result.

Loaded on first use (``/`` in the library, ctrl+f in the reader, or the palette's
"Search all briefings"), not at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from briefing.core.model import Annotation
from briefing.core.rules import counted
from briefing.core.safetext import visible
from briefing.core.search.index import Hit, find_matches
from briefing.store.facade import DataError, Store
from briefing.tui.services import ThreadedIndex
from briefing.tui.widgets.key_bar import KeyBar
from briefing.tui.widgets.search_bar import Found, LatestQuery, SearchBar

#: Results listed at most; the best ones, by the ranking of :mod:`briefing.core.search.index`.
LIMIT = 200
EMPTY = 'Type to search every briefing and your notes: words, "a phrase" or tag:name.'


@dataclass(frozen=True, slots=True)
class Chosen:
    """The result the user opened, and the query that found it (the reader searches it too)."""

    query: str
    hit: Hit


class SearchScreen(Screen[Chosen | None]):
    """A query line over a list of results; dismissed with the chosen one, or None."""

    CSS_PATH = "search.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="search.close", tooltip="Back to where you were"),
        Binding(
            "down",
            "next_result",
            "Next result",
            id="search.next_result",
            show=False,
            tooltip="Highlight the next result (also from the query line)",
        ),
        Binding(
            "up",
            "previous_result",
            "Previous result",
            id="search.previous_result",
            show=False,
            tooltip="Highlight the previous result",
        ),
    ]

    HELP_EXTRA = [("enter", "Open the briefing at the highlighted result")]

    def __init__(self, store: Store, index: ThreadedIndex) -> None:
        """``index``: the app's, holding every briefing."""
        super().__init__()
        self.store = store
        self._index = index
        self._briefings = index.briefings
        self._notes: tuple[Annotation, ...] = ()  # read on mount
        self._latest = LatestQuery[Hit](self, self._show_results)

    def compose(self) -> ComposeResult:
        yield Label("Search all briefings", id="search-title")
        yield SearchBar(prompt="Search", placeholder="enter opens a result", id="global-search")
        yield OptionList(id="search-results")
        yield KeyBar()

    def on_mount(self) -> None:
        """Read the notes once: they cannot change while this screen is up, and reading
        them stats every notes file."""
        self._list([])
        self.query_one(SearchBar).input.focus()
        try:
            self._notes = tuple(self.store.annotations())
        except DataError as error:  # the briefings can still be searched
            self.notify(
                str(error), title="Notes not searched", severity="error", timeout=8, markup=False
            )

    @property
    def _results(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    # -- searching ---------------------------------------------------------------

    @on(SearchBar.QueryChanged, "#global-search")
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        query = event.query
        if not query.strip():
            self._latest.clear(query)
            return
        index, notes = self._index, self._notes
        self._latest.search(query, lambda: tuple(index.search(query, notes, limit=LIMIT)))

    @on(Worker.StateChanged)
    def _search_finished(self, event: Worker.StateChanged) -> None:
        self._latest.finished(event)

    def _show_results(self, found: Found[Hit]) -> None:
        self._list(found.items, found.query)
        bar = self.query_one(SearchBar)
        total = len(found.items)
        if not found.query.strip():
            bar.set_count("")
        elif not total:
            bar.set_count("No results")
        else:
            more = "the best " if total >= LIMIT else ""
            bar.set_count(f"{more}{counted(total, 'result')}")

    def _list(self, hits: tuple[Hit, ...] | list[Hit], query: str = "") -> None:
        results = self._results
        if hits:
            results.set_options(
                Option(self._prompt(hit, query), id=str(n)) for n, hit in enumerate(hits)
            )
            results.highlighted = 0
        else:
            message = f"Nothing matches {query.strip()}." if query.strip() else EMPTY
            results.set_options([Option(Content.styled(visible(message), "$text-muted"))])
            results.highlighted = None

    def _prompt(self, hit: Hit, query: str) -> Content:
        """Briefing and section on one line, the snippet (matches in bold) on the next.

        Everything here is content from briefings and notes: never markup.
        """
        briefing = self._briefings.get(hit.briefing)
        title = briefing.title if briefing is not None else hit.briefing
        section = briefing.section(hit.section) if briefing is not None else None
        where = Content.styled(visible(title), "bold $text-accent")
        if section is not None:
            where += Content.styled(" › ", "$text-muted") + Content(visible(section.title))
        if hit.kind == "note":
            where += Content.styled("  note", "italic $text-warning")
        snippet = Content(visible(hit.snippet))
        for start, end in find_matches(hit.snippet, query):
            snippet = snippet.stylize("bold underline", start, end)
        return where + Content("\n") + snippet

    # -- choosing --------------------------------------------------------------

    @on(SearchBar.Submitted, "#global-search")
    def _query_submitted(self) -> None:
        """Enter opens the highlighted result, or the first one once this query's are in."""
        self._latest.submit(self.action_open)

    @on(OptionList.OptionSelected, "#search-results")
    def _result_chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted result, with the query that found it (not one typed since)."""
        shown = self._latest.shown
        number = self._results.highlighted
        if number is not None and number < len(shown.items):
            self.dismiss(Chosen(shown.query, shown.items[number]))

    def action_next_result(self) -> None:
        self._results.action_cursor_down()

    def action_previous_result(self) -> None:
        self._results.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
