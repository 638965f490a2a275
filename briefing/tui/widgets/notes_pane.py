"""The notes on the current section, in text order, orphans in a group of their own."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from briefing.core.model import Annotation
from briefing.core.rules import tag_key
from briefing.core.safetext import visible

ORPHANED_HEADER = "Orphaned: passage not found"


def excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def has_tags(annotation: Annotation, wanted: Sequence[str]) -> bool:
    """Every wanted tag starts one of the note's tags (compared by the one tag rule,
    :func:`~briefing.core.rules.tag_key`), so the list narrows as you type."""
    keys = [tag_key(tag) for tag in annotation.tags]
    return all(any(key.startswith(tag_key(w)) for key in keys) for w in wanted)


class NotesPane(OptionList):
    """One option per note; the option id is the annotation id.

    Set ``tag_filter`` to show only notes carrying those tags (as prefixes).
    """

    DEFAULT_CSS = """
    NotesPane, NotesPane:focus { border: none; padding: 0; }
    """

    annotations: tuple[Annotation, ...] = ()
    tag_filter: var[tuple[str, ...]] = var(())

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        ordered = sorted(annotations, key=lambda a: (a.status == "orphaned", a.start, a.id))
        self.annotations = tuple(ordered)
        self._rebuild()

    def watch_tag_filter(self) -> None:
        self._rebuild()

    @property
    def shown(self) -> tuple[Annotation, ...]:
        return tuple(a for a in self.annotations if has_tags(a, self.tag_filter))

    @property
    def highlighted_annotation(self) -> Annotation | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return next((a for a in self.annotations if a.id == option.id), None)

    def highlight_note(self, annotation_id: str) -> None:
        """Move the highlight onto a note, if it is shown."""
        try:
            self.highlighted = self.get_option_index(annotation_id)
        except OptionDoesNotExist:  # filtered out: leave the highlight where it is
            return

    def _rebuild(self) -> None:
        """Rebuild the options, keeping the highlight on the same note where it survives."""
        kept = self.highlighted_option.id if self.highlighted_option is not None else None
        options: list[Option] = []
        orphans_started = False
        for annotation in self.shown:
            if annotation.status == "orphaned" and not orphans_started:
                orphans_started = True
                header = Content.styled(ORPHANED_HEADER, "bold $warning")
                options.append(Option(header, id=None, disabled=True))
            options.append(Option(self._prompt(annotation), id=annotation.id))
        if not options:
            message = "No notes on this section."
            if self.annotations:
                tags = " ".join(f"#{t}" for t in self.tag_filter)
                message = f"No notes tagged {tags}."
            options = [Option(Content.styled(visible(message), "$text-muted"), disabled=True)]
        index = self.highlighted
        self.set_options(options)
        if kept is not None and kept in {option.id for option in self.options}:
            self.highlight_note(kept)
        elif index is not None:  # that note is gone: highlight the one now in its place
            enabled = [i for i, option in enumerate(self.options) if not option.disabled]
            after = [i for i in enabled if i >= index]
            if enabled:
                self.highlighted = after[0] if after else enabled[-1]

    @staticmethod
    def _prompt(annotation: Annotation) -> Content:
        parts = [
            Content.styled("▍", annotation.color)
            + Content.styled(visible(excerpt(annotation.quote)), "italic")
        ]
        if annotation.note:
            parts.append(Content("\n" + visible(excerpt(annotation.note, 120))))
        meta = " ".join(f"#{t}" for t in annotation.tags)
        stamp = annotation.updated.replace("T", " ").removesuffix("Z")[:16]
        parts.append(Content.styled(f"\n{meta + '  ' if meta else ''}{stamp}", "$text-muted"))
        return Content("").join(parts)
