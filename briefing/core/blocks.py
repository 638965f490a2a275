"""Markdown tokens -> blocks: the definition of a section's *plain text*.

Plain text is the coordinate space in which every annotation is anchored. The
reader draws the same blocks, so what is highlighted on screen is exactly what
was anchored. A file is parsed once (:func:`parse`); each section's blocks are
made from its slice of that one token stream (:func:`blocks_from_tokens`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from briefing.core.model import Block, Span

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

BLOCK_SEPARATOR = "\n\n"
#: Set in a parse's ``env`` when lists and quotes nest past what markdown-it keeps.
TOO_DEEP = "briefing_nesting_overflow"


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The parser, built on first use: markdown-it loads only when a file is parsed.

    Sections are stored parsed (their blocks), so the reader starts without it.
    """
    from markdown_it import MarkdownIt
    from markdown_it.parser_block import ParserBlock
    from markdown_it.rules_block import StateBlock
    from mdit_py_plugins.front_matter import front_matter_plugin

    class GuardedBlockParser(ParserBlock):
        """markdown-it silently drops everything past ``maxNesting`` levels of lists and
        quotes, and a list nested 10 deep swallows the rest of the file, sections and
        all. Flag it in ``env`` so that such a file is refused instead."""

        def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
            if state.level >= state.md.options.maxNesting:
                line = state.skipEmptyLines(startLine)
                if line < endLine and state.sCount[line] >= state.blkIndent:
                    state.env[TOO_DEEP] = True
            super().tokenize(state, startLine, endLine)

    # html is off: raw HTML in a briefing is shown as text, never interpreted.
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough", "table"])
    guarded = GuardedBlockParser()
    guarded.ruler = md.block.ruler  # keeps the preset's choice of rules
    md.block = guarded
    return md.use(front_matter_plugin).use(footnote_plugin)


def plain_text(markdown: str) -> str:
    """The anchoring text of a section: its non-empty blocks joined by a blank line."""
    return joined(section_blocks(markdown))


def joined(blocks: tuple[Block, ...]) -> str:
    return BLOCK_SEPARATOR.join(block.text for block in blocks if block.text)


def parse(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    """One markdown-it parse of ``text``; ``env`` receives what the parse noticed."""
    return parser().parse(text, {} if env is None else env)


@lru_cache(maxsize=256)
def section_blocks(markdown: str) -> tuple[Block, ...]:
    """Render a piece of Markdown on its own into blocks with offsets into its plain text."""
    return blocks_from_tokens(parse(markdown))


def blocks_from_tokens(tokens: Sequence[Token]) -> tuple[Block, ...]:
    """The blocks of a run of top-level tokens (a section's slice of its file's tokens)."""
    blocks: list[Block] = []
    offset = 0
    lists: list[list[Any]] = []  # [ordered?, next number]
    pending_marker = ""
    quote_depth = 0

    has_text = False

    def add(
        kind: Any, text: str, spans: tuple[Span, ...] = (), level: int = 0, marker: str = ""
    ) -> None:
        nonlocal offset, has_text
        if text and has_text:
            offset += len(BLOCK_SEPARATOR)
        has_text = has_text or bool(text)
        blocks.append(Block(kind, text, offset, spans, level, marker))
        offset += len(text)

    table: list[list[tuple[str, tuple[Span, ...], str, bool]]] | None = None  # rows of cells
    align = ""
    footnote_marker: str | None = None  # inside a footnote: its "[n]" until its first block

    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "table_open":
            table = []
        elif kind == "table_close" and table is not None:
            text, spans = table_text(table)
            add("table", text, spans)
            table = None
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind in ("th_open", "td_open"):
            style = str(token.attrGet("style") or "")
            align = style.removeprefix("text-align:") if style.startswith("text-align:") else ""
        elif kind == "inline" and table is not None and table:
            text, spans = _render_inline(token)
            header = tokens[index - 1].type == "th_open"
            table[-1].append((text.replace("\n", " "), spans, align, header))
        elif kind == "footnote_open":
            footnote_marker = f"[{int(token.meta['id']) + 1}]"
        elif kind == "footnote_close":
            footnote_marker = None
        elif kind == "inline" and footnote_marker is not None:
            text, spans = _render_inline(token)
            add("footnote", text, spans, level=1, marker=footnote_marker)
            footnote_marker = ""  # a second paragraph of the note hangs under the first
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([kind == "ordered_list_open", int(start) if start is not None else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            pending_marker = f"{number}." if ordered else "•"
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "inline":
            text, spans = _render_inline(token)
            opener = tokens[index - 1]
            if opener.type == "heading_open":
                add("heading", text, spans, level=int(opener.tag[1:]))
            elif lists:
                add("item", text, spans, level=len(lists), marker=pending_marker)
                pending_marker = ""
            elif quote_depth:
                add("quote", text, spans, level=quote_depth)
            else:
                add("paragraph", text, spans)
        elif kind in ("fence", "code_block"):
            add("code", token.content.rstrip("\n"))
        elif kind == "hr":
            add("rule", "")
    return tuple(blocks)


#: Between two cells of a table row, and under its header row.
CELL_SEPARATOR = " │ "
HEADER_RULE = ("─", "─┼─")


def table_text(
    rows: Sequence[Sequence[tuple[str, tuple[Span, ...], str, bool]]],
) -> tuple[str, tuple[Span, ...]]:
    """A table as an aligned grid of text: one line per row, cells padded to their
    column's width (and aligned as the table says), a rule under the header row.

    The grid *is* the table's plain text, so what is drawn, searched and anchored agree.
    Header cells are bold.
    """
    columns = max((len(row) for row in rows), default=0)
    widths = [0] * columns
    for row in rows:
        for number, (text, _, _, _) in enumerate(row):
            widths[number] = max(widths[number], cell_width(text))
    lines: list[str] = []
    spans: list[Span] = []
    offset = 0
    for row_number, row in enumerate(rows):
        pieces: list[str] = []
        length = 0
        for number in range(columns):
            empty: tuple[str, tuple[Span, ...], str, bool] = ("", (), "", False)
            text, cell_spans, align, header = row[number] if number < len(row) else empty
            if number:
                pieces.append(CELL_SEPARATOR)
                length += len(CELL_SEPARATOR)
            room = widths[number] - cell_width(text)
            before = room if align == "right" else room // 2 if align == "center" else 0
            start = offset + length + before
            if header and text:
                spans.append(Span(start, start + len(text), "strong"))
            spans.extend(Span(start + s.start, start + s.end, s.style, s.href) for s in cell_spans)
            piece = " " * before + text + " " * (room - before)
            pieces.append(piece)
            length += len(piece)
        line = "".join(pieces).rstrip() if columns else ""
        lines.append(line)
        offset += len(line) + 1
        if row_number == 0 and any(cell[3] for cell in row):
            rule = HEADER_RULE[1].join(HEADER_RULE[0] * width for width in widths)
            lines.append(rule)
            offset += len(rule) + 1
    return "\n".join(lines), tuple(sorted(spans, key=lambda s: (s.start, -s.end)))


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide East Asian characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def inline_text(token: Token) -> str:
    return _render_inline(token)[0] if token.type == "inline" else ""


def _render_inline(token: Token) -> tuple[str, tuple[Span, ...]]:
    parts: list[str] = []
    spans: list[Span] = []
    open_spans: list[tuple[str, int, str]] = []
    length = 0
    for child in token.children or ():
        kind = child.type
        piece = ""
        if kind in ("text", "html_inline"):
            piece = child.content
        elif kind == "softbreak":
            piece = " "
        elif kind == "hardbreak":
            piece = "\n"
        elif kind == "code_inline":
            piece = child.content
            spans.append(Span(length, length + len(piece), "code"))
        elif kind == "image":
            piece = child.content
        elif kind == "footnote_ref":
            piece = f"[{int(child.meta['id']) + 1}]"
            spans.append(Span(length, length + len(piece), "footnote"))
        elif kind.endswith("_open"):
            style = {"em_open": "em", "strong_open": "strong", "s_open": "strike"}.get(kind, "link")
            href = str(child.attrGet("href") or "") if kind == "link_open" else ""
            open_spans.append((style, length, href))
        elif kind.endswith("_close") and open_spans:
            style, start, href = open_spans.pop()
            if length > start:
                spans.append(Span(start, length, style, href))  # type: ignore[arg-type]
        parts.append(piece)
        length += len(piece)
    text = "".join(parts)
    # A block never holds a blank line: that is the block separator.
    text = re.sub(r"\n{2,}", "\n", text)
    return text, tuple(sorted(spans, key=lambda s: (s.start, -s.end)))
