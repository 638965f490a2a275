"""Notes as cards: a section's, a briefing's or all briefings', in reading order, orphans
in a group of their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from briefing.core.model import Annotation
from briefing.core.rules import excerpt, tag_key
from briefing.core.safetext import visible
from briefing.tui.widgets.note_text import local_time, note_content

ORPHANED_HEADER = "Orphaned: passage not found"
#: A passage longer than this is shortened on its card; the note itself never is.
QUOTE_LIMIT = 160


@dataclass(frozen=True)
class Group:
    """A briefing whose notes the pane lists among others': where it comes in the list,
    its title, and its sections' places and titles by key."""

    place: int
    title: str
    sections: Mapping[str, tuple[int, str]]


def preview(text: str, width: int, lines: int) -> str:
    """``text`` wrapped at ``width`` into at most ``lines`` lines, the last one ending in "…"
    when it had to be cut."""
    import textwrap

    wrapped = textwrap.wrap(" ".join(text.split()), max(width, 8))
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    # Longer than a line (the next line's first word did not fit on it): cut, with "…".
    last = excerpt(f"{wrapped[lines - 1]} {wrapped[lines]}", max(width, 8))
    return "\n".join([*wrapped[: lines - 1], last])


def has_tags(annotation: Annotation, wanted: Sequence[str]) -> bool:
    """Every wanted tag starts one of the note's tags (compared by the one tag rule,
    :func:`~briefing.core.rules.tag_key`), so the list narrows as you type."""
    keys = [tag_key(tag) for tag in annotation.tags]
    return all(any(key.startswith(tag_key(w)) for key in keys) for w in wanted)


class NotesPane(OptionList):
    """One option per note; the option id is the annotation id.

    Set ``tag_filter`` to show only notes carrying those tags (as prefixes).
    """

    # With the focus, the highlighted card is drawn as without it (a tint of the surface)
    # plus the focused pane's tint, not in the block cursor's colours, which the accent and
    # muted lines of a card do not read on.
    DEFAULT_CSS = """
    NotesPane, NotesPane:focus { border: none; padding: 0; }
    NotesPane > .option-list--option-highlighted,
    NotesPane:focus > .option-list--option-highlighted {
        background: $reader-card;
        color: $reader-text;
        text-style: none;
    }
    """
    #: Shown in the key bar while the pane has focus (the screen's e, d, r act on the
    #: highlighted note then).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Go to passage", id="notes.go"),
    ]

    annotations: tuple[Annotation, ...] = ()
    tag_filter: var[tuple[str, ...]] = var(())

    #: Section key -> (place in the briefing, title), set when the pane lists the whole
    #: briefing: cards are then in reading order and name their section.
    sections: Mapping[str, tuple[int, str]] = {}
    #: Briefing slug -> its group, set when the pane lists notes across briefings: cards
    #: are then grouped by briefing, under its title, and name their section.
    groups: Mapping[str, Group] = {}
    #: Said when a tag filter finds nothing among one section's notes: how to see more.
    wider_hint = ""

    def set_annotations(
        self,
        annotations: Sequence[Annotation],
        sections: Mapping[str, tuple[int, str]] | None = None,
        *,
        groups: Mapping[str, Group] | None = None,
    ) -> None:
        """List ``annotations``; ``sections`` when they come from several sections of one
        briefing, ``groups`` when they come from several briefings."""
        self.sections = sections or {}
        self.groups = groups or {}
        last = len(self.groups)

        def order(a: Annotation) -> tuple[int, str, bool, int, int, str]:
            group = self.groups.get(a.briefing)
            place = group.place if group is not None else last
            in_briefing = group.sections if group is not None else self.sections
            section = in_briefing.get(a.section, (len(in_briefing), ""))[0]
            return (place, a.briefing, a.status == "orphaned", section, a.start, a.id)

        self.annotations = tuple(sorted(annotations, key=order))
        self._rebuild()

    def _section_title(self, annotation: Annotation) -> str | None:
        """The title of a note's section, when the pane lists more than one section."""
        group = self.groups.get(annotation.briefing)
        sections = group.sections if group is not None else self.sections
        found = sections.get(annotation.section)
        return found[1] if found is not None else None

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
        options: list[Option | None] = []
        orphans_started = False
        briefing: str | None = None
        named: tuple[str, str, bool] | None = None  # the section the last § line named
        for annotation in self.shown:
            if self.groups and annotation.briefing != briefing:
                briefing, orphans_started = annotation.briefing, False
                group = self.groups.get(briefing)
                title = group.title if group is not None else f"{briefing} (not in the library)"
                if options:
                    options.append(None)
                header = Content.styled(visible(title), "bold $reader-accent")
                options.append(Option(header, id=None, disabled=True))
            if annotation.status == "orphaned" and not orphans_started:
                orphans_started = True
                header = Content.styled(ORPHANED_HEADER, "bold $warning")
                options.append(Option(header, id=None, disabled=True))
            last = options[-1] if options else None
            if last is not None and not last.disabled:
                options.append(None)  # a rule between two cards
            prompt = self._prompt(annotation)
            section_title = self._section_title(annotation)
            place = (annotation.briefing, annotation.section, annotation.status == "orphaned")
            if section_title is not None and place != named:  # once per section's group
                named = place
                line = Content.styled(visible(f"§ {section_title}\n"), "$reader-accent")
                prompt = line + prompt
            options.append(Option(prompt, id=annotation.id))
        if not options:
            message = (
                "No notes in any briefing."
                if self.groups
                else "No notes in this briefing."
                if self.sections
                else "No notes on this section."
            )
            if self.annotations:
                tags = " ".join(f"#{t}" for t in self.tag_filter)
                message = f"No notes tagged {tags}."
                if not self.sections and not self.groups and self.wider_hint:
                    message += f" {self.wider_hint}"
            options = [Option(Content.styled(visible(message), "$reader-muted"), disabled=True)]
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
        """A card: the passage (long ones shortened; ``v`` shows it whole), the whole note in
        Markdown with its line breaks, its tags and local time."""
        parts = [
            Content.styled("▍", f"$reader-hl-{annotation.color}-bar")
            + Content.styled(visible(excerpt(annotation.quote, QUOTE_LIMIT)), "italic")
        ]
        if annotation.note.strip():
            parts.append(Content("\n") + note_content(annotation.note))
        meta = " ".join(f"#{t}" for t in annotation.tags)
        stamp = local_time(annotation.updated)
        parts.append(Content.styled(f"\n{meta + '  ' if meta else ''}{stamp}", "$reader-muted"))
        return Content("").join(parts)
