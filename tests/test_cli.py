"""Every subcommand, through ``main()``, with its exit code and its stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import __version__
from briefing.store.facade import Store
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
        "Key points",  # the lead, annotated by its key "lead"
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


@pytest.mark.parametrize(
    ("argv", "command", "says"),
    [
        (["export", SLUG, "--all"], "export", "give SLUGs or --all, not both"),
        (["export", "--template", "t.j2", "--format", "json"], "export", "--template makes"),
        (["import", "-", "-"], "import", "'-' (stdin) can be given once"),
        (["import", "x.md", "--sections", "2", "--split", "none"], "import", "give --sections"),
        (["show", SLUG, "un-veto", "--markdown"], "show", "--markdown prints the whole"),
        (["notes", "edit", "ffffffffff"], "notes edit", "give --note"),
    ],
)
def test_a_usage_error_names_the_help_of_the_command_given(
    capsys: pytest.CaptureFixture[str], argv: list[str], command: str, says: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"briefing {command}: {says}"), line
    assert line.endswith(f"(see 'briefing {command} --help')"), line


def test_show_finds_a_section_by_its_title_too(capsys: pytest.CaptureFixture[str]) -> None:
    by_key = run(capsys, "show", SLUG, "un-veto")
    assert by_key[0] == 0
    assert run(capsys, "show", SLUG, "  un   VETO ") == by_key  # case and spacing aside
    code, _, err = run(capsys, "show", SLUG, "UN vetoes")
    assert code == 1 and "no section 'UN vetoes'" in err


def test_counts_are_said_with_one_plural_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from briefing.core.rules import counted

    assert [counted(n, "note") for n in (0, 1, 2)] == ["0 notes", "1 note", "2 notes"]
    assert (
        counted(1, "match", "matches") == "1 match"
        and counted(3, "match", "matches") == "3 matches"
    )
    one = tmp_path / "one.md"
    one.write_text("# One\n\n## Only\n\ntext\n", encoding="utf-8")
    run(capsys, "import", str(one))
    add_note(capsys)
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert f"{SLUG}  The Russia–North Korea Mutual Defence Treaty  (4 sections, 1 note)" in out
    assert "One  (1 section, 0 notes)" in out
    code, out, _ = run(capsys, "outline", "one")
    assert code == 0 and "1 section · 1 paragraph, 1 word" in out
    code, out, _ = run(capsys, "doctor", "--reindex")
    assert code == 0 and out == "Search index rebuilt: 2 briefings.\n"


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
    (tmp_path / "broken.md").write_text(" \n\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(tmp_path))
    assert code == 1
    assert "7 imported, 1 refused" in err and "broken.md: file is empty" in err


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


def test_notes_edit_adds_removes_or_sets_tags(capsys: pytest.CaptureFixture[str]) -> None:
    note_id = add_note(capsys, "--tag", "un", "--tag", "Résumé")

    def tags() -> list[str]:
        (note,) = json.loads(run(capsys, "notes", "list", "--json")[1])["notes"]
        return list(note["tags"])

    edit = ("notes", "edit", note_id)
    assert run(capsys, *edit, "--add-tag", "Veto", "--add-tag", "UN")[:2] == (
        0,
        f"updated {note_id}\n",
    )
    assert tags() == ["un", "résumé", "veto"]  # added, once, in order
    code, _, err = run(capsys, *edit, "--remove-tag", "RESUME", "--remove-tag", "absent")
    assert code == 1 and f"note {note_id} has no tag 'absent'" in err
    assert tags() == ["un", "résumé", "veto"]  # a typo'd removal changes nothing
    assert run(capsys, *edit, "--remove-tag", "RESUME")[0] == 0
    assert tags() == ["un", "veto"]  # removed under any spelling
    assert run(capsys, *edit, "--add-tag", "x", "--remove-tag", "un")[0] == 0
    assert tags() == ["veto", "x"]
    assert run(capsys, *edit, "--tag", "a", "--tag", "b")[0] == 0
    assert tags() == ["a", "b"]  # --tag sets them all, as its help says
    assert run(capsys, *edit, "--tag", "")[0] == 0
    assert tags() == []
    code, _, err = run(capsys, *edit, "--tag", "a", "--add-tag", "b")
    assert code == 2 and "--tag sets every tag" in err and tags() == []
    code, _, err = run(capsys, *edit, "--add-tag", "a", "--remove-tag", "A")
    assert code == 2 and "both name 'a'" in err and tags() == []
    help_text = run(capsys, *edit[:2], "--help")[1]
    assert "--add-tag TAG" in help_text and "--remove-tag TAG" in help_text
    assert "replaces all of them" in " ".join(help_text.split())


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


def test_search_shows_the_best_few_and_says_when_more_match(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A word found in most of a big library prints the best ``--limit`` lines (50 by
    default), says on stderr that more match, and ``--limit 0`` prints every one."""
    source = tmp_path / "zoo.md"
    sections = "".join(f"## Pen {n}\n\nA zebra in pen {n}.\n\n" for n in range(1, 61))
    source.write_text(f"# Zoo\n\n{sections}", encoding="utf-8")
    assert run(capsys, "import", str(source))[0] == 0
    code, out, err = run(capsys, "search", "zebra")
    assert code == 0 and len(out.splitlines()) == 50
    assert "More match than the 50 lines shown (--limit 0" in err
    code, out, err = run(capsys, "search", "zebra", "--limit", "0")
    assert code == 0 and len(out.splitlines()) == 60 and err == ""
    code, out, _ = run(capsys, "search", "--json", "--limit", "3", "zebra")
    document = json.loads(out)
    assert len(document["hits"]) == 3 and document["more"] is True
    code, out, _ = run(capsys, "search", "--json", "--limit", "0", "zebra")
    assert json.loads(out)["more"] is False
    code, _, err = run(capsys, "search", "zebra", "--limit", "-1")
    assert code == 2 and "must be 0 or more" in err


def test_search_prints_one_line_per_match_grouped_by_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Store
) -> None:
    far = " ".join(["filler"] * 30)
    source = tmp_path / "zoo.md"
    source.write_text(
        f"# Zoo\n\n## First\n\nA zebra here. {far} A zebra there, and zebra again.\n\n"
        "## Second\n\nOne zebra.\n\n## Third\n\nNothing.\n",
        encoding="utf-8",
    )
    assert run(capsys, "import", str(source))[0] == 0
    add = ("notes", "add", "zoo", "second", "--quote", "One zebra", "--note", "zebra note")
    code, note_id, _ = run(capsys, *add)
    assert code == 0
    code, out, _ = run(capsys, "search", "zebra")
    assert code == 0
    lines = out.splitlines()
    assert [line.split("  ")[0] for line in lines] == [
        "zoo/first",  # the best section first, its matches in text order
        "zoo/first",  # two matches close together: one line, as grep prints a line once
        "zoo/second",
        f"zoo/second [note {note_id.strip()}]",  # a section's notes after its text
    ]
    assert "A zebra here." in lines[0] and "zebra there, and zebra again" in lines[1]
    code, out, _ = run(capsys, "search", "--json", "zebra")
    hits = json.loads(out)["hits"]
    assert code == 0 and [h["snippet"] for h in hits] == [line.split("  ", 1)[1] for line in lines]
    first = store.section("zoo", "first").text
    assert [first[h["start"] : h["end"]] for h in hits[:2]] == [
        "zebra",
        "zebra there, and zebra",
    ]
    code, out, _ = run(capsys, "search", "veto")  # a heading holding the word: its line first
    assert out.splitlines()[:2] == [
        f"{SLUG}/un-veto  UN veto",
        f"{SLUG}/un-veto  Russia can veto decisions of the UN Security Council. This feeds"
        " growing fears…",
    ]


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


def test_the_lead_is_searched_annotated_and_exported_like_a_section(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "search", "three earlier agreements")
    assert code == 0 and out.splitlines()[0].startswith(f"{SLUG}/lead ")
    quote = "The pact replaces three earlier agreements"
    code, _, err = run(capsys, "notes", "add", SLUG, "lead", "--quote", quote, "--note", "Which?")
    assert code == 0, err
    code, out, _ = run(capsys, "export", SLUG)
    assert code == 0 and "Key points" in out and quote in out and "Which?" in out


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


# clig.dev: help, global flags, one-line errors, completion, man page, config -------


def every_command() -> list[str]:
    from briefing.clidocs import subcommands
    from briefing.cliparser import build_parser

    return list(subcommands(build_parser()))


@pytest.mark.parametrize("command", every_command())
def test_every_command_help_has_a_description_and_an_example(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, _ = run(capsys, *command.split(), "--help")
    assert code == 0
    usage, description = out.split("\n\n")[:2]
    assert usage.startswith(f"usage: briefing {command}") and description.strip()
    example = out.split("example:\n", 1)[1].strip()
    assert example.startswith("briefing ")
    assert "--data-dir DIR" in out and "--user NAME" in out


def test_every_option_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    from briefing.clidocs import subcommands
    from briefing.cliparser import build_parser

    for name, parser in {"": build_parser(), **subcommands(build_parser())}.items():
        for action in parser._actions:
            assert action.help or not action.option_strings, (name, action.option_strings)
    assert "md: Markdown" in run(capsys, "export", "--help")[1]


def test_global_flags_work_after_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    code, out, err = run(capsys, "list", "--data-dir", str(other), "--user", "bob", "--json")
    assert code == 0, err
    assert (other / "library.json").exists()
    add = ("notes", "add", SLUG, "un-veto", "--quote", QUOTE)
    assert run(capsys, *add, "--data-dir", str(other), "--user", "bob")[0] == 0
    assert (other / "users" / "bob" / "notes" / f"{SLUG}.json").exists()
    code, out, _ = run(capsys, "--data-dir", str(other), "notes", "list", "--user", "bob")
    assert code == 0 and "un-veto" in out


def one_line_error(code: int, err: str, expected_code: int = 1) -> None:
    assert code == expected_code, err
    assert err.count("\n") == 1 and err.startswith("briefing: error: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("since", ["2024-13-45", "yesterday", "2024-1-1"])
def test_a_bad_since_is_a_usage_error(capsys: pytest.CaptureFixture[str], since: str) -> None:
    code, out, err = run(capsys, "export", "--since", since)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        f"briefing export: argument --since: not a date as YYYY-MM-DD: {since!r}"
        " (see 'briefing export --help')"
    ]


def test_an_unusable_data_dir_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--data-dir", str(blocker / "data"), "list")
    one_line_error(code, err)
    assert str(blocker) in err


def test_home_unset_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HOME", "BRIEFING_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    code, _, err = run(capsys, "list")
    one_line_error(code, err)
    assert "HOME" in err and "--data-dir" in err


def test_the_reader_refuses_to_start_without_a_terminal(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "briefing"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BRIEFING_HOME": str(data_dir)},
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "briefing: error: briefing needs a terminal; try `briefing show`\n"


def test_a_crashed_reader_exits_non_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A reader that dies of an exception exits 1 (Textual prints the traceback)."""
    from briefing.store.facade import Store
    from briefing.store.importing import ensure_library
    from briefing.tui import app as tui_app

    class Crashing(tui_app.BriefingApp):
        def on_mount(self) -> None:
            raise RuntimeError("boom")

    def headless(self: tui_app.BriefingApp) -> None:
        tui_app.App.run(self, headless=True, size=(80, 24))

    monkeypatch.setattr(tui_app, "make_app", lambda store, *_, **__: Crashing(store))
    monkeypatch.setattr(Crashing, "run", headless)
    store = Store(tmp_path / "data", "tester")
    ensure_library(store)
    assert tui_app.run_reader(store) == 1


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(capsys: pytest.CaptureFixture[str], shell: str) -> None:
    code, out, _ = run(capsys, "completion", shell)
    assert code == 0 and "briefing" in out
    for word in ("export", "search", "--data-dir", "--template"):
        assert word in out, word


def test_bash_completion_is_valid_bash(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "briefing.bash"
    script.write_text(run(capsys, "completion", "bash")[1])
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_man_page_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "man")
    assert code == 0 and out.startswith(".TH BRIEFING 1 ")
    for command in every_command():
        assert f".SS {command}" in out, command
    assert "\\-\\-template FILE" in out and ".SH EXIT STATUS" in out


def test_config_path_and_show(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "config", "path")
    path = Path(out.strip())
    assert code == 0 and path == tmp_path / "home" / ".config" / "briefing" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[notes]\ndefault_tags = ["inbox"]\n[reader]\ntheme = "nord"\n')
    code, out, _ = run(capsys, "config", "show")
    assert code == 0 and 'default_tags = ["inbox"]' in out and 'theme = "nord"' in out
    assert "folder = (not set)" in out
    assert run(capsys, "config") == (0, out, "")  # no action: show, as a user would guess


@pytest.mark.parametrize("tty", [False, True])
def test_config_show_is_valid_toml_that_reads_back_as_the_settings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tty: bool
) -> None:
    import tomllib

    from briefing.core.config import load_config

    folder = 'C:\\Vault "quoted"\ttab\nline \x1b[31m \u202e rtl é'
    config = tmp_path / 'odd "dir"' / "config.toml"
    config.parent.mkdir()
    config.write_text(
        f"[export]\nfolder = {json.dumps(folder)}\n"
        '[notes]\ndefault_tags = ["a", "b\\\\c", "\\u0007"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    code, out, err = run(capsys, "config", "show", tty=tty)
    assert code == 0, err
    shown = tomllib.loads(out)
    assert shown == {
        "export": {"folder": folder},
        "notes": {"default_tags": ["a", "b\\c", "\a"]},
        "reader": {},
    }
    assert "# template = (not set)" in out and "\x1b" not in out and "\u202e" not in out
    copy = tmp_path / "copy.toml"
    copy.write_text(out, encoding="utf-8")  # `config show > FILE` is a config file
    settings = {name: keys for name, keys in load_config(copy).raw.items() if keys}
    assert settings == load_config(config).raw
    monkeypatch.setenv("BRIEFING_CONFIG", str(tmp_path / "none.toml"))
    code, out, _ = run(capsys, "config", "show", tty=tty)
    assert code == 0 and tomllib.loads(out) == {"export": {}, "notes": {}, "reader": {}}
    assert out.startswith(f"# {tmp_path / 'none.toml'}  (no file yet: defaults)\n")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[notes\n", "is not valid TOML"),
        ("[export]\nfolder = 3\n", "export.folder must be a string"),
        ("[notes]\ndefault_tag = []\n", "unknown key notes.default_tag"),
        ("[colours]\n", "unknown section [colours]"),
    ],
)
def test_a_bad_config_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    text: str, says: str,
) -> None:  # fmt: skip
    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    for argv in (
        ["config", "show"],
        ["export", "--all"],
        ["notes", "add", SLUG, "x", "--quote", "y"],
    ):
        code, _, err = run(capsys, *argv)
        one_line_error(code, err)
        assert says in err and str(config) in err


def write_config(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))


def test_config_default_tags_and_export_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    write_config(
        tmp_path, f'[export]\nfolder = "{vault}"\n[notes]\ndefault_tags = ["Inbox"]\n', monkeypatch
    )
    add_note(capsys, "--tag", "un")
    code, out, err = run(capsys, "export", "--all")
    target = vault / f"{SLUG}.md"
    assert code == 0 and out == "" and err == f"wrote {target}\n"
    assert "> [!question] yellow · #inbox #un · created" in target.read_text()
    add_note_again = run(
        capsys,
        "notes",
        "edit",
        json.loads(run(capsys, "notes", "list", "--json")[1])["notes"][0]["id"],
        "--note",
        "x",
    )
    assert add_note_again[0] == 0
    code, _, err = run(capsys, "export", SLUG)  # an earlier export of ours is replaced
    assert code == 0 and err == f"wrote {target}\n"
    target.write_text("my own note\n")
    code, _, err = run(capsys, "export", SLUG)
    assert code == 1 and "--force" in err and target.read_text() == "my own note\n"


def test_config_theme_is_the_readers_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from briefing.tui import launch

    write_config(tmp_path, '[reader]\ntheme = "textual-light"\n', monkeypatch)
    seen: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(
        launch, "open_reader", lambda store, slug, section, theme: seen.append(theme) or 0
    )
    assert run(capsys, tty=True)[0] == 0
    assert seen == ["textual-light"]


TEMPLATE = """{% for b in briefings %}# {{ b.title | inline }}
{% for n in b.notes %}
{{ n.quote | quote }}
{{ n.note }} {% for t in n.obsidian_tags %}#{{ t }} {% endfor %}^{{ n.block_id }}
{% endfor %}{% endfor %}"""


def test_export_through_a_template(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    note_id = add_note(capsys, "--note", "Veto *matters*", "--tag", "c++")
    template = tmp_path / "t.md.j2"
    template.write_text(TEMPLATE)
    code, out, err = run(capsys, "export", SLUG, "--template", str(template))
    assert code == 0, err
    assert out.startswith("# The Russia–North Korea Mutual Defence Treaty\n")
    assert f"> {QUOTE}\nVeto *matters* #c-plus-plus ^{note_id}\n" in out
    template.write_text("{% for x in %}")
    code, _, err = run(capsys, "export", SLUG, "--template", str(template))
    one_line_error(code, err)
    assert str(template) in err and "line 1" in err
    code, _, err = run(capsys, "export", SLUG, "--template", str(tmp_path / "missing.j2"))
    one_line_error(code, err)


def test_template_without_jinja2_names_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text(TEMPLATE)
    monkeypatch.setitem(sys.modules, "jinja2", None)  # as if not installed
    code, _, err = run(capsys, "export", SLUG, "--template", str(template))
    one_line_error(code, err)
    assert "pip install 'briefing[template]'" in err


@pytest.mark.parametrize("argv", [["serve"], ["users", "list"]])
def test_serve_without_asyncssh_names_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    for name in [m for m in sys.modules if m.startswith(("asyncssh", "briefing.serve"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "asyncssh", None)  # as if not installed
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err == (
        f"briefing: error: `briefing {argv[0]}` needs the serve extra:"
        " pip install 'briefing[serve]'\n"
    )


def test_a_closed_pipe_is_not_an_error(data_dir: Path) -> None:
    """`briefing show SLUG | head -1`: no error line when the reader has gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, as after head exits
    try:
        result = subprocess.run(
            [sys.executable, "-m", "briefing", "show", SLUG],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "BRIEFING_HOME": str(data_dir)},
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0 and result.stderr == ""


#: The help examples a new user can paste against the bundled briefing as they are.
RUNNABLE_EXAMPLES = ["list", "show", "outline", "notes add", "notes list", "search", "config show"]


@pytest.mark.parametrize("command", RUNNABLE_EXAMPLES)
def test_the_help_example_works_as_printed(
    command: str, capsys: pytest.CaptureFixture[str], store: object
) -> None:
    import shlex

    from briefing.clidocs import DOCS

    example = DOCS[command][1].split(" > ")[0]  # the command, not where its output goes
    code, _, err = run(capsys, *shlex.split(example)[1:])
    assert code == 0, f"{example}: {err}"


@pytest.mark.parametrize("command", sorted({c.split()[0] for c in every_command()}))
def test_a_command_built_alone_reads_and_helps_as_in_the_whole_parser(command: str) -> None:
    """``main`` builds only the parser of the command it is given: its help, and every
    sub-command's, is the whole parser's, word for word."""
    from briefing.clidocs import subcommands
    from briefing.cliparser import build_parser

    whole = subcommands(build_parser())
    alone = subcommands(build_parser(command))
    assert set(alone) == {c for c in whole if c.split()[0] == command}
    for name, parser in alone.items():
        assert parser.format_help() == whole[name].format_help(), name


@pytest.mark.parametrize(
    ("argv", "chosen"),
    [
        (["list"], "list"),
        (["--data-dir", "D", "--user=u", "export", "--all"], "export"),
        (["--user", "list", "show", "x"], "show"),  # a user named like a command
        (["--us", "list", "show"], None),  # abbreviated: argparse decides, every command built
        (["--help"], None),
        (["man"], None),  # the man page and completion read every command
        ([], None),
    ],
)
def test_the_command_a_command_line_names(argv: list[str], chosen: str | None) -> None:
    from briefing.cliparser import chosen_command

    assert chosen_command(argv) == chosen


def test_an_abbreviated_global_flag_before_a_command_still_works(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--data", str(tmp_path / "d"), "--us", "list", "list", "--json")
    assert code == 0, err
    assert (tmp_path / "d" / "library.json").exists()
    assert json.loads(out)["briefings"][0]["slug"] == SLUG
