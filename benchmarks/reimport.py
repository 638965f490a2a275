"""Re-import with many notes on one briefing: time to re-anchor, and a ``notes add`` meanwhile.

    python benchmarks/reimport.py                # 1,000 and 10,000 notes
    python benchmarks/reimport.py --notes 2000 4000

For each count: a fresh data folder holds the bundled briefing with N notes on
its sentences (one user), then a revision with a paragraph added at the top of
every section (so every note moves) is imported through ``Store.import_briefings``.
Printed per row: the whole import (wall and this process's CPU time, which load on
the machine does not inflate), the longest any one lock was held for
(the notes file's write), and how long a ``notes add`` from a second process,
started as the import starts, took to return. Goal (issue #12): 10,000 notes
re-anchored in under 2 s; the ``notes add`` never times out.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from briefing.core import anchoring
from briefing.core.ingest import parse_briefing
from briefing.core.model import Annotation
from briefing.core.rules import now_iso
from briefing.core.sentences import sentences
from briefing.store import atomic, revisions
from briefing.store.facade import Store
from briefing.store.importing import ensure_library
from briefing.store.records import annotation_record

ROOT = Path(__file__).resolve().parents[1]
SLUG = "russia-dprk-pact"
SOURCE = ROOT / "content" / f"{SLUG}.md"


def plant(store: Store, count: int) -> None:
    briefing = store.get(SLUG)
    current = revisions.revision_of(briefing)
    spans = [(s, span) for s in briefing.sections for span in sentences(s.text)]
    rng = random.Random(1)
    stamp = now_iso()
    records = []
    for number in range(count):
        section, (start, end) = rng.choice(spans)
        anchor = anchoring.make_anchor(section.text, start, end)
        note = Annotation(
            f"n{number:06d}", "bench", SLUG, section.key, anchor,
            note=f"note {number}", created=stamp, updated=stamp, version=1, revision=current,
        )  # fmt: skip
        records.append(annotation_record(note))
    with store._notes(SLUG).transaction() as db:
        db.table("annotations").insert_multiple(records)


@contextmanager
def lock_timing(held: list[float]) -> Any:
    """Record how long each lock is held, by wrapping ``atomic.locked``."""
    real = atomic.locked

    @contextmanager
    def timed(path: Path, timeout: float = atomic.LOCK_TIMEOUT) -> Any:
        with real(path, timeout):
            started = time.perf_counter()
            try:
                yield
            finally:
                held.append(time.perf_counter() - started)

    import briefing.store.files as files

    atomic.locked, files.locked = timed, timed  # type: ignore[assignment]
    try:
        yield
    finally:
        atomic.locked, files.locked = real, real  # type: ignore[assignment]


def row(count: int) -> str:
    with tempfile.TemporaryDirectory(prefix="briefing-reimport-") as tmp:
        root = Path(tmp)
        store = Store(root, "bench")
        ensure_library(store)
        plant(store, count)
        source = SOURCE.read_text(encoding="utf-8")
        revised = re.sub(r"^(## .+)$", r"\1\n\nA paragraph added.", source, flags=re.M)
        briefing = parse_briefing(revised, slug=SLUG)
        env = {**os.environ, "BRIEFING_HOME": str(root), "BRIEFING_USER": "bench"}
        quote = sentences(store.section(SLUG, "un-veto").text)[0]
        words = store.section(SLUG, "un-veto").text[quote[0] : quote[1]]
        held: list[float] = []
        adder = subprocess.Popen(
            [sys.executable, "-m", "briefing", "notes", "add", SLUG, "un-veto", "--quote", words],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        add_started = time.perf_counter()
        add_done: list[float] = []
        waiter = threading.Thread(
            target=lambda: (adder.wait(), add_done.append(time.perf_counter()))
        )
        waiter.start()  # the add's own time, not the import's: it may end first
        with lock_timing(held):
            started, cpu = time.perf_counter(), time.process_time()
            (result,) = store.import_briefings([(briefing, "revised")])
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
        waiter.join()
        err = adder.stderr.read() if adder.stderr is not None else b""
        added = add_done[0] - add_started
        ok = "ok" if adder.returncode == 0 else f"FAILED: {err.decode().strip()}"
        return (
            f"{count:>7,} notes  re-import {took:6.2f} s ({cpu:5.2f} s CPU)"
            f"  longest lock {max(held):5.2f} s"
            f"  moved {result.moved:>6,}  concurrent notes add {added:5.2f} s ({ok})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    for count in args.notes:
        print(row(count), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
