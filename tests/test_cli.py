"""Every subcommand, through ``main()``, with its exit code and its stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import __version__
from tests.conftest import SLUG, snapshot_files
from tests.conftest import run_cli as run

QUOTE = "Russia can veto decisions of the UN Security Council."


def add_note(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code, out, err = run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, *extra)
    assert code == 0, err
    return out.strip()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"briefing {__version__}"


@pytest.mark.parametrize(
    "argv",
    [[], ["list"], ["show"], ["import"], ["notes"], ["notes", "add"], ["export"], ["doctor"]],
)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, _ = run(capsys, *argv, "--help")
    assert code == 0 and "usage: briefing" in out


def test_list_shows_the_bundled_briefing_on_first_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    assert SLUG in out and "4 sections" in out and "0 notes" in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    add_note(capsys)
    code, out, _ = run(capsys, "list", "--json")
    doc = json.loads(out)
    assert doc["schema"] == 1
    (item,) = doc["briefings"]
    assert code == 0
    assert item["slug"] == SLUG and item["date"] == "2024-06-19" and item["note_count"] == 1
    assert [s["title"] for s in item["sections"]] == [
        "Treaty terms",
        "Western reaction",
        "Legal framework",
        "UN veto",
    ]
    assert "russia" in item["tags"]


def test_show_prints_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", SLUG)
    assert code == 0
    assert "Treaty terms\n------------" in out and "UN veto" in out
    assert "*" not in out  # Markdown is rendered, not echoed
    code, out, _ = run(capsys, "show", SLUG, "un-veto")
    assert code == 0 and out.startswith("UN veto\n") and "Treaty terms" not in out


def test_show_unknown_slug_or_section_fails_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "nope")
    assert (code, out) == (1, "") and err.startswith("briefing: error: no briefing 'nope'")
    code, _, err = run(capsys, "show", SLUG, "nope")
    assert code == 1 and "no section 'nope'" in err and "treaty-terms" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "--user", "../etc", "list")
    assert code == 2 and "invalid user name" in err


def test_import_good_and_bad_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    run(capsys, "list")
    good = tmp_path / "good.md"
    good.write_text("---\ntitle: Good one\n---\n\n## A\n\ntext\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(good))
    assert code == 0 and "new  good  Good one" in out
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe not utf-8")
    before = snapshot_files(data_dir)
    code, out, err = run(capsys, "import", str(bad))
    assert code == 1
    assert f"refused  {bad}: not UTF-8" in err
    assert snapshot_files(data_dir) == before


def test_import_a_folder_with_a_progress_bar_and_a_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for n in range(7):
        (tmp_path / f"b{n}.md").write_text(f"# B{n}\n\n## S\n\nx{n}\n", encoding="utf-8")
    (tmp_path / "broken.md").write_text("no sections here", encoding="utf-8")
    code, _, err = run(capsys, "import", str(tmp_path))
    assert code == 1
    assert "7 imported, 1 refused" in err and "no title" in err


def test_notes_add_list_edit_rm(capsys: pytest.CaptureFixture[str]) -> None:
    note_id = add_note(capsys, "--note", "Veto matters", "--tag", "UN", "--tag", "#veto")
    code, out, _ = run(capsys, "notes", "list", "--json")
    (note,) = json.loads(out)["notes"]
    assert note["id"] == note_id and note["quote"] == QUOTE
    assert note["tags"] == ["un", "veto"] and note["status"] == "anchored"
    assert note["end"] - note["start"] == len(QUOTE)
    assert {"created", "updated", "section", "slug", "note"} <= set(note)
    assert note["section_title"] == "UN veto"
    code, out, _ = run(capsys, "notes", "edit", note_id, "--note", "Changed")
    assert code == 0
    code, out, _ = run(capsys, "notes", "list", SLUG)
    assert "Changed" in out and "un-veto" in out
    code, out, _ = run(capsys, "notes", "rm", note_id)
    assert code == 0 and note_id in out
    code, out, _ = run(capsys, "notes", "list", "--json")
    assert json.loads(out) == {"schema": 1, "notes": []}


def test_notes_add_refuses_a_quote_not_in_the_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "notes", "add", SLUG, "treaty-terms", "--quote", QUOTE)
    assert code == 1 and "quote not found" in err
    code, _, err = run(capsys, "notes", "rm", "ffffffffff")
    assert code == 1 and "no note with id" in err


def test_notes_add_accepts_straight_quotes_for_curly_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(
        capsys, "notes", "add", SLUG, "treaty-terms", "--quote", 'a "breakthrough document"'
    )
    assert code == 0, err


def test_export_to_stdout_and_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    add_note(capsys, "--note", "Veto matters", "--tag", "veto")
    code, out, _ = run(capsys, "export", SLUG)
    assert code == 0 and "# The Russia–North Korea Mutual Defence Treaty" in out
    assert "Veto matters" in out and "#veto" in out
    target = tmp_path / "notes.md"
    code, _, err = run(capsys, "export", SLUG, "-o", str(target))
    written = target.read_text(encoding="utf-8")
    assert code == 0 and f"wrote {target}" in err
    assert written.startswith("---\n") and "Veto matters" in written
    target.write_text("someone else's file\n", encoding="utf-8")
    code, _, err = run(capsys, "export", SLUG, "-o", str(target))
    assert code == 1 and "--force" in err
    code, _, err = run(capsys, "export", "nope")
    assert code == 1 and "no briefing 'nope'" in err


def test_doctor_reports_and_restores(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    add_note(capsys)
    add_note(capsys)  # the second write of the day has a backup to restore from
    code, out, _ = run(capsys, "doctor")
    assert code == 0 and "data files are good" in out
    notes = data_dir / "users" / "tester" / "notes" / f"{SLUG}.json"
    notes.write_text("{ broken")
    code, out, err = run(capsys, "notes", "list")
    assert code == 1 and str(notes) in err
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "BAD" in out and "--restore" in out
    code, out, _ = run(capsys, "doctor", "--restore", "--yes")
    assert code == 0 and "restored" in out
    code, out, _ = run(capsys, "notes", "list", "--json")
    assert len(json.loads(out)["notes"]) == 1


def test_console_script_and_python_m_work(data_dir: Path) -> None:
    env = {**os.environ, "BRIEFING_HOME": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "list"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0 and SLUG in result.stdout


def test_search_prints_matches_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    add_note(capsys, "--note", "Moscow shields its arms deals", "--tag", "veto")
    code, out, _ = run(capsys, "search", "pyongyang", "weapons")
    assert code == 0
    assert f"{SLUG}/un-veto" in out and "Pyongyang" in out
    code, out, _ = run(capsys, "search", "--json", "arms deals")
    hits = json.loads(out)["hits"]
    note_hits = [h for h in hits if h["kind"] == "note"]
    assert note_hits and note_hits[0]["section"] == "un-veto"
    assert {"slug", "section", "start", "end", "snippet", "kind", "note_id"} <= set(hits[0])
    assert note_hits[0]["note_id"] and all(h["note_id"] is None for h in hits if h not in note_hits)
    code, out, _ = run(capsys, "search", "--notes-only", "--json", "tag:veto")
    assert [h["kind"] for h in json.loads(out)["hits"]] == ["note"]
    code, out, err = run(capsys, "search", "zzzqqq")
    assert code == 1 and out == "" and "No matches" in err  # as grep: no match, exit 1
    code, out, err = run(capsys, "search", "--json", "zzzqqq")
    assert code == 1 and json.loads(out)["hits"] == []


def test_doctor_never_replaces_a_file_from_a_newer_version(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    add_note(capsys)
    add_note(capsys)  # a backup exists that --restore could use
    notes = data_dir / "users" / "tester" / "notes" / f"{SLUG}.json"
    data = json.loads(notes.read_text())
    data["_meta"] = {"1": {"schema": 99}}
    notes.write_text(json.dumps(data))
    before = notes.read_bytes()
    code, out, _ = run(capsys, "doctor", "--restore", "--yes")
    assert code == 1 and "newer briefing" in out and "restored" not in out
    assert notes.read_bytes() == before


def test_json_output_never_carries_raw_terminal_controls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.md"
    hostile.write_text("# Title \x9b31m red \u202e rtl\n\n## S\n\nx\n", encoding="utf-8")
    run(capsys, "import", str(hostile))
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    assert "\x9b" not in out and "\u202e" not in out
    titles = {item["slug"]: item["title"] for item in json.loads(out)["briefings"]}
    assert titles["hostile"] == "Title \x9b31m red \u202e rtl"  # lossless once parsed


@pytest.mark.parametrize("typed", ["Résumé", "#RESUME", "résumé"])
def test_one_tag_rule_across_store_search_export_and_notes_pane(
    capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    """A tag typed any way is found by every entry point under any spelling."""
    from briefing.core.rules import normalise_tags, split_tag_input
    from briefing.store.facade import Store
    from briefing.tui.widgets.notes_pane import has_tags

    note_id = add_note(capsys, "--tag", typed, "--tag", "watch list")
    code, out, _ = run(capsys, "notes", "list", "--json")
    (note,) = json.loads(out)["notes"]
    assert note["tags"] == [normalise_tags([typed])[0], "watch-list"]  # store
    code, out, _ = run(capsys, "search", "--json", "--notes-only", "tag:resume")
    assert code == 0 and [h["note_id"] for h in json.loads(out)["hits"]] == [note_id]  # search
    for spelling in ("resume", "Résumé", "#RÉSUMÉ"):
        code, out, _ = run(capsys, "export", "--tag", spelling, "--format", "json")
        notes = [n["id"] for b in json.loads(out)["briefings"] for n in b["notes"]]
        assert code == 0 and notes == [note_id], spelling  # export
    code, out, _ = run(capsys, "export", "--tag", "watch list", "--format", "json")
    assert [n["id"] for b in json.loads(out)["briefings"] for n in b["notes"]] == [note_id]
    annotation = Store(Path(os.environ["BRIEFING_HOME"]), "tester").annotations()[0]
    assert has_tags(annotation, ["resu"]) and has_tags(annotation, ["RÉS"])  # notes pane
    assert not has_tags(annotation, ["cv"])
    assert normalise_tags(split_tag_input("Résumé, watch")) == ("résumé", "watch")  # reader
