"""What the reader does when it is told to end: SIGHUP (the SSH connection or the
terminal went away) or SIGTERM (``briefing serve`` stopping, a shutdown).

Before exiting it keeps every open note editor's changed text as a draft
(offered back next time, :mod:`briefing.tui.editing`) and saves the reading
position. Without this, the default action of both signals ends the process at
once and both are lost. Light on purpose: installed at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from textual.app import App

SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def keep_everything(app: App[Any]) -> int:
    """Keep open drafts and save reading positions; how many drafts were kept."""
    from briefing.store.atomic import DataError

    kept = 0
    for screen in list(app.screen_stack):
        keep = getattr(screen, "keep", None)
        if keep is not None and getattr(screen, "changed", False):
            with contextlib.suppress(DataError):
                keep(screen.result())  # type: ignore[attr-defined]
                kept += 1
        save = getattr(screen, "save_position", None)
        if save is not None:
            save()
    return kept


def install(app: App[Any]) -> None:
    """Handle SIGHUP and SIGTERM on the app's loop (main thread only; else a no-op)."""

    def ended() -> None:
        keep_everything(app)
        app.exit(0)

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, ended)


def uninstall() -> None:
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.remove_signal_handler(signum)
