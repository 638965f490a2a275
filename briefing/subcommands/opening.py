"""The reader: ``briefing`` with no command, and ``briefing open SLUG [SECTION]``.

The one path from the command line to the TUI: Textual is imported here only, inside
:func:`read`, once the briefing is known to open and a terminal is there.
"""

from __future__ import annotations

import argparse
import sys

from briefing.core.config import load_config, theme_problem
from briefing.core.safetext import visible
from briefing.subcommands.common import Context, Failure


def read(context: Context, args: argparse.Namespace) -> int:
    """Open the reader, where the user left off or on ``SLUG [SECTION]``."""
    slug, section = getattr(args, "slug", None), getattr(args, "section", None)
    context.store.note_counts()  # a damaged file or a wrong slug is said first, as
    if slug is not None:  # it would be with a terminal
        if section:  # a title works as its key does
            section = context.store.section(slug, section).key
        else:
            context.store.get(slug)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise Failure("briefing needs a terminal; try `briefing show`")
    config = load_config()
    theme, problem = config.theme, theme_problem(config)
    if problem:  # said once, here; the reader opens in its default theme
        print(f"briefing: {visible(problem)}", file=sys.stderr)
        theme = ""
    from briefing.tui.launch import open_reader  # Textual loads only here

    return open_reader(context.store, slug, section, theme=theme)
