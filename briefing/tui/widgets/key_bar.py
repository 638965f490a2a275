"""A one-line footer of the keys that work now.

Textual's ``Footer`` builds one widget per key and rebuilds them all on every
binding change. In this reader keys change on section switches and cursor
moves, and those rebuilds were most of the cost of a switch and of start-up
(and of the bytes sent over SSH). One widget drawing one line does the same job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

PALETTE = "command_palette"


@dataclass(frozen=True)
class Part:
    """One key on the bar: what is drawn, the key a click presses, its action."""

    content: Content
    key: str
    action: str


class KeyBar(Static):
    """Keys of the screen it sits on; a click on a key presses it."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $reader-bar;
        color: $reader-key-text;  /* and its keys in $reader-key: at AA, see tui/colours.py */
    }
    """

    def __init__(self, drop_first: Sequence[str] = ()) -> None:
        """``drop_first``: actions whose keys go first when the bar is too narrow for all.

        Then the palette hint goes, then keys from the right; the help key always stays,
        so the way to every other key is on screen.
        """
        super().__init__()
        self._drop_first = tuple(drop_first)
        self._spans: list[tuple[int, int, str]] = []  # x from, x to, key to simulate
        self._drawn: tuple[object, ...] = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # The screen's other widgets (which its check_action asks about) mount after us.
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._bindings_changed(self.screen)  # redrawn only if the width changed

    def _bindings_changed(self, screen: Screen[object]) -> None:
        shown: dict[str, tuple[str, str, str, bool]] = {}  # action -> key, label, text, on
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.show and binding.action not in shown:
                label = self.app.get_key_display(binding)
                shown[binding.action] = (key, label, binding.description, active.enabled)
        palette = self.app.ENABLE_COMMAND_PALETTE
        drawn = (tuple(shown.values()), palette, self.size.width)
        if drawn == self._drawn:
            return  # nothing visible changed: no redraw, no bytes to the terminal
        self._drawn = drawn
        parts: list[Part] = []
        for action, (key, label, text, enabled) in shown.items():
            drawn_key = Content.assemble((f" {label} ", "bold $reader-key"), (f"{text} ", ""))
            parts.append(Part(drawn_key.stylize("dim") if not enabled else drawn_key, key, action))
        if palette:
            hint = Content.styled(" ^p palette", "$reader-key-text")
            parts.append(Part(hint, "ctrl+p", PALETTE))
        fitting = self._fitting(parts)
        self._spans = []
        x = 0
        for part in fitting:
            self._spans.append((x, x + part.content.cell_length, part.key))
            x += part.content.cell_length
        content = Content("").join(part.content for part in fitting)
        self.update(content, layout=False)  # one line, always: no relayout

    def _fitting(self, parts: list[Part]) -> list[Part]:
        """The keys that fit the width, in their order (see ``__init__`` for which go)."""
        width = self.size.width
        kept = list(parts)

        def too_wide() -> bool:
            return sum(part.content.cell_length for part in kept) > width > 0

        for action in (*self._drop_first, PALETTE):
            if too_wide():
                kept = [part for part in kept if part.action != action]
        while too_wide() and len(kept) > 1:
            droppable = [i for i, part in enumerate(kept) if part.action != "help"]
            kept.pop(droppable[-1] if droppable else -1)
        return kept

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
