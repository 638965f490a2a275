"""Marking passages and keeping notes on them: the reader's annotation controller.

A plain object the reader screen holds (:class:`AnnotationController`): the screen owns the
keys (:mod:`briefing.tui.screens.reader_keys`) and the widgets, and calls in here. What it
needs from the screen is :class:`~briefing.tui.screens.reader_host.ReaderHost`.

The passage to annotate is the mouse selection if there is one, else the keyboard cursor's
sentences. Edits go straight to the store; deletes are kept for ``u`` until the reader closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label

from briefing.core.model import Annotation, Section
from briefing.core.rules import normalise_tags, split_tag_input
from briefing.core.safetext import visible
from briefing.store.facade import DataError
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.section_view import SectionView
from briefing.tui.widgets.tag_filter import TagSuggester

if TYPE_CHECKING:
    from briefing.store.drafts import KeptDraft
    from briefing.tui.dialogs.note_editor import NoteDraft
    from briefing.tui.editing import NoteSession
    from briefing.tui.screens.reader_host import ReaderHost

#: The actions that move the passage cursor: they work while the section has sentences.
CURSOR_ACTIONS = frozenset(
    {
        "next_sentence",
        "previous_sentence",
        "extend_forward",
        "extend_back",
        "next_paragraph",
        "previous_paragraph",
        "word_end_out",
        "word_end_in",
        "word_start_out",
        "word_start_in",
    }
)
#: The word-wise actions: which edge of the passage each moves, and which way.
WORD_MOVES = {
    "word_end_out": ("end", +1),
    "word_end_in": ("end", -1),
    "word_start_out": ("start", -1),
    "word_start_in": ("start", +1),
}


class AnnotationController:
    """Passage selection and note keeping over the section the reader shows.

    ``view`` draws the section, ``pane`` lists its notes inside ``notes_box``, under
    ``notes_title``; the tag filter, an ``Input`` with id ``tag-filter``, is mounted above the
    pane when first used.
    """

    def __init__(
        self,
        host: ReaderHost,
        view: SectionView,
        pane: NotesPane,
        notes_box: Vertical,
        notes_title: Label,
    ) -> None:
        self.host = host
        self.view = view
        self.pane = pane
        self._notes_box = notes_box
        self._notes_title = notes_title
        self._tag_filter: Input | None = None
        #: What the notes pane lists: "section" (the one shown) or "briefing" (all of it).
        self.scope = "section"
        self.deleted: list[Annotation] = []  # this session's deletes, for undo

    # -- what the keys act on ----------------------------------------------

    def section_notes(self, section: Section) -> list[Annotation]:
        """Notes shown with a section: its own, plus orphans whose section is gone.

        Those orphans would otherwise show nowhere and could never be re-attached.
        """
        keys = {s.key for s in self.host.briefing.sections}
        return [
            a
            for a in self.host.store.annotations(self.host.briefing.slug)
            if a.section == section.key or (a.status == "orphaned" and a.section not in keys)
        ]

    def fill_pane(self, section_notes: list[Annotation]) -> None:
        """List the notes of the pane's scope: ``section_notes``, or the whole briefing's."""
        if self.scope == "section":
            self.pane.wider_hint = "S shows the whole briefing's."
            self.pane.set_annotations(section_notes)
            return
        briefing = self.host.briefing
        sections = {s.key: (n, s.title) for n, s in enumerate(briefing.sections)}
        self.pane.set_annotations(self.host.store.annotations(briefing.slug), sections)

    def toggle_scope(self) -> None:
        """``o``: the notes pane lists this section's notes, or the whole briefing's."""
        self.scope = "briefing" if self.scope == "section" else "section"
        self.host.show_notes_pane()
        self.fill_pane(self.section_notes(self.host.current))
        self._retitle()

    def _retitle(self) -> None:
        title = "Notes" if self.scope == "section" else "Notes · briefing"
        title += "".join(f" #{t}" for t in self.pane.tag_filter)
        self._notes_title.update(Content(visible(title)))

    def passage(self) -> tuple[int, int] | None:
        """The span ``a`` annotates: the mouse selection, else the cursor's sentences."""
        span = self.view.selected_span() or self.view.passage
        if span is None or not self.host.current.text[span[0] : span[1]].strip():
            return None
        return span

    def target_note(self) -> Annotation | None:
        """The note ``e`` and ``d`` act on: the pane's highlighted one when it has focus,
        otherwise the first note under the passage."""
        if self.host.focused is self.pane:
            return self.pane.highlighted_annotation
        span = self.passage()
        if span is None:
            return None
        start, end = span
        return next(
            (
                a
                for a in self.pane.annotations
                if a.status == "anchored" and a.start < end and a.end > start
            ),
            None,
        )

    def can(self, action: str) -> bool | None:
        """Whether an annotation action works now: True, False (shown dimmed) or None
        (hidden). Asked by the reader's one ``check_action``."""
        if action in CURSOR_ACTIONS:
            return bool(self.view.cursor.sentences)
        if action == "annotate":  # hidden until there is a passage: the footer is crowded
            return self.passage() is not None
        # False hides a key from the key bar: it shows only the keys that work now.
        if action in ("edit_note", "delete_note", "view_note"):
            return self.target_note() is not None
        if action == "undo_delete":
            return bool(self.deleted)
        if action == "reattach_note":
            note = self.pane.highlighted_annotation if self.host.focused is self.pane else None
            ready = note is not None and note.status == "orphaned" and self.passage()
            return bool(ready)
        return True

    @property
    def has_passage(self) -> bool:
        """A keyboard passage or a mouse selection is there, for Esc to clear."""
        return self.view.passage is not None or self.view.selected_span() is not None

    @property
    def tag_filter_focused(self) -> bool:
        return self._tag_filter is not None and self.host.focused is self._tag_filter

    # -- refreshing after a change -----------------------------------------

    def reload_notes(self, highlight: str | None = None) -> None:
        """Re-read this section's notes and redraw text, notes pane and counts."""
        notes = self.section_notes(self.host.current)
        self.view.set_annotations(notes)
        self.fill_pane(notes)
        if highlight is not None:
            self.pane.highlight_note(highlight)
        self.host.refresh_counts()
        self.host.refresh_bindings()

    # -- the passage cursor --------------------------------------------------

    def _cursor(self, delta: int, *, extend: bool = False, paragraph: bool = False) -> None:
        self.host.clear_selection()  # the keyboard takes over from the mouse
        if paragraph:
            self.view.select_paragraph(delta)
        else:
            self.view.move_passage(delta, extend=extend)

    def move_cursor(self, action: str) -> None:
        """One of :data:`CURSOR_ACTIONS`."""
        if action in WORD_MOVES:
            self.host.clear_selection()  # the keyboard takes over from the mouse
            self.view.move_word_edge(*WORD_MOVES[action])
            return
        delta = +1 if action in ("next_sentence", "extend_forward", "next_paragraph") else -1
        self._cursor(delta, extend=action.startswith("extend"), paragraph="paragraph" in action)

    def clear_passage(self) -> None:
        self.host.clear_selection()
        self.view.clear_passage()

    # -- writing, editing, deleting --------------------------------------------

    def annotate(self) -> None:
        span = self.passage()
        if span is None:
            return
        # Saved to the section it was written on, even if the reader moved on.
        self._open_editor(self._session(self.host.current, span))

    def edit_note(self) -> None:
        note = self.target_note()
        if note is None:
            return
        section = self.host.briefing.section(note.section) or self.host.current
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
            self.host.store,
            self.host.briefing,
            section,
            span,
            note,
            on_saved=self._note_saved,
            on_stale=self.host.briefing_moved,
            kept=kept,
        )

    def _open_editor(self, session: NoteSession) -> None:
        def closed(draft: NoteDraft | None) -> None:
            if draft is None:  # discarded on purpose: a recovered draft goes too
                try:
                    session.forget()
                except DataError as error:
                    self.host.failed(error, "Draft not dropped")

        self.host.app.push_screen(session.editor(), closed)

    def _note_saved(self, note: Annotation) -> None:
        if note.section == self.host.current.key:
            self.host.clear_selection()
        self.host.notes_changed(highlight=note.id)

    def offer_kept_drafts(self) -> None:
        """Open the editor on a note whose text was kept when the reader was ended."""
        from briefing.store import drafts

        store, briefing = self.host.store, self.host.briefing
        try:
            kept = drafts.kept(store, briefing.slug)
        except DataError as error:
            self.host.failed(error, "Kept drafts not read")
            return
        if not kept:
            return
        draft = kept[0]
        note = None
        if draft.note_id:
            notes = store.annotations(draft.briefing)
            note = next((a for a in notes if a.id == draft.note_id), None)
        section = briefing.section(draft.section)
        if section is None:
            section = self.host.current
        span = (draft.start, draft.end) if note is None else (note.start, note.end)
        span = (min(span[0], len(section.text)), min(span[1], len(section.text)))
        self.host.tell(
            "A note you were writing when the reader was closed was kept; here it is.",
            "Recovered",
        )
        self._open_editor(self._session(section, span, note, kept=draft))

    def view_note(self) -> None:
        """``v``: the whole note, read-only."""
        note = self.target_note()
        if note is not None:
            from briefing.tui.screens.note_view import NoteView  # on first use

            self.host.app.push_screen(NoteView(note))

    def delete_note(self) -> None:
        note = self.target_note()
        if note is None:
            return
        try:
            deleted = self.host.store.delete_annotation(note.id, note.briefing)
        except DataError as error:
            self.host.failed(error, "Note not deleted")
            return
        self.deleted.append(deleted)
        self.host.notes_changed()
        self.host.tell("Note deleted. Press u to undo.", "Deleted")

    def undo_delete(self) -> None:
        if not self.deleted:
            return
        note = self.deleted[-1]
        try:
            self.host.store.restore_annotation(note)
        except DataError as error:
            self.host.failed(error, "Note not restored")
            return
        self.deleted.pop()
        if note.section != self.host.current.key and self.host.briefing.section(note.section):
            self.host.go_to_section(note.section)
        self.host.notes_changed(highlight=note.id)
        self.host.tell("Note restored.", "Restored")  # in place of "Note deleted"
        if note.status == "anchored" and note.section == self.host.current.key:
            self.view.flash(note.start, note.end)

    def reattach_note(self) -> None:
        note = self.pane.highlighted_annotation
        span = self.passage()
        if note is None or span is None:
            return
        from briefing.core.anchoring import make_anchor  # here: the reader starts without it

        try:
            anchor = make_anchor(self.host.current.text, *span)
            self.host.store.update_annotation(
                note.id, anchor=anchor, section=self.host.current.key, slug=note.briefing
            )
        except (DataError, ValueError) as error:
            self.host.failed(error, "Note not re-attached")
            return
        self.host.clear_selection()
        self.view.clear_passage()
        self.host.notes_changed(highlight=note.id)
        self.view.flash(anchor.start, anchor.end)
        self.host.tell("Note re-attached to the passage.", "Re-attached")

    # -- jumping to a note ------------------------------------------------------

    def jump_to_note(self, note_id: str | None) -> None:
        """Enter on a note in the pane: flash its passage."""
        note = next((a for a in self.pane.annotations if a.id == note_id), None)
        if note is None:
            return
        if note.status == "orphaned":
            self.host.tell(
                "This note's passage is no longer in the text. Select a new passage"
                " (l, or the mouse), highlight the note here and press r to re-attach it.",
                "Orphaned note",
                warning=True,
            )
            return
        if note.section != self.host.current.key:  # the pane lists the whole briefing
            self.host.go_to_section(note.section)
        self.view.flash(note.start, note.end)

    # -- the tag filter ---------------------------------------------------------

    async def filter_tags(self) -> None:
        """``t``: show the notes pane and type tags to filter it by."""
        self.host.show_notes_pane()
        field = self._tag_filter
        if field is None:  # made on first use: start-up builds no widget it may not need
            field = self._tag_filter = Input(
                placeholder="Filter by tag",
                id="tag-filter",
                suggester=TagSuggester(self._known_tags),
            )
            await self._notes_box.mount(field, before=self.pane)
        field.display = True
        field.focus()

    def _known_tags(self) -> list[str]:
        """Every tag of this user's notes, on any briefing: what the tag filter completes."""
        return [tag for note in self.host.store.stored_annotations() for tag in note.tags]

    def close_tag_filter(self) -> None:
        """Esc or enter in the tag filter: back to the notes (the filter stays set)."""
        self.pane.focus()

    def tag_filter_changed(self, value: str) -> None:
        self.pane.tag_filter = normalise_tags(split_tag_input(value))
        self._retitle()

    @property
    def tag_filter_applied(self) -> bool:
        return bool(self.pane.tag_filter)

    def clear_tag_filter(self) -> None:
        """Esc with a tag filter set (and left): every note shows again."""
        if self._tag_filter is not None:
            self._tag_filter.value = ""
            self._tag_filter.display = False
        self.pane.tag_filter = ()
        self._retitle()
        first = next((i for i, o in enumerate(self.pane.options) if not o.disabled), None)
        self.pane.highlighted = first  # every note again, from the top
        self.pane.scroll_home(animate=False, immediate=True)

    def tag_filter_left(self) -> None:
        """An empty filter folds away; a set one stays in view, saying what is hidden."""
        if self._tag_filter is not None:
            self._tag_filter.display = bool(self._tag_filter.value.strip())
