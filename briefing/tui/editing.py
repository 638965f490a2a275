"""One open note editor and the store: saving, refusals, and drafts kept on hang-up.

:class:`NoteSession` is what the reader's ``a`` and ``e`` open. It saves through the
store and, when the store refuses, returns the reason so that the editor stays open
with the text:

- the note was changed elsewhere meanwhile: the other version is shown, and a second
  ctrl+s saves this one over it (the user has seen what they replace);
- the note was deleted meanwhile: a second ctrl+s saves the text as a new note on the
  same passage;
- too long, disk full, read-only, lock timeout: the reason, as the store words it.

If the reader is ended (SIGHUP when an SSH connection drops, SIGTERM), :func:`keep_open_drafts`
stores every open editor's changed text (:mod:`briefing.store.drafts`); the reader offers
it back the next time that briefing is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.core import anchoring
from briefing.core.model import Annotation, Briefing, Section
from briefing.store import drafts, revisions
from briefing.store.facade import DataError, NotFound, StaleRevision, Store
from briefing.store.merging import EditConflict
from briefing.tui.dialogs.note_editor import NoteDraft, NoteEditor

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App


def describe(note: Annotation) -> str:
    """The other version of a note, on one line."""
    text = " ".join(note.note.split()) or "(no text)"
    text = text if len(text) <= 120 else text[:119] + "…"
    tags = " ".join(f"#{t}" for t in note.tags)
    return f"“{text}” {tags} ({note.color})".replace("  ", " ")


class NoteSession:
    """Where one editor's text goes: a new note on a span, or an existing note."""

    def __init__(
        self,
        store: Store,
        briefing: Briefing,
        section: Section,
        span: tuple[int, int],
        note: Annotation | None = None,
        *,
        on_saved: Callable[[Annotation], None],
        on_stale: Callable[[], Briefing] | None = None,
        kept: drafts.KeptDraft | None = None,
    ) -> None:
        self.store = store
        self.slug = briefing.slug
        self.revision = revisions.revision_of(briefing)  # what the user was shown
        self.on_stale = on_stale
        self.section = section
        self.span = span
        self.note = note  # the base an edit started from
        self.on_saved = on_saved
        self.kept = kept
        self._recreate = False

    def original(self) -> NoteDraft:
        note = self.note
        return NoteDraft(note.note, note.tags, note.color) if note else NoteDraft()

    def editor(self) -> NoteEditor:
        quote = self.section.text[self.span[0] : self.span[1]]
        if self.note is not None:
            quote = self.note.quote
        title = "Edit note" if self.note else "New note"
        draft = self.original()
        if self.kept is not None:
            title = f"{title} (recovered, not saved yet)"
            draft = NoteDraft(self.kept.note, self.kept.tags, self.kept.color)
        editor = NoteEditor(quote, draft, title=title, save=self.save, original=self.original())
        editor.keep = self.keep
        return editor

    def save(self, draft: NoteDraft) -> str | None:
        """Store the draft; ``None`` when saved, else why not (the editor stays open)."""
        try:
            if self.note is None or self._recreate:
                saved = self.store.add_annotation(
                    self.slug,
                    self.section.key,
                    *self.span,
                    note=draft.note,
                    tags=draft.tags,
                    color=draft.color,
                    revision=self.revision,
                )
            elif draft == self.original():
                return None  # nothing to write
            else:
                saved = self.store.update_annotation(
                    self.note.id,
                    note=draft.note,
                    tags=draft.tags,
                    color=draft.color,
                    slug=self.note.briefing,
                    base=self.note,
                )
        except StaleRevision:
            return self._moved_on()
        except EditConflict as error:
            self.note = error.current  # a second ctrl+s saves over what is now shown
            return (
                f"Changed elsewhere meanwhile; it now reads {describe(error.current)}."
                " Yours is kept here: ctrl+s saves it over that, esc esc drops it."
            )
        except NotFound as error:
            if self.note is None:
                return f"Not saved: {error}"
            self._recreate = True
            return (
                "This note was deleted elsewhere meanwhile."
                " ctrl+s saves your text as a new note on the same passage."
            )
        except (DataError, ValueError) as error:
            return f"Not saved: {error}"
        self.forget()
        self.on_saved(saved)
        return None

    def _moved_on(self) -> str:
        """The briefing was re-imported under the editor: find the passage again in the
        new text (the reader redraws it); the user checks and saves again."""
        if self.on_stale is None:
            return "Not saved: the briefing was re-imported meanwhile."
        briefing = self.on_stale()
        anchor = anchoring.make_anchor(self.section.text, *self.span)
        probe = Annotation("", "", self.slug, self.section.key, anchor)
        placed = anchoring.reanchor_in_briefing(probe, briefing)
        self.revision = revisions.revision_of(briefing)
        if placed.status != "anchored":
            return (
                "The briefing was re-imported meanwhile and this passage is no longer in it."
                " Your text is kept here; esc esc drops it."
            )
        section = briefing.section(placed.section)
        assert section is not None
        self.section, self.span = section, (placed.start, placed.end)
        return (
            "The briefing was re-imported meanwhile; your passage was found again in the new"
            f" text: “{placed.quote[:80]}”. ctrl+s saves the note there."
        )

    def keep(self, draft: NoteDraft) -> None:
        """Store the draft for later (the reader is being ended)."""
        start, end = (self.note.start, self.note.end) if self.note else self.span
        drafts.keep(
            self.store,
            drafts.KeptDraft(
                self.slug,
                self.note.section if self.note else self.section.key,
                start,
                end,
                draft.note,
                draft.tags,
                draft.color,
                note_id=self.note.id if self.note else "",
            ),
        )

    def forget(self) -> None:
        if self.kept is not None:
            drafts.drop(self.store, self.kept)
            self.kept = None


def keep_open_drafts(app: App[object]) -> int:
    """Keep the text of every open editor that has changes; how many were kept."""
    count = 0
    for screen in app.screen_stack:
        keep = getattr(screen, "keep", None)
        if isinstance(screen, NoteEditor) and keep is not None and screen.changed:
            try:
                keep(screen.result())
            except DataError:
                continue
            count += 1
    return count
