"""Your notes across every briefing, grouped by briefing, filtered by tag.

Opened from the library (ctrl+n, or the palette's "All notes"), loaded on first use.
It reads the small library index (titles, section titles) and this user's notes files,
never a briefing's text: opening it costs the same in a library of ten briefings or ten
thousand long ones. Enter on a note opens its briefing in the reader at its passage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList

from briefing.core.model import Annotation
from briefing.core.rules import counted, normalise_tags, split_tag_input
from briefing.core.safetext import visible
from briefing.store.facade import DataError, Store
from briefing.tui.widgets.key_bar import KeyBar
from briefing.tui.widgets.notes_pane import Group, NotesPane
from briefing.tui.widgets.tag_filter import TagSuggester

if TYPE_CHECKING:
    from collections.abc import Mapping


class OpensNotes(Protocol):
    """What this screen needs of its app: a way to open a briefing at a note."""

    def open_briefing(self, slug: str, section: str | None = None, *, note: str = "") -> object: ...


class AllNotesScreen(Screen[None]):
    """Every note of this user, in library order, each briefing under its title."""

    CSS_PATH = "all_notes.tcss"
    AUTO_FOCUS = "#all-notes-list"

    BINDINGS = [
        Binding("t", "filter_tags", "Tags", id="all_notes.filter_tags", tooltip="Filter by tag"),
        Binding(
            "v", "view_note", "View", id="all_notes.view", tooltip="Read the whole note, read-only"
        ),
        Binding(
            "escape",
            "escape",
            "Back",
            id="all_notes.escape",
            tooltip="Close the tag filter, else clear it, else back to the library",
            key_display="esc",
        ),
        Binding("q", "close", "Library", id="all_notes.close", tooltip="Back to the library"),
    ]
    HELP_EXTRA = [("enter", "Open the note's briefing at its passage")]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._pane = NotesPane(id="all-notes-list")
        self._filter = Input(
            placeholder="Filter by tag (t); → completes",
            id="all-notes-filter",
            suggester=TagSuggester(self._known_tags),
            compact=True,  # one line: the notes get the room, even at 40x12
        )
        self._title = Label("Notes · all briefings", id="all-notes-title")
        self._seen: object = None  # file signatures: see _look_for_changes

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._filter
        yield self._pane
        yield KeyBar()

    #: How often the list looks for notes and briefings changed elsewhere (the CLI, another
    #: session, a re-import): a ``stat`` of the library and of each notes file, as the reader.
    FOLLOW_EVERY = 1.0

    def on_mount(self) -> None:
        self.reload()
        self._pane.scroll_home(animate=False, immediate=True)  # the first briefing's title
        self._seen = self._signature()
        self.set_interval(self.FOLLOW_EVERY, self._look_for_changes, name="follow-notes")

    def on_screen_resume(self) -> None:
        self.reload()
        self._seen = self._signature()

    def _signature(self) -> object:
        """What changes when a briefing is imported or a note is written, by anyone."""
        try:
            marks = self.store.marks()
            return (marks.library, marks.notes)  # not the state: a read mark changes no note
        except (OSError, DataError):
            return None

    def _look_for_changes(self) -> None:
        if not self.is_current:
            return  # read again when the screen comes back (on_screen_resume)
        seen = self._signature()
        if seen != self._seen:
            self._seen = seen
            self.reload()

    def reload(self) -> None:
        """Read the library index and the notes files again (notes change in the reader)."""
        try:
            listings = self.store.listings()
            notes = self.store.stored_annotations()
        except DataError as error:
            self.notify(str(error), title="Notes not read", severity="error", markup=False)
            return
        groups: Mapping[str, Group] = {
            listing.slug: Group(
                place,
                listing.title,
                {section.key: (n, section.title) for n, section in enumerate(listing.sections)},
            )
            for place, listing in enumerate(listings)
        }
        self._pane.set_annotations(notes, groups=groups)
        if self._pane.highlighted is None:  # enter and v act at once, on the first note
            first = next((i for i, o in enumerate(self._pane.options) if not o.disabled), None)
            self._pane.highlighted = first
        self._retitle()

    def _known_tags(self) -> list[str]:
        return [tag for note in self._pane.annotations for tag in note.tags]

    def _retitle(self) -> None:
        count = len(self._pane.shown)
        title = f"Notes · all briefings · {counted(count, 'note')}"
        title += "".join(f" #{t}" for t in self._pane.tag_filter)
        self._title.update(Content(visible(title)))

    @on(Input.Changed, "#all-notes-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._pane.tag_filter = normalise_tags(split_tag_input(event.value))
        self._retitle()

    @on(Input.Submitted, "#all-notes-filter")
    def _filter_submitted(self) -> None:
        self._pane.focus()

    @on(OptionList.OptionSelected, "#all-notes-list")
    def _note_chosen(self, event: OptionList.OptionSelected) -> None:
        note = next((a for a in self._pane.annotations if a.id == event.option.id), None)
        if note is not None:
            self.open_note(note)

    def open_note(self, note: Annotation) -> None:
        """Open the note's briefing in the reader, at its passage."""
        if note.briefing not in {listing.slug for listing in self.store.listings()}:
            self.notify(
                "This note's briefing is no longer in the library.",
                title="Not opened",
                severity="warning",
            )
            return
        app = cast(OpensNotes, self.app)
        # Over this list: leaving the reader (q) comes back here, where the user came from.
        app.open_briefing(note.briefing, note.section, note=note.id)

    def action_filter_tags(self) -> None:
        self._filter.focus()

    def action_view_note(self) -> None:
        note = self._pane.highlighted_annotation
        if note is not None:
            from briefing.tui.screens.note_view import NoteView

            self.app.push_screen(NoteView(note))

    def action_escape(self) -> None:
        """One thing per press: leave the tag filter, clear it, then back to the library."""
        if self.focused is self._filter:
            self._pane.focus()
        elif self._filter.value:
            self._filter.value = ""
        else:
            self.action_close()
        self.refresh_bindings()

    def action_close(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter_tags", "view_note", "close") and self.focused is self._filter:
            return None  # typed into the filter
        if action == "view_note":
            return self._pane.highlighted_annotation is not None or None
        return True

    @on(OptionList.OptionHighlighted, "#all-notes-list")
    @on(events.DescendantFocus)
    def _keys_changed(self) -> None:
        self.refresh_bindings()
