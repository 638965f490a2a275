"""Issue #12, case 3: a killed re-import never leaves a note on the wrong text.

A child process re-imports two revisions of the bundled briefing in turn (the
second has a paragraph added at the top of every section, so every offset
moves) while 500 notes are on it; it is SIGKILLed at random moments, at least
40 times (each kill a process of its own, forked by ``tests/helpers/reimporter.py``).
After every kill, every anchored note is checked against the text of the
revision it is bound to: the current one, or an older one whose text is kept.
Then ``doctor`` says an import was interrupted, and ``--restore`` finishes it.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.core import anchoring
from briefing.core.rules import now_iso
from briefing.core.sentences import sentences
from briefing.store import revisions
from briefing.store.facade import Store
from briefing.store.records import annotation_record
from tests.conftest import BUNDLED, ROOT, SLUG
from tests.conftest import run_cli as cli

pytestmark = pytest.mark.system
KILLS = 40
NOTES = 500
HELPER = Path(__file__).parent / "helpers" / "reimporter.py"


def _revised(tmp_path: Path) -> tuple[Path, Path]:
    source = BUNDLED.read_text(encoding="utf-8")
    first = tmp_path / "a" / f"{SLUG}.md"
    second = tmp_path / "b" / f"{SLUG}.md"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(source, encoding="utf-8")
    added = re.sub(
        r"^(## .+)$", r"\1\n\nA paragraph added in the second revision.", source, flags=re.M
    )
    assert added != source
    second.write_text(added, encoding="utf-8")
    return first, second


def _plant_notes(store: Store) -> None:
    briefing = store.get(SLUG)
    current = revisions.revision_of(briefing)
    spans = [(s, span) for s in briefing.sections for span in sentences(s.text)]
    rng = random.Random(12)
    from briefing.core.model import Annotation

    records = []
    for number in range(NOTES):
        section, (start, end) = rng.choice(spans)
        anchor = anchoring.make_anchor(section.text, start, end)
        records.append(
            annotation_record(
                Annotation(
                    f"n{number:04d}",
                    "tester",
                    SLUG,
                    section.key,
                    anchor,
                    note=f"note {number}",
                    created=now_iso(),
                    updated=now_iso(),
                    version=1,
                    revision=current,
                )
            )
        )
    with store._notes(SLUG).transaction() as db:
        db.table("annotations").insert_multiple(records)


def _check(store: Store, context: str) -> int:
    """Every note there once, and every anchored one on the text it is bound to.
    Returns how many are still on an older revision."""
    data = json.loads(store.paths.notes_file("tester", SLUG).read_bytes())
    records = list(data["annotations"].values())
    ids = [r["id"] for r in records]
    assert sorted(ids) == [f"n{n:04d}" for n in range(NOTES)], f"{context}: notes lost or doubled"
    fresh = Store(store.paths.root, "tester")
    briefing = fresh.get(SLUG)
    current = revisions.revision_of(briefing)
    waiting = 0
    for record in records:
        if record["status"] != "anchored":
            continue
        if record["revision"] == current:
            section = briefing.section(record["section"])
            text = section.text if section else None
        else:
            kept = revisions.texts(store.paths.root, SLUG, record["revision"])
            assert kept is not None, f"{context}: {record['id']} on a revision whose text is gone"
            text = kept.get(record["section"])
            waiting += 1
        assert text is not None and text[record["start"] : record["end"]] == record["quote"], (
            f"{context}: note {record['id']} is on the wrong text"
        )
    # What every reader and the CLI are shown: always on the current text.
    for note in fresh.annotations(SLUG):
        if note.status == "anchored":
            section = briefing.section(note.section)
            assert section is not None and section.text[note.start : note.end] == note.quote
    return waiting


def test_sigkills_during_reimport_of_500_notes_leave_none_on_the_wrong_text(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plant_notes(store)
    first, second = _revised(tmp_path)
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    argv = [sys.executable, str(HELPER), str(store.paths.root), str(first), str(second)]
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    interrupted = 0
    span = 0.1  # seconds of importing to kill within: two imports, learnt from the first runs
    forker = subprocess.Popen(
        argv,
        env={**os.environ, "PYTHONPATH": path},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert forker.stdin is not None and forker.stdout is not None
    pid = 0
    try:
        assert forker.stdout.readline() == b"ready\n", forker.communicate()[1]
        for kill in range(KILLS):
            forker.stdin.write(b"start\n")  # a fresh importer process, and its pid
            forker.stdin.flush()
            line = forker.stdout.readline()
            assert line.startswith(b"started "), line + forker.communicate()[1]
            pid = int(line.split()[1])
            started = time.monotonic()
            if kill < 2:  # learn how long one import takes here, under this load
                assert forker.stdout.readline() == b"imported\n", forker.communicate()[1]
                span = max(span, 2 * (time.monotonic() - started))
            time.sleep(rng.uniform(0, span))
            os.kill(pid, signal.SIGKILL)
            while (line := forker.stdout.readline()) == b"imported\n":
                pass
            assert line == b"ended %d\n" % signal.SIGKILL, line + forker.communicate()[1]
            pid = 0
            waiting = _check(store, f"seed {seed}, kill {kill + 1}")
            interrupted += waiting > 0
    finally:  # a failed assertion leaves no importer running
        if pid:
            os.kill(pid, signal.SIGKILL)
        forker.kill()
        forker.communicate()

    code, out, _ = cli(capsys, "doctor", "--restore", "--yes")
    assert code == 0, out
    code, out, _ = cli(capsys, "doctor")
    assert code == 0 and "data files are good" in out, out
    assert _check(store, "after doctor --restore") == 0
    print(
        f"\nre-import kill test (seed {seed}): {KILLS} SIGKILLs, {NOTES} notes, none lost or"
        f" on the wrong text; {interrupted} kills left notes waiting on a kept revision"
    )


def test_doctor_tells_an_interrupted_reimport_and_restore_finishes_it(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plant_notes(store)
    _, second = _revised(tmp_path)
    from briefing.core.ingest import load_file

    with pytest.MonkeyPatch.context() as patch:  # killed right after the library write
        patch.setattr(
            store, "_reanchor_all_users", lambda briefing: (_ for _ in ()).throw(KeyboardInterrupt)
        )
        with pytest.raises(KeyboardInterrupt):
            store.import_briefings([(load_file(second), "second")])
    assert _check(store, "interrupted") == NOTES
    code, out, _ = cli(capsys, "doctor")
    assert code == 1
    assert f"{NOTES} notes are still on an older revision of {SLUG!r}" in out
    code, out, _ = cli(capsys, "doctor", "--restore")
    assert code == 0 and f"re-anchored the notes on {SLUG!r}" in out
    assert _check(store, "finished") == 0
    assert not list((store.paths.root / "revisions" / SLUG).glob("*.json"))
