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
    # What a key does can depend on how the screen was reached (``q`` back to the notes
    # list rather than the library): the screen's ``help_now``, by action, says so.
    now: dict[str, str] = getattr(screen, "help_now", {})
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.description:
            told = now.get(binding.action, binding.tooltip or binding.description)
            rows.append((key_label(binding), told))
    extra = getattr(screen, "HELP_EXTRA", [])
    # The keys' column is as wide as the longest key; in a box too narrow for that to
    # leave a description 20 cells, as wide as makes the fewest lines: a longer key gets a
    # line of its own, its description under the descriptions' column all the same.
    every = [*rows, *extra, *GENERAL]
    keys = max(len(k) for k, _ in every)
    if width - (2 + keys + 2) < 20:

        def height(column: int) -> int:
            room = max(width - (2 + column + 2), 8)
            return sum(len(textwrap.wrap(t, room)) + (len(k) > column) for k, t in every)

        keys = min(sorted({len(k) for k, _ in every}), key=height)
    indent = 2 + keys + 2
    room = max(width - indent, 8)

    def row(key: str, text: str) -> Content:
        wrapped = textwrap.wrap(text, room) or [""]
        hanging = "".join(f"\n{' ' * indent}{line}" for line in wrapped[1:])
        head = Content.styled(f"  {key:<{keys}}", "$text-accent")
        if len(key) > keys:  # too long for the column: the description starts under it
            return head + f"\n{' ' * indent}{wrapped[0]}{hanging}\n"
        return head + f"  {wrapped[0]}{hanging}\n"

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
