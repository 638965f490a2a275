"""A note's Markdown as styled terminal text, and its time as the reader's local time.

Notes are short Markdown: emphasis, strong, code, links, lists, line breaks. They are drawn
as text with styles (never parsed as Textual markup), every piece through ``visible`` so a
control character in a note is shown, not obeyed. The line breaks the writer typed are kept.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.content import Content

from briefing.core.rules import paragraphs_only
from briefing.core.safetext import visible

if TYPE_CHECKING:
    from markdown_it.token import Token

_PARSER: list[Any] = []  # made when the first note is drawn: the reader starts without it


def _parser() -> Any:
    if not _PARSER:
        from markdown_it import MarkdownIt

        _PARSER.append(MarkdownIt("commonmark", {"breaks": True, "html": False}))
    return _PARSER[0]


#: What Markdown may read as inline markup (emphasis, code, links, autolinks, entities,
#: escapes), and whitespace other than spaces and newlines, which the parser would fold.
_NOT_PLAIN = re.compile(r"[*_`\[\]<>&\\~\x00]|[^\S \n]")

_STYLES = {
    "em": "italic",
    "strong": "bold",
    "s": "strike",
    "link": "underline",
}


def _inline(children: list[Token]) -> Content:
    parts: list[Content] = []
    styles: list[str] = []
    for token in children:
        kind = token.type
        if kind.endswith("_open") and kind.removesuffix("_open") in _STYLES:
            styles.append(_STYLES[kind.removesuffix("_open")])
        elif kind.endswith("_close") and kind.removesuffix("_close") in _STYLES:
            if styles:
                styles.pop()
        elif kind in ("softbreak", "hardbreak"):
            parts.append(Content("\n"))
        elif kind == "code_inline":
            parts.append(Content.styled(visible(token.content), " ".join([*styles, "bold"])))
        elif kind in ("text", "html_inline"):
            text = visible(token.content)
            parts.append(Content.styled(text, " ".join(styles)) if styles else Content(text))
    return Content("").join(parts)


def note_content(markdown: str) -> Content:
    """``markdown`` drawn as styled text: paragraphs, list items ("• "), quotes ("│ ")."""
    lines = markdown.split("\n")
    if paragraphs_only(lines) and not _NOT_PLAIN.search(markdown):
        # Plain prose, most notes: what the parser would give, its lines trimmed, without
        # loading it (the reader's first frame draws the folded notes pane's cards).
        return Content(visible("\n".join(line.strip(" ") for line in lines if line.strip())))
    return _parsed(markdown)


def _parsed(markdown: str) -> Content:
    """``markdown`` read by the CommonMark parser and drawn (see :func:`note_content`)."""
    blocks: list[Content] = []
    prefix: list[str] = []
    for token in _parser().parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            prefix.append("")
        elif token.type == "list_item_open":
            if prefix:
                prefix[-1] = f"{token.info}. " if token.info else "• "
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefix.pop()
        elif token.type == "blockquote_open":
            prefix.append("│ ")
        elif token.type == "blockquote_close":
            prefix.pop()
        elif token.type == "inline":
            lead = "".join(prefix)
            blocks.append(Content(lead) + _inline(token.children or []))
        elif token.type in ("fence", "code_block"):
            blocks.append(Content.styled(visible(token.content.rstrip("\n")), "bold"))
    return Content("\n").join(blocks)


def local_time(stamp: str) -> str:
    """An ISO time stored in UTC, as the reader's local time with its zone:
    ``2026-11-28 10:00 CET``. Unparsable stamps are shown as they are."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return visible(stamp)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    local = moment.astimezone()
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or local.strftime("%z"))
