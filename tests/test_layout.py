"""A data folder from before layout 2 opens as it was: every note and reading state kept.

``tests/data/old-layout`` was written by the code at 3f133b5 (one ``library.json``
holding every section). Each test opens a copy of it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefing.store.facade import Store
from briefing.store.files import LIBRARY_SCHEMA
from briefing.store.importing import import_paths
from briefing.store.layout import LAYOUT_1_BACKUP
from briefing.store.records import annotations_from, briefings_from
from tests.conftest import run_cli

OLD = Path(__file__).parent / "data" / "old-layout"
pytestmark = pytest.mark.unit


@pytest.fixture
def old_folder(data_dir: Path) -> Path:
    shutil.copytree(OLD, data_dir, ignore=shutil.ignore_patterns("README.md"))
    return data_dir


def _schema(path: Path) -> int:
    meta = json.loads(path.read_text("utf-8"))["_meta"]
    return int(next(iter(meta.values()))["schema"])


def test_an_old_folder_keeps_every_briefing_note_and_reading_state(old_folder: Path) -> None:
    old_library = (old_folder / "library.json").read_bytes()
    old_briefings = briefings_from(json.loads(old_library))
    old_notes = {
        path.relative_to(old_folder): annotations_from(json.loads(path.read_text("utf-8")))
        for path in sorted(old_folder.glob("users/*/notes/*.json"))
    }
    alice = Store(old_folder, "alice")

    assert [b.slug for b in alice.listings()] == list(old_briefings)
    for slug, briefing in old_briefings.items():
        assert alice.get(slug) == briefing  # the same text, sections and blocks
    for user in ("alice", "bob"):
        store = Store(old_folder, user)
        for path, notes in old_notes.items():
            if path.parts[1] == user:
                assert tuple(store.annotations(path.stem)) == notes
    assert len(alice.annotations()) == 3 and len(Store(old_folder, "bob").annotations()) == 1
    state = alice.reading_state("russia-dprk-pact")
    assert (state.section, state.scroll) == ("un-veto", 12.5)
    assert state.read == {"treaty-terms", "western-reaction"}
    assert alice.reading_state("export-fixture").read == {"summary"}
    assert alice.setting("theme") == "textual-light"
    assert Store(old_folder, "bob").reading_state("russia-dprk-pact").section == "legal-framework"

    # Moved once, with the old library kept aside first.
    assert (old_folder / "backups" / LAYOUT_1_BACKUP).read_bytes() == old_library
    assert _schema(old_folder / "library.json") == LIBRARY_SCHEMA
    assert "sections" not in json.loads((old_folder / "library.json").read_text("utf-8"))
    assert sorted(p.name for p in (old_folder / "briefings").iterdir()) == [
        "export-fixture.json",
        "russia-dprk-pact.json",
    ]


def test_the_cli_reads_an_old_folder_and_notes_still_work(
    capsys: pytest.CaptureFixture[str], old_folder: Path
) -> None:
    code, out, _ = run_cli(capsys, "--user", "alice", "notes", "list")
    assert code == 0 and "Kim Jong Un" in out and "dragged anchor" in out
    code, out, _ = run_cli(capsys, "--user", "bob", "notes", "list")
    assert code == 0 and "Pyongyang, the North Korean capital" in out and "Kim" not in out
    code, out, _ = run_cli(capsys, "list")
    assert code == 0 and "russia-dprk-pact" in out and "(4 sections, 0 notes)" in out
    code, _, err = run_cli(
        capsys, "--user", "alice", "notes", "add", "russia-dprk-pact", "un-veto", "--quote", "veto"
    )
    assert code == 1 and "2 times" in err  # the text is there, as before
    # Stored from another checkout's path: another file, so --slug says it revises it.
    fixture = str(OLD.parent / "export-fixture.md")
    code, _, err = run_cli(capsys, "--user", "alice", "import", fixture)
    assert code == 1 and "--slug export-fixture" in err
    code, _, _ = run_cli(capsys, "--user", "alice", "import", fixture, "--slug", "export-fixture")
    assert code == 0
    assert len(Store(old_folder, "alice").annotations("export-fixture")) == 1


def test_a_move_killed_before_its_last_rename_is_done_again(old_folder: Path) -> None:
    old_library = (old_folder / "library.json").read_bytes()
    Store(old_folder, "alice").listings()
    # As if killed after writing the briefings' files, before the new index replaced
    # the old library: the old file is still there, and the next start moves again.
    (old_folder / "library.json").write_bytes(old_library)
    (old_folder / "briefings" / "export-fixture.json").unlink()
    again = Store(old_folder, "alice")
    assert [b.slug for b in again.listings()] == ["export-fixture", "russia-dprk-pact"]
    assert again.get("export-fixture").body_sections[0].key == "summary"
    assert (old_folder / "backups" / LAYOUT_1_BACKUP).read_bytes() == old_library


def test_an_import_killed_between_a_briefings_file_and_the_index_is_repaired(
    tmp_path: Path, data_dir: Path
) -> None:
    """Killed after writing the briefing's new file, before the index: importing the
    version the index names again must write its file again, not call it unchanged."""
    first = tmp_path / "a.md"
    first.write_text("# Desk\n\n## One\n\nThe first text.\n", encoding="utf-8")
    second = tmp_path / "b" / "a.md"
    second.parent.mkdir()
    second.write_text("# Desk\n\n## One\n\nThe second text.\n", encoding="utf-8")
    store = Store(data_dir, "tester")
    import_paths(store, [first])
    other = Store(tmp_path / "other", "tester")
    import_paths(other, [second])
    shutil.copy(other.paths.briefing_file("a"), store.paths.briefing_file("a"))  # the kill
    assert "second" in Store(data_dir, "tester").get("a").sections[-1].text
    report = import_paths(Store(data_dir, "tester"), [first])
    assert [r.status for r in report.results] == ["updated"]
    again = Store(data_dir, "tester")
    assert again.get("a").sections[-1].text == "The first text."
    assert [h.briefing for h in again.search_index().search("first")] == ["a"]
