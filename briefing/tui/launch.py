"""Opening the reader from the command line, and the one start-up shortcut that needs both
sides of the Textual import.

Loading Textual and building the first screen allocate a large object graph, and each
automatic garbage collection walks all of it again: about 50 ms of start-up went to them
(``python benchmarks/run.py startup``). So collection is off from before Textual loads until
the reader's first frame; then everything built so far, which lives as long as the app, is
frozen (never walked again) and collection resumes. Both halves are here: the app only
calls back after its first frame. Importing this module does not load Textual.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.store.facade import Store


def open_reader(
    store: Store, slug: str | None = None, section: str | None = None, *, theme: str = ""
) -> int:
    """Run the reader with collection off until its first frame; its exit code.
    ``theme``: config.toml's, used until the user picks one in the reader."""
    gc.disable()
    try:
        from briefing.tui.app import run_reader  # Textual loads only here

        return run_reader(store, slug, section, after_first_frame=freeze_start_up, theme=theme)
    finally:
        gc.enable()


def freeze_start_up() -> None:
    """Freeze what start-up built and turn collection back on.

    No collection first: at 80x24 one took ~30 ms to free ~2,000 of 62,000 objects, which
    stay frozen instead. Frozen objects are never walked, so later collections no longer
    show as 40-60 ms stalls on key presses.
    """
    gc.freeze()
    gc.enable()
