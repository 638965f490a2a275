"""Tag completion for the tag filters (the reader's notes pane and the library's notes).

The completion rule is the tag rule (:func:`~briefing.core.rules.tag_key`): ``résumé``
completes ``Res`` as it matches it, so what completes is what the filter will match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.suggester import Suggester

from briefing.core.rules import tag_key
from briefing.store.facade import DataError


class TagSuggester(Suggester):
    """Completes the last tag typed from ``tags()``: the tags of the notes on offer."""

    def __init__(self, tags: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._tags = tags

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(" ")
        word = last.lstrip("#")
        if not word:
            return None
        try:
            known = set(self._tags())
        except DataError:  # a damaged notes file: no completion, the pane says what is wrong
            return None
        wanted = tag_key(word)
        tags = sorted(t for t in known if tag_key(t).startswith(wanted))
        if not tags or tag_key(tags[0]) == wanted:
            return None
        # What was typed stays as typed; the rest of the tag follows it.
        completed = last + tags[0][len(word) :]
        return f"{head} {completed}" if head else completed
