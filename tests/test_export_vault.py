"""The export as an Obsidian vault reads it: embeds by block id, tags, properties,
reproducible ``exported:``, and ``-o FILE`` writing only where it should.

Markdown is read back with markdown-it-py and its front-matter plugin, the way
the golden files are checked in tests/test_export_structure.py.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from briefing.core.export import (
    ExportItem,
    export_markdown,
    export_time,
    obsidian_tag,
    same_export,
)
from tests.conftest import SLUG
from tests.conftest import run_cli as run
from tests.test_export import fixture_annotations, fixture_briefing, note_on, one_items

PARSER = MarkdownIt("commonmark").use(front_matter_plugin)
QUOTE = "Russia can veto decisions of the UN Security Council."

pytestmark = pytest.mark.unit


def md(items: list[ExportItem]) -> str:
    return export_markdown(items, exported_at="2026-11-28T05:40:12Z", version="0.1.0")


def top_level(tokens: list[Token]) -> list[list[Token]]:
    """The document's top-level blocks, each as its tokens."""
    blocks: list[list[Token]] = []
    for token in tokens:
        if token.level == 0 and token.nesting >= 0:
            blocks.append([token])
        elif blocks:
            blocks[-1].append(token)
    return blocks


def embed(text: str, block_id: str) -> str:
    """What ``![[file#^block_id]]`` shows, resolved as Obsidian does: the paragraph
    that is only ``^block_id`` names the block right before it (a quote or callout).
    Returns that block's text; fails when the id is missing or not unique."""
    blocks = top_level(PARSER.parse(text))
    found = [
        n
        for n, block in enumerate(blocks)
        if block[0].type == "paragraph_open" and block[1].content == f"^{block_id}"
    ]
    assert len(found) == 1, f"^{block_id} found {len(found)} times"
    target = blocks[found[0] - 1]
    assert target[0].type == "blockquote_open"
    return " ".join(t.content for t in target if t.type == "inline")


def test_an_embed_by_id_shows_the_quote_and_the_note() -> None:
    text = md(one_items())
    shown = " ".join(embed(text, "b2e1d4c3").split())
    assert "traffic was rerouted via C-Lion\\|B" in shown
    assert "Latency matters for *trading* links" in shown
    assert "#impact" in shown  # the title line: colour, tags, dates
    for note in fixture_annotations(fixture_briefing()):
        embed(text, note.id)  # every note resolves, once


def test_a_forged_block_id_stays_inside_its_note() -> None:
    b = fixture_briefing()
    forger = note_on(
        b,
        "f0f0f0f0",
        "summary",
        "The vessel's AIS track shows a 40-minute gap (21:10–21:50 UTC).",
        note="Looks like a note id:\n\n^b2e1d4c3\n\n*#fake · yellow · created 2026* ^a1b2\n"
        "> [!success] forged\n\n```\n^kept-in-code\n```",
        created="2026-11-21T08:15:00Z",
    )
    real = note_on(b, "b2e1d4c3", "summary", "traffic was rerouted via C-Lion|B")
    text = md([ExportItem(b, (forger, real))])
    ids = [line for line in text.splitlines() if line.startswith("^")]
    assert ids == ["^f0f0f0f0", "^b2e1d4c3"]
    assert "Looks like a note id" in embed(text, "f0f0f0f0")
    assert "Looks like a note id" not in embed(text, "b2e1d4c3")
    assert "\\^b2e1d4c3" in text and "\\^a1b2" in text and "> ^kept-in-code" in text
    assert "\n> \\> [!success] forged\n" in text  # a forged callout is plain text


@pytest.mark.parametrize(
    ("stored", "tag"),
    [
        ("2024", "n2024"),
        ("1718", "n1718"),
        ("c++", "c-plus-plus"),
        ("c#", "c-sharp"),
        ("r&d", "r-and-d"),
        ("watch-list", "watch-list"),
        ("Watch list", "watch-list"),
        ("geo/baltic", "geo/baltic"),
        ("2024/q1", "2024/q1"),
        ("résumé", "résumé"),
        ("_x_", "x"),
        ("a_b", "a_b"),
        ("!!!", "u21-u21-u21"),
        ("#", ""),
    ],
)
def test_only_valid_obsidian_tags(stored: str, tag: str) -> None:
    assert obsidian_tag(stored) == tag


def test_distinct_tags_stay_distinct() -> None:
    tags = ["c", "c++", "c#", "2024", "a/b", "a-b", "r&d", "r-d", "x.y", "xy"]
    assert len({obsidian_tag(t) for t in tags}) == len(tags)


def test_front_matter_has_obsidian_properties() -> None:
    b = fixture_briefing()
    b.meta["author"] = "Desk A"
    b.meta["tags"] = ["baltic", "2024", "c++", "watch list"]
    front = yaml.safe_load(PARSER.parse(md([ExportItem(b, ())]))[0].content)
    assert front["aliases"] == ['Baltic cables: the "repair gap"']
    assert front["tags"] == ["baltic", "n2024", "c-plus-plus", "watch-list"]
    assert front["url"] == "https://example.org/briefs/baltic-cables?id=7&lang=en"
    assert front["author"] == ["Desk A"]
    assert "source" not in front


def test_each_colour_has_its_own_callout_type() -> None:
    b = fixture_briefing()
    quote = "The vessel's AIS track shows a 40-minute gap (21:10–21:50 UTC)."
    kinds = set()
    for color in ("yellow", "green", "blue", "pink", "orange"):
        text = md([ExportItem(b, (note_on(b, "c1", "summary", quote, color=color),))])
        kinds.add(next(line for line in text.splitlines() if line.startswith("> [!"))[4:12])
    assert len(kinds) == 5


def test_source_date_epoch_fixes_exported() -> None:
    assert export_time({"SOURCE_DATE_EPOCH": "1700000000"}, "now") == "2023-11-14T22:13:20Z"
    assert export_time({}, "now") == "now"
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        export_time({"SOURCE_DATE_EPOCH": "yesterday"}, "now")


def test_same_export_ignores_only_the_time() -> None:
    one = md(one_items())
    later = export_markdown(one_items(), exported_at="2027-01-01T00:00:00Z", version="0.1.0")
    assert same_export(one, later)
    assert not same_export(one, later.replace("Latency", "Lag"))


# The command line: -o FILE over the vault's own file -------------------------


def add_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "notes", "add", SLUG, "un-veto", "--quote", QUOTE, "--tag", "un")
    assert code == 0, err


@pytest.mark.system
def test_rewriting_an_unchanged_export_leaves_the_file_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    add_note(capsys)
    target = tmp_path / "vault" / f"{SLUG}.md"
    assert run(capsys, "export", SLUG, "-o", str(target))[0] == 0
    os.utime(target, (1, 1))
    code, _, err = run(capsys, "export", SLUG, "-o", str(target))
    assert code == 0 and err.strip() == f"unchanged {target}"
    assert target.stat().st_mtime == 1
    note_id = json.loads(run(capsys, "notes", "list", "--json")[1])["notes"][0]["id"]
    run(capsys, "notes", "edit", note_id, "--note", "changed")
    code, _, err = run(capsys, "export", SLUG, "-o", str(target))
    assert code == 1 and "use --force" in err
    assert run(capsys, "export", SLUG, "-o", str(target), "--force")[0] == 0
    assert "changed" in target.read_text(encoding="utf-8")


@pytest.mark.system
def test_source_date_epoch_makes_the_export_reproducible(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_note(capsys)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = run(capsys, "export", SLUG)[1]
    assert "exported: '2023-11-14T22:13:20Z'" in out
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    code, out, err = run(capsys, "export", SLUG)
    assert code == 1 and out == "" and err.count("\n") == 1 and "SOURCE_DATE_EPOCH" in err


def special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.md"
    (tmp_path / "real.md").write_text("mine\n")
    link.symlink_to(tmp_path / "real.md")
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    sock = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    server.close()
    return {"fifo": fifo, "link": link, "dangling": dangling, "socket": sock}


@pytest.mark.system
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_only_a_regular_file_or_a_new_path_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, force: list[str]
) -> None:
    add_note(capsys)
    targets = special_files(tmp_path)
    targets["device"] = Path("/dev/null")
    for name, target in targets.items():
        before = os.lstat(target)
        code, out, err = run(capsys, "export", SLUG, "-o", str(target), *force)
        assert code == 1 and out == "", name
        assert err.count("\n") == 1 and str(target) in err, (name, err)
        assert "symbolic link" in err or "not a regular file" in err, (name, err)
        after = os.lstat(target)
        assert (before.st_ino, before.st_mode) == (after.st_ino, after.st_mode), name
    assert (tmp_path / "real.md").read_text() == "mine\n"
    assert not (tmp_path / "nowhere.md").exists()
