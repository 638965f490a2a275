"""The reader: sections on the left, the text in the middle, notes on the right.

The screen is composed of explicit parts: the widgets (:class:`SectionNav`, :class:`SectionView`,
:class:`NotesPane`, the key bar), an :class:`AnnotationController` (passage and notes) and a
:class:`SearchController` (the search line and its matches). The screen owns every key
(:data:`READER_BINDINGS`), decides in one ``check_action`` which work now, routes the
widgets' messages to the controllers, and gives Esc its one meaning in ``action_escape``.

Over 400 lines, as one cohesive thing: the screen's wiring. Most of it is one-line actions
that hand a key to its controller, kept here so that every key's route is read in one file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList
from textual.worker import Worker

from briefing.core.model import Briefing, ReadingState, Section
from briefing.core.paths import is_served
from briefing.core.rules import counted
from briefing.store.facade import DataError, Store
from briefing.tui.screens.annotating import CURSOR_ACTIONS, AnnotationController
from briefing.tui.screens.reader_keys import READER_BINDINGS
from briefing.tui.screens.reader_layout import NARROW, TINY, PaneLayout, pane_layout
from briefing.tui.screens.searching import SearchController
from briefing.tui.services import ThreadedIndex
from briefing.tui.widgets.key_bar import KeyBar
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.search_bar import SearchBar
from briefing.tui.widgets.section_nav import SectionNav
from briefing.tui.widgets.section_view import SectionView

if TYPE_CHECKING:
    from briefing.tui.screens.search import Chosen

#: Seconds after the last section switch at which the reading position is saved.
SAVE_DELAY = 1.0


#: Changes a re-import made to notes that the reader lists when the briefing opens.
SHOWN_CHANGES = 5

#: Keys the key bar drops first when it is too narrow for all (help and the palette list
#: them): the pane toggles, then the keys a reader finds once and remembers.
DROP_FIRST = (
    "notes_scope",
    "export_notes",
    "filter_tags",
    "toggle_contents",
    "toggle_notes",
    "view_note",
    "next_sentence",
    "undo_delete",
    "open_search",
)
#: Search actions, answered by the search controller.
SEARCH_ACTIONS = frozenset({"next_match", "previous_match"})
#: Annotation actions, answered by the annotation controller.
NOTE_ACTIONS = CURSOR_ACTIONS | {
    "annotate",
    "view_note",
    "edit_note",
    "delete_note",
    "undo_delete",
    "reattach_note",
}


class ReaderScreen(Screen[None]):
    """One briefing, a section at a time, with its notes and a search over it."""

    # Focus the text as the screen is first shown, not the first focusable pane and then
    # the text: each change of focus restyles the widget and redraws.
    AUTO_FOCUS = "#text"
    BINDINGS = [*READER_BINDINGS]
    HELP_EXTRA = [
        ("enter", "Notes pane: go to the note's passage"),
        ("mouse drag", "Select text; then a annotates it"),
    ]
    #: Help's text for a key, by action, where it differs from the binding's: set when
    #: the reader was opened from the notes list, where ``q`` goes back to.
    help_now: dict[str, str] = {}

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
        super().__init__()
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
        self._overlay: str | None = None  # the pane shown over the text when tiny
        self._save_timer: Timer | None = None
        # Kept by reference too: notes are set on it before it is first shown (mounted).
        self._pane = NotesPane(id="notes-list")
        self._notes_title = Label("Notes", id="notes-title", classes="pane-title")
        self._notes_box = Vertical(id="notes", classes="pane")
        self._panes = Horizontal(id="panes")
        self._opening_result = result
        self._told: set[str] = set()  # the notice shown now (see tell)
        #: The id of a note to show as the reader opens (from the library's notes list).
        self.opening_note = ""
        self._seen: tuple[object, object, object] | None = None  # file signatures: follow_changes
        self.notes = AnnotationController(
            self, self._text, self._pane, self._notes_box, self._notes_title
        )
        self.search = SearchController(self, self, self._text, self._pane, index, self._panes)

    def compose(self) -> ComposeResult:
        # The layout for the terminal's size is settled before the first styling:
        # changing it after mount restyles every widget on the screen (~20 ms).
        layout = self._layout(self.app.size.width)
        contents, notes = layout.contents, layout.notes
        self.set_class(layout.narrow, "-narrow", update=False)
        self.set_class(layout.overlay, "-tiny", update=False)
        with self._panes:
            with Vertical(id="contents", classes="pane") as pane:
                pane.display = contents
                yield Label("Sections", classes="pane-title")
                yield SectionNav(id="nav")
            yield self._text
            with self._notes_box as pane:
                pane.display = notes
                if notes:  # else built when first shown: at 80x24 it starts folded away
                    yield from self._notes_pane_widgets()
        # At 80 columns not every key fits: the pane toggles go first (help lists them).
        yield KeyBar(drop_first=DROP_FIRST)

    def _notes_pane_widgets(self) -> list[Widget]:
        return [self._notes_title, self._pane]

    async def on_mount(self) -> None:
        # Textual shows the (empty) notification rack and then hides it as the screen is
        # first shown: one more layout and full frame. Hidden before the first layout, its
        # hiding changes nothing; it still shows as soon as there is a notification.
        for rack in self.query("#textual-toastrack"):  # none when notifications are off
            rack.display = False
        self.sub_title = self.briefing.title
        self._name_the_way_back()
        self.refresh_counts()
        self._show(self.current, self._resume_scroll)
        self._tell_changes()
        self.call_after_refresh(self.notes.offer_kept_drafts)  # text kept when a reader ended
        self.follow_changes()  # re-imports and notes changed elsewhere
        if self._opening_result is not None:
            await self.search.open_at(self._opening_result)
        if self.opening_note:
            self.notes.jump_to_note(self.opening_note)
            self._pane.highlight_note(self.opening_note)

    def _name_the_way_back(self) -> None:
        """``q`` goes back to the screen under this one: the notes list, if opened from it."""
        stack = self.app.screen_stack
        if self not in stack or not stack.index(self):
            return  # the first screen (start-up): nothing under it, no module to load
        from briefing.tui.screens.all_notes import AllNotesScreen

        if isinstance(stack[stack.index(self) - 1], AllNotesScreen):
            self.query_one(KeyBar).relabel("library", "Notes")
            self.help_now = {"library": "Back to the notes list"}

    def _tell_changes(self) -> bool:
        """Say once what a re-import did to this user's notes here: moved, edited, orphaned.
        Taken from the store, so the next open does not say it again. True if it said any."""
        try:
            found = self.store.take_changes(self.briefing.slug)
        except DataError:
            return False  # the notes file is damaged: the notes pane reports that
        if not found:
            return False
        from briefing.core.anchoring import changes  # only when there is something to say

        titles = {s.key: s.title for s in self.briefing.sections}
        # Said as the CLI says it: a renamed section's notes did not move.
        told = changes.report(found, changes.sections_before(found), titles, self.store.user, 30)
        lines = told.lines[:SHOWN_CHANGES]
        if len(told.lines) > SHOWN_CHANGES:
            lines.append(f"and {counted(len(told.lines) - SHOWN_CHANGES, 'more line')}")
        first, _, rest = told.counts.partition(", ")
        count, _, kind = first.partition(" ")
        said = f": {count} of your notes {kind}{', ' if rest else ''}{rest}" if told.counts else ""
        self.notify("\n".join(lines), title=f"Re-imported{said}", timeout=15, markup=False)
        return True

    # -- showing a section ---------------------------------------------

    def show_section(self, section: Section, scroll_y: float = 0.0) -> None:
        """Switch to a section; its position is saved a moment later."""
        self._show(section, scroll_y)
        self._save_soon()

    def _show(self, section: Section, scroll_y: float) -> None:
        """Draw a section. Opening the reader draws without writing anything:
        the position is saved when the user moves on or leaves."""
        self.current = section
        annotations = self.notes.section_notes(section)
        self._text.show(section, annotations, scroll_y)
        self.notes.fill_pane(annotations)
        self.state.section = section.key
        self.state.scroll = scroll_y
        self.query_one(SectionNav).show_current(section.key)
        self.refresh_bindings()

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
        self._fold_overlay()
        self._text.focus()

    # -- layout --------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._apply_layout()

    def _layout(self, width: int) -> PaneLayout:
        return pane_layout(width, self._wanted, self._overlay)

    def _apply_layout(self) -> None:
        layout = self._layout(self.size.width)
        if not layout.overlay:
            self._overlay = None  # grown out of a tiny terminal: the panes sit beside the text
        self.query_one("#contents").display = layout.contents
        container = self._notes_box
        if layout.notes and not self._pane.parent:
            container.mount_all(self._notes_pane_widgets())
        container.display = layout.notes
        self.set_class(layout.narrow, "-narrow")
        self.set_class(layout.overlay, "-tiny")

    def _toggle(self, pane: str, other: str) -> None:
        """Show or hide a side pane; when narrow, showing one hides the other; when tiny,
        it shows over the text and takes the keys until it is hidden again."""
        if self.size.width < TINY:
            self._overlay = None if self._overlay == pane else pane
            self._apply_layout()
            if self._overlay == "contents":
                self.query_one(SectionNav).focus()
            elif self._overlay == "notes":
                self._pane.focus()
            else:
                self._text.focus()
            return
        shown = not self.query_one(f"#{pane}").display
        self._wanted[pane] = shown
        if shown and self.size.width < NARROW:
            self._wanted[other] = False
        self._apply_layout()

    def _fold_overlay(self) -> bool:
        """Hide a pane shown over the text (a tiny terminal); whether there was one."""
        if self._overlay is None:
            return False
        self._overlay = None
        self._apply_layout()
        self._text.focus()
        return True

    def action_toggle_contents(self) -> None:
        self._toggle("contents", "notes")

    def action_toggle_notes(self) -> None:
        self._toggle("notes", "contents")

    def show_notes_pane(self) -> None:
        self._apply_layout()  # a reader just opened may not have had its first resize yet
        if not self._notes_box.display:
            self._toggle("notes", "contents")

    # -- actions -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a key works now, for every reader key: True, False (dimmed) or None
        (hidden from the key bar)."""
        if action == "next_section":
            return self.briefing.section_index(self.current.key) + 1 < len(self.briefing.sections)
        if action == "previous_section":
            return self.briefing.section_index(self.current.key) > 0
        if action == "outline":  # a served reader shares the library: not theirs to rewrite
            return not is_served()
        if action in SEARCH_ACTIONS:
            return self.search.can(action)
        if action in NOTE_ACTIONS:
            return self.notes.can(action)
        return True

    # -- Esc: the one ladder ----------------------------------------------

    def action_escape(self) -> None:
        """Undo the innermost thing, one per press; never leave the reader (``q`` does).

        1. the search line or tag filter has focus: back to the text (or the notes), the
           query or filter stays; a pane shown over the text (tiny terminal) folds;
        2. a passage or mouse selection: clear it;
        3. a search is shown: clear it;
        4. a tag filter is applied: clear it;
        5. focus is in a side pane: back to the text;
        6. otherwise say how to leave.
        """
        if self.notes.tag_filter_focused:
            self.notes.close_tag_filter()
        elif self._fold_overlay():
            pass
        elif self.search.line_focused:
            self.search.close()
        elif self.notes.has_passage:
            self.notes.clear_passage()
        elif self.search.shown:
            self.search.clear()
        elif self.notes.tag_filter_applied:
            self.notes.clear_tag_filter()
        elif self.focused is not self._text:
            self._text.focus()
        else:
            self.tell("Press q to go back to the library.", "Reader", timeout=3)
        self.refresh_bindings()

    # -- what the controllers ask of the screen (ReaderHost) ------------------

    def failed(self, error: Exception, title: str) -> None:
        """Tell the user a store operation failed and why; nothing was changed."""
        self.notify(str(error), title=title, severity="error", timeout=8, markup=False)

    def tell(
        self, message: str, title: str, *, warning: bool = False, timeout: float | None = None
    ) -> None:
        """A notice; one at a time: it replaces the reader's previous one, never stacks."""
        notices = self.app._notifications  # Textual has no public way to take one back
        for earlier in list(notices):
            if earlier.identity in self._told:
                self.app._unnotify(earlier, refresh=False)
        self._told.clear()
        notice = Notification(
            message,
            title,
            "warning" if warning else "information",
            self.app.NOTIFICATION_TIMEOUT if timeout is None else timeout,
            markup=False,
        )
        self._told.add(notice.identity)
        self.app.post_message(Notify(notice))

    def notes_changed(self, highlight: str | None = None) -> None:
        self.notes.reload_notes(highlight)
        self.search.notes_changed()

    def briefing_moved(self) -> Briefing:
        """A save was refused as based on an old revision: show the new one."""
        self.reload_briefing()
        self._seen = self._signatures()
        return self.briefing

    # -- following changes made elsewhere -----------------------------------

    #: How often the reader looks for changes made by another process. One ``stat`` of
    #: the library and of this user's notes file per second: no read, no parse unless
    #: a file changed, so a hundred idle SSH sessions cost the server next to nothing.
    #: (inotify via watchfiles would add a thread and a dependency per session for the
    #: same promptness, and does not see changes on network file systems.)
    FOLLOW_EVERY = 1.0

    def follow_changes(self) -> None:
        """Start noticing re-imports and notes changed by the CLI or another session."""
        self._seen = self._signatures()
        self.set_interval(self.FOLLOW_EVERY, self._look_for_changes, name="follow-changes")

    def _signatures(self) -> tuple[object, object, object]:
        # The state file too: a re-import writes what it did to the notes there last.
        return self.store.marks(self.briefing.slug)

    def _look_for_changes(self) -> None:
        seen = self._signatures()
        if self._seen is None or seen == self._seen:
            self._seen = seen
            return
        library_changed = seen[0] != self._seen[0]
        only_state = seen[:2] == self._seen[:2]
        self._seen = seen
        try:
            if only_state:  # a position saved, or a re-import's report on the notes
                self._tell_changes()
            elif library_changed and self.reload_briefing():
                if not self._tell_changes():  # the report may follow: see only_state
                    self.notify("This briefing was re-imported.", title="Updated")
            else:  # notes written by the CLI or another session: highlights, pane, counts
                self.notes_changed()
                self._tell_changes()
        except DataError:
            # Damaged meanwhile: the reader keeps what it shows; the next action that
            # reads the file (a search, a save) says what is wrong with it.
            return

    def reload_briefing(self) -> bool:
        """Take up a re-imported briefing: the open section redrawn on the same passage,
        notes re-read. False if the briefing's text did not change."""
        from briefing.core.anchoring import locate, make_anchor

        new = self.store.get(self.briefing.slug)
        if new is self.briefing or (
            [(s.key, s.text) for s in new.sections]
            == [(s.key, s.text) for s in self.briefing.sections]
        ):
            self.briefing = new
            return False
        old_section = self.current
        top = self._top_passage()
        self.briefing = new
        self._text.briefing = new
        section = new.section(old_section.key) or new.sections[0]
        place = None
        if top is not None and top[1] > top[0]:
            place = locate(make_anchor(old_section.text, *top), section.text)
        self._show(section, 0.0)
        self.refresh_counts()
        if place is not None:
            self._text._pending_scroll = None  # not the section's top: the same passage
            self.call_after_refresh(self._scroll_top_to, place[0], 10)
        return True

    def _scroll_top_to(self, offset: int, tries: int) -> None:
        """Put the line drawing ``offset`` at the top of the window, once it is laid out."""
        y = self._text.line_y(offset)
        if y is not None:
            self._text.scroll_to(y=y, animate=False, immediate=True)
        elif tries > 0:
            self.call_after_refresh(self._scroll_top_to, offset, tries - 1)

    def _top_passage(self) -> tuple[int, int] | None:
        """The sentence at the top of the window: what the user was reading."""
        sentences = self._text.cursor.sentences
        if not sentences:
            return None
        return sentences[self._text._first_visible_sentence()]

    # -- messages from the widgets ----------------------------------------

    def watch_selections(self) -> None:
        """A mouse selection is a passage too: ``a`` may have become possible."""
        self.refresh_bindings()

    @on(SectionView.PassageChanged)
    @on(OptionList.OptionHighlighted, "#notes-list")
    def _passage_or_note_changed(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#notes-list")
    def _note_chosen(self, event: OptionList.OptionSelected) -> None:
        self._fold_overlay()  # over the text in a tiny terminal: the passage must show
        self.notes.jump_to_note(event.option.id)

    @on(Input.Changed, "#tag-filter")
    def _tag_filter_changed(self, event: Input.Changed) -> None:
        self.notes.tag_filter_changed(event.value)

    @on(Input.Submitted, "#tag-filter")
    def _tag_filter_submitted(self) -> None:
        self.notes.close_tag_filter()

    @on(Input.Blurred, "#tag-filter")
    def _tag_filter_left(self) -> None:
        self.notes.tag_filter_left()

    @on(SearchBar.QueryChanged, "#search-bar")
    def _query_changed(self, event: SearchBar.QueryChanged) -> None:
        self.search.search_for(event.query)

    @on(SearchBar.Submitted, "#search-bar")
    def _query_submitted(self, event: SearchBar.Submitted) -> None:
        self.search.submitted(event.query)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        self.search.worker_changed(event)

    # -- actions -------------------------------------------------------

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
        """Space: a page down; at the end of a section, on to the next one."""
        view = self._text
        if view.scroll_y >= view.max_scroll_y and self.check_action("next_section", ()):
            self._step(+1)
        else:
            view.scroll_page_down(animate=False)

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
            self.failed(error, "Notes not exported")
            return
        self.app.push_screen(dialog)

    def go_to_section(self, key: str) -> None:
        section = self.briefing.section(key)
        if section is not None:
            self.show_section(section)

    # Annotation keys: the controller does the work.

    def action_next_sentence(self) -> None:
        self.notes.move_cursor("next_sentence")

    def action_previous_sentence(self) -> None:
        self.notes.move_cursor("previous_sentence")

    def action_extend_forward(self) -> None:
        self.notes.move_cursor("extend_forward")

    def action_extend_back(self) -> None:
        self.notes.move_cursor("extend_back")

    def action_word_end_out(self) -> None:
        self.notes.move_cursor("word_end_out")

    def action_word_end_in(self) -> None:
        self.notes.move_cursor("word_end_in")

    def action_word_start_out(self) -> None:
        self.notes.move_cursor("word_start_out")

    def action_word_start_in(self) -> None:
        self.notes.move_cursor("word_start_in")

    def action_next_paragraph(self) -> None:
        self.notes.move_cursor("next_paragraph")

    def action_previous_paragraph(self) -> None:
        self.notes.move_cursor("previous_paragraph")

    def action_annotate(self) -> None:
        self.notes.annotate()

    def action_edit_note(self) -> None:
        self.notes.edit_note()

    def action_view_note(self) -> None:
        self.notes.view_note()

    def action_delete_note(self) -> None:
        self.notes.delete_note()

    def action_undo_delete(self) -> None:
        self.notes.undo_delete()

    def action_reattach_note(self) -> None:
        self.notes.reattach_note()

    def action_notes_scope(self) -> None:
        self.notes.toggle_scope()

    async def action_filter_tags(self) -> None:
        await self.notes.filter_tags()

    # Search keys.

    async def action_open_search(self) -> None:
        await self.search.open()

    def action_next_match(self) -> None:
        self.search.next_match()

    def action_previous_match(self) -> None:
        self.search.previous_match()

    def passage(self) -> tuple[int, int] | None:
        """The span ``a`` annotates: the mouse selection, else the cursor's sentences."""
        return self.notes.passage()
