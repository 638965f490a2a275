"""The list of a briefing's sections, with read marks and note counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.core.model import Section
from briefing.core.safetext import visible


class SectionNav(OptionList):
    """Sections in order. Enter (or a click) selects one: ``OptionList.OptionSelected``."""

    DEFAULT_CSS = """
    SectionNav { height: 1fr; scrollbar-size-vertical: 1; }
    SectionNav, SectionNav:focus { border: none; padding: 0; }
    """

    def set_sections(
        self, sections: Sequence[Section], read: set[str], counts: Mapping[str, int]
    ) -> None:
        """Redraw read marks and note counts; the user's highlight stays where it is."""
        options = [self._option(s, s.key in read, counts.get(s.key, 0)) for s in sections]
        if [o.id for o in options] != [o.id for o in self.options]:
            highlighted = self.highlighted
            self.set_options(options)
            self.highlighted = highlighted
        else:
            for option in options:
                self.replace_option_prompt(option.id or "", option.prompt)

    def show_current(self, key: str) -> None:
        self.highlighted = self.get_option_index(key)

    @staticmethod
    def _option(section: Section, read: bool, notes: int) -> Option:
        mark = Content.styled("✓ ", "$success") if read else Content("· ")
        prompt = mark + Content(visible(section.title))
        if notes:
            prompt += Content.styled(f" ({notes})", "$text-accent")
        return Option(prompt, id=section.key)
