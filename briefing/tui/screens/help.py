"""Every key of the screen underneath, generated from its bindings."""

from __future__ import annotations

import textwrap

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from briefing.tui.widgets.key_bar import KeyBar

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


#: The help box's width, less its border and padding: the text is wrapped to fit it.
BOX_WIDTH = 72
BOX_INSIDE = BOX_WIDTH - 4


def help_text(screen: Screen[object], width: int = BOX_INSIDE) -> Content:
    """Every key of ``screen`` and what it does, in two columns ``width`` cells wide in all:
    a description too long for its line wraps under its own column, not under the keys."""
    rows: list[tuple[str, str]] = []
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.description:
            rows.append((key_label(binding), binding.tooltip or binding.description))
    extra = getattr(screen, "HELP_EXTRA", [])
    keys = max(len(k) for k, _ in [*rows, *extra, *GENERAL])
    indent = 2 + keys + 2
    if width - indent < 20:  # narrow: each description on its own lines under its key
        keys, indent = 0, 4
    room = max(width - indent, 8)

    def row(key: str, text: str) -> Content:
        wrapped = textwrap.wrap(text, room) or [""]
        hanging = "".join(f"\n{' ' * indent}{line}" for line in wrapped[1:])
        if not keys:
            head = Content.styled(f"  {key}", "$text-accent")
            return head + f"\n{' ' * indent}{wrapped[0]}{hanging}\n"
        return Content.styled(f"  {key:<{keys}}", "$text-accent") + f"  {wrapped[0]}{hanging}\n"

    lines = [Content.styled(f"{screen.__class__.__name__.removesuffix('Screen')}\n", "bold")]
    lines.extend(row(key, text) for key, text in [*rows, *extra])
    lines.append(Content.styled("\nEverywhere\n", "bold"))
    lines.extend(row(key, text) for key, text in GENERAL)
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
            yield Static(help_text(self.underneath, self._inside()), id="help-keys")
            yield Static(Content.styled("Esc closes this help.", "$text-muted"))
        yield KeyBar()  # this screen's keys, not the reader's underneath

    def _inside(self) -> int:
        """The text's width in the box: narrower than the box in a small terminal."""
        drawn = self.query_one("#help-keys", Static).size.width if self.is_mounted else 0
        # Border, padding and a scrollbar of 2 until the box is laid out.
        return drawn or min(BOX_INSIDE, self.app.size.width - 6)

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        keys = self.query_one("#help-keys", Static)
        keys.update(help_text(self.underneath, self._inside()))
