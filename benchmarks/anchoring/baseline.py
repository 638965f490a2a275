"""A Hypothesis-style anchorer, the benchmark's baseline.

It follows the Hypothesis client's ``match-quote``: candidate matches of the quote anywhere in
the whole document with at most ``len(quote) / 2`` errors, each scored
``50 * quote + 20 * prefix + 20 * suffix + 2 * position`` (each part 1 - errors / length), the
best one wins; no other threshold. Hypothesis enumerates every approximate match with Myers'
bit-parallel search; here the candidates are every exact occurrence plus the best alignments
(rapidfuzz) of the quote, of prefix + quote and of quote + suffix, which is where the best
scored match lies in practice.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from briefing.core.model import Annotation, Briefing

from .cases import parts


class Document:
    """The whole briefing as one text, with each section's offset in it."""

    def __init__(self, briefing: Briefing) -> None:
        self.parts = parts(briefing)
        self.offsets: dict[str, int] = {}
        chunks, at = [], 0
        for key, text in self.parts:
            self.offsets[key] = at
            chunks.append(text)
            at += len(text) + 2
        self.text = "\n\n".join(chunks)

    def locate(self, at: int, end: int) -> tuple[str, int, int]:
        key = max((k for k, o in self.offsets.items() if o <= at), key=self.offsets.__getitem__)
        return key, at - self.offsets[key], end - self.offsets[key]


def _score(part: str, want: str, suffix_side: bool) -> float:
    if not want:
        return 1.0
    return 1 - Levenshtein.distance(part, want) / len(want)


def reanchor(annotation: Annotation, old: Briefing, new: Document) -> tuple[str, str, int, int]:
    """(status, section, start, end) of the note in the new briefing."""
    anchor = annotation.anchor
    quote, text = anchor.quote, new.text
    hint = Document(old).offsets.get(annotation.section, 0) + anchor.start
    spans: set[tuple[int, int]] = set()
    at = text.find(quote)
    while at != -1:
        spans.add((at, at + len(quote)))
        at = text.find(quote, at + 1)
    if not spans:
        for needle, lead, trail in (
            (quote, 0, 0),
            (anchor.prefix + quote, len(anchor.prefix), 0),
            (quote + anchor.suffix, 0, len(anchor.suffix)),
        ):
            hit = fuzz.partial_ratio_alignment(needle, text)
            if hit is not None and hit.dest_end > hit.dest_start:
                start = hit.dest_start + max(0, lead - hit.src_start)
                end = hit.dest_end - max(0, trail - (len(needle) - hit.src_end))
                if end > start:
                    spans.add((start, end))
    best: tuple[float, int, int] | None = None
    for start, end in spans:
        errors = Levenshtein.distance(quote, text[start:end])
        if errors > len(quote) / 2:
            continue
        quote_score = 1 - errors / len(quote)
        prefix_score = _score(
            text[max(0, start - len(anchor.prefix)) : start], anchor.prefix, False
        )
        suffix_score = _score(text[end : end + len(anchor.suffix)], anchor.suffix, True)
        position = 1 - abs(start - hint) / max(1, len(text))
        score = (50 * quote_score + 20 * prefix_score + 20 * suffix_score + 2 * position) / 92
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return "orphaned", annotation.section, anchor.start, anchor.end
    key, start, end = new.locate(best[1], best[2])
    return "anchored", key, start, end
