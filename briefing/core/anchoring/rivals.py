"""Other passages of a note's own revision, which may have a better claim to a candidate.

Re-import keeps the text a note was made on (see :mod:`briefing.store.revisions`). A quote that
occurred more than once in it (a line repeated in every code listing, a stock phrase, a
paragraph copied into two sections) leaves several look-alikes in the new text, and the note's
own copy may be the one that was deleted while the others stayed. As in a diff, each old
passage continues in at most one place: a candidate that is another old occurrence's best
place, with clearly better evidence than the note's there, is that passage's continuation and
not the note's. Without the old text (a note from before revisions were kept) there are no
rivals.
"""

from __future__ import annotations

from briefing.core.anchoring import gate, spans
from briefing.core.anchoring.quotes import CONTEXT, make_anchor
from briefing.core.model import Anchor

#: Old occurrences looked at per quote: a phrase repeated more often than this says nothing
#: by itself, and its candidates are judged by their context alone.
_MOST = 64


class Rivals:
    """The old revision's other occurrences of a note's quote (or of a candidate's words)."""

    def __init__(
        self,
        anchor: Anchor,
        key: str,
        before: list[tuple[str, str]],
        after: list[tuple[str, str]],
    ) -> None:
        self.anchor = anchor
        self.key = key
        self.before = before
        self.after = after
        self._of: dict[str, list[tuple[str, Anchor]]] = {}
        self._copies: dict[str, list[tuple[int, int, int]]] = {}

    @classmethod
    def of_note(
        cls,
        anchor: Anchor,
        key: str,
        before: list[tuple[str, str]] | None,
        after: list[tuple[str, str]],
    ) -> Rivals | None:
        """The rivals of a note in ``after`` (the new texts), if ``before`` is the text it was
        made on (else ``None``)."""
        if before is None:
            return None
        text = next((t for k, t in before if k == key), None)
        if text is None or text[anchor.start : anchor.end] != anchor.quote:
            return None  # not the revision the note was made on: its offsets mean nothing here
        return cls(anchor, key, before, after)

    def anchors(self, quote: str) -> list[tuple[str, Anchor]]:
        """(section key, anchor) of every old occurrence of ``quote`` but the note's own."""
        if quote not in self._of:
            found: list[tuple[str, Anchor]] = []
            for key, text in self.before:
                for at in spans.occurrences(text, quote):
                    end = at + len(quote)
                    own = key == self.key and at < self.anchor.end and end > self.anchor.start
                    if own or not spans.respects_words(self.anchor, text, at, end):
                        continue
                    found.append((key, make_anchor(text, at, end)))
                    if len(found) > _MOST:
                        break
            self._of[quote] = [] if len(found) > _MOST else found
        return self._of[quote]

    def copies(self, quote: str) -> list[tuple[int, int, int]]:
        """(part, start, end) of every verbatim copy of ``quote`` in the new texts."""
        if quote not in self._copies:
            self._copies[quote] = [
                (part, at, at + len(quote))
                for part, (_, text) in enumerate(self.after)
                for at in spans.occurrences(text, quote)
            ][: _MOST + 1]
        return self._copies[quote]

    def claimed(self, part: int, start: int, end: int) -> bool:
        """Whether another old passage has a better claim than the note to ``text[start:end]``:
        it passes the gate there, and its quote and context together fit clearly better (by
        :data:`~briefing.core.anchoring.gate.STANDOUT_MARGIN`; a character or two of context
        is noise when every copy shares the same surroundings on one side), or it reads there
        exactly as it did, all its stored context included (it is plainly still in place); or
        it fits as well and this is its own section, not the note's."""
        text = self.after[part][1]
        found = text[start:end]
        rivals = self.anchors(self.anchor.quote)
        if found != self.anchor.quote:
            rivals = rivals + self.anchors(found)
        if not rivals:
            return False
        mine = _evidence(self.anchor, text, start, end)
        section = self.after[part][0]
        for key, rival in rivals:
            if not gate.accept(rival, text, start, end)[0]:
                continue
            theirs = _evidence(rival, text, start, end)
            # Equal evidence: the place decides, as among copies (the rival's own section).
            placed = theirs == mine and key == section != self.key
            if (placed or _beats(theirs, mine)) and not self._better_elsewhere(
                rival, theirs, part, start
            ):
                return True
        return False

    def _better_elsewhere(
        self, rival: Anchor, here: tuple[float, float], part: int, start: int
    ) -> bool:
        """Whether a verbatim copy of the rival's quote elsewhere suits the rival better:
        then that is where the rival passage went, and it claims nothing here."""
        for other, at, end in self.copies(rival.quote):
            if (other, at) != (part, start) and (
                _evidence(rival, self.after[other][1], at, end) > here
            ):
                return True
        return False


#: The evidence of a passage still in place, word for word with all its stored context.
_INTACT = (2.0, 1.0)


def _beats(theirs: tuple[float, float], mine: tuple[float, float]) -> bool:
    """Better near evidence by the margin, or as good near and better wide by the margin; or
    the rival reads there exactly as it did, with all its context, and the note does not."""
    margin = gate.STANDOUT_MARGIN
    if theirs == _INTACT:
        return mine < _INTACT
    return theirs[0] >= mine[0] + margin or (theirs[0] >= mine[0] and theirs[1] >= mine[1] + margin)


def _evidence(anchor: Anchor, text: str, start: int, end: int) -> tuple[float, float]:
    """(quote score + near context score, wide context score) of ``anchor`` at a span."""
    found = text[start:end]
    quote = 1.0 if found == anchor.quote else gate.quote_score(anchor.quote, found)
    near = gate.context_score(anchor, text, start, end)
    wide = gate.context_score(anchor, text, start, end, width=CONTEXT)
    return round(quote + near, 6), round(wide, 6)
