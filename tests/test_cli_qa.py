"""The command line as a new user meets it: a section by its title wherever its key
works, bad note input in one line, edits that change nothing, search lines apart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from briefing.store.facade import Store
from tests.conftest import SLUG
from tests.conftest import run_cli as run

pytestmark = pytest.mark.system

QUOTE = "Russia can veto decisions of the UN Security Council."


def test_notes_add_takes_a_section_title(capsys: pytest.CaptureFixture[str], store: Store) -> None:
    code, _out, err = run(capsys, "notes", "add", SLUG, "UN veto", "--quote", QUOTE)
    assert code == 0, err
    assert [a.section for a in store.annotations(SLUG)] == ["un-veto"]


def test_export_section_takes_a_title(capsys: pytest.CaptureFixture[str], store: Store) -> None:
    assert run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, "--note", "N1")[0] == 0
    code, out, err = run(capsys, "export", SLUG, "--section", "un veto")
    assert code == 0, err
    assert "N1" in out


def test_open_takes_a_section_title(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.tui import launch

    seen: list[object] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(
        launch, "open_reader", lambda store, slug, section, theme: seen.append(section) or 0
    )
    assert run(capsys, "open", SLUG, "UN veto", tty=True)[0] == 0
    assert seen == ["un-veto"]


def test_an_empty_quote_is_one_line_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, _out, err = run(capsys, "notes", "add", SLUG, "un-veto", "--quote", "")
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "quote" in err
    assert store.annotations(SLUG) == []


def test_removing_a_tag_the_note_lacks_changes_nothing(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, _ = run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, "--tag", "a")
    note_id = out.strip()
    before = store.find_annotation(note_id)
    code, out, err = run(capsys, "notes", "edit", note_id, "--remove-tag", "typo-tag")
    assert code == 1
    assert err.strip().endswith(f"note {note_id} has no tag 'typo-tag'")
    assert store.find_annotation(note_id) == before


def test_an_edit_that_changes_nothing_leaves_updated_alone(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, _ = run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, "--note", "x")
    note_id = out.strip()
    before = store.find_annotation(note_id)
    code, out, err = run(capsys, "notes", "edit", note_id, "--note", "x")
    assert code == 0, err
    assert "unchanged" in out
    assert store.find_annotation(note_id).updated == before.updated


def test_two_notes_on_one_passage_search_apart(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    for text in ("first thought", "second thought"):
        assert (
            run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, "--note", text)[0] == 0
        )
    code, out, err = run(capsys, "search", "veto")
    assert code == 0, err
    lines = [line for line in out.splitlines() if "[note" in line and "Russia can veto" in line]
    assert len(lines) == 2
    assert len(set(lines)) == 2


def test_a_new_export_gets_the_umask_mode_and_an_old_one_keeps_its_own(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    import os
    import stat

    code, note_id, _ = run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE)
    assert code == 0
    old = os.umask(0o022)
    try:
        target = tmp_path / "out.md"
        assert run(capsys, "export", SLUG, "-o", str(target))[0] == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        assert run(capsys, "notes", "edit", note_id.strip(), "--note", "new words")[0] == 0
        assert run(capsys, "export", SLUG, "-o", str(target), "--force")[0] == 0
        assert "new words" in target.read_text("utf-8")
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        # Data files stay private.
        notes = next((store.paths.root / "users").rglob("*.json"))
        assert stat.S_IMODE(notes.stat().st_mode) & 0o077 == 0
    finally:
        os.umask(old)


def test_export_all_into_a_folder_writes_one_file_per_briefing(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    assert run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, "--note", "N1")[0] == 0
    vault = tmp_path / "vault"
    vault.mkdir()
    code, _out, err = run(capsys, "export", "--all", "-o", str(vault))
    assert code == 0, err
    assert [p.name for p in vault.iterdir()] == [f"{SLUG}.md"]
    assert "N1" in (vault / f"{SLUG}.md").read_text("utf-8")


@pytest.mark.unit
def test_the_known_themes_are_textuals_built_in_themes() -> None:
    from textual.theme import BUILTIN_THEMES

    from briefing.core.config import THEMES

    assert sorted(THEMES) == sorted(BUILTIN_THEMES)


def test_an_unknown_theme_is_flagged_and_the_reader_uses_its_default(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from briefing.tui import launch

    config = tmp_path / "config.toml"
    config.write_text('[reader]\ntheme = "no-such-theme"\n', "utf-8")
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "not a theme" in out and "textual-dark" in out
    import tomllib

    assert tomllib.loads(out)["reader"]["theme"] == "no-such-theme"  # still valid TOML
    seen: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(
        launch, "open_reader", lambda store, slug, section, theme: seen.append(theme) or 0
    )
    code, _, err = run(capsys, tty=True)
    assert code == 0 and seen == [""]
    assert len(err.strip().splitlines()) == 1 and "'no-such-theme' is not a theme" in err
