"""The real reader (``python -m briefing open``) on a pseudo-terminal of a given size."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path


def open_reader(
    data: Path, slug: str, section: str, size: tuple[int, int] = (80, 24)
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the reader on ``slug``'s ``section`` as user ``tester`` of ``data``, on a pty of
    ``size`` (columns, rows); the process and the pty's controlling end to read and write."""
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    inherited = ("TEXTUAL", "COLUMNS", "LINES")  # the size is the pty's, not the caller's
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(inherited)},
        "TERM": "xterm-256color",
        "BRIEFING_HOME": str(data),
        "BRIEFING_USER": "tester",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "briefing", "open", slug, section],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    return child, controller
