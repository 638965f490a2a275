"""Cutting a Markdown body into its top-level blocks: the segmenter's units.

The segmenter groups these blocks into sections, so they must join back into the same
document: every block is the exact slice of source lines a Markdown parser saw as one
top-level block (a paragraph, a whole list, a fenced block, a table, a quote).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def top_level_blocks(markdown: str) -> list[tuple[str, str]]:
    """``(kind, source)`` of each top-level block, in order; kind is the token's name
    without ``_open`` (``paragraph``, ``bullet_list``, ``fence``, ``h3``, ...).

    Lines no block claims (link reference definitions) stay with the block before them,
    so that joining the sources with blank lines loses nothing.
    """
    lines = markdown.split("\n")
    spans: list[tuple[str, int, int]] = []
    for token in _parser().parse(markdown):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        kind = token.type.removesuffix("_open")
        start, end = token.map
        spans.append((f"h{token.tag[1:]}" if kind == "heading" else kind, start, end))
    found: list[tuple[str, str]] = []
    cursor = 0
    for number, (kind, start, end) in enumerate(spans):
        stray = "\n".join(lines[cursor:start]).strip("\n")
        if stray.strip() and found:
            found[-1] = (found[-1][0], found[-1][1] + "\n\n" + stray)
        elif stray.strip():
            start = cursor
        if number == len(spans) - 1:
            end = len(lines)
        source = "\n".join(lines[start:end]).strip("\n")
        if source.strip():
            found.append((kind, source))
        cursor = end
    if not spans and markdown.strip():
        found.append(("paragraph", markdown.strip("\n")))
    return found
