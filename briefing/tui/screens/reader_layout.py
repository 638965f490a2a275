"""Which side panes the reader shows at a terminal width: pure, so it is tested without one.

Wide (110 columns and more): both panes, as the user left them. Narrow: one side pane at a
time, so the text keeps its columns. Tiny (under 60): the panes fold away and the text takes
the whole width; a toggle shows one pane as an overlay over the text, until it is toggled
again, Esc, or a section or note is chosen in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: Below this width only one side pane shows at a time.
NARROW = 110
#: Below this width side panes fold away and show only as an overlay.
TINY = 60
PANES = ("contents", "notes")


@dataclass(frozen=True)
class PaneLayout:
    """What shows: each side pane, and how (``overlay``: over the text, not beside it)."""

    contents: bool
    notes: bool
    narrow: bool
    overlay: bool


def pane_layout(width: int, wanted: Mapping[str, bool], overlay: str | None) -> PaneLayout:
    """The layout at ``width``: ``wanted`` holds the panes the user showed or hid beside
    the text; ``overlay`` the pane shown over it in a tiny terminal, if any."""
    if width < TINY:
        return PaneLayout(overlay == "contents", overlay == "notes", True, True)
    narrow = width < NARROW
    contents = wanted.get("contents", True)
    notes = wanted.get("notes", not narrow)
    if narrow and contents and notes:
        notes = False
    return PaneLayout(contents, notes, narrow, False)
