"""Issue #6, storage half: a saved note is never lost, and damage is never made worse.

The crash and concurrency tests run real child processes
(``tests/helpers/note_writer.py``) against one data dir, because a lock or
an atomic rename can only be trusted when it is tested across processes.
"""

from __future__ import annotations

import datetime as real_dt
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

from briefing.core.ingest import parse_briefing
from briefing.core.rules import MAX_NOTE_CHARS
from briefing.store import files as store_module
from briefing.store.atomic import TEMP_SUFFIX, read_json
from briefing.store.facade import BACKUPS_KEPT, SCHEMA, Store, StoreError
from briefing.store.files import LIBRARY_SCHEMA
from tests.conftest import BUNDLED, ROOT, SLUG, quote_span, snapshot_files
from tests.conftest import run_cli as cli

WRITER = Path(__file__).parent / "helpers" / "note_writer.py"
SECTION = "un-veto"
KILLS = 20


# -- helpers -------------------------------------------------------------


def start_writer(
    root: Path, count: int, *, wait: bool = False, ready: bool = True, fork: bool = False
) -> subprocess.Popen[bytes]:
    """Start ``note_writer.py``; with ``ready``, return once its store is open (with
    ``fork``, once it is ready to fork writers, one per line written to its stdin)."""
    argv = [sys.executable, str(WRITER), str(root), "tester", str(count)]
    if fork:
        argv.append("--fork")
    # The child must import the same source as this test, whatever is installed.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [*argv, "--wait"] if wait else argv,
        env={**os.environ, "PYTHONPATH": path},
        stdin=subprocess.PIPE if wait or fork else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    if ready:
        first = proc.stdout.readline()
        if first != b"ready\n":
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"writer did not start: {first!r} {err.decode(errors='replace')}")
    return proc


def complete_lines(raw: bytes) -> list[str]:
    """Ids the writer printed in full; a line cut by the kill does not count."""
    *whole, _partial = raw.split(b"\n")
    return [line.decode() for line in whole if line]


def stored_ids(path: Path) -> list[str]:
    data = json.loads(path.read_bytes())  # raises if the kill left bad JSON
    return [record["id"] for record in data["annotations"].values()]


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"duplicate JSON keys (TinyDB doc ids): {sorted(duplicates)}"
    return dict(pairs)


# -- 1. SIGKILL at random moments ------------------------------------------


def test_sigkill_at_random_moments_never_loses_a_saved_note(
    store: Store, data_dir: Path, request: pytest.FixtureRequest
) -> None:
    seed = int(os.environ.get("BRIEFING_TEST_SEED", "20261130"))  # replay: set it
    rng = random.Random(seed)
    notes = store.paths.notes_file("tester", SLUG)
    confirmed: list[str] = []  # every id a writer printed, i.e. after add returned
    stale_temps_seen = unconfirmed = 0
    # The writers killed mid-write are forked, each a process of its own, by one parent
    # that has started once: only the kills at start-up pay a fresh interpreter.
    forker = start_writer(data_dir, 0, fork=True)
    assert forker.stdin is not None and forker.stdout is not None
    pid = 0

    def stop() -> None:  # even after a failed assertion: no writer is left running
        if pid:
            os.kill(pid, signal.SIGKILL)
        forker.kill()
        forker.communicate()

    request.addfinalizer(stop)

    def forked_line() -> str:
        line = forker.stdout.readline()  # type: ignore[union-attr]
        assert line.endswith(b"\n") and not line.startswith(b"ended "), (
            f"writer died: {line!r} {forker.communicate()[1]!r}"
        )
        return line.decode().strip()

    for kill in range(KILLS):
        if kill % 5 == 4:
            # Every fifth kill lands anywhere from interpreter start-up to the
            # first writes, where stale temps are cleaned and the backup taken.
            proc = start_writer(data_dir, 0, ready=False)
            time.sleep(rng.uniform(0, 0.4))
            proc.send_signal(signal.SIGKILL)
            rest, _ = proc.communicate()
            assert proc.returncode == -signal.SIGKILL
            confirmed += [line for line in complete_lines(rest) if line != "ready"]
        else:
            # Let it save 13..18 notes, then kill at a random phase of a write.
            forker.stdin.write(b"start\n")
            forker.stdin.flush()
            pid = int(forked_line().removeprefix("started "))
            wanted = rng.randint(13, 18)
            ids = []
            stamps: list[float] = []
            while len(ids) < wanted:
                ids.append(forked_line())
                stamps.append(time.monotonic())
            interval = (stamps[-1] - stamps[0]) / (len(stamps) - 1)
            time.sleep(rng.uniform(0, 2 * interval))
            os.kill(pid, signal.SIGKILL)
            while not (line := forker.stdout.readline()).startswith(b"ended "):
                ids.append(line.decode().strip())  # whole lines: each id is one write
            assert line == b"ended %d\n" % signal.SIGKILL, line
            pid = 0
            confirmed += ids
        if not notes.exists():  # killed before its first write ever finished
            assert not confirmed
            continue

        context = f"seed {seed}, kill {kill + 1}"
        on_disk = stored_ids(notes)  # the file is whole, valid JSON
        missing = set(confirmed) - set(on_disk)
        assert not missing, f"{context}: saved notes lost: {sorted(missing)}"
        assert len(on_disk) == len(set(on_disk)), context
        # And the application itself reads it, through a fresh store.
        assert {a.id for a in Store(data_dir, "tester").annotations(SLUG)} == set(on_disk)
        stale_temps_seen += len(list(notes.parent.glob("*.tmp")))
        unconfirmed = len(on_disk) - len(confirmed)  # saved, but killed before printing

    assert len(confirmed) >= 200 and len(set(confirmed)) == len(confirmed)
    assert read_json(store.paths.library) is not None

    # A killed writer can leave a temp file; the next writer's first write removes it.
    planted = notes.parent / f".{notes.name}.planted{TEMP_SUFFIX}"
    planted.write_bytes(b'{"half": ')
    proc = start_writer(data_dir, 1)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert list(notes.parent.glob("*.tmp")) == []
    final = stored_ids(notes)
    assert set(confirmed) | set(complete_lines(out)) <= set(final)
    print(
        f"\ncrash test (seed {seed}): {KILLS} SIGKILLs survived, {len(confirmed)} confirmed"
        f" writes, 0 lost, {unconfirmed} saved but killed before printing their id,"
        f" {stale_temps_seen} stale temp files seen after kills"
    )


def test_a_failed_write_leaves_no_temp_and_the_old_file(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-process half of the crash test: replace() failing mid-write."""
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"))
    notes = store.paths.notes_file("tester", SLUG)
    before = notes.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "its veto"))
    monkeypatch.undo()
    assert notes.read_bytes() == before
    assert list(notes.parent.glob("*.tmp")) == []
    assert len(Store(store.paths.root, "tester").annotations(SLUG)) == 1


# -- 2. concurrent writers and readers ---------------------------------------


def test_two_processes_adding_200_notes_each_lose_nothing(store: Store, data_dir: Path) -> None:
    writers = [start_writer(data_dir, 200, wait=True) for _ in range(2)]
    for proc in writers:  # both are ready: let them go at the same moment
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    printed: list[list[str]] = []
    for proc in writers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode(errors="replace")
        printed.append(complete_lines(out))
    assert [len(ids) for ids in printed] == [200, 200]

    notes = store.paths.notes_file("tester", SLUG)
    data = json.loads(notes.read_bytes(), object_pairs_hook=no_duplicate_keys)
    records = data["annotations"]
    assert len(records) == 400
    ids = [r["id"] for r in records.values()]
    assert len(set(ids)) == 400
    assert set(ids) == set(printed[0]) | set(printed[1])
    assert len(store.annotations(SLUG)) == 400
    # How much the two writers interleaved (a figure for the report, not a rule).
    owner = [0 if i in set(printed[0]) else 1 for i in ids]
    switches = sum(a != b for a, b in itertools.pairwise(owner))
    print(f"\nconcurrency: 2 x 200 adds, 400 stored, 0 lost, writers alternated {switches} times")


def test_a_reader_sees_notes_another_process_wrote(store: Store, data_dir: Path) -> None:
    mine = store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"))
    assert [a.id for a in store.annotations(SLUG)] == [mine.id]  # now cached
    proc = start_writer(data_dir, 5)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    theirs = complete_lines(out)
    assert len(theirs) == 5
    assert {a.id for a in store.annotations(SLUG)} == {mine.id, *theirs}
    assert {a.id for a in store.annotations()} == {mine.id, *theirs}
    assert store.note_counts() == {SLUG: 6}


def test_a_reader_sees_a_briefing_another_store_imported(store: Store, data_dir: Path) -> None:
    reader = Store(data_dir, "someone-else")
    assert [b.slug for b in reader.briefings()] == [SLUG]  # cached
    other = parse_briefing("# Other\n\n## Part\n\nBody.\n", slug="other")
    Store(data_dir, "tester").import_briefings([(other, "test")])
    assert [b.slug for b in reader.briefings()] == ["other", SLUG]


# -- 3. damaged data files ---------------------------------------------------


def _newer_schema(path: Path) -> bytes:
    data = json.loads(path.read_bytes())
    data["_meta"] = {"1": {"schema": max(SCHEMA, LIBRARY_SCHEMA) + 1}}
    return json.dumps(data).encode()


DAMAGE = {
    "corrupt-json": (
        lambda path: path.read_bytes()[: len(path.read_bytes()) // 2],
        "not valid JSON",
    ),
    "empty": (lambda path: b"", "file is empty"),
    "newer-schema": (_newer_schema, "newer briefing"),
}


def _damage(store: Store, which: str, damage: str) -> tuple[Path, bytes]:
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"), note="keep me")
    path = store.paths.library if which == "library" else store.paths.notes_file("tester", SLUG)
    bad = DAMAGE[damage][0](path)
    path.write_bytes(bad)
    return path, bad


COMMANDS = {  # what reads each file
    "library": [["list"], ["notes", "list", SLUG], ["show", SLUG]],
    "notes": [["list"], ["notes", "list"], ["notes", "list", SLUG]],
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize(
    ("which", "command"), [(which, cmd) for which, cmds in COMMANDS.items() for cmd in cmds]
)
def test_a_damaged_file_is_named_in_one_line_and_left_as_it_is(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    which: str,
    damage: str,
    command: list[str],
) -> None:
    path, bad = _damage(store, which, damage)
    code, out, err = cli(capsys, *command)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("briefing: error: ")
    assert str(path) in err and DAMAGE[damage][1] in err
    assert path.read_bytes() == bad
    if which == "library":  # notes stay reachable while the library is broken
        code, out, _ = cli(capsys, "notes", "list")
        assert code == 0 and "keep me" in out
    else:  # and a write attempt fails the same way, without touching the file
        with pytest.raises(store_module.DataError, match=DAMAGE[damage][1]):
            store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "its veto"))
    assert path.read_bytes() == bad


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_doctor_names_each_damaged_file(
    capsys: pytest.CaptureFixture[str], store: Store, damage: str
) -> None:
    path, bad = _damage(store, "notes", damage)
    code, out, _ = cli(capsys, "doctor")
    assert code == 1
    bad_lines = [line for line in out.splitlines() if line.startswith("BAD")]
    assert len(bad_lines) == 1 and str(path) in bad_lines[0]
    assert f"ok   {store.paths.library}" in out
    assert path.read_bytes() == bad


class _Clock:
    """Stands in for the ``datetime`` module inside briefing.store.facade, to move days."""

    def __init__(self) -> None:
        self.today = real_dt.date(2025, 3, 1)
        clock = self

        class FakeDate(real_dt.date):
            @classmethod
            def today(cls) -> real_dt.date:  # type: ignore[override]
                return clock.today

        self.module = types.SimpleNamespace(
            date=FakeDate, datetime=real_dt.datetime, UTC=real_dt.UTC
        )


def test_daily_backups_are_rotated_and_doctor_restores_the_newest_good_one(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(store_module, "_dt", clock.module)
    span = quote_span(store, SECTION, "In March")
    notes_file = store._notes(SLUG)
    for day in range(8):  # a note a day, two writes on each day
        clock.today = real_dt.date(2025, 3, 1) + real_dt.timedelta(days=day)
        store.add_annotation(SLUG, SECTION, *span, note=f"day {day}")
        store.add_annotation(SLUG, SECTION, *span, note=f"day {day} again")
    backups = notes_file.backups()
    assert [b.name for b in backups] == [f"2025-03-{d:02d}.json" for d in (8, 7, 6, 5, 4)]
    assert len(backups) == BACKUPS_KEPT
    # A day's backup is the file as it was before that day's first write.
    newest = json.loads(backups[0].read_bytes())["annotations"]
    assert len(newest) == 14 and "day 7" not in {r["note"] for r in newest.values()}

    path = notes_file.path
    path.write_bytes(b'{"annotations": {"1": {"id": ')
    backups[0].write_bytes(b"")  # the newest backup is damaged too: skip it
    code, out, _ = cli(capsys, "doctor", "--restore", "--yes")
    assert code == 0, out
    assert f"restored {path} from {backups[1]}" in out
    assert path.read_bytes() == backups[1].read_bytes()
    code, out, _ = cli(capsys, "notes", "list", "--json")
    assert code == 0 and len(json.loads(out)["notes"]) == 12
    code, out, _ = cli(capsys, "doctor")
    assert code == 0 and "data files are good" in out


def test_doctor_without_a_good_backup_leaves_the_file_alone(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    path, bad = _damage(store, "notes", "corrupt-json")  # first write: no backup yet
    code, _, err = cli(capsys, "doctor", "--restore", "--yes")
    assert code == 1 and f"no good backup for {path}" in err
    assert path.read_bytes() == bad


# -- note size ---------------------------------------------------------------


def test_a_100000_character_note_is_saved_and_read_back_whole(store: Store) -> None:
    text = ("Ünïcode ✓ and a line.\n" * 5000)[:MAX_NOTE_CHARS]
    assert len(text) == MAX_NOTE_CHARS
    added = store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"), note=text)
    (back,) = Store(store.paths.root, "tester").annotations(SLUG)
    assert back.id == added.id and back.note == text


def test_a_note_over_the_limit_is_refused_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path
) -> None:
    added = store.add_annotation(
        SLUG, SECTION, *quote_span(store, SECTION, "In March"), note="short"
    )
    before = snapshot_files(data_dir)
    too_long = "x" * (MAX_NOTE_CHARS + 1)
    with pytest.raises(StoreError, match="100,001 characters long, over the limit of 100,000"):
        store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "its veto"), note=too_long)
    with pytest.raises(StoreError, match="over the limit"):
        store.update_annotation(added.id, note=too_long)
    code, _, err = cli(capsys, "notes", "edit", added.id, "--note", too_long)
    assert code == 1 and err.count("\n") == 1 and "over the limit of 100,000" in err
    assert snapshot_files(data_dir) == before


def test_reimport_after_a_crash_between_library_and_notes_repairs_offsets(store: Store) -> None:
    """The documented crash window in import_briefings: library written, notes not yet."""
    quote = "Russia can veto decisions of the UN Security Council."
    note = store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, quote))
    revised = BUNDLED.read_text(encoding="utf-8").replace(
        "## UN veto\n", "## UN veto\n\nA new opening paragraph.\n"
    )
    briefing = parse_briefing(revised, slug=SLUG)

    def crash(_: object) -> tuple[int, int]:
        raise KeyboardInterrupt  # stands in for a kill right after the library write

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "_reanchor_all_users", crash)
        with pytest.raises(KeyboardInterrupt):
            store.import_briefings([(briefing, "revised")])
    # On disk the note is still on the old revision, with the old offsets, and that
    # revision's text is kept; what the store shows is already re-anchored on the new text.
    notes_file = store.paths.notes_file("tester", SLUG)
    (record,) = json.loads(notes_file.read_bytes())["annotations"].values()
    assert (record["start"], record["revision"]) == (note.start, note.revision)
    kept = store.paths.root / "revisions" / SLUG / f"{note.revision}.json"
    assert json.loads(kept.read_bytes())[SECTION][note.start : note.end] == quote
    (shown,) = store.annotations(SLUG)
    shown_text = briefing.section(SECTION).text  # type: ignore[union-attr]
    assert shown_text[shown.start : shown.end] == quote
    # Importing again is "unchanged" for the library, but must still repair notes.
    store.import_briefings([(briefing, "revised")])
    (fixed,) = store.annotations(SLUG)
    text = store.get(SLUG).section(SECTION).text  # type: ignore[union-attr]
    assert text[fixed.start : fixed.end] == quote
    assert not kept.exists()  # no note is on the old revision any more


def test_the_reader_refuses_to_start_on_a_damaged_notes_file(store: Store) -> None:
    """One line naming the file, exit 1, no traceback and no screen."""
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"))
    notes = store.paths.notes_file("tester", SLUG)
    notes.write_text("{ broken")
    env = {**os.environ, "BRIEFING_HOME": str(store.paths.root), "BRIEFING_USER": "tester"}
    result = subprocess.run(
        [sys.executable, "-m", "briefing"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"briefing: error: {notes}: not valid JSON")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert notes.read_text() == "{ broken"
