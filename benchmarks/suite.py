"""Where the test suite's time goes: per test, wall time against CPU time.

    python benchmarks/suite.py [PYTEST ARGS]     e.g.  -n auto,  -n 0 tests/test_serve.py

Runs pytest with this module as a plugin (in every xdist worker too), which records for each
test its wall time, the CPU time of the worker (all its threads) and the CPU time of the
child processes it waited for. Then prints the suite's wall time, the tests that take
longest, the tests that wait longest (wall - CPU - children: sleeps, timers, the pilot's
idle waits, handshakes, or, under load, other processes), and the totals per file.

A test that waits a lot costs a worker its time without using a core: on 2 cores, ``-n auto``
(2 workers) finishes near (CPU + waits) / 2. Timings under load are inflated: say so.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDS = "BRIEFING_SUITE_RECORDS"
SHOWN = 25


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """Record one test, its fixtures' set-up and tear-down included."""
    folder = os.environ.get(RECORDS)
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    yield
    if folder is None:
        return
    record = {
        "test": item.nodeid,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "children": _children_cpu() - children,
    }
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(Path(folder) / f"{worker}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def _report(records: list[dict[str, Any]], elapsed: float) -> None:
    def waited(record: dict[str, Any]) -> float:
        return float(record["wall"] - record["cpu"] - record["children"])

    total = {key: sum(r[key] for r in records) for key in ("wall", "cpu", "children")}
    print(
        f"\n{len(records)} tests in {elapsed:.1f} s wall (load {os.getloadavg()[0]:.2f} at the"
        f" end); summed over the tests: {total['wall']:.1f} s wall, {total['cpu']:.1f} s CPU,"
        f" {total['children']:.1f} s CPU of child processes"
    )

    def row(r: dict[str, Any]) -> str:
        times = f"{r['wall']:6.2f} {r['cpu']:6.2f} {r['children']:6.2f} {waited(r):6.2f}"
        return f"{times}  {r['test']}"

    print(f"\n{'wall':>6} {'cpu':>6} {'kids':>6} {'waits':>6}  longest tests")
    for r in sorted(records, key=lambda r: -r["wall"])[:SHOWN]:
        print(row(r))
    print(f"\n{'wall':>6} {'cpu':>6} {'kids':>6} {'waits':>6}  tests that wait longest")
    for r in sorted(records, key=lambda r: -waited(r))[:SHOWN]:
        print(row(r))
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for r in records:
        row = files[r["test"].split("::")[0]]
        row[0] += 1
        row[1] += r["wall"]
        row[2] += r["cpu"]
        row[3] += r["children"]
    print(f"\n{'tests':>5} {'wall':>7} {'cpu':>7} {'kids':>7} {'waits':>7}  per file")
    for name, (count, wall, cpu, kids) in sorted(files.items(), key=lambda kv: -kv[1][1]):
        print(f"{count:5d} {wall:7.2f} {cpu:7.2f} {kids:7.2f} {wall - cpu - kids:7.2f}  {name}")


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="suite-records-") as folder:
        env = {**os.environ, RECORDS: folder}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        started = time.perf_counter()
        code = subprocess.call(
            [sys.executable, "-m", "pytest", "-p", "benchmarks.suite", "-q", *argv],
            cwd=ROOT,
            env=env,
        )
        elapsed = time.perf_counter() - started
        records = [
            json.loads(line)
            for path in Path(folder).glob("*.jsonl")
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
    if records:
        _report(records, elapsed)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
