"""A briefing's outline, edited: its paragraphs in order and the section breaks among them.

The reader's outline editor changes this, an immutable value (every edit returns a new
outline, so undo is a stack of them); saving turns it back into Markdown, which is
imported like any file, so that every note is re-anchored and kept.

A *paragraph* here is one top-level Markdown block (a paragraph, a list, a table, a
quote, a code block), kept as its source so that saving changes nothing else. The
paragraphs before the first break are the lead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from briefing.core.blocks import parse, plain_text
from briefing.core.model import Briefing
from briefing.core.rules import slugify


class OutlineError(ValueError):
    """An edit that cannot be made; ``str()`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class Break:
    """A section starts at paragraph ``at`` under ``title``."""

    at: int
    title: str


@dataclass(frozen=True, slots=True)
class Outline:
    slug: str
    title: str
    meta: dict[str, Any]
    paragraphs: tuple[str, ...]  # Markdown source of each top-level block
    breaks: tuple[Break, ...]  # in paragraph order, at strictly increasing positions

    # -- reading it ---------------------------------------------------------

    def break_at(self, paragraph: int) -> int | None:
        """The number of the break just before ``paragraph``, if one is there."""
        return next((n for n, b in enumerate(self.breaks) if b.at == paragraph), None)

    def section_of(self, paragraph: int) -> int:
        """The break whose section holds ``paragraph``; -1 for the lead."""
        return max((n for n, b in enumerate(self.breaks) if b.at <= paragraph), default=-1)

    @property
    def lead(self) -> str:
        first = self.breaks[0].at if self.breaks else len(self.paragraphs)
        return "\n\n".join(self.paragraphs[:first])

    # -- editing it ---------------------------------------------------------

    def move_break(self, number: int, delta: int) -> Outline:
        """Move break ``number`` by ``delta`` paragraphs (-1 up, +1 down)."""
        at = self.breaks[number].at + delta
        low = self.breaks[number - 1].at + 1 if number > 0 else 0
        high = (
            self.breaks[number + 1].at - 1
            if number + 1 < len(self.breaks)
            else len(self.paragraphs) - 1
        )
        if not low <= at <= high:
            raise OutlineError("a section keeps at least one paragraph")
        return self._with_break(number, replace(self.breaks[number], at=at))

    def add_break(self, paragraph: int, title: str) -> Outline:
        """Start a new section at ``paragraph``."""
        if self.break_at(paragraph) is not None:
            raise OutlineError("a section already starts here")
        self._check_title(title)
        breaks = sorted((*self.breaks, Break(paragraph, title.strip())), key=lambda b: b.at)
        return replace(self, breaks=tuple(breaks))

    def remove_break(self, number: int) -> Outline:
        """Join the section at break ``number`` to the one above it (or to the lead)."""
        return replace(self, breaks=self.breaks[:number] + self.breaks[number + 1 :])

    def merge_with_next(self, number: int) -> Outline:
        """Join the section after break ``number`` into it."""
        if number + 1 >= len(self.breaks):
            raise OutlineError("the last section has none after it to merge")
        return self.remove_break(number + 1)

    def rename(self, number: int, title: str) -> Outline:
        self._check_title(title, number)
        return self._with_break(number, replace(self.breaks[number], title=title.strip()))

    def set_lead(self, markdown: str) -> Outline:
        """Replace the lead's paragraphs with ``markdown`` (empty: no lead)."""
        first = self.breaks[0].at if self.breaks else len(self.paragraphs)
        new = tuple(paragraphs_of(markdown))
        shift = len(new) - first
        return replace(
            self,
            paragraphs=new + self.paragraphs[first:],
            breaks=tuple(replace(b, at=b.at + shift) for b in self.breaks),
        )

    def _with_break(self, number: int, new: Break) -> Outline:
        return replace(self, breaks=(*self.breaks[:number], new, *self.breaks[number + 1 :]))

    def _check_title(self, title: str, renaming: int | None = None) -> None:
        if not title.strip():
            raise OutlineError("a section needs a title")
        key = slugify(title)
        for number, other in enumerate(self.breaks):
            if number != renaming and slugify(other.title) == key:
                raise OutlineError(f"a section is already titled {other.title!r}")

    # -- writing it ---------------------------------------------------------

    def to_markdown(self) -> str:
        """The briefing as Markdown that imports to this outline."""
        import yaml  # only when saving

        if not self.breaks:
            raise OutlineError("a briefing needs at least one section")
        head = yaml.safe_dump(self.meta, allow_unicode=True, sort_keys=False, width=1000)
        parts = [f"---\n{head}---", f"# {self.title}"]
        if self.lead:
            parts.append(self.lead)
        for number, item in enumerate(self.breaks):
            end = self.breaks[number + 1].at if number + 1 < len(self.breaks) else None
            parts.append(f"## {item.title}")
            parts.extend(self.paragraphs[item.at : end])
        return "\n\n".join(parts) + "\n"


def paragraphs_of(markdown: str) -> list[str]:
    """``markdown`` cut before each top-level block; lines no block claims (link
    definitions, footnote texts) stay with the block above them."""
    lines = markdown.split("\n")
    starts = sorted(
        {
            token.map[0]
            for token in parse(markdown)
            if token.level == 0 and token.nesting >= 0 and token.map is not None
        }
    )
    if not starts:
        return [markdown.strip("\n")] if markdown.strip() else []
    starts[0] = 0
    ends = [*starts[1:], len(lines)]
    return [
        chunk
        for start, end in zip(starts, ends, strict=True)
        if (chunk := "\n".join(lines[start:end]).strip("\n")).strip()
    ]


def outline_of(briefing: Briefing) -> Outline:
    """The outline of a stored briefing: its lead's paragraphs, then each section's."""
    paragraphs = paragraphs_of(briefing.lead)
    breaks: list[Break] = []
    for section in briefing.body_sections:
        breaks.append(Break(len(paragraphs), section.title))
        paragraphs.extend(paragraphs_of(section.markdown))
    return Outline(
        briefing.slug, briefing.title, dict(briefing.meta), tuple(paragraphs), tuple(breaks)
    )


def preview(paragraph: str, width: int = 200) -> str:
    """A paragraph as one line of plain text, for a list of them."""
    text = " ".join(plain_text(paragraph).split())
    return text[:width]
