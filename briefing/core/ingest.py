"""Markdown with YAML front matter -> :class:`Briefing`.

This module also owns the definition of a section's *plain text*: the
coordinate space in which every annotation is anchored. The reader draws
from the same :func:`section_blocks`, so what is highlighted on screen is
exactly what was anchored.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.core.blocks import (
    BLOCK_SEPARATOR,
    TOO_DEEP,
    blocks_from_tokens,
    inline_text,
    joined,
    parse,
    plain_text,
    section_blocks,
)
from briefing.core.model import LEAD_KEY, Block, Briefing, Section
from briefing.core.rules import slugify

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = [
    "BLOCK_SEPARATOR",
    "IngestError",
    "lead_section",
    "load_file",
    "parse_briefing",
    "plain_text",
    "section_blocks",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SECTIONS = 1000
# Front matter is a few lines of metadata. YAML aliases let a 1 KB "billion
# laughs" file expand to gigabytes, and a self-referencing alias never ends,
# so the YAML is capped in size and its value tree in values and depth.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_FRONT_MATTER_VALUES = 10_000
MAX_FRONT_MATTER_DEPTH = 20


class IngestError(ValueError):
    """A file that cannot become a briefing. ``str()`` is one line for the user."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


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
    tokens = parse(text, env)  # the one parse: sections are slices of these tokens
    if env.get(TOO_DEEP):
        raise IngestError(
            origin,
            "lists and quotes are nested too deeply (over 20 levels, a list level counting"
            " as 2); the rest of the file would be lost",
        )
    meta = _front_matter(tokens, origin)
    lines = [line + "\n" for line in text.split("\n")]

    h1_title = ""
    title_end_line = 0
    lead_first_token = 1 if tokens and tokens[0].type == "front_matter" else 0
    # (title, heading start line, body start line, heading's first token, body's first token)
    heads: list[tuple[str, int, int, int, int]] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0 or token.map is None:
            continue
        inline = inline_text(tokens[index + 1])
        if token.tag == "h1" and not h1_title and not heads:
            h1_title, title_end_line = inline, token.map[1]
            lead_first_token = index + 3  # after heading_open, inline, heading_close
        elif token.tag == "h2":
            heads.append((inline, token.map[0], token.map[1], index, index + 3))

    title = str(meta.get("title") or h1_title).strip()
    if not title:
        raise IngestError(origin, "no title (add a '# Title' line or a 'title:' in front matter)")
    if not heads:
        raise IngestError(origin, "no sections (each section starts with a '## Heading')")
    if len(heads) > MAX_SECTIONS:
        raise IngestError(origin, f"{len(heads)} sections, over the limit of {MAX_SECTIONS}")

    tokens, footnotes = _footnotes(tokens)  # drawn at the end of the sections citing them
    body_start = title_end_line or _front_matter_end(tokens)
    lead = "".join(lines[body_start : heads[0][1]]).strip()
    sections: list[Section] = []
    lead_tokens = _with_footnotes(tokens[lead_first_token : heads[0][3]], footnotes)
    lead_part = lead_section(lead, blocks_from_tokens(lead_tokens))
    if lead_part is not None:
        sections.append(lead_part)
    seen: dict[str, str] = {}
    for number, (head_title, _, body_line, _, body_token) in enumerate(heads):
        if not head_title.strip():
            raise IngestError(origin, f"section {number + 1} has an empty '##' heading")
        key = slugify(head_title)
        if key == LEAD_KEY:  # the lead's key: see LEAD_KEY
            key = f"{LEAD_KEY}-section"
        if key in seen:
            raise IngestError(
                origin, f"duplicate section title {head_title!r} (clashes with {seen[key]!r})"
            )
        seen[key] = head_title
        last = number + 1 == len(heads)
        end_line = len(lines) if last else heads[number + 1][1]
        end_token = len(tokens) if last else heads[number + 1][3]
        markdown = "".join(lines[body_line:end_line]).strip("\n")
        blocks = blocks_from_tokens(_with_footnotes(tokens[body_token:end_token], footnotes))
        sections.append(
            Section(
                key=key,
                title=head_title,
                markdown=markdown,
                text=joined(blocks),
                blocks=blocks,
            )
        )

    # The slug is the briefing's identity, not one of its facts: kept out of the meta (and so
    # of the content hash), and written back by ``show --markdown`` so a re-import updates.
    chosen = meta.pop("slug", None)
    meta = {**meta, "title": title}
    return Briefing(
        slug=slugify(str(chosen or slug), fallback="briefing"),
        title=title,
        meta=meta,
        lead=lead,
        sections=tuple(sections),
    )


def _footnotes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """The tokens before the footnotes' block, and each footnote's tokens by its id.

    markdown-it puts every footnote at the end of the file; a section draws the ones
    it cites, numbered as in the whole briefing.
    """
    start = next(
        (n for n, t in enumerate(tokens) if t.type == "footnote_block_open" and t.level == 0),
        len(tokens),
    )
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for token in tokens[start:]:
        if token.type == "footnote_open":
            current = notes.setdefault(int(token.meta["id"]), [])
        if current is not None:
            current.append(token)
        if token.type == "footnote_close":
            current = None
    return tokens[:start], notes


def _with_footnotes(tokens: list[Token], notes: dict[int, list[Token]]) -> list[Token]:
    """A section's tokens followed by the footnotes it cites, in their order."""
    cited = sorted(
        {
            int(child.meta["id"])
            for token in tokens
            if token.type == "inline"
            for child in token.children or ()
            if child.type == "footnote_ref"
        }
    )
    return tokens + [token for number in cited for token in notes.get(number, ())]


def lead_section(markdown: str, blocks: tuple[Block, ...] | None = None) -> Section | None:
    """The lead as a section, or None when it has no text to read.

    Its title says what a reader finds there: "Key points" over a list (the bundled
    briefing's four bullets), "Summary" over prose (a news article's opening).
    ``blocks``: the lead's slice of its file's tokens; parsed here when not given (a
    briefing stored before the lead was a section).
    """
    blocks = section_blocks(markdown) if blocks is None else blocks
    text = joined(blocks)
    if not text.strip():
        return None
    listed = all(block.kind == "item" for block in blocks if block.text)
    return Section(
        key=LEAD_KEY,
        title="Key points" if listed else "Summary",
        markdown=markdown,
        text=text,
        blocks=blocks,
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

    try:  # the fast loader; what it refuses is read again as PyYAML reads it
        data = safe_load_yaml(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise IngestError(origin, f"front matter is not valid YAML{where}") from error
    except RecursionError as error:
        raise IngestError(origin, "front matter is nested too deeply") from error
    return _mapping(data, origin)


def _mapping(data: Any, origin: str) -> dict[str, Any]:
    """Loaded front matter as JSON-safe metadata, within the value and depth limits."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise IngestError(origin, "front matter must be a mapping of keys to values")
    budget = [MAX_FRONT_MATTER_VALUES]
    try:
        return {str(key): _json_safe(value, budget) for key, value in data.items()}
    except _TooBig as error:
        raise IngestError(origin, f"front matter {error}") from None


def safe_load_yaml(source: str) -> Any:
    """What ``yaml.safe_load`` reads, through libyaml when PyYAML was built with it (the
    same safe constructors and resolver; the scanner and parser in C, about ten times
    faster: front matter is read for every file of an import, and a folder may hold
    thousands). Whatever the fast loader refuses is read by ``yaml.safe_load``, so a
    refusal and its message are PyYAML's own."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(source, Loader=fast)  # a safe loader, as yaml.safe_load
        except Exception:  # read again below, for its own error
            pass
    return yaml.safe_load(source)


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
        raise _TooBig(f"is nested too deeply (over {MAX_FRONT_MATTER_DEPTH} levels)")
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
