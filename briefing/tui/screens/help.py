"""Every key of the screen underneath, generated from its bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GENERAL = [
    ("tab / shift+tab", "Move focus between panes"),
    ("ctrl+p", "Command palette: actions, sections, themes"),
    ("? / f1", "This help"),
    ("ctrl+q", "Quit"),
]


def key_label(binding: Binding) -> str:
    keys = binding.key.split(",")
    if binding.key_display and len(keys) == 1:
        return binding.key_display
    names = {"right_square_bracket": "]", "left_square_bracket": "[", "question_mark": "?"}
    return " / ".join(names.get(k, k) for k in keys)


def help_text(screen: Screen[object]) -> Content:
    rows: list[tuple[str, str]] = []
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.description:
            rows.append((key_label(binding), binding.tooltip or binding.description))
    extra = getattr(screen, "HELP_EXTRA", [])
    width = max(len(k) for k, _ in [*rows, *extra, *GENERAL])
    lines = [Content.styled(f"{screen.__class__.__name__.removesuffix('Screen')}\n", "bold")]
    for key, text in [*rows, *extra]:
        lines.append(Content.styled(f"  {key:<{width}}", "$text-accent") + f"  {text}\n")
    lines.append(Content.styled("\nEverywhere\n", "bold"))
    for key, text in GENERAL:
        lines.append(Content.styled(f"  {key:<{width}}", "$text-accent") + f"  {text}\n")
    return Content("").join(lines)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, underneath: Screen[object]) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Content.styled("Keys", "bold $text-accent"), id="help-title")
            yield Static(help_text(self.underneath))
            yield Static(Content.styled("Esc closes this help.", "$text-muted"))
