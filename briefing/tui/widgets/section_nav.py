"""The list of a briefing's sections, with read marks and note counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.core.model import Section
from briefing.core.safetext import visible
from briefing.tui.widgets.wrapping import wrap

#: Cells of the read mark before each title ("✓ " or "· ").
MARK = 2


class SectionNav(OptionList):
    """Sections in order. Enter (or a click) selects one: ``OptionList.OptionSelected``.

    A title too long for the pane wraps under its own first letter, not under the mark.
    """

    DEFAULT_CSS = """
    SectionNav { height: 1fr; scrollbar-size-vertical: 1; }
    SectionNav, SectionNav:focus { border: none; padding: 0; }
    """

    _shown: tuple[Sequence[Section], set[str], Mapping[str, int]] = ((), set(), {})
    _width = 0  # the width the titles were wrapped at

    def set_sections(
        self, sections: Sequence[Section], read: set[str], counts: Mapping[str, int]
    ) -> None:
        """Redraw read marks and note counts; the user's highlight stays where it is."""
        self._shown = (sections, set(read), dict(counts))
        self._width = width = self._title_width()
        options = [self._option(s, s.key in read, counts.get(s.key, 0), width) for s in sections]
        if [o.id for o in options] != [o.id for o in self.options]:
            highlighted = self.highlighted
            self.set_options(options)
            self.highlighted = highlighted
        else:
            for option in options:
                self.replace_option_prompt(option.id or "", option.prompt)

    def _title_width(self) -> int:
        """Cells a title line may take: the pane's width less the mark (0: not laid out)."""
        return max(self.scrollable_content_region.width - MARK, 0)

    def on_resize(self) -> None:
        if self._title_width() != self._width:
            self.set_sections(*self._shown)

    def show_current(self, key: str) -> None:
        self.highlighted = self.get_option_index(key)

    @staticmethod
    def _option(section: Section, read: bool, notes: int, width: int = 0) -> Option:
        mark = Content.styled("✓ ", "$success") if read else Content("· ")
        title = visible(section.title) + (f" ({notes})" if notes else "")
        if width > 4:  # wrapped here, each later line indented under the title's start
            title = ("\n" + " " * MARK).join(title[s:e] for s, e in wrap(title, width))
        prompt = mark + Content(title)
        if notes:
            prompt = prompt.stylize("$text-accent", len(prompt) - len(f"({notes})"), len(prompt))
        return Option(prompt, id=section.key)
