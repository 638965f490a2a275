"""Every test runs against a temporary data dir and a fixed user, never the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.library import ensure_library
from briefing.store import Store

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
