"""Issue #12, case 6: every refusal of the OS is one line naming the file and the cause.

The full-disk and read-only cases run on a small tmpfs, which needs root to
mount; elsewhere they are skipped and say why.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.store.facade import Store
from briefing.store.importing import ensure_library
from tests.conftest import ROOT, SLUG, quote_span, snapshot_files
from tests.conftest import run_cli as cli

pytestmark = pytest.mark.system
SECTION = "un-veto"


def _run(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child: a hang is a failure after 30 s, not a stuck test run."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "BRIEFING_HOME": str(data_dir), "BRIEFING_USER": "tester"}
    return subprocess.run(
        [sys.executable, "-m", "briefing", *argv],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": path},
        stdin=subprocess.DEVNULL,
        timeout=30,
    )


def test_a_fifo_as_a_notes_file_is_refused_without_hanging(store: Store) -> None:
    fifo = store.paths.notes_file("tester", "fifo")
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    for command in (["list"], ["notes", "list"], ["doctor"]):
        result = _run(store.paths.root, *command)
        assert result.returncode == 1, command
        message = f"{fifo}: a named pipe (FIFO), not a regular file; not read"
        if command == ["doctor"]:
            assert f"BAD  {message}" in result.stdout
        else:
            assert result.stderr == f"briefing: error: {message}\n"


def test_dev_zero_as_the_library_is_refused(store: Store) -> None:
    store.paths.library.unlink()
    store.paths.library.symlink_to("/dev/zero")
    result = _run(store.paths.root, "list")
    assert result.returncode == 1
    assert result.stderr == (
        f"briefing: error: {store.paths.library}: a character device, not a regular file;"
        " not read\n"
    )


@pytest.mark.parametrize("what", ["folder", "symlink"])
def test_a_lock_path_that_is_a_folder_or_a_symlink_is_refused(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path, what: str
) -> None:
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"))
    notes = store.paths.notes_file("tester", SLUG)
    lock = Path(f"{notes}.lock")
    lock.unlink()
    victim = tmp_path / "precious.txt"
    victim.write_text("not a lock")
    if what == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(victim)
    before = snapshot_files(store.paths.root)
    code, _, err = cli(capsys, "notes", "add", SLUG, SECTION, "--quote", "its veto")
    assert code == 1 and err.count("\n") == 1
    kind = "a folder" if what == "folder" else "a symbolic link"
    assert err == f"briefing: error: {lock} is {kind}, not a lock file; remove it\n"
    assert snapshot_files(store.paths.root) == before
    assert victim.read_text() == "not a lock"


@contextlib.contextmanager
def small_disk(where: Path, size: str = "256k") -> Iterator[Path]:
    if os.geteuid() != 0:
        reason = "needs root to mount a small tmpfs (run the suite as root to test a full disk)"
        print(f"\nSKIPPED: {reason}")
        pytest.skip(reason)
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs here: {mounted.stderr.strip()}"
        print(f"\nSKIPPED: {reason}")
        pytest.skip(reason)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _store_on(root: Path) -> Store:
    store = Store(root, "tester")
    ensure_library(store)
    store.add_annotation(SLUG, SECTION, *quote_span(store, SECTION, "In March"), note="first")
    return store


def test_a_full_disk_is_one_line_and_the_notes_are_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        root = disk / "data"
        monkeypatch.setenv("BRIEFING_HOME", str(root))
        _store_on(root)
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        for size in (4096, 1):  # fill the disk to the last byte
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
        os.close(fd)
        before = snapshot_files(root)
        code, _, err = cli(capsys, "notes", "add", SLUG, SECTION, "--quote", "its veto")
        assert code == 1 and err.count("\n") == 1
        assert err.startswith(f"briefing: error: cannot write {root}")
        assert "the disk is full" in err and "it was not changed" in err
        code, _, err = cli(capsys, "import", str(ROOT / "content" / f"{SLUG}.md"))
        assert code in (0, 1) and "Traceback" not in err
        assert snapshot_files(root) == before
        filler.unlink()
        code, out, _ = cli(capsys, "notes", "list")
        assert code == 0 and "first" in out


def test_a_read_only_disk_is_one_line_and_the_notes_are_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        root = disk / "data"
        monkeypatch.setenv("BRIEFING_HOME", str(root))
        _store_on(root)
        before = snapshot_files(root)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            code, _, err = cli(capsys, "notes", "add", SLUG, SECTION, "--quote", "its veto")
            assert code == 1 and err.count("\n") == 1
            assert str(root) in err and "the file system is read-only" in err
            code, out, _ = cli(capsys, "notes", "list")  # reading still works
            assert code == 0 and "first" in out
            assert snapshot_files(root) == before
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=False)
