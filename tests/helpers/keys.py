"""Keys that arrive together, as a terminal (or SSH) delivers a burst typed fast.

``pilot.press`` waits for the app to go idle after every key, so a focus change a key
makes is always done before the next key is routed: it cannot show keys landing in the
wrong widget. :func:`keys_together` posts every key to the app at once, before it has
handled the first, as the driver does when one read from the terminal holds them all.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot

from briefing.tui.focus_keys import KeysInOrderApp

NAMED = {"tab": "\t", "enter": "\r", "escape": "\x1b", "space": " ", "backspace": "\x7f"}


def keys_together(app: App[object], *keys: str) -> None:
    """Post ``keys`` to ``app`` in one batch (single characters or key names)."""
    for key in keys:
        if len(key) == 1:
            event = events.Key(_character_to_key(key) if not key.isalnum() else key, key)
        else:
            event = events.Key(key, NAMED.get(key))
        event.set_sender(app)
        app.post_message(event)


async def handled(pilot: Pilot[object]) -> None:
    """Wait until every key posted has been dealt with (a loaded machine is slow to)."""
    app = pilot.app
    assert isinstance(app, KeysInOrderApp)
    for _ in range(200):
        await pilot.pause()
        if not app.keys_waiting:
            await pilot.pause()
            return
    raise AssertionError("the app never dealt with the keys")
