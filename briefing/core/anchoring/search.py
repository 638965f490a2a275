"""Where in a whole briefing a noted passage now is: its own section first, then anywhere.

1. The old offsets in the note's own section, if they still hold the quote with its context.
2. Verbatim copies anywhere (the lead, a section of its own, included); the best by the
   nearest context, ties broken by the wider stored context (looked for a little further off,
   so a line inserted before every copy does not hide it), then the note's own section, then
   the old position.
3. Near matches in the note's own section, then anywhere else (found through an index of word
   pairs, so a long briefing is not scanned for every note), each judged by the gate.

When the text the note was made on is known, a candidate that another old passage has a better
claim to is left out at 2 and 3 (see :mod:`~briefing.core.anchoring.rivals`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from briefing.core.anchoring import gate, spans
from briefing.core.anchoring.quotes import GATE_CONTEXT, text_hash
from briefing.core.anchoring.rivals import Rivals
from briefing.core.model import Anchor, Briefing

_WORD = re.compile(r"\w+")
#: Word pairs this common say nothing about where a passage went.
_COMMON = 40
#: Start offsets of word-pair hits are pooled in buckets this wide.
_BUCKET = 24


@dataclass
class Layout:
    """A briefing's searchable texts, and an index of word pairs built on first need."""

    briefing: Briefing | None
    parts: list[tuple[str, str]]
    _index: dict[tuple[str, str], list[tuple[int, int]]] | None = field(default=None)
    _offsets: list[int] | None = field(default=None)

    @classmethod
    def of(cls, briefing: Briefing) -> Layout:
        return cls(briefing, [(s.key, s.text) for s in briefing.sections])

    def offset(self, part: int) -> int:
        """Where ``part`` starts if the parts were laid end to end."""
        if self._offsets is None:
            self._offsets, at = [], 0
            for _, text in self.parts:
                self._offsets.append(at)
                at += len(text) + 2
        return self._offsets[part]

    def index(self) -> dict[tuple[str, str], list[tuple[int, int]]]:
        if self._index is None:
            index: dict[tuple[str, str], list[tuple[int, int]]] = {}
            for part, (_, text) in enumerate(self.parts):
                words = [(m.group().lower(), m.start()) for m in _WORD.finditer(text)]
                for (first, at), (second, _) in pairwise(words):
                    index.setdefault((first, second), []).append((part, at))
            self._index = index
        return self._index


_last: list[Layout] = []


def layout(briefing: Briefing) -> Layout:
    """The layout of ``briefing``, kept for the next call: re-import asks once per note."""
    if not _last or _last[0].briefing is not briefing:
        _last[:] = [Layout.of(briefing)]
    return _last[0]


def _rough_starts(anchor: Anchor, found: Layout) -> dict[int, set[int]]:
    """Per part, offsets where many of the quote's word pairs now start the passage."""
    words = [(m.group().lower(), m.start()) for m in _WORD.finditer(anchor.quote)]
    pairs = [((a, b), at) for (a, at), (b, _) in pairwise(words)]
    if not pairs:
        return {}
    index = found.index()
    votes: dict[tuple[int, int], list[int]] = {}
    for pair, offset in pairs:
        hits = index.get(pair, ())
        if len(hits) > _COMMON:
            continue
        for part, at in hits:
            votes.setdefault((part, (at - offset) // _BUCKET), []).append(at - offset)
    need = max(1.0, 0.3 * len(pairs))
    ranked = sorted(votes.items(), key=lambda item: -len(item[1]))[:4]
    starts: dict[int, set[int]] = {}
    for (part, _), offsets in ranked:
        if len(offsets) >= need:
            starts.setdefault(part, set()).add(max(0, sorted(offsets)[len(offsets) // 2]))
    return starts


@dataclass(frozen=True)
class Found:
    part: int
    start: int
    end: int
    score: float  # quote score + context score
    wide: float  # similarity of the whole stored context


def _judge(anchor: Anchor, part: int, text: str, span: tuple[int, int]) -> Found | None:
    ok, quote, context = gate.accept(anchor, text, *span)
    if not ok:
        return None
    wide = gate.context_score(
        anchor, text, *span, width=max(len(anchor.prefix), len(anchor.suffix))
    )
    return Found(part, span[0], span[1], quote + context, wide)


def place(
    anchor: Anchor, key: str, briefing: Briefing, before: Mapping[str, str] | None = None
) -> tuple[str, int, int] | None:
    """(section key, start, end) of the passage in ``briefing``, or ``None`` to orphan it.

    ``key`` is the note's section; ``before``, if known, the section texts (by key, in order)
    of the revision the note was made on, whose other passages may claim a look-alike (see
    :mod:`~briefing.core.anchoring.rivals`).
    """
    return place_in(anchor, key, layout(briefing), None if before is None else list(before.items()))


def place_in(
    anchor: Anchor, key: str, found: Layout, before: list[tuple[str, str]] | None = None
) -> tuple[str, int, int] | None:
    """:func:`place` over prepared texts (``Layout(None, [(key, text)])`` for a single text)."""
    if not anchor.quote.strip():
        return None
    own = next((i for i, (k, _) in enumerate(found.parts) if k == key), None)
    if own is not None:
        text = found.parts[own][1]
        start, end = anchor.start, anchor.end
        if (
            0 <= start <= end <= len(text)
            and text[start:end] == anchor.quote
            and spans.respects_words(anchor, text, start, end)
            and (
                anchor.text_hash == text_hash(text)
                or gate.context_agreement(anchor, text, start, end)
                == len(anchor.prefix[-GATE_CONTEXT:] + anchor.suffix[:GATE_CONTEXT])
            )
        ):
            return key, start, end
    rivals = Rivals.of_note(anchor, key, before, found.parts)
    hit = _exact(anchor, found, own, rivals)
    if hit is None:
        hit = _near(anchor, found, own, rivals)
    if hit is None:
        return None
    return found.parts[hit.part][0], hit.start, hit.end


def _exact(anchor: Anchor, found: Layout, own: int | None, rivals: Rivals | None) -> Found | None:
    hits = [
        (part, span)
        for part, (_, text) in enumerate(found.parts)
        for span in spans.exact(anchor, text)
        if rivals is None or not rivals.claimed(part, *span)
    ]
    if not hits:
        return None
    if len(hits) == 1:
        part, (start, end) = hits[0]
        text = found.parts[part][1]
        context = gate.context_score(anchor, text, start, end)
        length = len(anchor.quote)
        # Unique in the text the note was made on as well: as a diff pairs the lines found
        # once in both versions, a phrase of some length is the passage wherever it went.
        # A whole paragraph, however short (a label, a one-line heading), is then paired as
        # a diff pairs a line: by itself.
        unique_before = rivals is not None and not rivals.anchors(anchor.quote)
        if unique_before and spans.whole_paragraph(anchor, text, start, end):
            return Found(part, start, end, 2.0, 1.0)
        unique_before = unique_before and length >= gate.MIN_FUZZY_LENGTH
        if (length >= gate.UNIQUE_LENGTH and context >= gate.unique_context(length)) or (
            (part == own or length >= gate.UNIQUE_LENGTH or unique_before)
            and ((part == own and start == anchor.start) or context >= gate.SHORT_UNIQUE_CONTEXT)
        ):
            # The only copy: long enough to be the passage wherever it is, or a short one
            # still in its own section (or known to have been unique) with something of its
            # place or surroundings.
            return Found(part, start, end, 2.0, 1.0)
    width = max(len(anchor.prefix), len(anchor.suffix))
    # Equal contexts: the copy nearest the old position in the briefing, or in its section
    # when the section is gone (renamed, split).
    hint = found.offset(own) + anchor.start if own is not None else None

    def rank(hit: tuple[int, tuple[int, int]]) -> tuple[int, float, bool, int]:
        part, (start, end) = hit
        text = found.parts[part][1]
        at = start if hint is None else found.offset(part) + start
        distance = abs(at - (anchor.start if hint is None else hint))
        return (
            gate.context_agreement(anchor, text, start, end),
            gate.wide_context_score(anchor, text, start, end),
            part == own,
            -distance,
        )

    def wide(hit: tuple[int, tuple[int, int]]) -> float:
        return gate.context_score(anchor, found.parts[hit[0]][1], *hit[1], width=width)

    ranked = sorted(hits, key=rank, reverse=True)
    part, span = ranked[0]
    text = found.parts[part][1]
    # Words inserted at the passage's very edge (a line, inline markup) hide its near
    # context; the whole old context still reading around it, a little further off, and
    # around no other copy, shows where it is.
    displaced = rank(ranked[0])[1] >= gate.DISPLACED_CONTEXT and (
        len(ranked) == 1 or rank(ranked[0])[1] - rank(ranked[1])[1] >= gate.STANDOUT_MARGIN
    )
    if len(ranked) == 1:
        judged = _judge(anchor, part, text, span)
        if judged is None and displaced:
            return Found(part, span[0], span[1], 1.0, wide(ranked[0]))
        return judged
    context = gate.context_score(anchor, text, *span)
    if context >= gate.REPEATED_CONTEXT:
        return Found(part, span[0], span[1], 1.0 + context, wide(ranked[0]))
    # Several copies: one that stands out from the others by its context is the passage even
    # when that context was partly rewritten.
    runner = ranked[1]
    runner_text = found.parts[runner[0]][1]
    margin = max(
        context - gate.context_score(anchor, runner_text, *runner[1]),
        wide(ranked[0]) - wide(runner),
    )
    if (context >= gate.STANDOUT_CONTEXT and margin >= gate.STANDOUT_MARGIN) or displaced:
        return Found(part, span[0], span[1], 1.0 + context, wide(ranked[0]))
    return None


def _near(anchor: Anchor, found: Layout, own: int | None, rivals: Rivals | None) -> Found | None:
    """The best near match, in the note's own section if there is one there."""
    if len(anchor.quote) < gate.MIN_FUZZY_LENGTH:
        return None
    seen: dict[tuple[int, int, int], tuple[bool, float, float]] = {}

    def consider(part: int, starts: set[int]) -> list[Found]:
        text = found.parts[part][1]
        passed = []
        for span in spans.fuzzy(anchor, text, starts):
            if (part, *span) in seen:
                continue
            verdict = seen[(part, *span)] = gate.accept(anchor, text, *span)
            if verdict[0] and rivals is not None and rivals.claimed(part, *span):
                verdict = seen[(part, *span)] = (False, 0.0, 0.0)
            if verdict[0]:
                passed.append(_found(anchor, part, text, span, verdict))
        return passed

    candidates: list[Found] = []
    if own is not None:
        # Where the head and tail fit best, and the old position: of several look-alikes
        # (a line repeated in every listing, all edited alike) the best fits may all be one.
        own_text = found.parts[own][1]
        starts = spans.guesses(anchor, own_text)
        if anchor.start < len(own_text):
            starts.add(anchor.start)
        candidates = consider(own, starts)
    if not candidates:
        for part, starts in _rough_starts(anchor, found).items():
            candidates.extend(consider(part, starts))
    if candidates:
        return max(
            candidates,
            key=lambda c: (
                round(c.score, 3),
                c.wide,
                c.part == own,
                c.part == own and -abs(c.start - anchor.start),
            ),
        )
    # Nothing passed. A long passage nearly intact, with no look-alike anywhere, is the
    # passage though all around it changed (moved with its neighbours rewritten).
    close = sorted(key for key, (_, quote, _) in seen.items() if quote >= gate.REWRITTEN)
    if not close or any(
        (b[0], b[1]) != (a[0], a[1]) and (b[0] != a[0] or b[1] >= a[2]) for a, b in pairwise(close)
    ):
        return None  # none, or look-alikes in two places
    close = [max(close, key=lambda key: seen[key][1])]
    part, start, end = close[0]
    text = found.parts[part][1]
    _, quote, context = seen[close[0]]
    if gate.sole_match(anchor.quote, text[start:end], quote):
        return _found(anchor, part, text, (start, end), (True, quote, context))
    return None


def _found(
    anchor: Anchor, part: int, text: str, span: tuple[int, int], verdict: tuple[bool, float, float]
) -> Found:
    width = max(len(anchor.prefix), len(anchor.suffix))
    wide = gate.context_score(anchor, text, *span, width=width)
    return Found(part, span[0], span[1], verdict[1] + verdict[2], wide)
