"""Any article -> the canonical briefing Markdown that :func:`core.ingest.parse_briefing` reads.

The canonical form is YAML front matter (``title`` and the source's facts: ``url``,
``author``, ``date``, ``site``), a ``#`` title, an optional lead and ``##`` sections.
Inputs:

* Markdown: used as it is when it already has a title and ``##`` sections. Otherwise the
  title comes from the front matter, a Pandoc ``%`` title block, the ``#`` heading, a short
  first line, or else the file name; Obsidian ``[[wikilinks]]`` become their text; text
  with no ``##`` gets sections proposed by :mod:`core.sections`.
* Plain text: a title line, then optional header lines (a dateline, a ``By`` line, a
  photo credit such as ``X / Pixabay``, a repeated title), then paragraphs separated
  by blank lines. Characters Markdown would read as markup are escaped, so every word
  comes through as written.
* HTML: the main content and its metadata, extracted by trafilatura (the ``web`` extra),
  then as Markdown.

Pure: text in, text out. Reading files and fetching URLs is the store's job.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from briefing.core.ingest import IngestError, safe_load_yaml
from briefing.core.model import Briefing
from briefing.core.section_titles import title_sections
from briefing.core.sections import group, segment
from briefing.core.units import top_level_blocks

Kind = Literal["markdown", "text", "html"]
Split = Literal["auto", "none"]
WEB_EXTRA = "HTML and URLs need the web extra: pip install 'briefing[web]'"
#: A first line longer than this is text, not a title.
MAX_TITLE_LINE = 150
#: The title of the one section of a text imported with ``--split none``, when no
#: salient phrase can be found.
WHOLE_TEXT = "Text"


@dataclass(frozen=True)
class Options:
    """How to section a text with no ``##`` headings of its own."""

    split: Split = "auto"
    sections: int | None = None  # exactly this many (``--sections N``); None: proposed


def kind_for(name: str, data: bytes = b"") -> Kind:
    """The format of a file by its name, or (for stdin and URLs) by its first bytes."""
    lower = name.lower()
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    if lower.endswith(".txt"):
        return "text"
    if lower.endswith((".html", ".htm")):
        return "html"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    if head.startswith((b"---\n", b"% ", b"# ")) or re.search(rb"(?m)^#{1,2} \S", data[:65536]):
        return "markdown"
    return "text"


def to_markdown(
    text: str,
    kind: Kind,
    *,
    name: str,
    origin: str,
    options: Options = Options(),
    facts: dict[str, str] | None = None,
) -> str:
    """The canonical briefing Markdown for ``text``; ``name`` is the fallback title.

    ``facts`` (for example the URL a page came from, a file's date) fill front matter
    fields the text does not set itself.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(origin, "file is empty")
    if kind == "html":
        meta, body = _from_html(text, origin, facts or {})
        return _from_markdown(body, name=name, origin=origin, options=options, meta=meta)
    if kind == "text":
        meta, title, lead, paragraphs = _from_text(text)
        meta = {**(facts or {}), **meta, "title": title}
        return _assemble(meta, lead, [_escape_text(p) for p in paragraphs], options)
    return _from_markdown(text, name=name, origin=origin, options=options, meta=facts or {})


# -- Markdown ---------------------------------------------------------------------------

_FRONT = re.compile(r"\A---\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_H1 = re.compile(r"(?m)^ {0,3}# ")
_H2 = re.compile(r"(?m)^ {0,3}## ")
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")


def _from_markdown(
    text: str, *, name: str, origin: str, options: Options, meta: dict[str, Any]
) -> str:
    front = _FRONT.match(text)
    own: dict[str, Any] = {}
    body = text
    if front:
        found = _yaml(front.group(1) or "")
        if found is None:  # not a mapping, or bad YAML: the normal parser says what is wrong
            return text
        own, body = found, text[front.end() :]
    else:
        own, body = _pandoc_title_block(body)
    pandoc = not front and bool(own)
    titled = bool(own.get("title")) or _H1.search(body) is not None
    if not (pandoc or meta) and titled and _H2.search(body) and _keeps_sections(options):
        return text  # already a briefing: parsed exactly as before
    if front:
        _check_front_matter(text, origin)
    blocks = top_level_blocks(body)
    has_h1 = bool(blocks) and blocks[0][0] == "h1"
    has_sections = any(kind == "h2" for kind, _ in blocks)
    meta = {**meta, **own}
    if has_h1:
        meta.setdefault("title", _heading_text(blocks[0][1]))
        blocks = blocks[1:]
    elif not meta.get("title"):
        first = blocks[0][1] if blocks else ""
        if len(blocks) > 1 and blocks[0][0] == "paragraph" and _is_title_line(first):
            meta["title"] = _unwiki(first.strip())
            blocks = blocks[1:]
        else:
            meta["title"] = _title_from_name(name)
    sources = [_unwiki(source) for _, source in blocks]
    if has_sections and _keeps_sections(options):
        first_h2 = next(i for i, (kind, _) in enumerate(blocks) if kind == "h2")
        lead = "\n\n".join(sources[:first_h2])
        rest = "\n\n".join(sources[first_h2:])
        return _render(meta, lead, rest)
    units = [s for (kind, _), s in zip(blocks, sources, strict=True) if kind != "h2"]
    if not units:
        raise IngestError(origin, "no text under the title")
    return _assemble(meta, "", units, options)


def _check_front_matter(text: str, origin: str) -> None:
    """Front matter the parser refuses (bad YAML, too big, too deep) is refused here too."""
    from briefing.core.ingest import parse_briefing

    try:
        parse_briefing(text, slug="check", origin=origin)
    except IngestError as error:
        if error.reason.startswith(("front matter", "lists and quotes are nested")):
            raise


def _keeps_sections(options: Options) -> bool:
    return options.sections is None


def _yaml(source: str) -> dict[str, Any] | None:
    import yaml

    try:
        data = safe_load_yaml(source) if len(source) <= 64 * 1024 else None
    except (yaml.YAMLError, RecursionError):
        return None
    if data is None:
        return {}
    return data if isinstance(data, dict) else None


def _pandoc_title_block(text: str) -> tuple[dict[str, Any], str]:
    """Pandoc's ``% title`` / ``% author(s)`` / ``% date`` lines at the very top."""
    if not text.startswith("%"):
        return {}, text
    fields: list[str] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines) and len(fields) < 3:
        line = lines[index]
        if line.startswith("%"):
            fields.append(line[1:].strip())
        elif line.startswith((" ", "\t")) and fields:
            fields[-1] += " " + line.strip()
        else:
            break
        index += 1
    meta: dict[str, Any] = {}
    for key, value in zip(("title", "author", "date"), fields, strict=False):
        if value:
            meta[key] = "; ".join(a.strip() for a in value.split(";")) if key == "author" else value
    return meta, "\n".join(lines[index:])


def _heading_text(source: str) -> str:
    line = source.strip().split("\n")[0]
    if line.startswith("#"):
        return line.lstrip("#").strip().rstrip("#").strip()
    return line.strip()  # a setext heading: the text line above the underline


def _is_title_line(source: str) -> bool:
    line = source.strip()
    return "\n" not in line and 0 < len(line) <= MAX_TITLE_LINE and not line.endswith((".", ":"))


def _title_from_name(name: str) -> str:
    stem = re.sub(r"\.(md|markdown|txt|html?)$", "", name.rsplit("/", 1)[-1], flags=re.I)
    if " " not in stem:
        stem = re.sub(r"[-_]+", " ", stem)
    return stem.strip() or "Untitled"


def _unwiki(source: str) -> str:
    """Obsidian ``[[Page|label]]`` -> ``label``, ``[[Page#Part]]`` -> ``Page#Part``."""
    return _WIKILINK.sub(lambda m: (m.group(3) or m.group(2)).strip(), source)


# -- Plain text -------------------------------------------------------------------------

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATELINE = re.compile(
    rf"^(?:(?:published|posted|updated|date)[:\s]+)?(?:[a-z]+day,?\s+)?"
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}})\b[^\n]{{0,40}}$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^by\s+\S.{0,100}$", re.IGNORECASE)
#: A photo credit or caption line under the title ("gfs_mizuta / Pixabay", "Photo: AP",
#: "Image credit: Reuters", "© Getty Images"): kept as ``image_credit``, not the lead.
_CREDIT = re.compile(
    r"^(?:(?:photo(?:graph)?s?|image|picture|credit|illustration)\b.{0,100}"
    r"|©.{1,100}"
    r"|[^/.!?]{1,50}\s/\s(?:pixabay|unsplash|pexels|getty(?: images)?|reuters|ap|afp|epa"
    r"|shutterstock|alamy|istock(?:photo)?|wikimedia(?: commons)?|flickr|dpa|xinhua"
    r"|yonhap|kcna|tass|sputnik)\b[^.!?]{0,40})$",
    re.IGNORECASE,
)


def _from_text(text: str) -> tuple[dict[str, Any], str, str, list[str]]:
    """Title, header facts, header leftovers (the lead) and paragraphs of a plain text."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    head = [line.strip() for line in paragraphs[0].split("\n")]
    title, rest = head[0], head[1:]
    meta: dict[str, Any] = {}
    if len(rest) > 5 or any(len(line) > MAX_TITLE_LINE for line in rest):
        body = ["\n".join(rest), *paragraphs[1:]] if rest else paragraphs[1:]
        rest = []
    else:
        body = paragraphs[1:]
    lead: list[str] = []
    for line in rest:
        if not line:
            continue
        if _DATELINE.match(line) and "date" not in meta:
            meta["date"] = _iso_date(line)
        elif _BYLINE.match(line) and "author" not in meta:
            meta["author"] = line[3:].strip()
        elif _CREDIT.match(line) and "image_credit" not in meta and len(line.split()) <= 12:
            meta["image_credit"] = line
        elif line.casefold() == title.casefold():
            continue
        elif title.casefold().startswith(line.casefold() + " ") and len(line) > len(title) / 2:
            # A section label glued to the title line ("... sanctions News"): the
            # repeated, shorter line is the title, and the label is kept as the category.
            meta["category"] = title[len(line) :].strip()
            title = line
        else:
            lead.append(_escape_text(line))
    if not body:
        body, title = [title], _title_from_words(title)
    return meta, title, "\n\n".join(lead), body


def _iso_date(line: str) -> str:
    """The date of a dateline as YYYY-MM-DD when it reads unambiguously, else as written."""
    found = re.search(r"\d{4}-\d{2}-\d{2}", line)
    if found:
        return found.group()
    for pattern in ("%d %B %Y", "%B %d %Y", "%d %b %Y", "%b %d %Y"):
        words = re.sub(r"[,.]", " ", line).split()
        for start in range(len(words) - 2):
            try:
                day = _dt.datetime.strptime(" ".join(words[start : start + 3]), pattern)
            except ValueError:
                continue
            return day.date().isoformat()
    return line


def _title_from_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


_ESCAPED = re.compile(r"([\\`*_\[\]<>&#|~!])")


def _escape_text(paragraph: str) -> str:
    """Plain text as Markdown that renders to the same characters.

    Lines lose their indentation (four spaces would make code); markup characters are
    backslash-escaped; a line that would start a list, a quote or an underline heading
    gets its marker escaped.
    """
    text = _ESCAPED.sub(r"\\\1", "\n".join(line.strip() for line in paragraph.split("\n")))
    text = re.sub(r"(?m)^([-+=])", r"\\\1", text)
    return re.sub(r"(?m)^(\d{1,9})([.)])", r"\1\\\2", text)


# -- HTML -------------------------------------------------------------------------------


def _from_html(html: str, origin: str, facts: dict[str, str]) -> tuple[dict[str, Any], str]:
    try:
        import trafilatura
    except ImportError:
        raise IngestError(origin, WEB_EXTRA) from None
    url = facts.get("url") or None
    body = trafilatura.extract(
        html,
        url=url,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_formatting=True,
        include_links=True,
        include_images=False,
        favor_precision=True,
    )
    if not body or not body.strip():
        raise IngestError(origin, "no article text found in the page")
    found = trafilatura.extract_metadata(html, default_url=url)
    meta: dict[str, Any] = dict(facts)
    if found is not None:
        for key, value in (
            ("title", found.title),
            ("author", found.author),
            ("date", found.date),
            ("site", found.sitename),
            ("url", found.url),
        ):
            if value and str(value).strip():
                meta[key] = str(value).strip()
    return meta, body


# -- Assembly ---------------------------------------------------------------------------


def _assemble(meta: dict[str, Any], lead: str, units: list[str], options: Options) -> str:
    """Sections for ``units`` (proposed, asked for or none), then the canonical form."""
    if options.split == "none" and options.sections is None:
        starts = [0]
    else:
        starts = segment(units, options.sections)
    groups = group(units, starts)
    titles = title_sections(groups, taken=[str(meta.get("title", ""))])
    if options.split == "none" and options.sections is None and titles == ["Part 1"]:
        titles = [WHOLE_TEXT]
    body = "\n\n".join(
        f"## {escape_inline(title)}\n\n" + "\n\n".join(units_)
        for title, units_ in zip(titles, groups, strict=True)
    )
    return _render(meta, lead, body)


def _render(meta: dict[str, Any], lead: str, body: str) -> str:
    import yaml

    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6)
    title = escape_inline(str(meta.get("title", "")))
    parts = [f"---\n{front}---", f"# {title}", lead.strip("\n"), body.strip("\n")]
    return "\n\n".join(p for p in parts if p) + "\n"


def escape_inline(text: str) -> str:
    """A one-line title as Markdown inline text that renders back to ``text``."""
    text = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>&#|~!])", r"\\\1", text)


def briefing_markdown(briefing: Briefing) -> str:
    """A stored briefing as canonical Markdown; importing it gives the same briefing back."""
    meta = {"slug": briefing.slug, **briefing.meta, "title": briefing.title}
    body = "\n\n".join(
        f"## {escape_inline(s.title)}\n\n{s.markdown}" for s in briefing.body_sections
    )
    return _render(meta, briefing.lead, body)
