"""The second QA pass on the command line: exports that would lose notes or write the
wrong thing, search's --limit in lines, a section rename always reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.store.facade import Store
from tests.conftest import SLUG
from tests.conftest import run_cli as run

pytestmark = pytest.mark.system

VETO = "Russia can veto decisions of the UN Security Council."


def _two_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "notes", "add", SLUG, "un-veto", "--quote", VETO, "--note", "N1")[0] == 0
    assert (
        run(
            capsys,
            "notes",
            "add",
            SLUG,
            "un-veto",
            "--quote",
            "blocked the renewal",
            "--note",
            "N2",
        )[0]
        == 0
    )


@pytest.mark.parametrize("how", ["config", "folder", "file"])
def test_a_filtered_export_does_not_replace_a_fuller_one_without_force(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    args: list[str] = []
    if how == "config":
        config = tmp_path / "config.toml"
        config.write_text(f'[export]\nfolder = "{vault}"\n')
        monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    elif how == "folder":
        args = ["-o", str(vault)]
    else:
        args = ["-o", str(vault / f"{SLUG}.md")]
    _two_notes(capsys)
    assert run(capsys, "export", "--all", *args)[0] == 0
    target = vault / f"{SLUG}.md"
    full = target.read_text("utf-8")
    assert "N1" in full and "N2" in full
    code, _, err = run(capsys, "export", SLUG, "--tag", "nothing-has-this", *args)
    assert code == 1
    assert "2 notes this export leaves out" in err and "--force" in err
    assert target.read_text("utf-8") == full
    code, _, err = run(capsys, "export", SLUG, "--tag", "nothing-has-this", "--force", *args)
    assert code == 0, err
    assert "No notes match." in target.read_text("utf-8")


def test_an_output_ending_in_a_slash_is_a_folder_made_for_it(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    _two_notes(capsys)
    vault = tmp_path / "deep" / "vault"
    code, _, err = run(capsys, "export", "--all", "-o", f"{vault}/")
    assert code == 0, err
    assert not (tmp_path / "deep" / "vault").is_file()
    assert "N1" in (vault / f"{SLUG}.md").read_text("utf-8")


def test_output_dash_is_stdout(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _two_notes(capsys)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "export", "--all", "-o", "-")
    assert code == 0, err
    assert "N1" in out and not (tmp_path / "-").exists()


def test_search_limit_counts_the_lines_printed(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    """Sections of many matching paragraphs: ``--limit 5`` prints 5 lines, not 5
    sections' worth, and says more match; the JSON hits are cut the same way."""
    paragraphs = "".join(f"A zebra grazes in field {n}.\n\n" for n in range(12))
    source = tmp_path / "zoo.md"
    source.write_text(
        "# Zoo\n\n" + "".join(f"## Pen {n}\n\n{paragraphs}" for n in range(6)), "utf-8"
    )
    assert run(capsys, "import", str(source))[0] == 0
    code, out, err = run(capsys, "search", "zebra")
    assert code == 0 and len(out.splitlines()) > 5
    everything = out.splitlines()
    code, out, err = run(capsys, "search", "zebra", "--limit", "5")
    assert code == 0 and out.splitlines() == everything[:5]
    assert "More match than the 5 lines shown" in err
    code, out, _ = run(capsys, "search", "--json", "--limit", "5", "zebra")
    document = json.loads(out)
    assert len(document["hits"]) == 5 and document["more"] is True


@pytest.mark.parametrize("with_note", [False, True])
def test_a_renamed_section_is_reported_with_or_without_notes(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path, with_note: bool
) -> None:
    source = tmp_path / "zoo.md"
    body = "## Pens\n\nZebras graze in the pens.\n\n## Feeding\n\nHay at noon.\n"
    source.write_text(f"# Zoo\n\n{body}", "utf-8")
    assert run(capsys, "import", str(source))[0] == 0
    if with_note:
        quote = "Hay at noon."
        assert run(capsys, "notes", "add", "zoo", "feeding", "--quote", quote)[0] == 0
    source.write_text(f"# Zoo\n\n{body.replace('## Pens', '## Enclosures')}", "utf-8")
    code, out, err = run(capsys, "import", str(source))
    assert code == 0, err
    assert "section “Pens” is now “Enclosures”" in out
    assert "moved" not in out and "orphaned" not in out
