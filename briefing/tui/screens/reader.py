"""The reader: sections on the left, the text in the middle, notes on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Label, OptionList

from briefing.core.anchoring import changes
from briefing.core.model import Briefing, ReadingState, Section
from briefing.core.paths import is_served
from briefing.store.facade import DataError, Store
from briefing.tui.screens.annotating import ANNOTATION_BINDINGS
from briefing.tui.screens.searching import SEARCH_BINDINGS, SearchingScreen
from briefing.tui.services import ThreadedIndex
from briefing.tui.widgets.key_bar import KeyBar
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.section_nav import SectionNav
from briefing.tui.widgets.section_view import SectionView

if TYPE_CHECKING:
    from briefing.tui.screens.search import Chosen

#: Below this width only one side pane shows at a time, so the text keeps
#: at least 48 columns at 80x24.
NARROW = 110
#: Seconds after the last section switch at which the reading position is saved.
SAVE_DELAY = 1.0


#: Changes a re-import made to notes that the reader lists when the briefing opens.
SHOWN_CHANGES = 5


class ReaderScreen(SearchingScreen):
    # Focus the text as the screen is first shown, not the first focusable pane and then
    # the text: each change of focus restyles the widget and redraws.
    AUTO_FOCUS = "#text"
    BINDINGS = [
        Binding(
            "right_square_bracket",
            "next_section",
            "Next §",
            id="reader.next",
            key_display="]",
            tooltip="Next section",
        ),
        Binding(
            "left_square_bracket",
            "previous_section",
            "Prev §",
            tooltip="Previous section",
            id="reader.previous",
            key_display="[",
        ),
        Binding("j", "scroll_down", "Down", id="reader.down", show=False),
        Binding("k", "scroll_up", "Up", id="reader.up", show=False),
        Binding("space", "page_down", "Page down", id="reader.page_down", show=False),
        Binding("b", "page_up", "Page up", id="reader.page_up", show=False),
        Binding("g", "top", "Top", id="reader.top", show=False),
        Binding("G", "bottom", "Bottom", id="reader.bottom", show=False, key_display="G"),
        Binding(
            "c",
            "toggle_contents",
            "Contents",
            id="reader.toggle_contents",
            tooltip="Show or hide the sections pane",
        ),
        Binding(
            "s",
            "toggle_notes",
            "Notes",
            id="reader.toggle_notes",
            tooltip="Show or hide the notes pane",
        ),
        Binding(
            "x",
            "export_notes",
            "Export",
            id="reader.export_notes",
            show=False,  # the 80-column key bar is full; help and the palette list it
            tooltip="Export the notes: save as Markdown, or copy",
        ),
        Binding(
            "o",
            "outline",
            "Outline",
            id="reader.outline",
            show=False,
            tooltip="Edit the outline: sections and lead",
        ),
        *ANNOTATION_BINDINGS,  # before "escape,q": their esc, when enabled, comes first
        *SEARCH_BINDINGS,  # likewise
        Binding(
            "escape,q",
            "library",
            "Library",
            id="reader.library",
            key_display="q",
            tooltip="Back to the library",
        ),
    ]

    class Leave(Message):
        """The reader is done: back to the library."""

    def __init__(
        self,
        store: Store,
        briefing: Briefing,
        section: str | None = None,
        *,
        index: ThreadedIndex,
        result: Chosen | None = None,
    ) -> None:
        super().__init__(index, result)
        self.store = store
        self.briefing = briefing
        # Kept by reference: on_unmount still reads its scroll after it is removed.
        self._text = SectionView(briefing, id="text")
        self.state: ReadingState = self.store.reading_state(briefing.slug)
        keys = [s.key for s in briefing.sections]
        wanted = section or self.state.section
        self.current: Section = briefing.sections[keys.index(wanted) if wanted in keys else 0]
        self._resume_scroll = self.state.scroll if wanted == self.state.section else 0.0
        self._wanted: dict[str, bool] = {}  # side panes the user showed or hid
        self._save_timer: Timer | None = None
        # Kept by reference too: notes are set on it before it is first shown (mounted).
        self._pane = NotesPane(id="notes-list")

    def compose(self) -> ComposeResult:
        # The layout for the terminal's size is settled before the first styling:
        # changing it after mount restyles every widget on the screen (~20 ms).
        contents, notes, narrow = self._layout(self.app.size.width)
        self.set_class(narrow, "-narrow", update=False)
        with Horizontal(id="panes"):
            with Vertical(id="contents", classes="pane") as pane:
                pane.display = contents
                yield Label("Sections", classes="pane-title")
                yield SectionNav(id="nav")
            yield self._text
            with Vertical(id="notes", classes="pane") as pane:
                pane.display = notes
                if notes:  # else built when first shown: at 80x24 it starts folded away
                    yield from self._notes_pane_widgets()
        # At 80 columns not every key fits: the pane toggles go first (help lists them).
        yield KeyBar(drop_first=("toggle_contents", "toggle_notes"))

    def _notes_pane_widgets(self) -> list[Widget]:
        return [Label("Notes", id="notes-title", classes="pane-title"), self._pane]

    def on_mount(self) -> None:  # type: ignore[override]  # Textual calls each level's own
        # Textual shows the (empty) notification rack and then hides it as the screen is
        # first shown: one more layout and full frame. Hidden before the first layout, its
        # hiding changes nothing; it still shows as soon as there is a notification.
        for rack in self.query("#textual-toastrack"):  # none when notifications are off
            rack.display = False
        self.sub_title = self.briefing.title
        self.refresh_counts()
        self._show(self.current, self._resume_scroll)
        self._tell_changes()
        self.call_after_refresh(self.offer_kept_drafts)  # text kept when a reader was ended
        self.follow_changes()  # re-imports and notes changed elsewhere

    def _tell_changes(self) -> None:
        """Say once what a re-import did to this user's notes here: moved, edited, orphaned."""
        try:
            found = self.store.take_changes(self.briefing.slug)
        except DataError:
            return  # the notes file is damaged: the notes pane reports that
        if not found:
            return
        titles = {s.key: s.title for s in self.briefing.sections}
        lines = [changes.describe(c, titles, width=30) for c in found[:SHOWN_CHANGES]]
        if len(found) > SHOWN_CHANGES:
            lines.append(f"and {len(found) - SHOWN_CHANGES} more")
        self.notify(
            "\n".join(lines),
            title=f"Revised: notes {changes.summary(found)}",
            timeout=15,
            markup=False,
        )

    # -- showing a section ---------------------------------------------

    def show_section(self, section: Section, scroll_y: float = 0.0) -> None:
        """Switch to a section; its position is saved a moment later."""
        self._show(section, scroll_y)
        self._save_soon()

    def _show(self, section: Section, scroll_y: float) -> None:
        """Draw a section. Opening the reader draws without writing anything:
        the position is saved when the user moves on or leaves."""
        self.current = section
        annotations = self.section_notes(section)
        self._text.show(section, annotations, scroll_y)
        self._pane.set_annotations(annotations)
        self.state.section = section.key
        self.state.scroll = scroll_y
        self.query_one(SectionNav).show_current(section.key)
        self.refresh_bindings()

    def on_briefing_reloaded(self, section: Section) -> None:
        self._show(section, 0.0)
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Read marks and note counts in the navigation pane, after they changed."""
        counts: dict[str, int] = {}
        for annotation in self.store.annotations(self.briefing.slug):
            counts[annotation.section] = counts.get(annotation.section, 0) + 1
        self.query_one(SectionNav).set_sections(self.briefing.sections, self.state.read, counts)

    def on_unmount(self) -> None:
        # Leaving for the library or quitting unmounts the reader; a modal on top
        # (help, the note editor) only suspends it and needs no save.
        self._save()

    def _save_soon(self) -> None:
        """Save the position a moment after the last switch, not on every keypress:
        each save is an fsynced write, and paging through sections is a burst."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self._save)

    def _save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self.state.scroll = self._text.scroll_y
        self._store_state()

    def save_position(self) -> None:
        """Save where the reader is now (on SIGHUP/SIGTERM, see :mod:`briefing.tui.hangup`)."""
        self._save()

    def _store_state(self) -> None:
        """A refused save (full or read-only disk) is told, never a crash: the reader stays."""
        try:
            self.store.save_reading_state(self.state)
        except DataError as error:
            self.notify(str(error), title="Position not saved", severity="error", markup=False)

    @on(SectionView.EndSeen)
    def _mark_read(self, event: SectionView.EndSeen) -> None:
        if event.section not in self.state.read:
            self.state.read.add(event.section)
            self._store_state()
            self.refresh_counts()

    @on(OptionList.OptionSelected, "#nav")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        section = self.briefing.section(event.option.id or "")
        if section is not None and section.key != self.current.key:
            self.show_section(section)
        self._text.focus()

    # -- layout --------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._apply_layout()

    def _layout(self, width: int) -> tuple[bool, bool, bool]:
        """Which side panes show at this width, and whether it is narrow."""
        narrow = width < NARROW
        contents = self._wanted.get("contents", True)
        notes = self._wanted.get("notes", not narrow)
        if narrow and contents and notes:
            notes = False
        return contents, notes, narrow

    def _apply_layout(self) -> None:
        contents, notes, narrow = self._layout(self.size.width)
        self.query_one("#contents").display = contents
        container = self.query_one("#notes")
        if notes and not self._pane.parent:
            container.mount_all(self._notes_pane_widgets())
        container.display = notes
        self.set_class(narrow, "-narrow")

    def _toggle(self, pane: str, other: str) -> None:
        """Show or hide a side pane; when narrow, showing one hides the other."""
        shown = not self.query_one(f"#{pane}").display
        self._wanted[pane] = shown
        if shown and self.size.width < NARROW:
            self._wanted[other] = False
        self._apply_layout()

    def action_toggle_contents(self) -> None:
        self._toggle("contents", "notes")

    def action_toggle_notes(self) -> None:
        self._toggle("notes", "contents")

    def show_notes_pane(self) -> None:
        self._apply_layout()  # a reader just opened may not have had its first resize yet
        if not self.query_one("#notes").display:
            self._toggle("notes", "contents")

    # -- actions -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_section":
            return self.briefing.section_index(self.current.key) + 1 < len(self.briefing.sections)
        if action == "previous_section":
            return self.briefing.section_index(self.current.key) > 0
        if action == "outline":  # a served reader shares the library: not theirs to rewrite
            return not is_served()
        return super().check_action(action, parameters)

    def action_outline(self) -> None:
        """Open the outline editor; after a save, read the new revision here."""
        from briefing.tui.screens.outline import OutlineScreen

        def saved(result: object) -> None:
            if result is not None:
                self.app.open_briefing(self.briefing.slug, self.current.key)  # type: ignore[attr-defined]

        self.app.push_screen(OutlineScreen(self.store, self.briefing, self.current.key), saved)

    def _step(self, delta: int) -> None:
        index = self.briefing.section_index(self.current.key) + delta
        if 0 <= index < len(self.briefing.sections):
            self.show_section(self.briefing.sections[index])

    def action_next_section(self) -> None:
        self._step(+1)

    def action_previous_section(self) -> None:
        self._step(-1)

    def action_scroll_down(self) -> None:
        self._text.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self._text.scroll_up(animate=False)

    def action_page_down(self) -> None:
        self._text.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self._text.scroll_page_up(animate=False)

    def action_top(self) -> None:
        self._text.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self._text.scroll_end(animate=False)

    def action_library(self) -> None:
        self.post_message(self.Leave())

    def action_export_notes(self) -> None:
        from briefing.tui.dialogs.export import ExportDialog  # loaded on first use, not at start

        try:
            dialog = ExportDialog(self.store, self.briefing)
        except DataError as error:
            self._failed(error, "Notes not exported")
            return
        self.app.push_screen(dialog)

    def go_to_section(self, key: str) -> None:
        section = self.briefing.section(key)
        if section is not None:
            self.show_section(section)
