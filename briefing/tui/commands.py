"""Command palette entries: every action of the current screen, every section and briefing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from briefing.safetext import visible
from briefing.tui.help import key_label


class BriefingCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        from briefing.tui.reader import ReaderScreen

        screen = self.screen
        commands: list[tuple[str, str, object]] = []
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                if screen.check_action(binding.action, ()) is not True:
                    continue
                run = partial(screen.run_action, binding.action)
                # The palette parses help as markup: "[" is a key here, not a tag.
                help_text = escape(
                    f"{binding.tooltip or binding.description} · {key_label(binding)}"
                )
                commands.append((binding.description, help_text, run))
        if isinstance(screen, ReaderScreen):
            for section in screen.briefing.sections:
                title = visible(section.title)
                run = partial(screen.go_to_section, section.key)
                commands.append((f"Go to section: {title}", "Section", run))
        store = self.app.store  # type: ignore[attr-defined]
        for briefing in store.briefings():
            run = partial(self.app.open_briefing, briefing.slug)  # type: ignore[attr-defined]
            commands.append((f"Open briefing: {visible(briefing.title)}", "Briefing", run))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> AsyncIterator[Hit]:  # type: ignore[override]
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)  # type: ignore[arg-type]
