"""Command palette entries: every action of the current screen, every section and briefing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from briefing.core.safetext import visible
from briefing.tui.screens.help import key_label

if TYPE_CHECKING:
    from briefing.store.facade import Store

Command = tuple[str, str, Callable[[], object]]


class OpensBriefings(Protocol):
    """What the palette needs of its app: the store, and a way to open a briefing."""

    store: Store

    def open_briefing(self, slug: str) -> object: ...


class BriefingCommands(Provider):
    """The palette parses names and help as markup, so every text is escaped:
    a "[" is a key here, and a briefing title is content."""

    def _commands(self) -> list[Command]:
        from briefing.tui.screens.reader import ReaderScreen

        app = cast(OpensBriefings, self.app)
        screen = self.screen
        commands: list[Command] = []
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                if screen.check_action(binding.action, ()) is not True:
                    continue
                help_text = f"{binding.tooltip or binding.description} · {key_label(binding)}"
                commands.append(
                    (binding.description, help_text, partial(screen.run_action, binding.action))
                )
        if isinstance(screen, ReaderScreen):
            for section in screen.briefing.sections:
                go = partial(screen.go_to_section, section.key)
                commands.append((f"Go to section: {visible(section.title)}", "Section", go))
        for briefing in app.store.listings():
            open_it = partial(app.open_briefing, briefing.slug)
            commands.append((f"Open briefing: {visible(briefing.title)}", "Briefing", open_it))
        return [(escape(name), escape(help_text), run) for name, help_text, run in commands]

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
