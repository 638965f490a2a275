"""The exported Markdown, read back by a CommonMark parser, has the promised shape.

Whatever the passages and notes contain, a reader sees exactly one h1, one heading
per annotated section (in section order, "Orphaned notes" last), each passage as
a blockquote whose text is the passage, and each note's tags and ``^id``. Quote
text is compared after collapsing whitespace runs: the export drops whitespace
at line ends, which Markdown would drop (or misread) anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from briefing.core.export import ExportItem, export_markdown, obsidian_tag
from briefing.core.ingest import load_file
from briefing.core.model import Anchor, Annotation, Briefing, Section
from tests.test_export import empty_items, many_items, one_items

PARSER = MarkdownIt("commonmark").use(front_matter_plugin)
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
RAW_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")


@dataclass
class Callout:
    """One note as exported: a callout (title, passage, note) and the block id after it."""

    kind: str
    title: str
    quote: str
    note_types: set[str]
    block_id: str = ""


@dataclass
class Structure:
    front: dict[str, Any]
    headings: list[tuple[str, str]] = field(default_factory=list)
    callouts: list[Callout] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # top level, block ids included
    types: set[str] = field(default_factory=set)

    @property
    def quotes(self) -> list[str]:
        return [c.quote for c in self.callouts]


def inline_text(token: Token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def collapse(text: str) -> str:
    return " ".join(text.split())


def visible(text: str) -> str:
    """What the export promises to show for control and bidi characters."""
    out = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        code = ord(char)
        if code < 0x20 and char not in "\t\n":
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("␡")
        elif 0x80 <= code <= 0x9F or char in BIDI:
            out.append(f"⟨U+{code:04X}⟩")
        else:
            out.append(char)
    return "".join(out)


def parse_callout(tokens: list[Token]) -> Callout:
    """``tokens``: one top-level blockquote, open to close. Its first paragraph is the
    callout's title, then the passage as a quote of paragraphs only, then the note,
    which may hold any Markdown but no heading, quote, rule or HTML block."""
    assert tokens[1].type == "paragraph_open" and tokens[2].type == "inline"
    title = tokens[2].content.split("\n")[0]
    match = re.fullmatch(r"\[!([a-z]+)\] (.*)", title)
    assert match, title
    assert tokens[2].content == title, "the title is one line"
    assert tokens[4].type == "blockquote_open", "the passage follows the title"
    close = next(n for n, t in enumerate(tokens) if t.type == "blockquote_close" and t.level == 1)
    quote = []
    for token in tokens[5:close]:
        assert token.type in ("paragraph_open", "inline", "paragraph_close"), token.type
        if token.type == "inline":
            quote.append(inline_text(token))
    note_types = {t.type for t in tokens[close + 1 : -1]}
    assert not note_types & {"heading_open", "blockquote_open", "hr", "html_block"}, note_types
    return Callout(match[1], match[2], collapse(" ".join(quote)), note_types)


def parse(text: str) -> Structure:
    tokens = PARSER.parse(text)
    assert tokens[0].type == "front_matter"
    structure = Structure(front=yaml.safe_load(tokens[0].content))
    index = 1
    while index < len(tokens):
        token = tokens[index]
        structure.types.update([token.type, *(c.type for c in token.children or ())])
        if token.type == "blockquote_open":
            end = next(
                n
                for n in range(index, len(tokens))
                if tokens[n].type == "blockquote_close" and tokens[n].level == 0
            )
            for inner in tokens[index:end]:
                structure.types.update([inner.type, *(c.type for c in inner.children or ())])
            structure.callouts.append(parse_callout(tokens[index : end + 1]))
            index = end + 1
            continue
        assert token.level == 0 or token.type == "inline", token
        if token.type == "heading_open":
            structure.headings.append((token.tag, collapse(inline_text(tokens[index + 1]))))
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            structure.paragraphs.append(token.content)
            if token.content.startswith("^"):
                assert tokens[index - 2].type == "blockquote_close", "an id follows its callout"
                assert structure.callouts[-1].block_id == "", "one id per callout"
                structure.callouts[-1].block_id = token.content[1:]
        index += 1
    return structure


def expected_order(item: ExportItem) -> tuple[list[Annotation], list[Annotation]]:
    keys = [s.key for s in item.briefing.sections]

    def key(a: Annotation) -> tuple[int, int, str]:
        return (keys.index(a.section) if a.section in keys else len(keys), a.start, a.id)

    anchored = [a for a in item.annotations if a.status == "anchored" and a.section in keys]
    orphans = [a for a in item.annotations if a not in anchored]
    return sorted(anchored, key=key), sorted(orphans, key=key)


def assert_structure(text: str, items: list[ExportItem]) -> Structure:
    structure = parse(text)
    single = len(items) == 1
    headings = [("h1", collapse(visible(items[0].briefing.title)) if single else "Briefing notes")]
    quotes: list[str] = []
    total = 0
    for item in items:
        anchored, orphans = expected_order(item)
        total += len(anchored) + len(orphans)
        if not single and (anchored or orphans):
            headings.append(("h2", collapse(visible(item.briefing.title))))
        level = "h2" if single else "h3"
        for key in dict.fromkeys(a.section for a in anchored):
            title = next(s.title for s in item.briefing.sections if s.key == key)
            headings.append((level, collapse(visible(title))))
        if orphans:
            headings.append((level, "Orphaned notes"))
        for a in anchored + orphans:
            quotes.append(collapse(visible(a.quote)))
            callout = structure.callouts[len(quotes) - 1]
            assert callout.block_id == a.id
            for tag in a.tags:
                assert f"#{obsidian_tag(tag)}" in callout.title
    assert structure.front["notes"] == total
    assert structure.headings == headings
    assert structure.quotes == quotes
    assert [p for p in structure.paragraphs if p.startswith("^")] == [
        f"^{c.block_id}" for c in structure.callouts
    ]
    assert "hr" not in structure.types and "html_block" not in structure.types
    assert not RAW_CONTROL.search(text)
    if not total:
        assert structure.paragraphs[-1] == "No notes match."
    return structure


def export(items: list[ExportItem]) -> str:
    return export_markdown(items, exported_at="2026-11-28T05:40:12Z", version="0.1.0")


def test_fixture_exports_have_the_promised_structure() -> None:
    for items in (one_items(), many_items(), empty_items()):
        assert_structure(export(items), items)


def test_fixture_quotes_render_as_their_exact_passages() -> None:
    items = one_items()
    quotes = parse(export(items)).quotes
    assert "# vessel log --- 1. Alpha: cut [ref]: http://example.org/x (hold for weather)" in (
        " ".join(quotes)
    )
    assert "&amp;-escaped HTML: <b>EUR 1.2m</b>, with * and _ and \\ left in." in quotes


def single(quote: str, note: str, *, status: str = "anchored") -> list[ExportItem]:
    sections = (
        Section("one", "One", "x", quote),
        Section("two", "Two", "y", "unused"),
    )
    briefing = Briefing("b", "A briefing", {}, "", sections)
    anchor = Anchor(quote, "", "", 0, len(quote), "h")
    notes = (
        Annotation("aa11", "u", "b", "one", anchor, note=note, tags=("t",), status=status),  # type: ignore[arg-type]
    )
    return [ExportItem(briefing, notes)]


def test_note_cannot_add_headings_quotes_or_rules() -> None:
    items = single("The passage.", "# Heading\n> quote\n---\nSetext\n===\n\n- # in list\n\n***")
    structure = assert_structure(export(items), items)
    assert "bullet_list_open" in structure.callouts[0].note_types
    assert "# Heading" in export(items)


def test_note_keeps_its_own_markdown() -> None:
    note = "Some **bold** and a [link](https://example.org).\n\n- list item\n- two\n\n1. first"
    items = single("The passage.", note + "\n\n```py\n# comment\n```")
    text = export(items)
    assert indent(note) in text and indent("```py\n# comment\n```") in text
    structure = assert_structure(text, items)
    assert {"strong_open", "bullet_list_open", "ordered_list_open", "link_open", "fence"} <= (
        structure.types
    )


def indent(note: str) -> str:
    """A note's Markdown as it stands inside its callout."""
    return "\n".join(f"> {line}".rstrip() for line in note.split("\n"))


def test_unclosed_constructs_in_a_note_do_not_swallow_the_rest() -> None:
    for note in ("```\ncode", "~~~~", "<!-- hidden", "<script>\nx", "<div>\n\n# x", "[x]:\n/y"):
        items = single("The passage.", note)
        assert_structure(export(items), items)


def test_an_obsidian_comment_or_math_block_left_open_in_a_note_is_escaped() -> None:
    """Obsidian would hide everything after it: the rest of the notes."""
    for note, mark in (("%% draft, never closed", "%%"), ("$$ x^2 +", "$$")):
        text = export(single("The passage.", note))
        assert mark not in text.replace("\\" + mark[0], ""), text
    closed = "Kept: %% a comment %% and $$x$$."
    assert closed in export(single("The passage.", closed))


def test_orphans_come_last_under_their_own_heading() -> None:
    items = single("Gone text.", "Old note", status="orphaned")
    assert parse(export(items)).headings == [("h1", "A briefing"), ("h2", "Orphaned notes")]


SPECIAL = [
    "# x", "> y", "- z", "+ v", "* u", "1. w", "2) q", "=", "===", "---", "***", "_ _ _",
    "|a|b|", "`code`", "```", "~~~", "<b>html</b>", "<!--", "<div>", "<script>", "[x]: http://y",
    "  trailing  ", "\n\nnew para", "\n", "    code", "\t", "&amp;", "&#x41;", "\\", "*em*",
    "_u_", "[l](u)", "![i](s)", "<http://a>", " ^id", "#tag", "%%", "$x$", "==h==", "\x1b[31m",
    "\u202e", "\u200f", "\x00", "\r\n", "\x85", "\u2028", "Setext\n---",
]  # fmt: skip
fragments = st.one_of(st.text(max_size=12), st.sampled_from(SPECIAL))
texts = st.lists(fragments, max_size=8).map("".join)


# 100 examples draw each SPECIAL fragment dozens of times, in passages, notes and titles;
# the fixed cases above pin the constructs that once broke the structure.
@settings(max_examples=100, deadline=None)
@given(
    notes=st.lists(
        st.tuples(st.integers(0, 2), texts, texts, st.booleans()), min_size=1, max_size=5
    ),
    title=texts.filter(lambda t: t.strip()),
)
def test_any_passage_or_note_keeps_the_structure(
    notes: list[tuple[int, str, str, bool]], title: str
) -> None:
    texts_by_section: list[list[str]] = [[], [], []]
    annotations = []
    for n, (where, passage, note, orphaned) in enumerate(notes):
        start = sum(len(p) + 2 for p in texts_by_section[where])
        texts_by_section[where].append(passage)
        anchor = Anchor(passage, "", "", start, start + len(passage), "h")
        status = "orphaned" if orphaned else "anchored"
        annotation = Annotation(f"{n:08x}", "u", "b", f"s{where}", anchor, note, (f"tag{n}",))
        annotations.append(annotation.with_changes(status=status))
    sections = tuple(
        Section(f"s{i}", title if i == 1 else f"Section {i}", "", "\n\n".join(parts))
        for i, parts in enumerate(texts_by_section)
    )
    items = [ExportItem(Briefing("b", title, {}, "", sections), tuple(annotations))]
    assert_structure(export(items), items)


def test_bundled_briefing_exports_cleanly() -> None:
    """Every section of the real briefing, quoted whole and in part, keeps the shape."""
    path = Path(__file__).resolve().parent.parent / "content" / "russia-dprk-pact.md"
    briefing = load_file(path)
    notes = []
    for n, section in enumerate(briefing.sections):
        text = section.text
        for m, (start, end) in enumerate([(0, len(text)), (len(text) // 3, len(text) // 2)]):
            anchor = Anchor(text[start:end], "", "", start, end, "h")
            notes.append(Annotation(f"{n:04x}{m:04x}", "u", briefing.slug, section.key, anchor))
    items = [ExportItem(briefing, tuple(notes))]
    assert_structure(export(items), items)


# A note of paragraphs only is written without loading the Markdown parser. Whatever a
# note's lines start with, the result is the one the parser-judged repair gives.
_MARKERS = "#=-*_+>`~[]<|!:.()0123456789\\^%$ \"'“«¿\t"
_FIRSTS = list("aZéß漢“(«¿½") + list(_MARKERS)
note_lines = st.builds(
    lambda lead, first, space, rest: lead + first + space + rest,
    st.sampled_from(["", " ", "  ", "   ", "    "]),
    st.sampled_from(_FIRSTS),
    st.sampled_from(["", " "]),  # a marker then a space: how most blocks open
    st.text(alphabet=st.sampled_from(list(_MARKERS + "abc xyz")), max_size=30),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(note_lines, st.just(""), st.just("   ")), min_size=1, max_size=4))
@example(["# h"])
@example(["text"])
@example(["==="])
@example(["---"])
@example(["* * *"])
@example(["___"])
@example(["> q"])
@example(["<div>"])
@example(["<!-- c"])
@example(["[a]: /u"])
@example(["```"])
@example(["~~~ x"])
@example(["  - item"])
@example(["1. first"])
@example(["    code"])
@example(["tab\tx"])
@example(["a ^id"])
@example(["text", "==="])
@example(["text", "---"])
@example(["a", "<div>", "b"])
def test_a_note_is_written_as_the_parser_judges_it(lines: list[str]) -> None:
    from briefing.core.export import _note_markdown, _repaired, _visible

    note = "\n".join(lines)
    assert _note_markdown(note) == _repaired(note, _visible(note).strip().split("\n"))
