"""Waiting in pilot tests for what a user would wait for: a condition, polled, never a time."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

#: How often a condition is looked at, and how many looks before the test gives up
#: (some 10 s on an idle machine, longer under load: each look waits for the app too).
STEP = 0.02
LOOKS = 500


async def until(pilot: Pilot[object], condition: Callable[[], bool], what: str) -> None:
    """Pause until ``condition()`` holds; fail, naming ``what``, if it never does."""
    for _ in range(LOOKS):
        if condition():
            return
        await pilot.pause(STEP)
    if not condition():
        pytest.fail(f"the reader never showed {what}")


async def resize(pilot: Pilot[object], width: int, height: int) -> None:
    """Resize the terminal, then wait until the screen is laid out at the new size.

    Textual applies a resize 1/120 s after it arrives, and a pause may end before that.
    """
    await pilot.resize_terminal(width, height)
    size = (width, height)
    await until(pilot, lambda: pilot.app.screen.size == size, f"the screen at {width}x{height}")
    await pilot.pause()
