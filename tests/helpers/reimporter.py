"""A child process for the re-import kill test: it forks importers for the test to kill.

    python -m tests.helpers.reimporter ROOT FILE_A FILE_B

Parses the two revisions, prints ``ready``, then for every line read on stdin forks
an importer and waits for it. The importer opens its own store, prints
``started PID``, then imports FILE_A, FILE_B, FILE_A… printing ``imported`` after
each import returned, until killed. Once it is gone the parent prints
``ended SIGNAL`` (the signal number that ended it, 0 if it exited) and reads the
next line; at the end of stdin it exits.

Each importer is a process of its own, killed for real, with its own store, locks
and open files; forking it from a parent that has already imported the code and
parsed both files only spares it the interpreter's start-up, which the test kills
40 times and which holds no write worth interrupting.
"""

from __future__ import annotations

import itertools
import os
import sys
import traceback
from pathlib import Path

from briefing.core.ingest import load_file
from briefing.core.model import Briefing
from briefing.store.facade import Store


def importer(root: Path, revisions: list[tuple[Briefing, str]]) -> None:
    """Open a store and import the revisions in turn, forever."""
    store = Store(root, "importer")
    store.briefings()
    print(f"started {os.getpid()}", flush=True)
    for briefing, origin in itertools.cycle(revisions):
        store.import_briefings([(briefing, origin)])
        print("imported", flush=True)


def main(argv: list[str]) -> int:
    root, files = Path(argv[0]), [Path(p) for p in argv[1:3]]
    revisions = [(load_file(f), str(f)) for f in files]
    print("ready", flush=True)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:  # the importer: it never returns to this loop
            try:
                importer(root, revisions)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        print(f"ended {os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
