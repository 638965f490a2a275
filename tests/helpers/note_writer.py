"""A child process for the reliability tests: add notes, print each id once saved.

    python -m tests.helpers.note_writer ROOT USER COUNT [--wait | --fork]

Prints ``ready`` once the store is open, then (after a line on stdin if
``--wait`` is given, so that several writers can start together) adds COUNT
notes (0: until killed), printing each id and flushing only after
``Store.add_annotation`` has returned, i.e. after the note is on disk.

With ``--fork`` it prints ``ready`` at once, and for every line read on stdin
forks such a writer and waits for it: the writer opens its own store, prints
``started PID`` instead of ``ready``, then writes as above; once it is gone the
parent prints ``ended SIGNAL`` (0 if it exited). Each writer is still a process
of its own, killed for real; forking only spares it the interpreter's start-up.
"""

from __future__ import annotations

import itertools
import os
import sys
import traceback
from pathlib import Path

from briefing.store.facade import Store

SLUG = "russia-dprk-pact"
SECTION = "un-veto"


def write(root: Path, user: str, count: int, *, ready: str, wait: bool) -> None:
    """Open a store, say ``ready``, and add ``count`` notes (0: forever)."""
    store = Store(root, user)
    store.get(SLUG)  # the library is read before "ready", not during the writes
    print(ready, flush=True)
    if wait:
        sys.stdin.readline()
    numbers = itertools.count() if count == 0 else range(count)
    for number in numbers:
        start = number % 40
        note = store.add_annotation(SLUG, SECTION, start, start + 12, note=f"note {number}")
        print(note.id, flush=True)


def fork_writers(root: Path, user: str, count: int) -> None:
    """Fork a writer for every line on stdin, one at a time, and say how each ended."""
    print("ready", flush=True)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:  # the writer: it never returns to this loop
            try:
                write(root, user, count, ready=f"started {os.getpid()}", wait=False)
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(f"ended {os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0}", flush=True)


def main(argv: list[str]) -> int:
    root, user, count = Path(argv[0]), argv[1], int(argv[2])
    if "--fork" in argv:
        fork_writers(root, user, count)
    else:
        write(root, user, count, ready="ready", wait="--wait" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
