"""A one-line footer of the keys that work now.

Textual's ``Footer`` builds one widget per key and rebuilds them all on every
binding change. In this reader keys change on section switches and cursor
moves, and those rebuilds were most of the cost of a switch and of start-up
(and of the bytes sent over SSH). One widget drawing one line does the same job.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """Keys of the screen it sits on; a click on a key presses it."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []  # x from, x to, key to simulate
        self._drawn: tuple[object, ...] = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # The screen's other widgets (which its check_action asks about) mount after us.
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        shown: dict[str, tuple[str, str, str, bool]] = {}  # action -> key, label, text, on
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.show and binding.action not in shown:
                label = self.app.get_key_display(binding)
                shown[binding.action] = (key, label, binding.description, active.enabled)
        palette = self.app.ENABLE_COMMAND_PALETTE
        drawn = (tuple(shown.values()), palette)
        if drawn == self._drawn:
            return  # nothing visible changed: no redraw, no bytes to the terminal
        self._drawn = drawn
        parts: list[Content] = []
        self._spans = []
        x = 0
        for key, label, text, enabled in shown.values():
            part = Content.assemble((f" {label} ", "bold $footer-key-foreground"), (f"{text} ", ""))
            if not enabled:
                part = part.stylize("dim")
            parts.append(part)
            self._spans.append((x, x + part.cell_length, key))
            x += part.cell_length
        if palette:
            parts.append(Content.styled(" ^p palette", "$footer-description-foreground"))
            self._spans.append((x, x + parts[-1].cell_length, "ctrl+p"))
        self.update(Content("").join(parts), layout=False)  # one line, always: no relayout

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
