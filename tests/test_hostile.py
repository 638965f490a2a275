"""Issue #6, input half: no file, however broken or hostile, can hurt the reader.

Every file in ``tests/data/bad/`` (written by ``tests/helpers/make_bad_corpus.py``)
and a few generated at test time go through ``briefing import``. Each is
either refused, with one line naming the file and the store left byte for
byte as it was, or accepted and then shown on a terminal without a single
raw control character. Hypothesis then fuzzes the parser and ``visible()``.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from briefing.core import ingest
from briefing.core.ingest import IngestError, parse_briefing, plain_text, section_blocks
from briefing.core.plain import render_plain
from briefing.core.safetext import has_controls, visible
from briefing.store.facade import Store
from tests.conftest import ROOT, SLUG, snapshot_files
from tests.conftest import run_cli as run

BAD = Path(__file__).parent / "data" / "bad"

#: What a terminal could obey: C0 but newline and tab, DEL, C1, bidi overrides and isolates.
#: (Bidi marks, LRM/RLM/ALM, only settle direction: right-to-left text needs them shown.)
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

REFUSED = {  # file -> the reason the user is told
    "bad-yaml-front-matter.md": "front matter is not valid YAML at line 3",
    "bom-only.md": "file is empty",
    "duplicate-sections.md": "duplicate section title 'terms!' (clashes with 'Terms')",
    "empty-section-heading.md": "section 1 has an empty '##' heading",
    "empty.md": "file is empty",
    "escapes-raw-in-front-matter.md": "front matter is not valid YAML",
    "nested-list-10-deep-would-hide-next-section.md": "nested too deeply",
    "nested-lists-1000-deep.md": "nested too deeply",
    "nested-quotes-1000-deep.md": "nested too deeply",
    "not-utf8-latin1.md": "not UTF-8 (invalid byte at offset 5)",
    "whitespace-only.md": "file is empty",
    "yaml-billion-laughs.md": "over 10000 values once YAML aliases are expanded",
    "yaml-deeply-nested-flow.md": "front matter is nested too deeply",
    "yaml-list-front-matter.md": "front matter must be a mapping",
    "yaml-scalar-front-matter.md": "front matter must be a mapping",
    "yaml-self-referencing-alias.md": "front matter is nested too deeply (over 20 levels)",
}

SHOWN = {  # file -> the slug it is imported as, and text the reader must still see
    "escapes-in-front-matter.md": ("escapes-in-front-matter", ["␛]52;c;cm0gLXJmIH4=␇"]),
    "escapes-in-markdown.md": ("escapes-in-markdown", ["␛[31mred␛[0m", "\ufffd2J"]),
    "html-and-script.md": ("html-and-script", ["<script>alert(1)</script>", "onerror"]),
    "markup-injection.md": (
        "markup-injection",
        ["[bold red]x[/]", "[@click=app.quit]click[/]", "[@click=app.quit]Quit[/]"],
    ),
    "nested-within-limits.md": ("nested-within-limits", ["deep quote", "level 9", "Still here"]),
    # Issue 14: a title comes from the file name, sections are proposed.
    "no-sections.md": ("no-sections", ["A title", "A lead paragraph, and nothing else."]),
    "no-title.md": ("no-title", ["no title", "Some text, but no title anywhere.", "Body."]),
    "nul-bytes.md": ("nul-bytes", ["Ti\ufffdtle", "body \ufffd text"]),
    "odd-line-endings-and-separators.md": (
        "odd-line-endings-and-separators",
        ["First", "Second", "Third", "CRLF body", "\ufffdNEL"],
    ),
    "slug-path-traversal.md": ("etc-passwd", ["Traversal", "../../escape"]),
    "title-of-control-characters-only.md": (
        "title-of-control-characters-only",
        ["␛␇\ufffd\ufffd"],
    ),
}


def assert_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, path: Path, reason: str
) -> None:
    before = snapshot_files(data_dir)
    code, out, err = run(capsys, "import", str(path), tty=True)
    assert code == 1 and out == ""
    refusal, summary = err.splitlines()  # one line for the file, one summary
    assert refusal.startswith(f"  refused  {visible(str(path))}: ") and reason in refusal
    assert summary == "0 imported, 1 refused"
    assert not RAW_CONTROL.search(err)
    assert snapshot_files(data_dir) == before


def assert_shown_safely(
    capsys: pytest.CaptureFixture[str], path: Path, slug: str, expected: list[str]
) -> str:
    code, out, err = run(capsys, "import", str(path), tty=True)
    assert code == 0, err
    assert out.split("\n")[0].split()[:2] == ["new", slug]
    assert out.endswith("\n1 imported, 0 refused\n")
    assert not RAW_CONTROL.search(out + err)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    code, shown, err = run(capsys, "show", slug, tty=True)
    assert code == 0, err
    assert not RAW_CONTROL.search(shown), repr(RAW_CONTROL.findall(shown)[:10])
    for text in expected:
        assert text in shown
    code, listing, _ = run(capsys, "list", tty=True)
    assert code == 0 and not RAW_CONTROL.search(listing)
    briefing = Store(Path(os.environ["BRIEFING_HOME"]), "tester").get(slug)
    for section in briefing.sections:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", section.key)
        code, one, _ = run(capsys, "show", slug, section.key, tty=True)
        assert code == 0 and not RAW_CONTROL.search(one)
        for block in section_blocks(section.markdown):
            assert section.text[block.start : block.end] == block.text
    return shown


# -- the corpus --------------------------------------------------------------


def test_every_corpus_file_has_an_expected_outcome() -> None:
    names = {p.name for p in BAD.glob("*.md")}
    assert len(names) >= 15
    assert names == set(REFUSED) | set(SHOWN), "update REFUSED/SHOWN (and make_bad_corpus.py)"
    assert not set(REFUSED) & set(SHOWN)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_broken_file_is_refused_in_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path, name: str
) -> None:
    assert_refused(capsys, data_dir, BAD / name, REFUSED[name])


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_a_hostile_file_is_shown_without_raw_control_characters(
    capsys: pytest.CaptureFixture[str], store: Store, name: str
) -> None:
    slug, expected = SHOWN[name]
    assert_shown_safely(capsys, BAD / name, slug, expected)


def test_without_a_terminal_show_prints_the_text_as_it_is(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    """Piped output is data for scripts: nothing is replaced (the tty check is real)."""
    code, _, _ = run(capsys, "import", str(BAD / "escapes-in-markdown.md"))
    assert code == 0
    code, out, _ = run(capsys, "show", "escapes-in-markdown")
    assert code == 0 and "\x1b[31mred\x1b[0m" in out and "␛" not in out


def test_show_in_a_real_pseudo_terminal_sends_no_escape_sequence(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path
) -> None:
    code, _, err = run(capsys, "import", str(BAD / "escapes-in-markdown.md"))
    assert code == 0, err
    controller, terminal = os.openpty()
    env = {**os.environ, "BRIEFING_HOME": str(data_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "show", "escapes-in-markdown"],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(terminal)
    received = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        received += chunk
    os.close(controller)
    assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    text = received.decode("utf-8").replace("\r\n", "\n")  # the tty's own newline mapping
    assert "Heading ␛[31mred␛[0m" in text
    assert not RAW_CONTROL.search(text), repr(RAW_CONTROL.findall(text)[:10])


def test_a_hostile_file_name_is_shown_safely_too(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "evil\x1b]52;c;cm0=\x07\u202e.md"
    bad.write_bytes(b"")
    assert_refused(capsys, data_dir, bad, "file is empty")
    good = tmp_path / "fine\x1b[2J.md"
    good.write_text("# Fine\n\n## A\n\ntext\n", encoding="utf-8")
    assert_shown_safely(capsys, good, "fine-2j", ["text"])


# -- generated: big and many -------------------------------------------------


def test_a_long_single_line_paragraph_is_accepted_and_shown(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    """A quarter of a megabyte on one line; the full megabyte is benchmarks/hostile.py's."""
    words = "lorem *ipsum* dolor \x1b[5m sit amet, `consectetur` adipiscing elit "
    line = (words * (250_000 // len(words) + 1))[:250_000]
    path = tmp_path / "one-long-line.md"
    path.write_text(f"# Long\n\n## Only\n\n{line}\n", encoding="utf-8")
    shown = assert_shown_safely(capsys, path, "one-long-line", ["lorem ipsum dolor ␛[5m"])
    assert max(len(line) for line in shown.splitlines()) <= 78


def test_ten_thousand_sections_are_refused_with_the_limit(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ten-thousand-sections.md"
    path.write_text(
        "# Many\n\n" + "".join(f"## Section {n}\n\nText {n}.\n\n" for n in range(10_000)),
        encoding="utf-8",
    )
    assert_refused(capsys, data_dir, path, "10000 sections, over the limit of 1000")


def test_the_largest_allowed_number_of_sections_imports(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "a-thousand-sections.md"
    path.write_text(
        "# Many\n\n"
        + "".join(
            f"## Section {n}\n\nText of section {n}.\n\n" for n in range(ingest.MAX_SECTIONS)
        ),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", str(path))
    assert code == 0, err
    code, shown, _ = run(capsys, "show", "a-thousand-sections", "section-999")
    assert code == 0 and "Text of section 999." in shown


def test_a_file_over_five_megabytes_is_refused_before_reading(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "too-big.md"
    with path.open("wb") as handle:
        handle.write(b"# Big\n\n## A\n\n")
        handle.truncate(ingest.MAX_FILE_BYTES + 1)  # sparse: no 5 MB written
    assert_refused(capsys, data_dir, path, "over the 5 MB limit")


def test_front_matter_over_64_kilobytes_is_refused(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "huge-front-matter.md"
    keys = "".join(f"key{n}: value number {n}\n" for n in range(4000))
    path.write_text(f"---\ntitle: Huge\n{keys}---\n\n## A\n\ntext\n", encoding="utf-8")
    assert_refused(capsys, data_dir, path, "over the 64 KB limit")


def test_a_refused_file_does_not_stop_the_good_ones_beside_it(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("yaml-billion-laughs.md", "escapes-in-markdown.md", "empty.md"):
        (folder / name).write_bytes((BAD / name).read_bytes())
    code, _, err = run(capsys, "import", str(folder))
    assert code == 1 and "1 imported, 2 refused" in err
    assert {b.slug for b in store.briefings()} == {"escapes-in-markdown", SLUG}


# -- fuzzing -----------------------------------------------------------------

FRAGMENTS = [
    "# ",
    "## ",
    "### ",
    "#",
    "\n",
    "\n\n",
    "---\n",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "> ",
    ">",
    "*",
    "**",
    "_",
    "__",
    "~~",
    "`",
    "```\n",
    "~~~\n",
    "    ",
    "\t",
    "[",
    "]",
    "](",
    ")",
    "![",
    "[x]: /u\n",
    "<",
    ">",
    "<b>",
    "</b>",
    "<!--",
    "-->",
    "\\",
    "&amp;",
    "&#0;",
    "&#x1b;",
    "|",
    "title: x\n",
    "title: ",
    "slug: ",
    ": ",
    "&a ",
    "*a",
    "[*a]",
    "{",
    "}",
    "- - -\n",
    "===\n",
    "\r",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\x1b]52;c;eA==\x07",
    "\x9b",
    "\u202e",
    "\ufeff",
    "\u2028",
    "\x85",
    "\x0c",
    "\x0b",
    " ",
    "  \n",
    "word",
    "é",
    "日本",
    "😀",
    "\U000e0041",
]

markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=80).map(
    "".join
)
documents = st.one_of(
    st.text(),
    markdownish,
    markdownish.map(lambda body: "# T\n\n## S\n\n" + body),
    st.tuples(markdownish, markdownish).map(lambda p: f"---\n{p[0]}\n---\n# T\n## S\n{p[1]}"),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_fuzzed_text_is_refused_cleanly_or_parsed_consistently(text: str) -> None:
    try:
        briefing = parse_briefing(text, slug="fuzz")
    except IngestError as error:
        event("refused")
        assert "\n" not in str(error)  # one line for the user
        return
    event("accepted")
    assert briefing.title.strip()
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", briefing.slug)
    keys = [s.key for s in briefing.sections]
    assert len(keys) == len(set(keys)) and all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys)
    for section in briefing.sections:
        assert plain_text(section.markdown) == section.text
        for block in section_blocks(section.markdown):
            assert section.text[block.start : block.end] == block.text
            for span in block.spans:
                assert 0 <= span.start <= span.end <= len(block.text)
    assert not RAW_CONTROL.search(visible(render_plain(briefing)))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_visible_leaves_no_control_character(text: str) -> None:
    shown = visible(text)
    assert not RAW_CONTROL.search(shown)
    assert not has_controls(shown)
    assert len(shown) == len(text)  # one for one: note offsets hold on the shown text
    if not RAW_CONTROL.search(text):
        assert shown == text  # ordinary text, newlines and tabs pass untouched


# -- safetext.visible --------------------------------------------------------


def test_visible_pictures_esc() -> None:
    assert visible("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"


def test_visible_neutralises_the_c1_csi() -> None:
    assert visible("\x9b2J") == "\ufffd2J"
    assert visible("a\x85b\x80\x9f") == "a\ufffdb\ufffd\ufffd"


@pytest.mark.parametrize("terminator", ["\x07", "\x1b\\", "\x9c"])
def test_visible_defuses_an_osc_52_clipboard_write(terminator: str) -> None:
    shown = visible(f"before \x1b]52;c;cm0gLXJmIH4={terminator} after")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9c" not in shown
    assert shown.startswith("before ␛]52;c;cm0gLXJmIH4=") and shown.endswith(" after")


def test_visible_shows_bidi_overrides_and_isolates() -> None:
    # Shown as U+FFFD (one character for one, so note offsets hold), never obeyed:
    # "abc<RLO>fed" would otherwise display as "abcdef".
    assert visible("abc\u202efed\u202c") == "abc\ufffdfed\ufffd"
    assert visible("\u2066x\u2069\u200f\u061c") == "\ufffdx\ufffd\u200f\u061c"  # marks stay


def test_visible_keeps_newline_and_tab_and_pictures_the_rest() -> None:
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("\x00\x07\x08\r\x7f") == "␀␇␈␍␡"
    assert visible("plain “text”, 日本, 😀") == "plain “text”, 日本, 😀"
