"""Candidate spans for an anchor inside one text: exact copies, fuzzy guesses, refined edges.

Nothing here decides; :mod:`briefing.core.anchoring.gate` judges each candidate and
:mod:`briefing.core.anchoring.search` chooses among them.
"""

from __future__ import annotations

from briefing.core.anchoring.gate import quote_score
from briefing.core.model import Anchor
from briefing.core.sentences import paragraphs, sentences


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of ``quote``, overlapping ones included."""
    found: list[int] = []
    at = text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _inside_word(text: str, at: int) -> bool:
    """Whether offset ``at`` falls between two letters or digits of one word."""
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def respects_words(anchor: Anchor, text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` cuts into a word only where the original quote did.

    A note on the word "the" must not move into "there", nor one on a whole sentence slide
    into the middle of a word that an edit glued onto it.
    """
    quote = anchor.quote
    cut_start = _inside_word(anchor.prefix[-1:] + quote[:1], 1)
    cut_end = _inside_word(quote[-1:] + anchor.suffix[:1], 1)
    return (cut_start or not _inside_word(text, start)) and (cut_end or not _inside_word(text, end))


def exact(anchor: Anchor, text: str) -> list[tuple[int, int]]:
    """Every verbatim copy of the quote that keeps to the quote's word boundaries."""
    quote = anchor.quote
    return [
        (at, at + len(quote))
        for at in occurrences(text, quote)
        if respects_words(anchor, text, at, at + len(quote))
    ]


def _most_like(
    quote: str, text: str, spans: list[tuple[int, int]], guess: tuple[int, int]
) -> tuple[int, int] | None:
    """The span most like the quote; ties go to the one sharing more characters, then nearest."""
    if not spans:
        return None
    from rapidfuzz.distance import Indel, Levenshtein

    scores = [Levenshtein.normalized_similarity(quote, text[start:end]) for start, end in spans]
    top = max(scores)
    return max(
        (span for span, score in zip(spans, scores, strict=True) if score == top),
        key=lambda span: (
            Indel.normalized_similarity(quote, text[span[0] : span[1]]),
            -abs(span[0] - guess[0]) - abs(span[1] - guess[1]),
        ),
    )


def refine(anchor: Anchor, text: str, guess: tuple[int, int]) -> tuple[int, int] | None:
    """Move a rough guess's edges to where the text is most like the quote.

    Each edge is searched within a slack that covers any length change the gate allows, start
    then end, twice. Edges never sit on whitespace, and keep to word boundaries where the
    original did (see :func:`respects_words`).
    """
    slack = 8 + len(anchor.quote) // 4
    starts = [
        at
        for at in range(max(0, guess[0] - slack), min(len(text), guess[0] + slack + 1))
        if not text[at].isspace() and respects_words(anchor, text, at, len(text))
    ]
    ends = [
        at
        for at in range(max(1, guess[1] - slack), min(len(text), guess[1] + slack) + 1)
        if not text[at - 1].isspace() and respects_words(anchor, text, 0, at)
    ]
    span: tuple[int, int] | None = guess
    for _ in range(2):
        assert span is not None
        end = span[1]
        span = _most_like(anchor.quote, text, [(at, end) for at in starts if at < end], guess)
        if span is None:
            return None
        start = span[0]
        span = _most_like(anchor.quote, text, [(start, at) for at in ends if at > start], guess)
        if span is None:
            return None
    return span


#: Characters of the quote's first and last words looked for when widening a span.
_EDGE = 12


def widened(anchor: Anchor, text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span stretched to the quote's own first and last words when an insertion pushed
    them out of it, if that reads more like the quote (insertions count half, see
    :func:`~briefing.core.anchoring.gate.quote_score`). Similarity alone cuts an inserted
    word off a phrase, and what is cut off then counts against its context."""
    quote = anchor.quote
    slack = 8 + len(quote) // 2
    head, tail = quote[:_EDGE], quote[-_EDGE:]
    starts, ends = {span[0]}, {span[1]}
    at = text.rfind(head, max(0, span[0] - slack), span[0] + len(head) - 1)
    if at != -1 and respects_words(anchor, text, at, span[1]):
        starts.add(at)
    at = text.find(tail, span[1] - len(tail) + 1, span[1] + slack)
    if at != -1 and respects_words(anchor, text, span[0], at + len(tail)):
        ends.add(at + len(tail))
    if len(starts) == len(ends) == 1:
        return span
    options = [(start, end) for start in sorted(starts) for end in sorted(ends) if start < end]
    return max(options, key=lambda o: (quote_score(quote, text[o[0] : o[1]]), o == span))


def _unit(anchor: Anchor) -> str:
    """What the note covered: "paragraph", "sentence" or "" (a phrase), from its edges."""
    starts_block = anchor.prefix.endswith("\n\n") or (not anchor.prefix and anchor.start == 0)
    ends_block = anchor.suffix.startswith("\n\n") or not anchor.suffix
    if starts_block and ends_block:
        return "paragraph"
    opened = starts_block or (anchor.prefix[-2:-1] in ".!?:" and anchor.prefix[-1:].isspace())
    closed = anchor.quote[-1:] in ".!?:\"')”’" and (ends_block or anchor.suffix[:1].isspace())
    return "sentence" if opened and closed and anchor.quote[:1].isupper() else ""


def whole_paragraph(anchor: Anchor, text: str, start: int, end: int) -> bool:
    """Whether the note covered a whole paragraph and ``text[start:end]`` is one too."""
    return (
        _unit(anchor) == "paragraph"
        and (start == 0 or text[:start].endswith("\n\n"))
        and (end == len(text) or text[end:].startswith("\n\n"))
    )


def snapped(anchor: Anchor, text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span widened or narrowed to the sentence or paragraph it mostly covers, when the
    note covered a whole sentence or paragraph: an edited tail is then judged as part of the
    quote, not as context."""
    unit = _unit(anchor)
    if not unit:
        return span
    units = paragraphs(text) if unit == "paragraph" else _sentences_near(text, span)
    best, overlap = span, 0
    for start, end in units:
        shared = min(end, span[1]) - max(start, span[0])
        if shared > overlap:
            best, overlap = (start, end), shared
    return best


def _sentences_near(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Sentences of the paragraphs that ``span`` touches (splitting all of a text costs more)."""
    found: list[tuple[int, int]] = []
    for start, end in paragraphs(text):
        if end >= span[0] and start <= span[1]:
            found.extend(
                s for s in sentences(text[start:end]) for s in [(s[0] + start, s[1] + start)]
            )
    return found


def best_form(anchor: Anchor, text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The refined span or its snapped sentence or paragraph, whichever reads more like the
    quote (the snapped one wins ties)."""
    snap = snapped(anchor, text, span)
    if snap == span:
        return span
    quote = anchor.quote
    if quote_score(quote, text[snap[0] : snap[1]]) >= quote_score(quote, text[span[0] : span[1]]):
        return snap
    return span


#: Characters of a long quote's head or tail used to find roughly where it went.
_NEEDLE = 192


def guesses(anchor: Anchor, text: str) -> set[int]:
    """Rough offsets where the passage may now start, from where its head and tail fit best,
    with and without context."""
    from rapidfuzz import fuzz

    quote = anchor.quote
    prefix, suffix = anchor.prefix[-32:], anchor.suffix[:32]
    head, tail = quote[:_NEEDLE], quote[-_NEEDLE:]
    needles = {  # needle: where the quote starts relative to the needle
        prefix + head: len(prefix),
        head: 0,
        tail + suffix: len(tail) - len(quote),
        tail: len(tail) - len(quote),
    }
    found: set[int] = set()
    for needle, lead in needles.items():
        hit = fuzz.partial_ratio_alignment(needle, text)
        if hit is not None:
            found.add(min(max(0, hit.dest_start - hit.src_start + lead), len(text)))
    return found


def fuzzy(anchor: Anchor, text: str, starts: set[int]) -> list[tuple[int, int]]:
    """Refined (and, for whole sentences or paragraphs, snapped) spans from rough starts."""
    spans: set[tuple[int, int]] = set()
    length = len(anchor.quote)
    for start in sorted(starts):
        span = refine(anchor, text, (start, min(start + length, len(text))))
        if span is not None:
            spans.add(best_form(anchor, text, widened(anchor, text, span)))
    return sorted(spans)
