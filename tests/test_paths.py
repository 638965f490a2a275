"""Where exported files may go: the confinement a served session writes under."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.core.paths import PathRefused, confined_path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    notes = tmp_path / "users" / "alice" / "briefing-notes"
    notes.mkdir(parents=True)
    return notes.resolve()


def test_a_bare_name_is_a_file_in_the_confining_folder(folder: Path) -> None:
    assert confined_path("pact.md", folder) == folder / "pact.md"
    assert confined_path(f"  {folder}/pact.md  ", folder) == folder / "pact.md"


@pytest.mark.parametrize("raw", ["../pact.md", "../../bob/briefing-notes/x.md", "/etc/passwd"])
def test_no_path_leads_out_of_the_folder(folder: Path, raw: str) -> None:
    with pytest.raises(PathRefused, match="can only be saved in"):
        confined_path(raw, folder)


def test_a_symlink_inside_the_folder_does_not_lead_out(folder: Path, tmp_path: Path) -> None:
    (folder / "out").symlink_to(tmp_path)
    with pytest.raises(PathRefused):
        confined_path("out/pact.md", folder)


@pytest.mark.parametrize(("raw", "reason"), [("", "Type the path"), ("a\0b.md", "null")])
def test_an_empty_path_or_a_nul_is_refused_with_its_reason(
    folder: Path, raw: str, reason: str
) -> None:
    with pytest.raises(PathRefused, match=reason):
        confined_path(raw, folder)


def test_unconfined_paths_are_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert confined_path("notes.md", None) == tmp_path / "notes.md"
