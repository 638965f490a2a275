"""A one-line search field with a counter beside it, and the searches it starts: for the
reader and the global search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label
from textual.worker import Worker, WorkerState

from briefing.core.safetext import visible

ItemT = TypeVar("ItemT")

#: Seconds without a keystroke before the query is sent up: a search per pause,
#: not one per letter typed.
DEBOUNCE = 0.15


class SearchBar(Horizontal):
    """A prompt, a borderless query field and a counter the owner sets.

    Messages up: :class:`QueryChanged` once typing pauses (and at once on enter),
    :class:`Submitted` on enter. Attributes down: :meth:`set_query` and
    :meth:`set_count`.
    """

    DEFAULT_CSS = """
    SearchBar { height: 1; background: $panel; }
    SearchBar > #search-prompt { width: auto; padding: 0 1; color: $text-accent; text-style: bold; }
    SearchBar > Input { width: 1fr; }
    SearchBar > #search-count { width: auto; padding: 0 1; color: $text-muted; }
    """

    class _Query(Message):
        def __init__(self, bar: SearchBar, query: str) -> None:
            super().__init__()
            self.bar = bar
            self.query = query

        @property
        def control(self) -> SearchBar:
            return self.bar

    class QueryChanged(_Query):
        """The query after a pause in typing (or on enter): search for it."""

    class Submitted(_Query):
        """Enter in the field: go to a match. Always after the last QueryChanged."""

    def __init__(self, *, prompt: str = "/", placeholder: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        # Made here, not in compose: the owner may ask about the field before it is mounted.
        self.input = Input(placeholder=placeholder, compact=True, id="search-input")
        self._prompt = Label(Content(prompt), id="search-prompt")
        self._count = Label("", id="search-count")
        self._sent = ""  # the query last sent up (or set from above)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self._prompt
        yield self.input
        yield self._count

    @property
    def value(self) -> str:
        return self.input.value

    def set_query(self, query: str) -> None:
        """Show ``query`` without sending it back up: the owner already searched it."""
        self._stop_timer()
        self._sent = query
        self.input.value = query

    def set_count(self, text: str, hint: str = "") -> None:
        """The counter ("3/11", "No matches"), and a muted hint after it."""
        count = Content(visible(text))
        if hint:
            count += Content.styled(f"  {hint}", "$text-muted 70%")
        self._count.update(count)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _send(self) -> None:
        self._timer = None
        value = self.value
        if value != self._sent:
            self._sent = value
            self.post_message(self.QueryChanged(self, value))

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()  # the owner hears QueryChanged, debounced, instead
        self._stop_timer()
        self._timer = self.set_timer(DEBOUNCE, self._send)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._stop_timer()
        self._send()  # a query typed faster than the pause is searched before going there
        self.post_message(self.Submitted(self, self.value))


@dataclass(frozen=True, slots=True)
class Found(Generic[ItemT]):
    """What the search for ``query`` found: a search worker's result."""

    query: str
    items: tuple[ItemT, ...] = ()


class LatestQuery(Generic[ItemT]):
    """The searches of one search line, and what the latest query found.

    Each search runs in a thread worker, off the event loop; a newer one cancels it, and
    results that still arrive for an older query are dropped, so ``show`` only ever draws
    the latest query's. Enter may come before those results: :meth:`submit` then acts once
    they are in. The owner hands every ``Worker.StateChanged`` to :meth:`finished`.
    """

    def __init__(self, node: DOMNode, show: Callable[[Found[ItemT]], None]) -> None:
        self._node = node
        self._show = show
        self.wanted = ""  # the query last asked for
        self.shown: Found[ItemT] = Found("")  # what ``show`` drew last
        self._then: Callable[[], None] | None = None  # an enter waiting for the results

    def search(self, query: str, compute: Callable[[], tuple[ItemT, ...]]) -> None:
        """Search for ``query``: ``compute`` runs in a thread."""
        self._ask(query)
        self._node.run_worker(
            lambda: Found(query, compute()),
            name="search",
            group="search",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def clear(self, query: str = "") -> None:
        """Nothing to search for ``query`` (it is empty, or the data to search could not be
        read): stop the search on its way and show no results."""
        self._ask(query)
        self._node.workers.cancel_group(self._node, "search")
        self._arrived(Found(query))

    def submit(self, act: Callable[[], None]) -> None:
        """Enter: ``act`` on the latest query's results, now if they are shown, else once
        they arrive. The search line sends enter after that query, never before it."""
        if self.shown.query == self.wanted:
            act()
        else:
            self._then = act

    def finished(self, event: Worker.StateChanged) -> None:
        """Show what a search worker found.

        A cancelled search was stale and is dropped; a failed one is a bug and is raised
        (Textual shows it and exits: nothing unsaved is lost).
        """
        worker = event.worker
        if worker.group != "search":
            return
        if event.state == WorkerState.ERROR and worker.error is not None:
            raise worker.error
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Found):
            self._arrived(worker.result)

    def _ask(self, query: str) -> None:
        self.wanted = query
        self._then = None  # an enter was for the query before

    def _arrived(self, found: Found[ItemT]) -> None:
        if found.query != self.wanted:
            return  # it finished just before a newer query was asked for: that one is coming
        self.shown = found
        self._show(found)
        then, self._then = self._then, None
        if then is not None:
            then()
