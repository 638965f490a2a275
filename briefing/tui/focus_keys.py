"""Keys are handled one at a time, in order: a key that moves the focus moves it before the
next key is routed, so the keys after it reach the newly focused widget.

Textual routes each key to the widget focused *when the app takes the key from its queue*;
the widget handles it later, in its own queue, and a key the widget does not use bubbles
back up to the screen's and the app's bindings. A key that moves the focus (Tab, ``t`` to
the tag filter, Enter leaving a field) does so only then, and by that time the keys typed
after it, which a terminal delivers together when typed fast or over SSH, are already
queued at the old widget: tags typed after Tab went into the note, a tag typed after ``t``
fired ``c`` and ``h``.

:class:`KeysInOrderApp` holds each key from the terminal until the previous one has been
dealt with: every message queue of the app and of the screen on top is empty, and no key is
being handled by the app's bindings. Then it routes the next one, to whatever has the focus
now. A single key waits for nothing; only a burst is paced, at the speed the app handles it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TypeVar

from textual import events
from textual.app import App

ReturnType = TypeVar("ReturnType")

#: Times a held key waits for the app to settle (each a turn of the event loop, not a
#: time) before it is routed anyway: a widget that is never idle must not eat the keys.
PATIENCE = 1000


class KeysInOrderApp(App[ReturnType]):
    """An app that routes the terminal's keys one at a time (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._held: deque[events.Key] = deque()
        self._released: events.Key | None = None  # posted to route, not yet routed
        self._pacing = False  # a release is scheduled
        self._keys_in_hand = 0  # keys the app's bindings are handling now

    @property
    def keys_waiting(self) -> bool:
        """Whether keys from the terminal are held, or the last one is still being dealt with."""
        return bool(self._held) or not self._settled()

    def _settled(self) -> bool:
        """Whether every key so far, and what it set off, has been dealt with."""
        if self._released is not None or self._keys_in_hand or self.message_queue_size:
            return False
        try:
            screen = self.screen
        except Exception:  # no screen yet, or closing: nothing to wait for
            return True
        return all(not node.message_queue_size for node in screen.walk_children(with_self=True))

    async def on_event(self, event: events.Event) -> None:
        """Hold a key from the terminal until the ones before it are dealt with."""
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
        elif event is self._released:
            try:
                await super().on_event(event)  # route it (priority bindings run here)
            finally:
                self._released = None
        elif not self._held and self._settled():
            await super().on_event(event)
        else:
            self._held.append(event)
            self._pace()

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        """A key's bindings run (an action may await): the next key waits for them."""
        self._keys_in_hand += 1
        try:
            return await super()._check_bindings(key, priority)
        finally:
            self._keys_in_hand -= 1

    def _pace(self) -> None:
        if not self._pacing:
            self._pacing = True
            asyncio.get_running_loop().call_soon(self._release, 0)

    def _release(self, tries: int) -> None:
        """Route the next held key once the app has settled (or has been busy too long)."""
        if not self._held or not self.is_running:
            self._pacing = False
            return
        if not self._settled() and tries < PATIENCE:
            asyncio.get_running_loop().call_soon(self._release, tries + 1)
            return
        key = self._held.popleft()
        self._released = key
        self.post_message(key)
        asyncio.get_running_loop().call_soon(self._release, 0)
