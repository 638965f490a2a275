"""The outline editor (``o`` in the reader): a briefing's paragraphs and its section breaks.

Move a break up or down by a paragraph, add or remove one, rename or merge sections, edit
the lead, undo; ctrl+s saves a new revision through the import every file goes through,
so every note is re-anchored and kept. The edits are :mod:`briefing.core.outline_edit`;
this screen only shows them and asks for titles and the lead's text.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from briefing.core.ingest import IngestError, parse_briefing
from briefing.core.model import Briefing
from briefing.core.outline_edit import Outline, OutlineError, outline_of, preview
from briefing.store.facade import ImportResult, Store
from briefing.tui.widgets.key_bar import KeyBar

#: How many edits undo remembers.
UNDO_DEPTH = 200


class TitlePrompt(ModalScreen[str | None]):
    """One line: a section's title. Enter keeps it, escape cancels."""

    CSS_PATH = "outline.tcss"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="outline.title.cancel")]

    def __init__(self, label: str, value: str = "") -> None:
        super().__init__()
        self.label, self.value = label, value

    def compose(self) -> ComposeResult:
        with Vertical(id="outline-dialog"):
            yield Static(self.label, classes="outline-dialog-title")
            yield Input(self.value, id="outline-title-input")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LeadEditor(ModalScreen[str | None]):
    """The lead's Markdown in a text area: ctrl+s keeps it, escape cancels."""

    CSS_PATH = "outline.tcss"

    BINDINGS = [
        Binding("ctrl+s", "keep", "Keep", id="outline.lead.keep"),
        Binding("escape", "cancel", "Cancel", id="outline.lead.cancel"),
    ]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical(id="outline-lead"):
            yield Static(
                "The lead (Markdown) · ctrl+s keeps · esc cancels", classes="outline-dialog-title"
            )
            yield TextArea(self.markdown, id="outline-lead-text", soft_wrap=True)

    def action_keep(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class OutlineScreen(Screen[ImportResult | None]):
    """Edit where a briefing's sections start; dismissed with the import's result when
    saved, None when left without saving."""

    CSS_PATH = "outline.tcss"
    AUTO_FOCUS = "#outline-list"
    BINDINGS = [
        Binding(
            "K,shift+up",
            "move_break(-1)",
            "Break ↑",
            id="outline.break_up",
            tooltip="Move this section's start up a paragraph",
        ),
        Binding(
            "J,shift+down",
            "move_break(1)",
            "Break ↓",
            id="outline.break_down",
            tooltip="Move this section's start down a paragraph",
        ),
        Binding(
            "n",
            "add_break",
            "New §",
            id="outline.add_break",
            tooltip="Start a new section at this paragraph",
        ),
        Binding(
            "d",
            "remove_break",
            "Join",
            id="outline.remove_break",
            tooltip="Remove this section's break: join it to the one above",
        ),
        Binding(
            "m",
            "merge_next",
            "Merge",
            id="outline.merge_next",
            show=False,
            tooltip="Merge the next section into this one",
        ),
        Binding("r", "rename", "Rename", id="outline.rename", tooltip="Rename this section"),
        Binding(
            "e", "edit_lead", "Lead", id="outline.edit_lead", show=False, tooltip="Edit the lead"
        ),
        Binding("u,ctrl+z", "undo", "Undo", id="outline.undo", tooltip="Undo the last edit"),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="outline.save",
            tooltip="Save: a new revision, every note re-anchored",
        ),
        Binding(
            "escape,q",
            "close",
            "Close",
            id="outline.close",
            key_display="esc",
            tooltip="Back to the reader (twice to drop unsaved edits)",
        ),
    ]
    HELP_EXTRA = [("up / down", "Move between paragraphs")]

    def __init__(self, store: Store, briefing: Briefing, section: str = "") -> None:
        """``section``: the key of the section being read, where the cursor starts."""
        super().__init__()
        self.store = store
        self.briefing = briefing
        self.outline = outline_of(briefing)
        titles = [s.title for s in briefing.body_sections if s.key == section]
        self._start = next((b.at for b in self.outline.breaks if b.title in titles), 0)
        self.saved = self.outline
        self.history: list[Outline] = []
        self._leaving = False  # escape once with unsaved edits: a second one drops them

    def compose(self) -> ComposeResult:
        yield Static(
            Content.styled(f"Outline · {self.briefing.title}", "bold $text-accent"),
            id="outline-title",
        )
        yield OptionList(id="outline-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self._fill(self._start)

    # -- what is shown --------------------------------------------------------

    @property
    def paragraph(self) -> int:
        """The paragraph the cursor is on."""
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None:
            return 0
        ident = options.get_option_at_index(index).id or "p0"
        return int(ident.removeprefix("p"))

    def _fill(self, paragraph: int) -> None:
        outline = self.outline
        options: list[Option] = []
        width = max((self.size.width or 80) - 6, 10)  # one line each: more of them in view
        if outline.paragraphs and not (outline.breaks and outline.breaks[0].at == 0):
            options.append(Option(Content.styled("Lead", "bold $text-muted"), disabled=True))
        for number, text in enumerate(outline.paragraphs):
            at = outline.break_at(number)
            if at is not None:
                title = outline.breaks[at].title
                options.append(
                    Option(Content.styled(f"§ {title}", "bold $text-accent"), disabled=True)
                )
            line = preview(text, width)
            line = line if len(line) < width else line[: width - 1] + "…"
            options.append(Option(Content("  " + line), id=f"p{number}"))
        widget = self.query_one(OptionList)
        widget.clear_options()
        widget.add_options(options)
        index = (
            next(i for i, o in enumerate(options) if o.id == f"p{paragraph}") if options else None
        )
        widget.highlighted = index
        changed = "" if outline == self.saved else " · edited, ctrl+s saves"
        self.query_one("#outline-title", Static).update(
            Content.styled(f"Outline · {self.briefing.title}", "bold $text-accent")
            + Content.styled(changed, "$warning")
        )
        self.refresh_bindings()

    def _apply(self, edit: Outline, paragraph: int | None = None) -> None:
        self.history = [*self.history, self.outline][-UNDO_DEPTH:]
        self.outline = edit
        self._leaving = False
        self._fill(self.paragraph if paragraph is None else paragraph)

    def _edit(self, make: Callable[[], Outline]) -> None:
        try:
            edit = make()
        except OutlineError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._apply(edit)

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    # -- keys -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        section = self.outline.section_of(self.paragraph) if self.is_mounted else -1
        if action in ("move_break", "remove_break", "rename"):
            return section >= 0
        if action == "merge_next":
            return 0 <= section < len(self.outline.breaks) - 1
        if action == "add_break":
            return self.outline.break_at(self.paragraph) is None
        if action == "undo":
            return bool(self.history)
        if action == "save":
            return self.outline != self.saved
        return True

    def action_move_break(self, delta: int) -> None:
        number = self.outline.section_of(self.paragraph)
        self._edit(lambda: self.outline.move_break(number, delta))

    def action_add_break(self) -> None:
        paragraph = self.paragraph

        def add(title: str | None) -> None:
            if title is not None:
                self._edit(lambda: self.outline.add_break(paragraph, title))

        self.app.push_screen(TitlePrompt("Title of the new section"), add)

    def action_remove_break(self) -> None:
        number = self.outline.section_of(self.paragraph)
        self._edit(lambda: self.outline.remove_break(number))

    def action_merge_next(self) -> None:
        number = self.outline.section_of(self.paragraph)
        self._edit(lambda: self.outline.merge_with_next(number))

    def action_rename(self) -> None:
        number = self.outline.section_of(self.paragraph)

        def rename(title: str | None) -> None:
            if title is not None:
                self._edit(lambda: self.outline.rename(number, title))

        self.app.push_screen(
            TitlePrompt("Rename the section", self.outline.breaks[number].title), rename
        )

    def action_edit_lead(self) -> None:
        def keep(markdown: str | None) -> None:
            if markdown is not None and markdown.strip() != self.outline.lead.strip():
                self._edit(lambda: self.outline.set_lead(markdown))

        self.app.push_screen(LeadEditor(self.outline.lead), keep)

    def action_undo(self) -> None:
        if self.history:
            paragraph = self.paragraph
            self.outline, self.history = self.history[-1], self.history[:-1]
            self._fill(min(paragraph, max(len(self.outline.paragraphs) - 1, 0)))

    def action_save(self) -> None:
        try:
            text = self.outline.to_markdown()
            briefing = parse_briefing(text, slug=self.briefing.slug, origin="the outline")
        except (OutlineError, IngestError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        (result,) = self.store.import_briefings([(briefing, f"outline:{briefing.slug}")])
        self.dismiss(result)

    def action_close(self) -> None:
        if self.outline != self.saved and not self._leaving:
            self._leaving = True
            self.notify(
                "Unsaved edits: ctrl+s saves them, esc again drops them", severity="warning"
            )
            return
        self.dismiss(None)
