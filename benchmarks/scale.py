"""The cost of one session as the library grows (issue 18), measured.

    python benchmarks/run.py scale           # 1 and 2,000 briefings
    BRIEFING_SCALE=1,2000,10000 python benchmarks/run.py scale

Generates a library of N briefings x 5 sections (about 16 KB of Markdown each, a
fixed seed, cached under $TMPDIR/briefing-scale-N/md), imports it into a fresh
data folder (timed), then times the printing commands and the reader in a pty
at 100x30: first frame until the first body text is on screen, RSS after start
and after one global search. Every library also holds the bundled briefing,
which is the one shown and opened.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import ROOT, PtyProcess, Row, reader_env  # type: ignore[import-not-found]

SIZES_ENV = "BRIEFING_SCALE"
DEFAULT_SIZES = (1, 2000)
SECTIONS = 5
SLUG = "russia-dprk-pact"
FIRST_BODY = b"On Wednesday"
RUNS = 5
#: A word of the bundled briefing found in few sections: "veto" is in most generated ones,
#: so its figure is mostly printing thousands of hits; this one is the index's lookup.
RARE = "pyongyang"

_COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "was",
    "are",
    "be",
    "this",
    "it",
    "an",
    "which",
    "has",
    "have",
    "said",
    "not",
    "but",
    "its",
    "were",
    "their",
    "been",
    "more",
    "after",
    "would",
    "also",
    "who",
    "will",
    "other",
    "they",
    "over",
]
_TOPICS = [
    "treaty",
    "veto",
    "sanctions",
    "missile",
    "council",
    "pact",
    "assistance",
    "aggression",
    "partnership",
    "security",
    "exercises",
    "doctrine",
    "alliance",
    "envoy",
    "summit",
    "pipeline",
    "tariff",
    "ceasefire",
    "drone",
    "satellite",
    "border",
    "election",
    "ministry",
    "parliament",
    "cable",
    "shipping",
    "grain",
    "uranium",
    "reactor",
    "refugees",
    "militia",
    "corridor",
    "embargo",
    "pipeline",
    "negotiation",
    "referendum",
    "coalition",
    "frigate",
    "garrison",
    "airbase",
]


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 11))))
    return sorted(words)


def generate(count: int, folder: Path) -> Path:
    """``count`` Markdown briefings in ``folder`` (made once, then reused)."""
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(18)
    rare = _vocabulary(rng)
    for n in range(count):
        topic = rng.sample(_TOPICS, 3)
        parts = [
            "---",
            f"title: Briefing {n} on {topic[0]} and {topic[1]}",
            f"date: 2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
            f"tags: [{', '.join(topic)}]",
            "---",
            "",
            f"# Briefing {n} on {topic[0]} and {topic[1]}",
            "",
            f"- A lead point about {topic[2]}.",
            "",
        ]
        for s in range(SECTIONS):
            parts += [f"## {rng.choice(_TOPICS).capitalize()} part {s}", ""]
            for _ in range(5):
                words = [
                    rng.choice(_COMMON) if rng.random() < 0.55 else rng.choice(rare)
                    for _ in range(95)
                ]
                words += [rng.choice(_TOPICS) for _ in range(10)]
                rng.shuffle(words)
                parts += [" ".join(words).capitalize() + ".", ""]
        (folder / f"b{n:05d}.md").write_text("\n".join(parts), encoding="utf-8")
    done.write_text("ok")
    return folder


def _cli(data: Path, *args: str) -> tuple[float, int, float]:
    """Seconds, peak RSS (KB) and CPU seconds (with its worker processes) of one CLI run.

    CPU time is what load on the machine does not inflate: compare it across runs."""
    env = reader_env(data)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "briefing", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"briefing {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def _median_cli(data: Path, *args: str) -> tuple[float, int, float]:
    runs = [_cli(data, *args) for _ in range(RUNS)]
    return (
        statistics.median(r[0] for r in runs),
        max(r[1] for r in runs),
        statistics.median(r[2] for r in runs),
    )


def _parsing(source: Path) -> float:
    """Seconds to parse every file of ``source`` in this process: import's share that
    belongs to ``core.ingest``, not to the store."""
    from briefing.core.ingest import load_file

    started = time.perf_counter()
    for path in sorted(source.glob("*.md")):
        load_file(path)
    return time.perf_counter() - started


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _reader(data: Path) -> tuple[float, int, int]:
    """First frame (s), RSS after start and after a global search (KB)."""
    child = PtyProcess(
        [sys.executable, "-m", "briefing", "open", SLUG, "treaty-terms"],
        reader_env(data),
        size=(100, 30),
    )
    try:
        frame = child.first_frame(FIRST_BODY)
        started_rss = _rss_kb(child.process.pid)
        child.send(b"\x06")  # ctrl+f: search every briefing
        child.read_until(b"Type to search")
        time.sleep(0.5)
        child.output.clear()
        child.send(b"veto")
        child.read_until("›".encode(), timeout=120)  # a result row: "Title › Section"
        settle = time.perf_counter() + 1.0  # not drain(): the query line's cursor blinks
        while time.perf_counter() < settle:
            child._read(0.1)
        searched_rss = _rss_kb(child.process.pid)
    finally:
        child.close()
    return frame, started_rss, searched_rss


def _shown(data: Path) -> float:
    """Seconds until the reader's first body text is on screen (``run.py startup``'s)."""
    child = PtyProcess(
        [sys.executable, "-m", "briefing", "open", SLUG, "treaty-terms"],
        reader_env(data),
        size=(100, 30),
    )
    try:
        return child.read_until(FIRST_BODY)
    finally:
        child.close()


def _shown_against_one(data: Path, name: str) -> Row:
    """The reader's first body text in this library against a library of the bundled
    briefing alone, started alternately (7 laps, after one not counted), so both see the
    same load: the goal's 'within 10% of the one-briefing case'."""
    one = Path(tempfile.mkdtemp(prefix="briefing-scale-1-data-"))
    try:
        _cli(one, "import", str(ROOT / "content"))
        here, alone = [], []
        for lap in range(8):
            shown = _shown(data), _shown(one)
            if lap:
                here.append(shown[0])
                alone.append(shown[1])
    finally:
        shutil.rmtree(one, ignore_errors=True)
    ratio = statistics.median(here) / statistics.median(alone)
    figure = f"{ratio:.2f}x ({statistics.median(here):.2f} / {statistics.median(alone):.2f} s)"
    return (f"scale {name}: reader body text shown, against 1 briefing", figure, "<= 1.10x")


def measure(count: int) -> list[Row]:
    """Every row of the issue's table for a library of ``count`` briefings."""
    tmp = Path(tempfile.gettempdir())
    data = Path(tempfile.mkdtemp(prefix=f"briefing-scale-{count}-data-"))
    rows: list[Row] = []
    name = f"{count:,} briefing{'s' if count != 1 else ''}"
    try:
        if count > 1:
            source = generate(count - 1, tmp / f"briefing-scale-{count}" / "md")
            seconds, _, cpu = _cli(data, "import", str(source))
            rows.append((f"scale {name}: import", f"{seconds:.1f} s ({cpu:.1f} s CPU)", "< 15 s"))
            rows.append((f"scale {name}: import, parsing alone", f"{_parsing(source):.1f} s", ""))
        else:
            _cli(data, "import", str(ROOT / "content"))
        for label, args in (("list", ["list"]), ("show", ["show", SLUG])):
            seconds, rss, cpu = _median_cli(data, *args)
            figure = f"{seconds:.2f} s ({cpu:.2f} s CPU) {rss // 1024} MB"
            rows.append((f"scale {name}: {label}", figure, "< 0.2 s"))
        seconds, rss, cpu = _median_cli(data, "search", "veto")
        figure = f"{seconds:.2f} s ({cpu:.2f} s CPU) {rss // 1024} MB"
        rows.append((f"scale {name}: search veto", figure, "< 0.2 s"))
        seconds, _, cpu = _median_cli(data, "search", RARE)
        figure = f"{seconds:.2f} s ({cpu:.2f} s CPU)"
        rows.append((f"scale {name}: search {RARE} (a few hits)", figure, "< 0.2 s"))
        frames, starts, searches = [], [], []
        for _ in range(3):
            frame, started_rss, searched_rss = _reader(data)
            frames.append(frame)
            starts.append(started_rss)
            searches.append(searched_rss)
        rows.append((f"scale {name}: reader first frame", f"{statistics.median(frames):.2f} s", ""))
        if count > 1:
            rows.append(_shown_against_one(data, name))
        rows.append(
            (
                f"scale {name}: reader RSS start / searched",
                f"{statistics.median(starts) // 1024} / {statistics.median(searches) // 1024} MB",
                "",
            )
        )
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return rows


def scale() -> list[Row]:
    sizes = os.environ.get(SIZES_ENV)
    counts = [int(s) for s in sizes.split(",")] if sizes else list(DEFAULT_SIZES)
    rows: list[Row] = []
    for count in counts:
        rows.extend(measure(count))
    return rows
