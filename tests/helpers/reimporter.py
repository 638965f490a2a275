"""A child process for the re-import kill test: import two revisions in turn, forever.

    python -m tests.helpers.reimporter ROOT FILE_A FILE_B

Prints ``ready`` once its store is open, then imports FILE_A, FILE_B, FILE_A…
printing ``imported`` after each import returned, until killed.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from briefing.core.ingest import load_file
from briefing.store.facade import Store


def main(argv: list[str]) -> int:
    root, files = Path(argv[0]), [Path(p) for p in argv[1:3]]
    store = Store(root, "importer")
    revisions = [(load_file(f), str(f)) for f in files]
    store.briefings()
    print("ready", flush=True)
    for briefing, origin in itertools.cycle(revisions):
        store.import_briefings([(briefing, origin)])
        print("imported", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
