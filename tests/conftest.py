"""Every test runs against a temporary data dir and a fixed user, never the real ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.store.facade import Store
from briefing.store.importing import ensure_library

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "content" / "russia-dprk-pact.md"
SLUG = "russia-dprk-pact"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every location the app could touch at a temporary folder."""
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("BRIEFING_HOME", str(data))
    monkeypatch.setenv("BRIEFING_USER", "tester")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return data


@pytest.fixture
def data_dir(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def store(data_dir: Path) -> Store:
    """A store holding the bundled briefing, as after a first run."""
    store = Store(data_dir, "tester")
    ensure_library(store)
    return store


def snapshot_files(root: Path) -> dict[str, bytes]:
    """Every data file's bytes, to prove an operation changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def run_cli(
    capsys: pytest.CaptureFixture[str], *argv: str, tty: bool = False
) -> tuple[int, str, str]:
    """``briefing ARGV`` in-process: exit code, stdout, stderr.

    ``tty`` makes stdout claim to be a terminal, as the CLI sees it in a shell.
    """
    with pytest.MonkeyPatch.context() as patch:
        if tty:
            patch.setattr(sys.stdout, "isatty", lambda: True)
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors and --help
            code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def quote_span(store: Store, section: str, quote: str) -> tuple[int, int]:
    """Offsets of ``quote`` in a section of the bundled briefing."""
    start = store.section(SLUG, section).text.index(quote)
    return start, start + len(quote)
