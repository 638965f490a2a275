"""Issue #12, restore half: ``doctor`` sees wrong shapes, and a restore never loses a note."""

from __future__ import annotations

import datetime as real_dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from briefing.core.model import ReadingState
from briefing.store import files as store_module
from briefing.store.backups import folder_name
from briefing.store.facade import Store
from tests.conftest import SLUG, quote_span, snapshot_files
from tests.conftest import run_cli as cli
from tests.test_reliability import _Clock

pytestmark = pytest.mark.system
SECTION = "un-veto"


def _notes_file(store: Store) -> Path:
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"), note="keep me")
    return store.paths.notes_file("tester", SLUG)


def _edit(path: Path, change: Any) -> bytes:
    data = json.loads(path.read_bytes())
    change(data)
    return json.dumps(data).encode()


def _first(data: dict[str, Any]) -> dict[str, Any]:
    return next(iter(data["annotations"].values()))  # type: ignore[no-any-return]


SHAPES = {
    "annotations-is-a-list": (
        lambda p: _edit(p, lambda d: d.update(annotations=list(d["annotations"].values()))),
        "table 'annotations' is a list, not an object",
    ),
    "record-is-a-string": (
        lambda p: _edit(p, lambda d: d["annotations"].update({"1": "a note"})),
        "record 1 is a string",
    ),
    "missing-id": (lambda p: _edit(p, lambda d: _first(d).pop("id")), "has no 'id'"),
    "start-is-a-string": (
        lambda p: _edit(p, lambda d: _first(d).update(start="12")),
        "'start' is a string, not a whole number",
    ),
    "note-is-null": (
        lambda p: _edit(p, lambda d: _first(d).update(note=None)),
        "'note' is null, not a string",
    ),
    "document-id-not-a-number": (
        lambda p: _edit(p, lambda d: d.update(annotations={"x": _first(d)})),
        "document id 'x' is not a number",
    ),
    "duplicate-keys": (
        lambda p: p.read_bytes().replace(b'"annotations":{"1":', b'"annotations":{"1":{},"1":'),
        "the key '1' appears twice",
    ),
    "deep-nesting": (
        lambda p: b'{"annotations":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "nested too deeply",
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_wrong_shaped_notes_file_is_bad_for_doctor_and_every_command(
    capsys: pytest.CaptureFixture[str], store: Store, shape: str
) -> None:
    path = _notes_file(store)
    damage, reason = SHAPES[shape]
    bad = damage(path)
    path.write_bytes(bad)
    code, out, _ = cli(capsys, "doctor")
    assert code == 1
    (line,) = [line for line in out.splitlines() if line.startswith("BAD")]
    assert str(path) in line and reason in line
    for command in (["list"], ["notes", "list"], ["export", SLUG], ["notes", "rm", "abcd"]):
        code, out, err = cli(capsys, *command)
        assert code == 1 and err.count("\n") == 1 and str(path) in err, (command, err)
    assert path.read_bytes() == bad


def test_permission_denied_is_reported_and_never_restored(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _notes_file(store)
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "its veto"))  # a backup
    before = snapshot_files(store.paths.root)
    real_open = os.open

    def refusing_open(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)  # root may read anything: pretend
    code, out, _ = cli(capsys, "doctor", "--restore", "--yes")
    assert code == 1
    assert f"BAD  {path}: cannot read: permission denied (not damage" in out
    assert f"restored {path}" not in out
    code, _, err = cli(capsys, "notes", "list")
    assert code == 1 and err == f"briefing: error: {path}: cannot read: permission denied\n"
    monkeypatch.undo()
    assert snapshot_files(store.paths.root) == before


def _nine_notes_with_an_older_backup(store: Store, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One note on day 1; eight more on day 2, whose first write backed up the one."""
    clock = _Clock()
    monkeypatch.setattr(store_module, "_dt", clock.module)
    span = quote_span(store, SECTION, "In March")
    store.add_annotation(SLUG, SECTION, *span, note="note 0")
    clock.today = real_dt.date(2025, 3, 2)
    for number in range(1, 9):
        store.add_annotation(SLUG, SECTION, *span, note=f"note {number}")
    return store.paths.notes_file("tester", SLUG)


def test_restoring_a_damaged_9_note_file_keeps_all_9_readable_notes(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _nine_notes_with_an_older_backup(store, monkeypatch)
    (backup,) = store._notes(SLUG).backups()
    assert len(json.loads(backup.read_bytes())["annotations"]) == 1
    damaged = path.read_bytes().replace(b'"annotations":{', b'"annotations":{{{ garbage ', 1)
    path.write_bytes(damaged)

    code, out, _ = cli(capsys, "doctor", "--restore", "--yes")
    assert code == 0, out
    assert f"restored {path} from {backup}" in out
    assert "1 note from the backup, 8 salvaged from the damaged file" in out
    code, out, _ = cli(capsys, "notes", "list", "--json")
    assert code == 0
    assert sorted(n["note"] for n in json.loads(out)["notes"]) == [f"note {n}" for n in range(9)]
    (kept,) = [p for p in (store.paths.root / "damaged").rglob("*") if p.is_file()]
    assert kept.read_bytes() == damaged  # the damaged file is kept, byte for byte
    code, out, _ = cli(capsys, "doctor")
    assert code == 0 and "data files are good" in out


def test_the_restore_prompt_shows_each_backups_age_and_note_count(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _nine_notes_with_an_older_backup(store, monkeypatch)
    (backup,) = store._notes(SLUG).backups()
    two_days = 2 * 86400 + 60
    os.utime(backup, (backup.stat().st_atime, backup.stat().st_mtime - two_days))
    path.write_bytes(path.read_bytes()[:-40])  # cut off: the last note is lost
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "")
    code, out, _ = cli(capsys, "doctor", "--restore")
    assert code == 0, out
    assert asked == ["Restore from which backup? [1-1, Enter: 1, n: skip] "]
    assert f"  1) {backup.name}  2 days old, 1 note" in out
    assert "8 notes can be salvaged from the damaged file" in out
    assert len(Store(store.paths.root, "tester").annotations(SLUG)) == 8


def test_backup_folders_of_bob__notes_state_and_bob_notes_on_state_never_collide(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    root = store.paths.root
    # User "bob__notes"'s reading state, and user "bob"'s notes on a briefing "state".
    state_path = root / "users" / "bob__notes" / "state.json"
    notes_path = root / "users" / "bob" / "notes" / "state.json"
    assert folder_name(state_path, root) != folder_name(notes_path, root)
    other = Store(root, "bob__notes")
    other.save_reading_state(ReadingState(SLUG, SECTION, 3.0, {SECTION}))
    other.save_reading_state(ReadingState(SLUG, SECTION, 4.0, {SECTION}))
    from briefing.core.ingest import parse_briefing

    bob = Store(root, "bob")
    bob.import_briefings(
        [(parse_briefing("# S\n\n## Part\n\nSome body text.\n", slug="state"), "")]
    )
    bob.add_annotation("state", "part", 0, 4, note="bob's")
    bob.add_annotation("state", "part", 5, 9, note="bob's too")
    state_backups = other._state.backups()
    notes_backups = bob._notes("state").backups()
    assert len(state_backups) == 1 and len(notes_backups) == 1
    assert state_backups[0].parent != notes_backups[0].parent

    notes_before = notes_path.read_bytes()
    state_path.write_bytes(b"{ damaged")
    code, out, _ = cli(capsys, "doctor", "--restore", "--yes")
    assert code == 0, out
    assert "reading" in json.loads(state_path.read_bytes())  # the state's own backup
    assert notes_path.read_bytes() == notes_before  # bob's notes untouched


def test_deleting_a_note_backs_the_file_up_first(store: Store) -> None:
    note = store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"), note="x")
    store.delete_annotation(note.id)
    backups = store._notes(SLUG).backups()
    (before_delete,) = [b for b in backups if b.name.endswith("-delete.json")]
    assert [r["id"] for r in json.loads(before_delete.read_bytes())["annotations"].values()] == [
        note.id
    ]
