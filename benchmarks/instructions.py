"""Start-up and printing costs counted in instructions: the same figure on a busy machine.

    python benchmarks/run.py instructions

Wall and CPU times move by 10-30% with the load of a shared 2-core machine; the number
of instructions a process executes (valgrind's callgrind, ``Ir``) does not. Each figure
is one run under valgrind (about 50 times slower than native), after a native run that
compiles the bytecode. An instruction is not a fixed time, so ratios between rows
are the figures to compare; on the machine these were first taken, 3.4 M instructions
took about 1 ms.

Rows:
- each printing command of ``run.py printing``, on the same data;
- start-up to the first frame with the section's text, under a pty at 100x30 (the
  process ends as that frame is written): the reader (``briefing open``), the bare
  Textual app of ``run.py startup``, and a *floor*, a Textual app that reads the same
  section from the store and shows its text in one Static, which no reader built on
  Textual and this store can start under.

Needs valgrind on PATH; without it the group prints one row saying so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import (  # type: ignore[import-not-found]
    BARE_APP,
    FIRST_BODY,
    PRINTING,
    SLUG,
    PtyProcess,
    Row,
    fresh_store,
    reader_env,
)

#: Ends the process as soon as a frame holding the needle is written, so that what is
#: counted is start-up alone (Textual writes each frame through its driver's write).
_UNTIL_SHOWN = """
import os, sys
from textual.drivers import linux_driver
_write = linux_driver.LinuxDriver.write
def write(self, data):
    _write(self, data)
    if {needle!r} in data:
        os._exit(0)
linux_driver.LinuxDriver.write = write
"""

READER = """
import briefing.cli
briefing.cli.main(["open", {slug!r}, "treaty-terms"])
"""

FLOOR = """
import os
from pathlib import Path
from textual.app import App
from textual.widgets import Static
from briefing.core.safetext import visible
from briefing.store.facade import Store
store = Store(Path(os.environ["BRIEFING_HOME"]), os.environ["BRIEFING_USER"])
section = store.section({slug!r}, "treaty-terms")
store.note_counts()
class Floor(App):
    def compose(self):
        yield Static(visible(section.text))
Floor().run()
"""


def _instructions(out: Path) -> int:
    text = out.read_text(encoding="utf-8")
    found = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no instruction count in {out}")
    return int(found.group(1))


def _counted(argv: list[str], env: dict[str, str], *, pty: bool) -> int:
    """Instructions ``argv`` executes, after one native run that compiles the bytecode."""
    with tempfile.TemporaryDirectory(prefix="briefing-ir-") as folder:
        out = Path(folder) / "callgrind.out"
        grind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv]
        for command in (argv, grind):
            if pty:
                child = PtyProcess(command, env, size=(100, 30))
                try:
                    child.process.wait(timeout=600)
                finally:
                    child.close()
            else:  # valgrind's own report goes to stderr: kept out of the table
                quiet = subprocess.DEVNULL if command is grind else None
                subprocess.run(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=quiet, check=True
                )
        return _instructions(out)


def instructions() -> list[Row]:
    """The rows of the module docstring."""
    if shutil.which("valgrind") is None:
        return [("instructions", "valgrind is not installed", "")]
    store = fresh_store()
    for quote in ("mutual defence assistance", "Pyongyang", "veto"):  # as run.py printing
        section = next(s for s in store.get(SLUG).sections if quote in s.text)
        start = section.text.index(quote)
        store.add_annotation(SLUG, section.key, start, start + len(quote), note=f"on {quote}")
    env = reader_env(store.paths.root)
    rows: list[Row] = []
    python = [sys.executable]
    floor = _counted([*python, "-c", "pass"], env, pty=False)
    rows.append(("instructions: python -c pass", f"{floor / 1e6:.0f} M", ""))
    for command in PRINTING:
        count = _counted([*python, "-m", "briefing", *command.split()], env, pty=False)
        rows.append((f"instructions: briefing {command}", f"{count / 1e6:.0f} M", ""))
    needle = FIRST_BODY.decode()
    starts = {
        "reader": READER.format(slug=SLUG),
        "bare app": BARE_APP,
        "floor": FLOOR.format(slug=SLUG),
    }
    counts: dict[str, int] = {}
    for name, program in starts.items():
        shown = needle if name != "bare app" else "bare app ready"
        code = _UNTIL_SHOWN.format(needle=shown) + program
        counts[name] = _counted([*python, "-c", code], env, pty=True)
        rows.append((f"instructions: start-up, {name}", f"{counts[name] / 1e6:.0f} M", ""))
    bare = counts["bare app"]
    rows.append(("instructions: reader / bare app", f"{counts['reader'] / bare:.2f}x", ""))
    rows.append(("instructions: floor / bare app", f"{counts['floor'] / bare:.2f}x", ""))
    return rows
