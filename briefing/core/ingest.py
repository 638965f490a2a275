"""Markdown with YAML front matter -> :class:`Briefing`.

This module also owns the definition of a section's *plain text*: the
coordinate space in which every annotation is anchored. The reader draws
from the same :func:`section_blocks`, so what is highlighted on screen is
exactly what was anchored.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.core.model import Block, Briefing, Section, Span
from briefing.core.rules import slugify

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SECTIONS = 1000
# Front matter is a few lines of metadata. YAML aliases let a 1 KB "billion
# laughs" file expand to gigabytes, and a self-referencing alias never ends,
# so the YAML is capped in size and its value tree in values and depth.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_FRONT_MATTER_VALUES = 10_000
MAX_FRONT_MATTER_DEPTH = 20
BLOCK_SEPARATOR = "\n\n"


class IngestError(ValueError):
    """A file that cannot become a briefing. ``str()`` is one line for the user."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


_TOO_DEEP = "briefing_nesting_overflow"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
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
                    state.env[_TOO_DEEP] = True
            super().tokenize(state, startLine, endLine)

    # html is off: raw HTML in a briefing is shown as text, never interpreted.
    md = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    guarded = GuardedBlockParser()
    guarded.ruler = md.block.ruler  # keeps the preset's choice of rules
    md.block = guarded
    return md.use(front_matter_plugin)


def load_file(path: Path) -> Briefing:
    """Read and parse one file; every refusal is an :class:`IngestError`."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(origin, f"file is {size / 1e6:.1f} MB, over the 5 MB limit")
        raw = path.read_bytes()
    except OSError as error:
        raise IngestError(origin, f"cannot read file ({error.strerror or error})") from error
    if len(raw) > MAX_FILE_BYTES:  # grew between stat and read
        raise IngestError(origin, "file is over the 5 MB limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise IngestError(origin, f"not UTF-8 (invalid byte at offset {error.start})") from error
    return parse_briefing(text, slug=slugify(path.stem, fallback="briefing"), origin=origin)


def parse_briefing(text: str, *, slug: str, origin: str = "<text>") -> Briefing:
    """Split a briefing into title, lead and ``##`` sections."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise IngestError(origin, "file is empty")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise IngestError(origin, "file is over the 5 MB limit")
    # markdown-it counts lines on "\n" only; str.splitlines() would also split
    # on form feeds and U+2028, and section slices would drift from the tokens.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    env: dict[str, Any] = {}
    tokens = _parser().parse(text, env)
    if env.get(_TOO_DEEP):
        raise IngestError(
            origin,
            "lists and quotes are nested too deeply (over 20 levels, a list level counting"
            " as 2); the rest of the file would be lost",
        )
    meta = _front_matter(tokens, origin)
    lines = [line + "\n" for line in text.split("\n")]

    h1_title = ""
    title_end_line = 0
    heads: list[tuple[str, int, int]] = []  # (title, heading start line, body start line)
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0 or token.map is None:
            continue
        inline = _inline_text(tokens[index + 1])
        if token.tag == "h1" and not h1_title and not heads:
            h1_title, title_end_line = inline, token.map[1]
        elif token.tag == "h2":
            heads.append((inline, token.map[0], token.map[1]))

    title = str(meta.get("title") or h1_title).strip()
    if not title:
        raise IngestError(origin, "no title (add a '# Title' line or a 'title:' in front matter)")
    if not heads:
        raise IngestError(origin, "no sections (each section starts with a '## Heading')")
    if len(heads) > MAX_SECTIONS:
        raise IngestError(origin, f"{len(heads)} sections, over the limit of {MAX_SECTIONS}")

    body_start = title_end_line or _front_matter_end(tokens)
    lead = "".join(lines[body_start : heads[0][1]]).strip()
    sections: list[Section] = []
    seen: dict[str, str] = {}
    for number, (head_title, _, body_line) in enumerate(heads):
        if not head_title.strip():
            raise IngestError(origin, f"section {number + 1} has an empty '##' heading")
        key = slugify(head_title)
        if key in seen:
            raise IngestError(
                origin, f"duplicate section title {head_title!r} (clashes with {seen[key]!r})"
            )
        seen[key] = head_title
        end_line = heads[number + 1][1] if number + 1 < len(heads) else len(lines)
        markdown = "".join(lines[body_line:end_line]).strip("\n")
        blocks = section_blocks(markdown)
        sections.append(
            Section(
                key=key,
                title=head_title,
                markdown=markdown,
                text=_joined(blocks),
                blocks=blocks,
            )
        )

    meta = {**meta, "title": title}
    return Briefing(
        slug=slugify(str(meta.get("slug") or slug), fallback="briefing"),
        title=title,
        meta=meta,
        lead=lead,
        sections=tuple(sections),
    )


def _front_matter(tokens: list[Token], origin: str) -> dict[str, Any]:
    if not tokens or tokens[0].type != "front_matter":
        return {}
    content = tokens[0].content
    size = len(content.encode("utf-8", "surrogatepass"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise IngestError(
            origin,
            f"front matter is {size // 1024} KB, over the {MAX_FRONT_MATTER_BYTES // 1024} KB"
            " limit",
        )
    import yaml  # here: the reader draws stored briefings and never parses front matter

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise IngestError(origin, f"front matter is not valid YAML{where}") from error
    except RecursionError as error:
        raise IngestError(origin, "front matter is nested too deeply") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise IngestError(origin, "front matter must be a mapping of keys to values")
    budget = [MAX_FRONT_MATTER_VALUES]
    try:
        return {str(key): _json_safe(value, budget) for key, value in data.items()}
    except _TooBig as error:
        raise IngestError(origin, f"front matter {error}") from None


def _front_matter_end(tokens: list[Token]) -> int:
    if tokens and tokens[0].type == "front_matter" and tokens[0].map:
        return tokens[0].map[1]
    return 0


class _TooBig(Exception):
    pass


def _json_safe(value: Any, budget: list[int], depth: int = 0) -> Any:
    """Front matter goes into JSON storage: dates become ISO strings.

    ``budget`` counts the values still allowed, so aliases cannot multiply them.
    """
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig(f"has over {MAX_FRONT_MATTER_VALUES} values once YAML aliases are expanded")
    if depth > MAX_FRONT_MATTER_DEPTH:
        raise _TooBig(f"is nested over {MAX_FRONT_MATTER_DEPTH} levels deep")
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, budget, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity are not JSON
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def plain_text(markdown: str) -> str:
    """The anchoring text of a section: its non-empty blocks joined by a blank line."""
    return _joined(section_blocks(markdown))


def _joined(blocks: tuple[Block, ...]) -> str:
    return BLOCK_SEPARATOR.join(block.text for block in blocks if block.text)


@lru_cache(maxsize=256)
def section_blocks(markdown: str) -> tuple[Block, ...]:
    """Render a section's Markdown into blocks with offsets into its plain text."""
    tokens = _parser().parse(markdown)
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

    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
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


def _inline_text(token: Token) -> str:
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
