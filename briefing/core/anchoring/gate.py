"""Whether a candidate span is the noted passage: quote score, length and context together.

Measured on the revision histories of benchmarks/anchoring: unrelated 64-character contexts
score about 0.1 (99th percentile 0.27), a nearby near-duplicate sentence about 0.4, and a
passage whose one side was kept about 0.55. A short phrase says little by itself, so it needs
that much context; a long quote that is nearly intact is strong evidence on its own, and asks
only for context above the unrelated level. A quote whose only differences are digits is a
template ("Figure 6: A function that..." against "Figure 7: ..."), which context must vouch for.
"""

from __future__ import annotations

from briefing.core.anchoring.quotes import GATE_CONTEXT
from briefing.core.model import Anchor

#: Quotes shorter than this are only ever found verbatim: a few characters ("the", "Kyiv")
#: are near-matches for too many other words for a fuzzy hit to mean anything.
MIN_FUZZY_LENGTH = 12

#: The lowest quote score a fuzzy candidate may have (see :func:`quote_score`).
QUOTE_SIMILARITY = 0.7

#: ... and from this many characters, this one.
LONG_QUOTE = 40
LONG_QUOTE_SIMILARITY = 0.65

#: The context a short or much-edited quote needs (normalized Levenshtein similarity).
CONTEXT_SIMILARITY = 0.5

#: A quote scoring under this was partly rewritten, and needs a little more context.
REWRITTEN = 0.8
REWRITTEN_CONTEXT = 0.55

#: The only verbatim copy in the briefing of a quote this long is the passage though its
#: surroundings changed (a moved paragraph); a shorter one needs context or its old place.
UNIQUE_LENGTH = 20


#: The context a shorter only copy needs, in its own section or, when the old text shows it
#: was the only one there too, anywhere: above what unrelated surroundings score.
SHORT_UNIQUE_CONTEXT = 0.3


def unique_context(length: int) -> float:
    """The context the only verbatim copy of a quote this long needs, anywhere."""
    return 0.0 if length >= LONG_QUOTE else 0.15


#: Among several verbatim copies of a quote, the one with the best context is taken if its
#: context scores this (a repeated quote says nothing by itself, however long) ...
REPEATED_CONTEXT = 0.5

#: ... or if it scores this, and this much more than the next best copy's.
STANDOUT_CONTEXT = 0.3
STANDOUT_MARGIN = 0.1

#: A copy around which this much of the whole stored context still reads, though displaced
#: (see :func:`wide_context_score`; unrelated prose scores about 0.4), is the passage when words
#: were inserted at its very edge (a line, inline markup) and hid its near context.
DISPLACED_CONTEXT = 0.9

_DIGITS = str.maketrans("", "", "0123456789")


def quote_score(quote: str, found: str) -> float:
    """How much of the old quote ``found`` keeps, in [0, 1].

    Levenshtein with insertions at half the cost of deletions and substitutions: a passage
    that gained a word still holds all of the old one, one that lost a word does not.
    """
    from rapidfuzz.distance import Levenshtein

    if not quote:
        return 0.0
    cost = Levenshtein.distance(quote, found, weights=(1, 2, 2))
    return max(0.0, 1 - cost / (2 * len(quote)))


def context_score(
    anchor: Anchor, text: str, start: int, end: int, width: int = GATE_CONTEXT
) -> float:
    """How close the surroundings of ``text[start:end]`` are to the anchor's nearest context."""
    from rapidfuzz.distance import Levenshtein

    prefix, suffix = anchor.prefix[-width:], anchor.suffix[:width]
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    if not prefix and not suffix:
        return 1.0 if not before and not after else 0.0
    return Levenshtein.normalized_similarity(prefix + suffix, before + after)


def wide_context_score(anchor: Anchor, text: str, start: int, end: int) -> float:
    """How much of the whole stored context is still near ``text[start:end]``, in [0, 1],
    though words were inserted between it and the passage.

    Each side of the stored context is looked for in twice its length of text on that side,
    by best partial alignment: a line inserted before the passage (a caption, a file name)
    shifts the old context away but leaves it readable. For telling look-alikes apart only:
    partial alignments of unrelated prose score about 0.4, too high for a gate.
    """
    from rapidfuzz import fuzz

    prefix, suffix = anchor.prefix, anchor.suffix
    before = text[max(0, start - 2 * len(prefix)) : start]
    after = text[end : end + 2 * len(suffix)]
    total = len(prefix) + len(suffix)
    if not total:
        return 1.0 if not before and not after else 0.0
    score = 0.0
    for old, new in ((prefix, before), (suffix, after)):
        if old:
            score += len(old) * fuzz.partial_ratio(old, new) / 100
    return score / total


def context_agreement(
    anchor: Anchor, text: str, start: int, end: int, width: int = GATE_CONTEXT
) -> int:
    """How many characters of the old context still surround ``text[start:end]``, inward out."""
    prefix, suffix = anchor.prefix[-width:], anchor.suffix[:width]
    before = text[max(0, start - len(prefix)) : start]
    return _common_prefix_length(prefix[::-1], before[::-1]) + _common_prefix_length(
        suffix, text[end : end + len(suffix)]
    )


def _common_prefix_length(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def needed_context(quote: str, found: str, score: float) -> float:
    """The context score a candidate must reach, given how long and how intact its quote is."""
    if quote != found and quote.translate(_DIGITS) == found.translate(_DIGITS):
        return CONTEXT_SIMILARITY  # only numbers changed: a template, or a renumbering
    length = len(quote)
    if score >= 1.0:
        if length >= 60:
            return 0.15
        if length >= 30:
            return 0.3
        return CONTEXT_SIMILARITY
    if length >= 100 and score >= 0.95:
        return 0.15
    if length >= 40 and score >= 0.9:
        return 0.3
    if score < REWRITTEN:
        return REWRITTEN_CONTEXT
    return CONTEXT_SIMILARITY


#: A near match this long and this intact, with no other near match anywhere in the briefing,
#: needs no context: the passage moved and everything around it changed.
SOLE_LENGTH = 60
SOLE_SIMILARITY = 0.9


def sole_match(quote: str, found: str, score: float) -> bool:
    """Whether the briefing's only near match to ``quote`` may be taken without context."""
    if len(quote) < SOLE_LENGTH or score < SOLE_SIMILARITY:
        return False
    return quote.translate(_DIGITS) != found.translate(_DIGITS)


def lowest_score(length: int) -> float:
    """The lowest quote score a fuzzy candidate may have: a long passage may gain a sentence
    (its context then vouches for it), a short one only a word or so."""
    return LONG_QUOTE_SIMILARITY if length >= LONG_QUOTE else QUOTE_SIMILARITY


def accept(anchor: Anchor, text: str, start: int, end: int) -> tuple[bool, float, float]:
    """(passes the gate, quote score, context score) for ``text[start:end]``."""
    found = text[start:end]
    score = 1.0 if found == anchor.quote else quote_score(anchor.quote, found)
    length = len(anchor.quote)
    if score < 1.0 and (length < MIN_FUZZY_LENGTH or score < lowest_score(length)):
        return False, score, 0.0
    context = context_score(anchor, text, start, end)
    return context >= needed_context(anchor.quote, found, score), score, context
