"""The note editor: a modal for a note's text, tags and colour.

It edits a draft; the reader decides what to save. With a ``save`` callback the editor
stays open when a save is refused (note too long, deleted or changed meanwhile, disk
full) and says why, with the text still there. Esc on a changed draft asks first:
a second Esc discards. No typed text is thrown away without the user saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, RadioButton, RadioSet, Static, TextArea

from briefing.core.model import COLORS, DEFAULT_COLOR
from briefing.core.rules import excerpt, normalise_tags, split_tag_input
from briefing.core.safetext import visible
from briefing.tui.widgets.notes_pane import preview
from briefing.tui.widgets.section_view import HIGHLIGHT_STYLES


@dataclass(frozen=True)
class NoteDraft:
    """What the editor returns: an empty note means a plain highlight."""

    note: str = ""
    tags: tuple[str, ...] = ()
    color: str = DEFAULT_COLOR


#: Lines of the passage the editor shows above the note (``#note-quote``'s max-height).
QUOTE_LINES = 3


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

    def __init__(
        self,
        quote: str,
        draft: NoteDraft | None = None,
        *,
        title: str = "New note",
        save: Callable[[NoteDraft], str | None] | None = None,
        original: NoteDraft | None = None,
    ):
        """``save`` stores a draft and returns ``None``, or why it refused (the editor
        then stays open). ``original``: what counts as unchanged, when the draft shown
        is not it (a recovered draft)."""
        super().__init__()
        self.quote = quote
        self.draft = draft or NoteDraft()
        self.original = original or self.draft
        self.heading = title
        self._save = save
        self._discard_armed = False
        #: Set by the reader: stores the draft if the reader is ended with this open.
        self.keep: Callable[[NoteDraft], None] | None = None

    def compose(self) -> ComposeResult:
        # Scrolls in a small terminal: a field taking the focus, or the status line
        # appearing, is scrolled into view.
        with VerticalScroll(id="note-editor") as box:
            box.border_title = self.heading
            yield Static(Content(visible(excerpt(self.quote, 240))), id="note-quote")  # see _fit
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
            yield Static(id="note-status")
        yield Footer()

    def on_mount(self) -> None:
        text = self.query_one("#note-text", TextArea)
        text.focus()
        text.move_cursor(text.document.end)
        self.call_after_refresh(self._fit_quote)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_quote)

    def _fit_quote(self) -> None:
        """The quote in its three lines, ending in "…" when it is longer (the CSS's
        max-height would cut it off without saying so)."""
        quote = self.query_one("#note-quote", Static)
        if quote.size.width:
            shown = preview(self.quote, quote.size.width, QUOTE_LINES)
            quote.update(Content(visible(shown)))

    def result(self) -> NoteDraft:
        """The draft as the fields now hold it, tags normalised as the store keeps them."""
        pressed = self.query_one(RadioSet).pressed_button
        color = (pressed.id or "").removeprefix("color-") if pressed else self.draft.color
        return NoteDraft(
            note=self.query_one("#note-text", TextArea).text.strip(),
            tags=normalise_tags(split_tag_input(self.query_one("#note-tags", Input).value)),
            color=color if color in COLORS else DEFAULT_COLOR,
        )

    @property
    def changed(self) -> bool:
        """Whether the fields differ from the note as it was."""
        return self.result() != self.original

    def say(self, message: str) -> None:
        """Show why a save was refused, or what Esc will do, under the fields."""
        status = self.query_one("#note-status", Static)
        status.update(Content(visible(message)))
        status.set_class(bool(message), "-shown")
        if message:  # laid out on the next refresh: then scroll it into view
            self.call_after_refresh(status.scroll_visible, animate=False, immediate=True)

    def action_save(self) -> None:
        draft = self.result()
        if self._save is not None:
            refused = self._save(draft)
            if refused is not None:
                self._discard_armed = False
                self.say(refused)
                return
        self.dismiss(draft)

    def action_cancel(self) -> None:
        if self.changed and not self._discard_armed:
            self._discard_armed = True
            self.say("Unsaved changes. Esc again: discard them; ctrl+s: save.")
            return
        self.dismiss(None)

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _edited(self) -> None:
        if self._discard_armed:  # a new change: Esc asks again
            self._discard_armed = False
            self.say("")

    @on(Input.Submitted, "#note-tags")
    def _save_on_enter(self) -> None:
        self.action_save()
