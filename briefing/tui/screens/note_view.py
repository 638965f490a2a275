"""One note, whole and read-only: its passage, its Markdown, its tags and local time.

``v`` in the reader opens it on the note under the passage, or the notes pane's highlighted
one; Esc, ``q`` or ``v`` close it. Nothing here changes the note (``e`` edits).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from briefing.core.model import Annotation
from briefing.core.safetext import visible
from briefing.tui.widgets.note_text import local_time, note_content


class NoteView(ModalScreen[None]):
    """A note in full, over the reader."""

    DEFAULT_CSS = """
    NoteView { align: center middle; }
    NoteView > #note-view {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    NoteView #note-view-quote { color: $reader-muted; text-style: italic; margin-bottom: 1; }
    NoteView #note-view-meta { color: $reader-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,q,v", "dismiss", "Close", id="note_view.close")]

    def __init__(self, annotation: Annotation) -> None:
        super().__init__()
        self.annotation = annotation

    def compose(self) -> ComposeResult:
        note = self.annotation
        tags = " ".join(f"#{t}" for t in note.tags)
        meta = f"{tags}  " if tags else ""
        meta += f"{local_time(note.updated)} · {note.color}"
        if note.status == "orphaned":
            meta += " · orphaned: its passage is no longer in the text"
        with VerticalScroll(id="note-view"):
            yield Static(Content.styled("Note", "bold $reader-accent"))
            yield Static(Content(visible(f"“{note.quote}”")), id="note-view-quote")
            body = note_content(note.note) if note.note.strip() else Content("(no note)")
            yield Static(body, id="note-view-body")
            yield Static(Content(visible(meta)), id="note-view-meta")
