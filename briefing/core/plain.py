"""Briefings as plain text, for ``briefing show``, scripts and dumb terminals."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from briefing.core.model import Block, Briefing, Section


def render_blocks(blocks: Sequence[Block], width: int = 78) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        lines.extend(_block_lines(block, width))
        lines.append("")
    return lines[:-1] if lines else lines


def _block_lines(block: Block, width: int) -> list[str]:
    if block.kind == "rule":
        return ["-" * min(width, 40)]
    if block.kind == "code":
        return ["    " + line for line in block.text.split("\n")]
    if block.kind == "heading":
        return [block.text, "-" * len(block.text)]
    if block.kind == "item":
        indent = "  " * (block.level - 1)
        first = f"{indent}{block.marker} " if block.marker else f"{indent}  "
        rest = " " * len(first)
    elif block.kind == "quote":
        first = rest = "> " * block.level
    else:
        first = rest = ""
    lines: list[str] = []
    for number, paragraph in enumerate(block.text.split("\n")):
        lines += textwrap.wrap(
            paragraph,
            width,
            initial_indent=first if number == 0 else rest,
            subsequent_indent=rest,
            break_on_hyphens=False,
        ) or [first.rstrip()]
    return lines


def render_plain(briefing: Briefing, section: Section | None = None, width: int = 78) -> str:
    if section is not None:
        return "\n".join(
            [section.title, "=" * len(section.title), "", *render_blocks(section.blocks, width)]
        )
    head = [briefing.title, "=" * len(briefing.title)]
    facts = [f for f in (briefing.source, briefing.date, ", ".join(briefing.tags)) if f]
    head += [*(textwrap.wrap(" · ".join(facts), width) if facts else []), ""]
    for s in briefing.sections:
        if s.is_lead:  # the top of the article, under its title, as it was written
            head += [*render_blocks(s.blocks, width), ""]
            continue
        head += [s.title, "-" * len(s.title), "", *render_blocks(s.blocks, width), ""]
    return "\n".join(head).rstrip()
