"""Import time of a 1 MB paragraph: the file is parsed once (issue 17).

    python benchmarks/parse_once.py

Before the one-parse change, ingest parsed the whole file and then every section
again; a 1 MB paragraph of hard-wrapped short lines took 16.4 s, one of ``*a*``
emphasis 31.9 s (2 shared cores, under load).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from briefing.core.ingest import load_file

PARAGRAPHS = {"hard-wrapped lines ('word\\n')": "word\n", "emphasis ('*a* ')": "*a* "}


def main() -> None:
    for name, piece in PARAGRAPHS.items():
        body = piece * (1_000_000 // len(piece))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "big.md"
            path.write_text(f"# Big\n\nLead.\n\n## One\n\n{body}\n\n## Two\n\nshort\n", "utf-8")
            started = time.perf_counter()
            load_file(path)
            print(f"1 MB paragraph of {name}: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
