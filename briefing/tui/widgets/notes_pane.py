"""The notes on the current section, in text order."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.model import Annotation
from briefing.safetext import visible


def excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class NotesPane(OptionList):
    """One option per note; the option id is the annotation id."""

    DEFAULT_CSS = """
    NotesPane { border: none; padding: 0; }
    """

    annotations: tuple[Annotation, ...] = ()

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        ordered = sorted(annotations, key=lambda a: (a.status == "orphaned", a.start, a.id))
        self.annotations = tuple(ordered)
        options = [Option(self._prompt(a), id=a.id) for a in ordered]
        if not options:
            options = [
                Option(Content.styled("No notes on this section.", "$text-muted"), disabled=True)
            ]
        self.set_options(options)

    @staticmethod
    def _prompt(annotation: Annotation) -> Content:
        parts = []
        if annotation.status == "orphaned":
            parts.append(Content.styled("Orphaned: passage not found\n", "$warning"))
        parts.append(
            Content.styled("▍", annotation.color)
            + Content.styled(visible(excerpt(annotation.quote)), "italic")
        )
        if annotation.note:
            parts.append(Content("\n" + visible(excerpt(annotation.note, 120))))
        meta = " ".join(f"#{t}" for t in annotation.tags)
        stamp = annotation.updated.replace("T", " ").removesuffix("Z")[:16]
        parts.append(Content.styled(f"\n{meta + '  ' if meta else ''}{stamp}", "$text-muted"))
        return Content("").join(parts)
