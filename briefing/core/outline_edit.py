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

from briefing.core.blocks import plain_text
from briefing.core.model import Briefing, Section
from briefing.core.rules import slugify
from briefing.core.units import top_level_blocks


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
        """The briefing as Markdown that imports to this outline (the canonical form of
        ``briefing show --markdown``)."""
        from briefing.core.formats import briefing_markdown

        if not self.breaks:
            raise OutlineError("a briefing needs at least one section")
        sections = tuple(
            Section(
                key=slugify(item.title),
                title=item.title,
                markdown="\n\n".join(self.paragraphs[item.at : self._end(number)]),
                text="",
            )
            for number, item in enumerate(self.breaks)
        )
        return briefing_markdown(Briefing(self.slug, self.title, self.meta, self.lead, sections))

    def _end(self, number: int) -> int:
        """Where the section of break ``number`` ends: the next break, or the last paragraph."""
        return self.breaks[number + 1].at if number + 1 < len(self.breaks) else len(self.paragraphs)


def paragraphs_of(markdown: str) -> list[str]:
    """``markdown`` cut before each top-level block (the segmenter's units); lines no
    block claims stay with the block above them."""
    return [source for _, source in top_level_blocks(markdown)]


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
