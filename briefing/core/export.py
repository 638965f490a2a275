r"""Notes -> Markdown (for people) and JSON (for tools). Pure: no I/O, no clock.

Over 400 lines as one cohesive thing: the export format and the escaping that keeps
every passage and note inside its own callout belong together.

The caller passes ``exported_at`` and ``version``, so the same data always gives
byte-identical output (golden tests, diffable exports). Briefings keep the
caller's order. Annotations are sorted by section order, then start offset, then
id; orphaned ones (status "orphaned", or whose section no longer exists) come
last, in their own part.

Markdown, one briefing, made for an Obsidian vault (this example is checked by
tests/test_export.py)::

    ---
    title: 'Baltic cables: the "repair gap"'
    aliases:
    - 'Baltic cables: the "repair gap"'
    tags:
    - infrastructure
    - baltic
    - shipping
    url: https://example.org/briefs/baltic-cables?id=7&lang=en
    date: '2026-11-20'
    exported: '2026-11-28T05:40:12Z'
    notes: 2
    tool: briefing 0.1.0
    ---

    # Baltic cables: the "repair gap"

    *Source: <https://example.org/briefs/baltic-cables?id=7&lang=en> · Date: 2026-11-20*

    ## Summary

    > [!success] green · #impact · created 2026-11-21T08:15:00Z · updated 2026-11-23T17:02:41Z
    > > traffic was rerouted via C-Lion\|B, at a cost of \~30 ms latency.
    >
    > Latency matters for *trading* links; see [the operator notice](https://example.org/notice).

    ^b2e1d4c3

    ## Orphaned notes

    > [!bug] pink · #attribution · section: Summary · created 2026-11-21T08:15:00Z
    > > A state actor is the most likely culprit.
    >
    > Withdrawn in revision 2; kept for the record.

    ^2c3d4e5f

Per note, one callout (as Readwise Mirror writes them): its type gives the
highlight's colour (:data:`CALLOUTS`), its title line the colour, the tags (as
valid Obsidian tags, :func:`obsidian_tag`), ``section: <title>`` (orphans only),
created and updated (when it differs); inside it the passage as a nested quote
and the note (left out when empty). The block id ``^id`` follows on its own line
after a blank one, which is where Obsidian looks for the id of a quote, so
``![[slug#^id]]`` embeds the passage *and* the note. Front matter carries
Obsidian properties: ``title``, ``aliases`` (the title), ``tags`` (the
briefing's own), ``url`` (a web source; ``source`` otherwise), ``author``,
``date``, then ``exported``, ``notes`` and ``tool``; empty ones are left out.
Several briefings: front matter ``title: Briefing notes``, ``briefings: [slugs]``
(every briefing given), ``tags`` (all of theirs), ``exported``, ``notes``,
``tool``; h1 "Briefing notes"; each briefing *that has notes* is an h2 with its
source line, its sections and "Orphaned notes" as h3. No notes at all: the h1
(and source line) then "No notes match." -- still a valid document.

Why the escaping looks the way it does:

* A passage is plain text and must render as exactly that text. Characters that
  CommonMark, GFM or Obsidian could read as inline syntax are always
  backslash-escaped (``\ ` * _ [ ] < | ~ # = $ ^``, ``&`` before an entity-like
  ``&x;``, ``%%``); a line starting with ``- + >`` or ``1.``/``1)`` gets its
  marker escaped. Other punctuation is left alone so the raw file stays readable.
  Each line is stripped of leading/trailing whitespace (Markdown would drop it,
  or read 4+ spaces as code); a newline becomes a hard break (trailing ``\``)
  and a blank line a new quote paragraph. So the rendered quote equals the
  passage up to whitespace at line ends.
* A note is the user's Markdown and is kept, but it must not change the
  document's structure: a line that would make a heading, thematic break,
  blockquote, HTML block or link reference definition gets its first marker
  escaped (``# x`` -> ``\# x``), and an unclosed code fence is closed. markdown-it
  is the judge; a note still not contained after a few rounds becomes plain text.
  An Obsidian comment (``%%``) or math block (``$$``) left open is escaped too,
  and so is a ``^word`` ending a line (outside code): it would be a block id, a
  forged one, that ``![[slug#^id]]`` could land on.
* Control characters (C0 but tab and newline, DEL, C1) and bidi controls
  (U+061C, U+200E/F, U+202A-E, U+2066-9) are never emitted: C0/DEL become
  Unicode control pictures (ESC -> ``␛``), the rest ``⟨U+202E⟩``, lone
  surrogates U+FFFD. JSON keeps the exact text, those characters as ``\uXXXX``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from unicodedata import category

from briefing.core import jsonshape
from briefing.core.model import Annotation, Briefing
from briefing.core.rules import normalise_tag, paragraphs_only, slugify, tag_key
from briefing.core.safetext import described, safe_json

# YAML (for the front matter) and the Markdown parser (to judge a note's own Markdown) load
# on first use: a JSON export needs neither, an export without notes no parser.
if TYPE_CHECKING:
    from markdown_it import MarkdownIt

NO_NOTES = "No notes match."
MANY_TITLE = "Briefing notes"
ORPHANS_TITLE = "Orphaned notes"

_INLINE = re.compile(r"[\\`*_\[\]<|~#=$^]|&(?=[#A-Za-z0-9]+;)|%(?=%)|(?<=%)%")
_ORDERED = re.compile(r"[0-9]{1,9}(?=[.)](?:[ \t]|$))")
_CONTAINER = re.compile(r"[ \t]*(?:(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)*")
_URL = re.compile(r"https?://[^\s<>]+")
_SENTINEL = "end-of-note"
_BLOCK_ID_AT_END = re.compile(r"(?:(?<=\s)|^)\^(?=[A-Za-z0-9-]+[ \t]*$)", re.MULTILINE)

#: Highlight colour -> the stock Obsidian callout type drawn in (nearly) that colour.
CALLOUTS = {
    "yellow": "question",  # Obsidian draws question callouts in yellow-orange
    "green": "success",
    "blue": "info",
    "pink": "bug",  # the red family; Obsidian has no pink callout
    "orange": "warning",
}

#: Symbols Obsidian does not allow in a tag, by name: ``c++`` -> ``c-plus-plus``.
_TAG_SYMBOLS = {
    "+": "plus",
    "#": "sharp",
    "&": "and",
    "@": "at",
    ".": "dot",
    "%": "percent",
    "*": "star",
    "$": "dollar",
    "=": "equals",
    "<": "lt",
    ">": "gt",
    "~": "tilde",
    "'": "",
    "’": "",
}


@dataclass(frozen=True)
class ExportItem:
    """One briefing and the annotations (already filtered) to export from it."""

    briefing: Briefing
    annotations: tuple[Annotation, ...]


def filter_annotations(
    annotations: Iterable[Annotation],
    *,
    tags: Collection[str] = (),
    section: str | None = None,
    since: str | None = None,
) -> list[Annotation]:
    """Keep annotations matching every given criterion, in input order.

    ``tags`` match any-of by the one tag rule (:func:`~briefing.core.rules.tag_key`:
    case, accents and '#' do not matter). ``section``
    is a key or a title. ``since`` is 'YYYY-MM-DD' (UTC): an annotation created
    *or updated* on or after that day is kept, so revised notes show up again;
    undated ones are left out.
    """
    wanted = {tag_key(t) for t in tags} - {""}
    keys = {section, slugify(section)} if section else set()
    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        raise ValueError(f"since must be a date as YYYY-MM-DD, not {since!r}") from None

    def keep(a: Annotation) -> bool:
        if wanted and not any(tag_key(t) in wanted for t in a.tags):
            return False
        if keys and a.section not in keys:
            return False
        days = [d for d in (_day(a.created), _day(a.updated)) if d is not None]
        return day is None or any(d >= day for d in days)

    return [a for a in annotations if keep(a)]


def export_markdown(items: Sequence[ExportItem], *, exported_at: str, version: str) -> str:
    """The Markdown document described in the module docstring."""
    parts = [_ordered(item) for item in items]
    count = sum(len(anchored) + len(orphans) for _, anchored, orphans in parts)
    single = len(items) == 1
    meta: dict[str, Any] = {"title": MANY_TITLE, "briefings": [i.briefing.slug for i in items]}
    if single:
        meta = _properties(items[0].briefing)
    else:
        meta["tags"] = _unique(t for i in items for t in map(obsidian_tag, i.briefing.tags))
    meta |= {"exported": exported_at, "notes": count, "tool": f"briefing {version}"}
    import yaml

    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6)
    blocks = [f"---\n{front}---"]
    if single:
        blocks += [f"# {_inline(items[0].briefing.title)}", *_source_line(items[0].briefing)]
    else:
        blocks.append(f"# {MANY_TITLE}")
    for briefing, anchored, orphans in parts:
        if not anchored and not orphans:
            continue
        level = "##" if single else "###"
        if not single:
            blocks += [f"## {_inline(briefing.title)}", *_source_line(briefing)]
        current = ""
        for a in anchored:
            if a.section != current:
                current = a.section
                blocks.append(f"{level} {_inline(_section_title(briefing, a))}")
            blocks += _note_blocks(a, None)
        if orphans:
            blocks.append(f"{level} {ORPHANS_TITLE}")
            blocks += [b for a in orphans for b in _note_blocks(a, _section_title(briefing, a))]
    if not count:
        blocks.append(NO_NOTES)
    return "\n\n".join(blocks) + "\n"


def _properties(b: Briefing) -> dict[str, Any]:
    """Front matter for one briefing, as Obsidian properties: ``aliases`` (so
    ``[[title]]`` finds the file), ``tags`` (the briefing's own, as valid tags),
    ``url`` for a web source (``source`` otherwise), ``author`` and ``date``."""
    title, source = _line(b.title), _line(b.source)
    author = b.meta.get("author") or b.meta.get("authors") or ()
    authors = [author] if isinstance(author, str) else [str(a) for a in author]
    props: dict[str, Any] = {
        "title": title,
        "aliases": [title] if title else [],
        "tags": _unique(map(obsidian_tag, b.tags)),
        "url" if _URL.fullmatch(source) else "source": source,
        "author": [_line(a) for a in authors if _line(a)],
        "date": _line(b.date),
    }
    url = _line(str(b.meta.get("url") or ""))  # an imported page's address and site
    if _URL.fullmatch(url) and not props.get("url"):
        props["url"] = url
    props["site"] = _line(str(b.meta.get("site") or ""))
    return {key: value for key, value in props.items() if value}


def _unique(items: Iterable[str]) -> list[str]:
    return [item for item in dict.fromkeys(items) if item]


def export_json(items: Sequence[ExportItem], *, exported_at: str, version: str) -> str:
    """The same content for tools: exact texts, every briefing (even without notes)."""
    briefings = []
    for briefing, anchored, orphans in map(_ordered, items):
        notes = [_note_json(briefing, a, "anchored") for a in anchored]
        notes += [_note_json(briefing, a, "orphaned") for a in orphans]
        briefings.append(jsonshape.briefing_json(briefing, notes=notes))
    doc = jsonshape.document(exported=exported_at, tool=f"briefing {version}", briefings=briefings)
    # Lossless but inert: terminals and editors never see raw C1/bidi/separators.
    return safe_json(doc, indent=2) + "\n"


def export_time(environ: Mapping[str, str], now: str) -> str:
    """``exported:`` -- ``$SOURCE_DATE_EPOCH`` when set (reproducible builds' convention,
    so a git-synced vault does not churn), else ``now``; a bad value is a ValueError."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return now
    if not epoch.isdigit():
        raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}")
    try:
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"SOURCE_DATE_EPOCH is out of range: {epoch}") from None


_EXPORTED = re.compile(r'^(?:exported: .*|  "exported": .*)$', re.MULTILINE)


def same_export(old: str, new: str) -> bool:
    """Whether two exports (Markdown or JSON) differ only in when they were made:
    then the file on disk is left as it is, and a synced vault does not churn."""
    return _EXPORTED.sub("", old, count=1) == _EXPORTED.sub("", new, count=1)


_BLOCK_ID = re.compile(r"^\^([A-Za-z0-9-]+)$", re.MULTILINE)


def note_ids(text: str) -> set[str]:
    """The notes an export holds, by block id (Markdown's ``^id`` lines, JSON's ids)."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return set()
        briefings = data.get("briefings", []) if isinstance(data, dict) else []
        return {
            block_id(str(n.get("id")))
            for b in briefings
            if isinstance(b, dict)
            for n in b.get("notes", [])
            if isinstance(n, dict)
        }
    return set(_BLOCK_ID.findall(text))


def is_export(data: bytes) -> bool:
    """Whether a file's bytes are an earlier export (so a vault folder may rewrite it)."""
    head = data[:4096].decode("utf-8", "replace")
    return bool(re.search(r'^(?:tool: |  "tool": ")briefing ', head, re.MULTILINE))


def _ordered(item: ExportItem) -> tuple[Briefing, list[Annotation], list[Annotation]]:
    index = {section.key: n for n, section in enumerate(item.briefing.sections)}

    def key(a: Annotation) -> tuple[int, int, str]:
        return (index.get(a.section, len(index)), a.start, a.id)

    def is_anchored(a: Annotation) -> bool:
        return a.status == "anchored" and a.section in index

    anchored = sorted((a for a in item.annotations if is_anchored(a)), key=key)
    orphans = sorted((a for a in item.annotations if not is_anchored(a)), key=key)
    return item.briefing, anchored, orphans


def _section_title(briefing: Briefing, a: Annotation) -> str:
    section = briefing.section(a.section)
    return section.title if section else a.section


def _note_json(briefing: Briefing, a: Annotation, status: str) -> dict[str, Any]:
    return jsonshape.note_json(a, section_title=_section_title(briefing, a), status=status)


def _note_blocks(a: Annotation, orphan_section: str | None) -> list[str]:
    """One callout holding the passage and the note, then the block id on its own line."""
    meta = [_inline(a.color), " ".join(f"#{t}" for t in map(obsidian_tag, a.tags) if t)]
    if orphan_section is not None:
        meta.append(f"section: {_inline(orphan_section)}")
    if a.created:
        meta.append(f"created {_inline(a.created)}")
    if a.updated and a.updated != a.created:
        meta.append(f"updated {_inline(a.updated)}")
    body = [_blockquote(a.quote)]
    if a.note.strip():
        body.append(_note_markdown(a.note))
    inside = "\n\n".join(body).split("\n")
    title = f"> [!{callout_type(a.color)}] {' · '.join(m for m in meta if m)}"
    callout = "\n".join([title, *(f"> {line}".rstrip() for line in inside)])
    return [callout, f"^{block_id(a.id)}"]


def callout_type(color: str) -> str:
    """The stock Obsidian callout whose colour is the highlight's (``quote``, grey,
    for a colour it has none for), so a vault shows each highlight in its colour."""
    return CALLOUTS.get(color, "quote")


def _source_line(briefing: Briefing) -> list[str]:
    source = _line(briefing.source)
    # A bare URL becomes an autolink: clickable, and with no escapes inside.
    shown = f"<{source}>" if _URL.fullmatch(source) else _inline(source)
    parts = [f"Source: {shown}"] if source else []
    for label, key in (("Author", "author"), ("Site", "site")):
        if _line(str(briefing.meta.get(key) or "")):
            parts.append(f"{label}: {_inline(_line(str(briefing.meta[key])))}")
    if briefing.date:
        parts.append(f"Date: {_inline(briefing.date)}")
    url = _line(str(briefing.meta.get("url") or ""))
    if _URL.fullmatch(url) and url != source:
        parts.append(f"URL: <{url}>")
    return [f"*{' · '.join(parts)}*"] if parts else []


def _visible(text: str) -> str:
    """Normalise newlines; replace every control/bidi character by something visible."""
    return described(text.replace("\r\n", "\n").replace("\r", "\n"))


def _line(text: str) -> str:
    """Visible text on one line, whitespace runs collapsed."""
    return " ".join(_visible(text).split())


def _escape_line(line: str) -> str:
    """One stripped line of plain text -> Markdown that renders as that text."""
    line = _INLINE.sub(r"\\\g<0>", line)
    if line[:1] in ("-", "+", ">"):
        return "\\" + line
    marker = _ORDERED.match(line)
    return f"{line[: marker.end()]}\\{line[marker.end() :]}" if marker else line


def _inline(text: str) -> str:
    return _escape_line(_line(text))


def _paragraphs(text: str) -> list[list[str]]:
    """Plain text -> paragraphs of escaped lines; blank lines separate paragraphs."""
    paragraphs: list[list[str]] = [[]]
    for raw in _visible(text).split("\n"):
        line = raw.strip()
        if line:
            paragraphs[-1].append(_escape_line(line))
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def markdown_quote(text: str) -> str:
    """A passage as Markdown quote lines that render as exactly that text."""
    return _blockquote(text)


def markdown_inline(text: str) -> str:
    """Text as one escaped Markdown line (whitespace collapsed, controls visible)."""
    return _inline(text)


def _blockquote(text: str) -> str:
    quoted = ["\\\n".join(p).replace("\n", "\n> ") for p in _paragraphs(text)]
    return "\n>\n".join(f"> {p}" for p in quoted) or ">"


@lru_cache(maxsize=1)
def _judge() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")  # html on: the strictest reading of a note


def _note_markdown(note: str) -> str:
    """The note's own Markdown, repaired until it cannot escape its place."""
    lines = _visible(note).strip().split("\n")
    if paragraphs_only(lines):
        # Paragraphs only: nothing a repair would touch, and no Markdown parser to load
        # (markdown-it is a third of an export's start; most notes are prose).
        return _obsidian_closed("\n".join(lines))
    return _repaired(note, lines)


def _repaired(note: str, lines: list[str]) -> str:
    """Each line that would open a heading, rule, HTML block, quote or link reference
    escaped, and a code fence left open closed, judged by a CommonMark parser."""
    for _ in range(4):
        env: dict[str, Any] = {}
        tokens = _judge().parse("\n".join(lines) + f"\n\n# {_SENTINEL}", env)
        head = tokens[-3] if len(tokens) >= 3 else None
        contained = head is not None and head.tag == "h1" and head.level == 0
        contained = contained and tokens[-2].content == _SENTINEL
        tokens = tokens[:-3] if contained else tokens
        bad = {ref["map"][0] for ref in env.get("references", {}).values() if ref.get("map")}
        for token in tokens:
            if token.map is None:
                continue
            first, end = token.map[0], min(token.map[1], len(lines))
            if token.type == "heading_open":
                bad.add(end - 1 if token.markup[:1] in ("=", "-") else first)
            elif token.type in ("hr", "html_block"):
                bad.add(first)
            elif token.type == "blockquote_open":
                bad.update(n for n in range(first, end) if _content(lines[n]).startswith(">"))
        if not bad and not contained and tokens and tokens[-1].type == "fence":
            lines.append(tokens[-1].markup)  # a code fence the user left open
            continue
        if not bad and contained and not env.get("references"):
            return _obsidian_closed("\n".join(lines))
        if not bad:
            break
        lines = [_escape_first(line) if n in bad else line for n, line in enumerate(lines)]
    return _obsidian_closed("\n\n".join("\\\n".join(p) for p in _paragraphs(note)))


def _obsidian_closed(note: str) -> str:
    """Obsidian reads ``%%`` as the start of a comment and ``$$`` as display math, each
    running to the next one, across paragraphs: one left open in a note would hide the
    rest of the export. An odd count is escaped, every one of them."""
    for mark, escaped in (("%%", "\\%\\%"), ("$$", "\\$\\$")):
        if note.count(mark) % 2:
            note = note.replace(mark, escaped)
    return _no_block_ids(note)


def _no_block_ids(note: str) -> str:
    """A ``^word`` ending a line would be an Obsidian block id: another note's id
    forged inside this one. Its caret is escaped, outside code, where it is literal."""
    if not _BLOCK_ID_AT_END.search(note):
        return note
    lines = note.split("\n")
    code: set[int] = set()
    for token in _judge().parse(note):
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
    return "\n".join(
        line if n in code else _BLOCK_ID_AT_END.sub(r"\\^", line) for n, line in enumerate(lines)
    )


def _content(line: str) -> str:
    return line[_CONTAINER.match(line).end() :]  # type: ignore[union-attr]


def _escape_first(line: str) -> str:
    """Escape the first character after any list markers: '# x' -> '\\# x'."""
    at = len(line) - len(_content(line))
    if not line[at:].strip():  # the marker is all there is, as in a setext '- '
        at = len(line) - len(line.lstrip())
    return f"{line[:at]}\\{line[at:]}" if line[at:].strip() else line


def obsidian_tag(tag: str) -> str:
    """A stored tag as an Obsidian tag body (without '#'); '' when nothing is left.

    Obsidian allows letters, digits, '_', '-' and '/' (nesting, kept) and needs a
    non-digit. Whitespace is already '-' (:func:`~briefing.core.rules.normalise_tag`);
    a symbol becomes its name between dashes (``c++`` -> ``c-plus-plus``, ``r&d`` ->
    ``r-and-d``), any other one ``u`` and its code point; an all-digit tag gets an
    ``n`` in front (``2024`` -> ``n2024``); '_' only inside a word (at a word edge it
    could start emphasis). The JSON export keeps every tag exactly as stored.
    """
    out: list[str] = []
    for char in normalise_tag(tag):
        if char.isalnum() or char in "-/_" or category(char)[0] == "M":
            out.append(char)
        elif char.isspace():
            out.append("-")
        else:
            name = _TAG_SYMBOLS.get(char, f"u{ord(char):x}")
            out.append(f"-{name}-" if name else "")
    body = re.sub(r"(?<![^\W_])_|_(?![^\W_])", "-", "".join(out))
    body = re.sub(r"-{2,}", "-", body)
    body = "/".join(part.strip("-") for part in body.split("/") if part.strip("-"))
    if body and not any(not c.isdigit() and c not in "-/" for c in body):
        body = f"n{body}"
    return body


def block_id(annotation_id: str) -> str:
    """Obsidian block ids allow [A-Za-z0-9-]; a changed id gets a hash for uniqueness."""
    clean = re.sub(r"[^A-Za-z0-9-]", "", annotation_id)
    if clean == annotation_id and clean:
        return clean
    digest = hashlib.sha1(annotation_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{clean}-{digest}" if clean else f"note-{digest}"


def _day(stamp: str) -> date | None:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()
