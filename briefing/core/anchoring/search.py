"""Where in a whole briefing a noted passage now is: its own section first, then anywhere.

1. The old offsets in the note's own section, if they still hold the quote with its context.
2. Verbatim copies anywhere (the lead included); the best by the nearest context, ties broken
   by the wider stored context, then the note's own section, then the old offset.
3. Near matches in the note's own section, then anywhere else (found through an index of word
   pairs, so a long briefing is not scanned for every note), each judged by the gate.

A passage now in the lead is reported as such: notes live in sections, so it orphans the note
rather than letting a look-alike elsewhere take it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from briefing.core.anchoring import gate, spans
from briefing.core.anchoring.quotes import text_hash
from briefing.core.model import Anchor, Briefing

#: The section key given to the lead, which is searched but never holds a note.
LEAD = ""

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

    @classmethod
    def of(cls, briefing: Briefing) -> Layout:
        from briefing.core.ingest import plain_text

        parts = [(s.key, s.text) for s in briefing.sections]
        if any(s.is_lead for s in briefing.sections):  # the lead is a section, annotated too
            return cls(briefing, parts)
        lead = plain_text(briefing.lead) if briefing.lead.strip() else ""
        return cls(briefing, [(LEAD, lead), *parts])

    def index(self) -> dict[tuple[str, str], list[tuple[int, int]]]:
        if self._index is None:
            index: dict[tuple[str, str], list[tuple[int, int]]] = {}
            for part, (_, text) in enumerate(self.parts):
                words = [(m.group().lower(), m.start()) for m in _WORD.finditer(text)]
                for (first, at), (second, _) in zip(words, words[1:], strict=False):
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
    pairs = [((a, b), at) for (a, at), (b, _) in zip(words, words[1:], strict=False)]
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
    wide = gate.context_score(anchor, text, *span, width=max(len(anchor.prefix), len(anchor.suffix)))
    return Found(part, span[0], span[1], quote + context, wide)


def place(anchor: Anchor, key: str, briefing: Briefing) -> tuple[str, int, int] | None:
    """(section key, start, end) of the passage in ``briefing``, or ``None`` to orphan it.

    ``key`` is the note's section; a passage now in the lead orphans the note.
    """
    return place_in(anchor, key, layout(briefing))


def place_in(anchor: Anchor, key: str, found: Layout) -> tuple[str, int, int] | None:
    """:func:`place` over prepared texts (``Layout(None, [(key, text)])`` for a single text)."""
    if not anchor.quote.strip():
        return None
    own = next((i for i, (k, _) in enumerate(found.parts) if k == key and k != LEAD), None)
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
                == len(anchor.prefix[-gate.GATE_CONTEXT :] + anchor.suffix[: gate.GATE_CONTEXT])
            )
        ):
            return key, start, end
    hit = _exact(anchor, found, own)
    if hit is None:
        hit = _near(anchor, found, own)
    if hit is None or found.parts[hit.part][0] == LEAD:
        return None
    return found.parts[hit.part][0], hit.start, hit.end


def _exact(anchor: Anchor, found: Layout, own: int | None) -> Found | None:
    hits = [
        (part, span)
        for part, (_, text) in enumerate(found.parts)
        for span in spans.exact(anchor, text)
    ]
    if not hits:
        return None
    if len(hits) == 1 and hits[0][0] == own:  # the only copy, in its own section: take it
        part, (start, end) = hits[0]
        return Found(part, start, end, 2.0, 1.0)
    width = max(len(anchor.prefix), len(anchor.suffix))

    def rank(hit: tuple[int, tuple[int, int]]) -> tuple[int, float, bool, int]:
        part, (start, end) = hit
        text = found.parts[part][1]
        return (
            gate.context_agreement(anchor, text, start, end),
            gate.context_score(anchor, text, start, end, width=width),
            part == own,
            -abs(start - anchor.start),
        )

    part, span = max(hits, key=rank)
    return _judge(anchor, part, found.parts[part][1], span)


def _near(anchor: Anchor, found: Layout, own: int | None) -> Found | None:
    if len(anchor.quote) < gate.MIN_FUZZY_LENGTH:
        return None
    candidates: list[Found] = []
    if own is not None:
        text = found.parts[own][1]
        for span in spans.fuzzy(anchor, text, spans.guesses(anchor, text)):
            judged = _judge(anchor, own, text, span)
            if judged is not None:
                candidates.append(judged)
    if not candidates:
        for part, starts in _rough_starts(anchor, found).items():
            text = found.parts[part][1]
            for span in spans.fuzzy(anchor, text, starts):
                judged = _judge(anchor, part, text, span)
                if judged is not None:
                    candidates.append(judged)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (round(c.score, 3), c.wide, c.part == own))
