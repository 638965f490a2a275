"""A child process for the reliability tests: add notes, print each id once saved.

    python -m tests.helpers.note_writer ROOT USER COUNT [--wait]

Prints ``ready`` once the store is open, then (after a line on stdin if
``--wait`` is given, so that several writers can start together) adds COUNT
notes (0: until killed), printing each id and flushing only after
``Store.add_annotation`` has returned, i.e. after the note is on disk.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from briefing.store.facade import Store

SLUG = "russia-dprk-pact"
SECTION = "un-veto"


def main(argv: list[str]) -> int:
    root, user, count = Path(argv[0]), argv[1], int(argv[2])
    store = Store(root, user)
    store.get(SLUG)  # the library is read before "ready", not during the writes
    print("ready", flush=True)
    if "--wait" in argv:
        sys.stdin.readline()
    numbers = itertools.count() if count == 0 else range(count)
    for number in numbers:
        start = number % 40
        note = store.add_annotation(SLUG, SECTION, start, start + 12, note=f"note {number}")
        print(note.id, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
