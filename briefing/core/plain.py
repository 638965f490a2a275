"""Briefings as plain text, for ``briefing show``, scripts and dumb terminals.

Tables are drawn as their aligned grid, footnotes under the section citing them,
and a link keeps its target: ``text <n>`` in the prose, ``<n> target`` in a list of
references at the end (a footnote is cited ``[n]``, so the two never mix).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from briefing.core.model import Block, Briefing, Section
from briefing.core.rules import counted


class References:
    """The link targets met so far, numbered in order; one number per distinct target."""

    def __init__(self) -> None:
        self.targets: list[str] = []

    def number(self, href: str) -> int:
        if href not in self.targets:
            self.targets.append(href)
        return self.targets.index(href) + 1

    def lines(self, width: int) -> list[str]:
        """The list printed after the text (nothing when no link has a target)."""
        if not self.targets:
            return []
        lines = ["References", "-" * len("References"), ""]
        for number, href in enumerate(self.targets, 1):
            lines += textwrap.wrap(
                href,
                width,
                initial_indent=f"<{number}> ",
                subsequent_indent="    ",
                break_long_words=True,
                break_on_hyphens=False,
            )
        return lines


def render_blocks(
    blocks: Sequence[Block], width: int = 78, references: References | None = None
) -> list[str]:
    """Blocks as wrapped lines, a blank line between blocks.

    With ``references``, each link to a target other than its own text is followed by
    ``<n>``, its number in that list.
    """
    lines: list[str] = []
    for block in blocks:
        lines.extend(_block_lines(block, width, references))
        lines.append("")
    return lines[:-1] if lines else lines


def _with_references(block: Block, references: References | None) -> str:
    if references is None:
        return block.text
    text, shift = block.text, 0
    for span in sorted(block.spans, key=lambda s: s.end):
        if span.style != "link" or not span.href or span.href == block.text[span.start : span.end]:
            continue
        mark = f" <{references.number(span.href)}>"
        at = span.end + shift
        text, shift = text[:at] + mark + text[at:], shift + len(mark)
    return text


def _block_lines(block: Block, width: int, references: References | None = None) -> list[str]:
    if block.kind == "rule":
        return ["-" * min(width, 40)]
    if block.kind == "code":
        return ["    " + line for line in block.text.split("\n")]
    if block.kind == "table":  # already an aligned grid: wrapping would break its columns
        return block.text.split("\n")
    text = _with_references(block, references)
    if block.kind == "heading":
        return [text, "-" * len(text)]
    if block.kind == "item":
        indent = "  " * (block.level - 1)
        first = f"{indent}{block.marker} " if block.marker else f"{indent}  "
        rest = " " * len(first)
    elif block.kind == "footnote":
        first = f"{block.marker} " if block.marker else "    "
        rest = " " * len(first)
    elif block.kind == "quote":
        first = rest = "> " * block.level
    else:
        first = rest = ""
    lines: list[str] = []
    for number, paragraph in enumerate(text.split("\n")):
        lines += textwrap.wrap(
            paragraph,
            width,
            initial_indent=first if number == 0 else rest,
            subsequent_indent=rest,
            break_on_hyphens=False,
        ) or [first.rstrip()]
    return lines


def render_plain(briefing: Briefing, section: Section | None = None, width: int = 78) -> str:
    """The briefing (or one of its sections) as text ``width`` columns wide."""
    references = References()
    if section is not None:
        body = render_blocks(section.blocks, width, references)
        tail = references.lines(width)
        return "\n".join(
            [section.title, "=" * len(section.title), "", *body, *(["", *tail] if tail else [])]
        )
    head = [briefing.title, "=" * len(briefing.title)]
    facts = [f for f in (*briefing.facts, ", ".join(briefing.tags)) if f]
    head += [*(textwrap.wrap(" · ".join(facts), width) if facts else []), ""]
    for s in briefing.sections:
        if s.is_lead:  # the top of the article, under its title, as it was written
            head += [*render_blocks(s.blocks, width, references), ""]
            continue
        head += [s.title, "-" * len(s.title), "", *render_blocks(s.blocks, width, references), ""]
    head += references.lines(width)
    return "\n".join(head).rstrip()


#: Words of each paragraph shown by :func:`render_outline`.
OUTLINE_WORDS = 8


def render_outline(briefing: Briefing) -> str:
    """The briefing's sections with their paragraphs' first words, and how many of each."""

    def paragraphs(blocks: Sequence[Block]) -> list[str]:
        return [b.text for b in blocks if b.text and b.kind != "heading"]

    def first_words(text: str) -> str:
        words = text.split()
        return " ".join(words[:OUTLINE_WORDS]) + (" …" if len(words) > OUTLINE_WORDS else "")

    def counts(texts: Sequence[str]) -> str:
        words = sum(len(t.split()) for t in texts)
        return f"{counted(len(texts), 'paragraph')}, {counted(words, 'word')}"

    lead = [p for s in briefing.sections if s.is_lead for p in paragraphs(s.blocks)]
    body = briefing.body_sections
    every = lead + [p for s in body for p in paragraphs(s.blocks)]
    lines = [briefing.title, f"{counted(len(body), 'section')} · {counts(every)}", ""]
    if lead:
        lines.append(f"   Lead  ({counts(lead)})")
        lines += [f"       {n:>3}  {first_words(t)}" for n, t in enumerate(lead, 1)]
    for number, section in enumerate(body, 1):
        texts = paragraphs(section.blocks)
        lines.append(f"{number:>3}  {section.title}  ({counts(texts)})  [{section.key}]")
        lines += [f"       {n:>3}  {first_words(t)}" for n, t in enumerate(texts, 1)]
    return "\n".join(lines)
