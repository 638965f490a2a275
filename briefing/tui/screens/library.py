"""The library: every briefing, with progress, filtered as you type."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label

from briefing.core.model import Listing, ReadingState
from briefing.core.rules import excerpt
from briefing.core.safetext import visible
from briefing.store.facade import Store
from briefing.tui.widgets.key_bar import KeyBar


def matches(briefing: Listing, words: list[str]) -> bool:
    haystack = " ".join([briefing.title, briefing.date, *briefing.tags]).casefold()
    return all(word in haystack for word in words)


class LibraryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding(
            "ctrl+n",
            "all_notes",
            "All notes",
            id="library.all_notes",
            key_display="^n",
            tooltip="Your notes across every briefing, by briefing; filter them by tag",
        ),
        # Every printable key filters (q too): quitting is ctrl+q.
        Binding(
            "ctrl+q",
            "app.quit",
            "Quit",
            id="library.quit",
            key_display="^q",
            priority=True,  # as the app's own ctrl+q, which the key bar would show instead
        ),
        Binding("escape", "clear_filter", "Clear filter", id="library.clear_filter"),
        Binding(
            "slash",
            "app.search_all",
            "Search all briefings",
            id="library.search_all",
            key_display="/",
            priority=True,  # typing filters the list; "/" searches the text instead
            tooltip="Search the text of every briefing and your notes",
        ),
    ]

    class Open(Message):
        """The user chose a briefing to read."""

        def __init__(self, slug: str) -> None:
            super().__init__()
            self.slug = slug

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._counts: dict[str, int] = {}
        self._states: dict[str, ReadingState] = {}

    def compose(self) -> ComposeResult:
        yield Label("Library", id="library-title")
        yield Input(
            placeholder="Type to filter by title, date or tag", id="filter", select_on_focus=False
        )
        yield DataTable(id="briefings", cursor_type="row", zebra_stripes=True)
        yield Label("", id="library-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        self.refresh_rows()

    def _set_columns(self, table: DataTable[object]) -> None:
        """Title and tags share what the fixed columns leave, so nothing scrolls
        sideways; the title gets most of it, as it is what a reader looks for. In a narrow
        terminal the counts go (sections first, notes last) before the title is cut short."""
        fixed = {"Date": 10, "§": 2, "Notes": 5, "Read": 5}
        width = table.size.width or self.size.width or 80

        bar = table.styles.scrollbar_size_vertical  # kept free: many rows bring a scrollbar

        def free() -> int:  # each column has a cell of padding either side
            return width - sum(fixed.values()) - 2 * (len(fixed) + 2) - bar

        for label in ("§", "Read", "Notes"):
            if free() < 24:
                del fixed[label]
        title = max(10, free() * 2 // 3)
        labels = ["title", *fixed]
        if [str(k.value) for k in table.columns] == [*labels[:2], "Tags", *labels[2:]] and (
            next(iter(table.columns.values())).width == title
        ):
            return
        table.clear(columns=True)
        table.add_column("Title", width=title, key="title")
        table.add_column("Date", width=fixed["Date"], key="Date")
        table.add_column("Tags", width=max(free(), 16) - title, key="Tags")
        for label in ("§", "Notes", "Read"):
            if label in fixed:
                table.add_column(label, width=fixed[label], key=label)

    def on_screen_resume(self) -> None:
        # Read marks and note counts change in the reader: read them once here,
        # not on every keystroke of the filter or every resize.
        self._counts = self.store.note_counts()
        self._states = self.store.reading_states()
        self.refresh_rows()

    def refresh_rows(self) -> None:
        words = self.query_one("#filter", Input).value.casefold().split()
        counts, states = self._counts, self._states
        table = self.query_one(DataTable)
        selected = self._selected_slug()
        self._set_columns(table)
        table.clear()
        shown = [b for b in self.store.listings() if matches(b, words)]
        widths = {str(key.value): max(column.width, 2) for key, column in table.columns.items()}
        for briefing in shown:
            # The lead is not a section (as `briefing list` counts): counted are the ## ones.
            body = {section.key for section in briefing.body_sections}
            read = len(states[briefing.slug].read & body) if briefing.slug in states else 0
            total = len(body)
            tags = " ".join(f"#{t}" for t in briefing.tags)
            cells = {  # cut at a word (a tag), with "…", to fit its column
                "title": Text(excerpt(visible(briefing.title), widths["title"]), no_wrap=True),
                "Date": Text(visible(briefing.date)),
                "Tags": Text(excerpt(visible(tags), widths["Tags"]), no_wrap=True),
                "§": str(total),
                "Notes": str(counts.get(briefing.slug, 0)),
                "Read": "✓" if read == total else f"{read}/{total}",
            }
            table.add_row(*(cells[key] for key in widths), key=briefing.slug)
        if selected in {b.slug for b in shown}:
            table.move_cursor(row=table.get_row_index(selected))
        empty = self.query_one("#library-empty", Label)
        query = " ".join(self.query_one("#filter", Input).value.split())
        said = f"No briefing matches “{visible(query)}” · esc clears · ctrl+q quits"
        if not query:
            said = "No briefings yet: import some with `briefing import FILE`. ctrl+q quits"
        empty.update(Content("" if shown else said))  # as typed, never markup
        empty.display = not shown
        table.display = bool(shown)  # the line where the rows would be, not under blank rows

    def _selected_slug(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def on_key(self, event: Key) -> None:
        """Typing anywhere filters: every printable key goes to the filter box (``q`` too:
        quitting is ctrl+q); ``?`` from the list is help, as everywhere."""
        filter_box = self.query_one("#filter", Input)
        if filter_box.has_focus and event.key in ("up", "down"):
            table = self.query_one(DataTable)
            table.action_cursor_down() if event.key == "down" else table.action_cursor_up()
            event.prevent_default()
            return
        # The filter box takes its own printable keys; one that gets here came from the list.
        if event.is_printable and event.character and event.key != "question_mark":
            filter_box.focus()
            filter_box.insert_text_at_cursor(event.character)
            event.prevent_default()
            event.stop()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        slug = self._selected_slug()
        if slug is not None:
            self.post_message(self.Open(slug))

    def action_all_notes(self) -> None:
        from briefing.tui.screens.all_notes import AllNotesScreen  # loaded on first use

        self.app.push_screen(AllNotesScreen(self.store))

    def action_clear_filter(self) -> None:
        filter_box = self.query_one("#filter", Input)
        filter_box.value = ""
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.query_one("#filter", Input).value) or None
        if action == "open":
            return self.query_one(DataTable).row_count > 0 or None
        return True
