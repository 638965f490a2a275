"""The note editor: a modal for a note's text, tags and colour.

It only edits a draft and hands it back through ``dismiss``; the reader decides what to
save, so cancelling can never have touched the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, RadioButton, RadioSet, Static, TextArea

from briefing.core.model import COLORS, DEFAULT_COLOR
from briefing.core.rules import normalise_tags, split_tag_input
from briefing.core.safetext import visible
from briefing.tui.widgets.notes_pane import excerpt
from briefing.tui.widgets.section_view import HIGHLIGHT_STYLES


@dataclass(frozen=True)
class NoteDraft:
    """What the editor returns: an empty note means a plain highlight."""

    note: str = ""
    tags: tuple[str, ...] = ()
    color: str = DEFAULT_COLOR


class NoteEditor(ModalScreen[NoteDraft | None]):
    """Dismisses with a :class:`NoteDraft` on save, or ``None`` on cancel."""

    CSS_PATH = "note_editor.tcss"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note_editor.save"),
        Binding("escape", "cancel", "Cancel", id="note_editor.cancel"),
    ]
    HELP_EXTRA = [
        ("tab / shift+tab", "Next / previous field"),
        ("enter", "In the tags field: save"),
        ("← / → then space", "In the colours: choose one"),
    ]

    def __init__(self, quote: str, draft: NoteDraft | None = None, *, title: str = "New note"):
        super().__init__()
        self.quote = quote
        self.draft = draft or NoteDraft()
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="note-editor") as box:
            box.border_title = self.heading
            yield Static(Content(visible(excerpt(self.quote, 240))), id="note-quote")
            yield Static(
                Content("Note (Markdown; leave empty for a plain highlight)"),
                classes="field-label",
            )
            yield TextArea(self.draft.note, id="note-text", soft_wrap=True)
            yield Static(Content("Tags (comma or space separated)"), classes="field-label")
            yield Input(
                " ".join(self.draft.tags),
                placeholder="e.g. nato, sanctions",
                id="note-tags",
                select_on_focus=False,  # tabbing in adds a tag, it does not replace them
            )
            yield Static(Content("Colour (arrow keys, then space)"), classes="field-label")
            with RadioSet(id="note-color"):
                for color in COLORS:
                    yield RadioButton(
                        Content.styled(f" {color} ", HIGHLIGHT_STYLES[color]),
                        value=color == self.draft.color,
                        id=f"color-{color}",
                    )
        yield Footer()

    def on_mount(self) -> None:
        text = self.query_one("#note-text", TextArea)
        text.focus()
        text.move_cursor(text.document.end)

    def result(self) -> NoteDraft:
        """The draft as the fields now hold it, tags normalised as the store keeps them."""
        pressed = self.query_one(RadioSet).pressed_button
        color = (pressed.id or "").removeprefix("color-") if pressed else self.draft.color
        return NoteDraft(
            note=self.query_one("#note-text", TextArea).text.strip(),
            tags=normalise_tags(split_tag_input(self.query_one("#note-tags", Input).value)),
            color=color if color in COLORS else DEFAULT_COLOR,
        )

    def action_save(self) -> None:
        self.dismiss(self.result())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#note-tags")
    def _save_on_enter(self) -> None:
        self.action_save()
