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

from briefing.safetext import visible
from briefing.search import Hit, find_matches
from briefing.store import Store
from briefing.tui.searching import ThreadedIndex
from briefing.tui.widgets.key_bar import KeyBar
from briefing.tui.widgets.search_bar import SearchBar, finished_search, search_in_thread

#: Results listed at most; the best ones, by the ranking of :mod:`briefing.search`.
LIMIT = 200
EMPTY = 'Type to search every briefing and your notes: words, "a phrase" or tag:name.'


@dataclass(frozen=True, slots=True)
class Chosen:
    """The result the user opened, and the query that found it (the reader searches it too)."""

    query: str
    hit: Hit


@dataclass(frozen=True, slots=True)
class Results:
    """What one search found: the worker's result."""

    query: str
    hits: tuple[Hit, ...]


class SearchScreen(Screen[Chosen | None]):
    """A query line over a list of results; dismissed with the chosen one, or None."""

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

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._briefings = {briefing.slug: briefing for briefing in store.briefings()}
        self._index = ThreadedIndex(self._briefings.values())
        self._wanted = ""  # the query last asked for
        self._shown = ""  # the query whose results are listed
        self._hits: tuple[Hit, ...] = ()
        self._open_when_found = False  # enter came before the results

    def compose(self) -> ComposeResult:
        yield Label("Search all briefings", id="search-title")
        yield SearchBar(prompt="Search", placeholder="enter opens a result", id="global-search")
        yield OptionList(id="search-results")
        yield KeyBar()

    def on_mount(self) -> None:
        self._list([])
        self.query_one(SearchBar).input.focus()

    @property
    def _results(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    # -- searching ---------------------------------------------------------------

    @on(SearchBar.QueryChanged, "#global-search")
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        self._wanted = query = event.query
        self._open_when_found = False
        if not query.strip():
            self.workers.cancel_group(self, "search")
            self._show(Results(query, ()))
            return
        index = self._index
        notes = tuple(self.store.annotations())  # the store is read here, not in the thread

        def search() -> Results:
            return Results(query, tuple(index.search(query, notes, limit=LIMIT)))

        search_in_thread(self, search)

    @on(Worker.StateChanged)
    def _search_finished(self, event: Worker.StateChanged) -> None:
        results = finished_search(event)
        if isinstance(results, Results):
            self._show(results)

    def _show(self, results: Results) -> None:
        if results.query != self._wanted:
            return  # a newer query is on its way
        self._shown = results.query
        self._hits = results.hits
        self._list(results.hits, results.query)
        bar = self.query_one(SearchBar)
        total = len(results.hits)
        if not results.query.strip():
            bar.set_count("")
        elif not total:
            bar.set_count("No results")
        else:
            more = "the best " if total >= LIMIT else ""
            bar.set_count(f"{more}{total} result{'s' if total > 1 else ''}")
        if self._open_when_found:
            self._open_when_found = False
            self.action_open()

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
    def _query_submitted(self, event: SearchBar.Submitted) -> None:
        """Enter opens the highlighted result, or the first one once this query's are in."""
        if self._shown == event.query == self._wanted:
            self.action_open()
        else:
            self._open_when_found = bool(event.query.strip())

    @on(OptionList.OptionSelected, "#search-results")
    def _result_chosen(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        number = self._results.highlighted
        if number is not None and number < len(self._hits):
            self.dismiss(Chosen(self._wanted, self._hits[number]))

    def action_next_result(self) -> None:
        self._results.action_cursor_down()

    def action_previous_result(self) -> None:
        self._results.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
