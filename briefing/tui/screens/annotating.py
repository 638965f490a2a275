"""Marking passages and keeping notes on them: the reader's annotation keys.

A base class of :class:`~briefing.tui.screens.reader.ReaderScreen`, so that the reader module stays
about moving through a briefing and this one about notes. The reader lists
:data:`ANNOTATION_BINDINGS` in its own ``BINDINGS``, where help and the command palette
find them.

The passage to annotate is the mouse selection if there is one, else the keyboard cursor's
sentences. Edits go straight to the store; deletes are kept for ``u`` until the reader closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList

from briefing.core.anchoring import make_anchor
from briefing.core.model import Annotation, Briefing, Section
from briefing.core.rules import normalise_tags, split_tag_input
from briefing.core.safetext import visible
from briefing.store.facade import DataError, Store
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.section_view import SectionView

#: Short descriptions for the footer and palette; the tooltip is the line in help.
ANNOTATION_BINDINGS = [
    Binding(
        "l",
        "next_sentence",
        "Sentence",
        id="reader.next_sentence",
        tooltip="Select the next sentence",
    ),
    Binding(
        "h",
        "previous_sentence",
        "Previous sentence",
        id="reader.previous_sentence",
        show=False,
        tooltip="Select the previous sentence",
    ),
    Binding(
        "L",
        "extend_forward",
        "Extend passage",
        id="reader.extend_forward",
        show=False,
        key_display="L",
        tooltip="Extend the passage a sentence forward",
    ),
    Binding(
        "H",
        "extend_back",
        "Extend passage back",
        id="reader.extend_back",
        show=False,
        key_display="H",
        tooltip="Extend the passage back (or shrink it)",
    ),
    Binding(
        "right_curly_bracket",
        "next_paragraph",
        "Next paragraph",
        id="reader.next_paragraph",
        show=False,
        key_display="}",
        tooltip="Select the next paragraph",
    ),
    Binding(
        "left_curly_bracket",
        "previous_paragraph",
        "Previous paragraph",
        id="reader.previous_paragraph",
        show=False,
        key_display="{",
        tooltip="Select the previous paragraph",
    ),
    Binding(
        "a",
        "annotate",
        "Annotate",
        id="reader.annotate",
        tooltip="Annotate the passage or mouse selection",
    ),
    Binding(
        "e",
        "edit_note",
        "Edit note",
        id="reader.edit_note",
        show=False,
        tooltip="Edit the note (highlighted, or under passage)",
    ),
    Binding(
        "d",
        "delete_note",
        "Delete note",
        id="reader.delete_note",
        show=False,
        tooltip="Delete the note (highlighted, or under passage)",
    ),
    Binding(
        "u",
        "undo_delete",
        "Undo delete",
        id="reader.undo_delete",
        show=False,
        tooltip="Undo the last delete",
    ),
    Binding(
        "r",
        "reattach_note",
        "Re-attach note",
        id="reader.reattach_note",
        show=False,
        tooltip="Re-attach the highlighted orphan to the passage",
    ),
    Binding(
        "t",
        "filter_tags",
        "Filter by tag",
        id="reader.filter_tags",
        show=False,
        tooltip="Filter the notes by tag",
    ),
    # Last: esc runs the first of these that is enabled, and the reader's "back" after.
    Binding(
        "escape",
        "close_tag_filter",
        "Close filter",
        id="reader.close_tag_filter",
        show=False,
        key_display="esc",
        tooltip="Leave the tag filter (it stays set)",
    ),
    Binding(
        "escape",
        "clear_passage",
        "Clear passage",
        id="reader.clear_passage",
        show=False,
        key_display="esc",
        tooltip="Clear the passage (again: back to library)",
    ),
]

_CURSOR_ACTIONS = {
    "next_sentence",
    "previous_sentence",
    "extend_forward",
    "extend_back",
    "next_paragraph",
    "previous_paragraph",
}


if TYPE_CHECKING:
    from briefing.store.drafts import KeptDraft
    from briefing.tui.dialogs.note_editor import NoteDraft
    from briefing.tui.editing import NoteSession


class AnnotatingScreen(Screen[None]):
    """Passage selection and note keeping, over a section the subclass shows.

    The subclass provides ``store``, ``briefing``, ``current`` (the section shown),
    ``go_to_section`` and ``refresh_counts``, and composes ``_text``, a :class:`SectionView`, and
    a :class:`NotesPane` with id ``notes-list`` inside a container with id ``notes``; the tag
    filter, an ``Input`` with id ``tag-filter``, is added above the pane when first used.
    """

    HELP_EXTRA = [
        ("enter", "Notes pane: go to the note's passage"),
        ("mouse drag", "Select text to annotate with a"),
    ]

    store: Store
    briefing: Briefing
    current: Section
    _text: SectionView  # the subclass composes it
    _pane: NotesPane  # likewise; it may not be mounted while the notes pane is hidden

    def __init__(self) -> None:
        super().__init__()
        self._deleted: list[Annotation] = []  # this session's deletes, for undo
        self._seen: tuple[object, object] | None = None  # file signatures, see follow_changes

    def go_to_section(self, key: str) -> None:
        raise NotImplementedError

    def refresh_counts(self) -> None:
        raise NotImplementedError

    # -- what the keys act on ----------------------------------------------

    def section_notes(self, section: Section) -> list[Annotation]:
        """Notes shown with a section: its own, plus orphans whose section is gone.

        Those orphans would otherwise show nowhere and could never be re-attached.
        """
        keys = {s.key for s in self.briefing.sections}
        return [
            a
            for a in self.store.annotations(self.briefing.slug)
            if a.section == section.key or (a.status == "orphaned" and a.section not in keys)
        ]

    def passage(self) -> tuple[int, int] | None:
        """The span ``a`` annotates: the mouse selection, else the cursor's sentences."""
        span = self._text.selected_span() or self._text.passage
        if span is None or not self.current.text[span[0] : span[1]].strip():
            return None
        return span

    def target_note(self) -> Annotation | None:
        """The note ``e`` and ``d`` act on: the pane's highlighted one when it has focus,
        otherwise the first note under the passage."""
        if self.focused is self._pane:
            return self._pane.highlighted_annotation
        span = self.passage()
        if span is None:
            return None
        start, end = span
        return next(
            (
                a
                for a in self._pane.annotations
                if a.status == "anchored" and a.start < end and a.end > start
            ),
            None,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _CURSOR_ACTIONS:
            return bool(self._text.cursor.sentences)
        if action == "clear_passage":  # False lets esc fall through to "back to library"
            return self._text.passage is not None or self._text.selected_span() is not None
        if action == "close_tag_filter":
            return isinstance(self.focused, Input) and self.focused.id == "tag-filter"
        if action == "annotate":  # hidden until there is a passage: the footer is crowded
            return self.passage() is not None
        if action in ("edit_note", "delete_note"):
            return self.target_note() is not None or None
        if action == "undo_delete":
            return bool(self._deleted) or None
        if action == "reattach_note":
            note = self._pane.highlighted_annotation if self.focused is self._pane else None
            ready = note is not None and note.status == "orphaned" and self.passage()
            return bool(ready) or None
        return True

    # -- refreshing after a change -----------------------------------------

    # -- following changes made elsewhere -----------------------------------------

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

    def _signatures(self) -> tuple[object, object]:
        notes = self.store._notes(self.briefing.slug)
        return (self.store.library_file.signature(), notes.signature())

    def _look_for_changes(self) -> None:
        seen = self._signatures()
        if self._seen is None or seen == self._seen:
            self._seen = seen
            return
        library_changed = seen[0] != self._seen[0]
        self._seen = seen
        try:
            if library_changed and self.reload_briefing():
                self.notify(
                    "This briefing was re-imported; the text and your notes are up to date.",
                    title="Updated",
                )
            elif tuple(self.section_notes(self.current)) != tuple(self._pane.annotations):
                self.reload_notes()
        except DataError:
            # Damaged meanwhile: the reader keeps what it shows; the next action that
            # reads the file (a search, a save) says what is wrong with it.
            return

    def reload_briefing(self) -> bool:
        """Take up a re-imported briefing: the open section redrawn on the same passage,
        notes re-read. False if the briefing's text did not change."""
        from briefing.core.anchoring import locate

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
        self.on_briefing_reloaded(section)
        if place is not None:
            self.call_after_refresh(self._text.scroll_to_span, *place)
        return True

    def _top_passage(self) -> tuple[int, int] | None:
        """The sentence at the top of the window: what the user was reading."""
        sentences = self._text.cursor.sentences
        if not sentences:
            return None
        return sentences[self._text._first_visible_sentence()]

    def on_briefing_reloaded(self, section: Section) -> None:
        """Redraw after :meth:`reload_briefing`; the reader shows ``section``."""
        raise NotImplementedError

    def reload_notes(self, highlight: str | None = None) -> None:
        """Re-read this section's notes and redraw text, notes pane and counts."""
        notes = self.section_notes(self.current)
        self._text.set_annotations(notes)
        self._pane.set_annotations(notes)
        if highlight is not None:
            self._pane.highlight_note(highlight)
        self.refresh_counts()
        self.refresh_bindings()

    def watch_selections(self) -> None:
        """A mouse selection is a passage too: ``a`` may have become possible."""
        self.refresh_bindings()

    @on(SectionView.PassageChanged)
    @on(OptionList.OptionHighlighted, "#notes-list")
    def _passage_or_note_changed(self) -> None:
        self.refresh_bindings()

    def _failed(self, error: Exception, title: str) -> None:
        """Tell the user a store operation failed and why; nothing was changed."""
        self.notify(str(error), title=title, severity="error", timeout=8, markup=False)

    # -- the passage cursor --------------------------------------------------

    def _cursor(self, delta: int, *, extend: bool = False, paragraph: bool = False) -> None:
        self.clear_selection()  # the keyboard takes over from the mouse
        if paragraph:
            self._text.select_paragraph(delta)
        else:
            self._text.move_passage(delta, extend=extend)

    def action_next_sentence(self) -> None:
        self._cursor(+1)

    def action_previous_sentence(self) -> None:
        self._cursor(-1)

    def action_extend_forward(self) -> None:
        self._cursor(+1, extend=True)

    def action_extend_back(self) -> None:
        self._cursor(-1, extend=True)

    def action_next_paragraph(self) -> None:
        self._cursor(+1, paragraph=True)

    def action_previous_paragraph(self) -> None:
        self._cursor(-1, paragraph=True)

    def action_clear_passage(self) -> None:
        self.clear_selection()
        self._text.clear_passage()

    # -- writing, editing, deleting --------------------------------------------

    def action_annotate(self) -> None:
        span = self.passage()
        if span is None:
            return
        # Saved to the section it was written on, even if the reader moved on.
        self._open_editor(self._session(self.current, span))

    def action_edit_note(self) -> None:
        note = self.target_note()
        if note is None:
            return
        section = self.briefing.section(note.section) or self.current
        self._open_editor(self._session(section, (note.start, note.end), note))

    def _session(
        self,
        section: Section,
        span: tuple[int, int],
        note: Annotation | None = None,
        kept: KeptDraft | None = None,
    ) -> NoteSession:
        # The editor (a TextArea, ~14 ms) loads on first use, not at start-up.
        from briefing.tui.editing import NoteSession

        return NoteSession(
            self.store,
            self.briefing,
            section,
            span,
            note,
            on_saved=self._note_saved,
            on_stale=self._briefing_moved,
            kept=kept,
        )

    def _briefing_moved(self) -> Briefing:
        """A save was refused as based on an old revision: show the new one."""
        self.reload_briefing()
        self._seen = self._signatures()
        return self.briefing

    def _open_editor(self, session: NoteSession) -> None:
        def closed(draft: NoteDraft | None) -> None:
            if draft is None:  # discarded on purpose: a recovered draft goes too
                try:
                    session.forget()
                except DataError as error:
                    self._failed(error, "Draft not dropped")

        self.app.push_screen(session.editor(), closed)

    def _note_saved(self, note: Annotation) -> None:
        if note.section == self.current.key:
            self.clear_selection()
        self.reload_notes(highlight=note.id)

    def offer_kept_drafts(self) -> None:
        """Open the editor on a note whose text was kept when the reader was ended."""
        from briefing.store import drafts

        try:
            kept = drafts.kept(self.store, self.briefing.slug)
        except DataError as error:
            self._failed(error, "Kept drafts not read")
            return
        if not kept:
            return
        draft = kept[0]
        note = None
        if draft.note_id:
            notes = self.store.annotations(draft.briefing)
            note = next((a for a in notes if a.id == draft.note_id), None)
        section = self.briefing.section(draft.section)
        if section is None:
            section = self.current
        span = (draft.start, draft.end) if note is None else (note.start, note.end)
        span = (min(span[0], len(section.text)), min(span[1], len(section.text)))
        self.notify(
            "A note you were writing when the reader was closed was kept; here it is.",
            title="Recovered",
        )
        self._open_editor(self._session(section, span, note, kept=draft))

    def action_delete_note(self) -> None:
        note = self.target_note()
        if note is None:
            return
        try:
            deleted = self.store.delete_annotation(note.id, note.briefing)
        except DataError as error:
            self._failed(error, "Note not deleted")
            return
        self._deleted.append(deleted)
        self.reload_notes()
        self.notify("Note deleted. Press u to undo.", title="Deleted")

    def action_undo_delete(self) -> None:
        if not self._deleted:
            return
        note = self._deleted[-1]
        try:
            self.store.restore_annotation(note)
        except DataError as error:
            self._failed(error, "Note not restored")
            return
        self._deleted.pop()
        if note.section != self.current.key and self.briefing.section(note.section):
            self.go_to_section(note.section)
        self.reload_notes(highlight=note.id)
        if note.status == "anchored" and note.section == self.current.key:
            self._text.flash(note.start, note.end)

    def action_reattach_note(self) -> None:
        note = self._pane.highlighted_annotation
        span = self.passage()
        if note is None or span is None:
            return
        try:
            anchor = make_anchor(self.current.text, *span)
            self.store.update_annotation(
                note.id, anchor=anchor, section=self.current.key, slug=note.briefing
            )
        except (DataError, ValueError) as error:
            self._failed(error, "Note not re-attached")
            return
        self.clear_selection()
        self._text.clear_passage()
        self.reload_notes(highlight=note.id)
        self._text.flash(anchor.start, anchor.end)
        self.notify("Note re-attached to the passage.", title="Re-attached")

    # -- jumping to a note ------------------------------------------------------

    @on(OptionList.OptionSelected, "#notes-list")
    def _jump_to_note(self, event: OptionList.OptionSelected) -> None:
        note = next((a for a in self._pane.annotations if a.id == event.option.id), None)
        if note is None:
            return
        if note.status == "orphaned":
            self.notify(
                "This note's passage is no longer in the text. Select a new passage"
                " (l, or the mouse), highlight the note here and press r to re-attach it.",
                title="Orphaned note",
                severity="warning",
            )
            return
        self._text.flash(note.start, note.end)

    # -- the tag filter ---------------------------------------------------------

    async def action_filter_tags(self) -> None:
        self.show_notes_pane()
        try:
            field = self.query_one("#tag-filter", Input)
        except NoMatches:  # made on first use: start-up builds no widget it may not need
            field = Input(placeholder="Filter by tag", id="tag-filter")
            await self.query_one("#notes").mount(field, before=self._pane)
        field.display = True
        field.focus()

    def show_notes_pane(self) -> None:
        raise NotImplementedError

    def action_close_tag_filter(self) -> None:
        self._pane.focus()

    @on(Input.Changed, "#tag-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        tags = normalise_tags(split_tag_input(event.value))
        self._pane.tag_filter = tags
        title = "Notes" + "".join(f" #{t}" for t in tags)
        self.query_one("#notes-title", Label).update(Content(visible(title)))

    @on(Input.Submitted, "#tag-filter")
    def _filter_submitted(self) -> None:
        self._pane.focus()

    @on(Input.Blurred, "#tag-filter")
    def _filter_left(self, event: Input.Blurred) -> None:
        """An empty filter folds away; a set one stays in view, saying what is hidden."""
        event.input.display = bool(event.value.strip())
