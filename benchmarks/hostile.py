"""Hostile-input timings: what the tests in tests/test_hostile.py check for correctness only.

    python benchmarks/hostile.py

Each row imports a generated file through the CLI into a fresh data folder and times it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

from briefing.cli import main as cli
from briefing.core import ingest


def _run(*argv: str) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cli(list(argv))
    return time.perf_counter() - started


def main() -> int:
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["BRIEFING_HOME"] = str(tmp / "data")
        os.environ["BRIEFING_USER"] = "bench"
        words = "lorem *ipsum* dolor \x1b[5m sit amet, `consectetur` adipiscing elit "
        line = (words * (1_000_000 // len(words) + 1))[:1_000_000]
        one_line = tmp / "one-long-line.md"
        one_line.write_text(f"# Long\n\n## Only\n\n{line}\n", encoding="utf-8")
        elapsed = _run("import", str(one_line)) + _run("show", "one-long-line")
        rows.append(("1 MB one-line paragraph: import + show", f"{elapsed:.2f} s", "< 15 s"))

        many = tmp / "a-thousand-sections.md"
        many.write_text(
            "# Many\n\n"
            + "".join(
                f"## Section {n}\n\nText of section {n}.\n\n" for n in range(ingest.MAX_SECTIONS)
            ),
            encoding="utf-8",
        )
        elapsed = _run("import", str(many)) + _run("show", "a-thousand-sections", "section-999")
        rows.append(("1,000 sections: import + show one", f"{elapsed:.2f} s", "< 10 s"))

        too_many = tmp / "ten-thousand-sections.md"
        too_many.write_text(
            "# Many\n\n" + "".join(f"## Section {n}\n\nText {n}.\n\n" for n in range(10_000)),
            encoding="utf-8",
        )
        rows.append(
            ("10,000 sections: refused", f"{_run('import', str(too_many)):.2f} s", "< 10 s")
        )
    for name, figure, target in rows:
        print(f"| {name:<42} | {figure:>8} | {target:<7} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
