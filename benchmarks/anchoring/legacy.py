"""The anchorer as it was before issue 19 (commit 3f133b5), kept to score "before" against "after".

An anchor records a passage three ways, as the Hypothesis annotator does: the quoted text, up
to ``CONTEXT`` characters either side of it, and its offsets. Offsets are cheap but go stale as
soon as anything earlier in the section changes; the quote survives edits elsewhere; the context
tells apart repeated quotes and vouches for a fuzzy match when the passage itself was revised.

The rule throughout is that a note is better orphaned than pinned to the wrong words: when
:func:`locate` is unsure it returns ``None``, and :func:`reanchor` keeps the old quote.

Sentence and paragraph spans live here too, because the reader's passage cursor selects the
spans that anchors are then made from.
"""

from __future__ import annotations

# rapidfuzz and hashlib load on first use, inside the functions below: the reader
# starts without them (~9 ms), as it rarely needs a fuzzy match or a new anchor.
from briefing.core.model import Anchor, Annotation, Briefing

#: Characters of context kept either side of a quote.
CONTEXT = 32

#: Quotes shorter than this are only ever found verbatim: a few characters ("the", "Kyiv")
#: are near-matches for too many other words for a fuzzy hit to mean anything.
MIN_FUZZY_LENGTH = 12

#: A fuzzy candidate must be this close to the old quote (normalized Levenshtein similarity):
#: about one edited character in seven, e.g. a fixed typo or a changed word in a sentence.
QUOTE_SIMILARITY = 0.85

#: ... and its surroundings must be this close to the old prefix + suffix. Measured on English
#: prose, unrelated 64-character contexts score about 0.1 (99th percentile 0.27) and a nearby
#: near-duplicate sentence about 0.4, while one side kept and the other rewritten scores about
#: 0.55. So a revised passage is kept if one side of its context survives, and a near-duplicate
#: elsewhere is not adopted; a passage revised along with both sides is orphaned.
CONTEXT_SIMILARITY = 0.5


class AmbiguousQuote(ValueError):
    """A typed quote occurs more than once, so it does not say which passage is meant."""

    def __init__(self, count: int, quote: str = "") -> None:
        super().__init__(f"the quote {quote!r} occurs {count} times; quote more of the passage")
        self.count = count
        self.quote = quote


def text_hash(text: str) -> str:
    """A short stable fingerprint of a section's plain text: equal hashes mean offsets hold."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_anchor(text: str, start: int, end: int) -> Anchor:
    """Anchor ``text[start:end]``, trimmed of surrounding whitespace.

    Trimming means a selection that swept up a space still anchors the words, and re-anchoring
    never has to decide whether the whitespace belonged to the passage.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside a text of length {len(text)}")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValueError("cannot anchor an empty or blank span")
    return Anchor(
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
        text_hash=text_hash(text),
    )


# --- finding a typed quote ------------------------------------------------------------------

_QUOTE_FOLD = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)


def _occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of ``quote``, overlapping ones included."""
    found: list[int] = []
    at = text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _normalise(text: str) -> tuple[str, list[int]]:
    """Fold quote marks to straight ones and whitespace runs to one space.

    Returns the folded text and, for each of its characters, the offset it came from, so a
    match in the folded text maps back onto the original.
    """
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if in_space:
                continue
            in_space = True
            char = " "
        else:
            in_space = False
        chars.append(char.translate(_QUOTE_FOLD))
        origin.append(index)
    return "".join(chars), origin


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Locate a quote a user typed (e.g. on the command line) in ``text``.

    Exact first; failing that, ignoring differences of whitespace and of curly versus straight
    quote marks, which a keyboard cannot be expected to reproduce. Raises ``AmbiguousQuote`` if
    the quote occurs more than once, since picking one would be a guess.
    """
    quote = quote.strip()
    if not quote:
        raise ValueError("the quote is empty")
    hits = _occurrences(text, quote)
    if len(hits) > 1:
        raise AmbiguousQuote(len(hits), quote)
    if hits:
        return hits[0], hits[0] + len(quote)
    folded_text, origin = _normalise(text)
    folded_quote, _ = _normalise(quote)
    hits = _occurrences(folded_text, folded_quote)
    if len(hits) > 1:
        raise AmbiguousQuote(len(hits), quote)
    if not hits:
        return None
    return origin[hits[0]], origin[hits[0] + len(folded_quote) - 1] + 1


# --- re-anchoring ---------------------------------------------------------------------------


def _common_prefix_length(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _context_agreement(anchor: Anchor, text: str, start: int, end: int) -> int:
    """How many characters of the old context still surround ``text[start:end]``, inward out."""
    before = text[max(0, start - len(anchor.prefix)) : start]
    return _common_prefix_length(anchor.prefix[::-1], before[::-1]) + _common_prefix_length(
        anchor.suffix, text[end : end + len(anchor.suffix)]
    )


def _context_similarity(anchor: Anchor, text: str, start: int, end: int) -> float:
    from rapidfuzz.distance import Levenshtein

    before = text[max(0, start - len(anchor.prefix)) : start]
    after = text[end : end + len(anchor.suffix)]
    return Levenshtein.normalized_similarity(anchor.prefix + anchor.suffix, before + after)


def _inside_word(text: str, at: int) -> bool:
    """Whether offset ``at`` falls between two letters or digits of one word."""
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _respects_words(anchor: Anchor, text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` cuts into a word only where the original quote did.

    A note on the word "the" must not move into "there", nor one on a whole sentence slide
    into the middle of a word that an edit glued onto it.
    """
    quote = anchor.quote
    cut_start = _inside_word(anchor.prefix[-1:] + quote[:1], 1)
    cut_end = _inside_word(quote[-1:] + anchor.suffix[:1], 1)
    return (cut_start or not _inside_word(text, start)) and (cut_end or not _inside_word(text, end))


def _most_like(
    quote: str, text: str, spans: list[tuple[int, int]], guess: tuple[int, int]
) -> tuple[int, int] | None:
    """The span most like the quote by Levenshtein similarity.

    Ties (a deleted last letter versus the comma after it substituted for it) go to the span
    sharing more characters with the quote, as Indel counts a substitution twice, then to the
    one nearest the guess. Indel is computed for the ties only: long quotes make this costly.
    """
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


def _refine(anchor: Anchor, text: str, guess: tuple[int, int]) -> tuple[int, int] | None:
    """Move a rough guess's edges to where the text is most like the quote.

    The guesses come from fixed-width windows, so an edit that lengthened or shortened the
    passage leaves them a few characters off. Each edge is searched within a slack that covers
    any length change the similarity threshold allows, start then end, twice: misplacing an edge
    always costs edits, so the two searches do not fight. Edges never sit on whitespace, and
    keep to word boundaries where the original did (see ``_respects_words``).
    """
    slack = 8 + len(anchor.quote) // 4
    starts = [
        at
        for at in range(max(0, guess[0] - slack), min(len(text), guess[0] + slack + 1))
        if not text[at].isspace() and _respects_words(anchor, text, at, len(text))
    ]
    ends = [
        at
        for at in range(max(1, guess[1] - slack), min(len(text), guess[1] + slack) + 1)
        if not text[at - 1].isspace() and _respects_words(anchor, text, 0, at)
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


#: Characters of a long quote's head or tail used to find roughly where it went. Aligning
#: whole long quotes against a section costs far more and locates them no better.
_NEEDLE = 192


def _guesses(anchor: Anchor, text: str) -> set[int]:
    """Rough offsets where the passage may now start, from where its head and tail fit best.

    With and without context: the context tells near-duplicate passages apart, the bare
    quote survives rewritten surroundings, and head and tail each survive edits to the other.
    """
    from rapidfuzz import fuzz

    quote = anchor.quote
    head, tail = quote[:_NEEDLE], quote[-_NEEDLE:]
    needles = {  # needle: where the quote starts relative to the needle
        anchor.prefix + head: len(anchor.prefix),
        head: 0,
        tail + anchor.suffix: len(tail) - len(quote),
        tail: len(tail) - len(quote),
    }
    guesses: set[int] = set()
    for needle, lead in needles.items():
        hit = fuzz.partial_ratio_alignment(needle, text)
        if hit is not None:
            guesses.add(min(max(0, hit.dest_start - hit.src_start + lead), len(text)))
    return guesses


def _fuzzy(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Find a revised passage: close to the old quote, in surroundings close to the old ones.

    Each rough guess is refined and must pass both thresholds; the best one wins.
    """
    from rapidfuzz.distance import Levenshtein

    quote = anchor.quote
    if len(quote) < MIN_FUZZY_LENGTH or not text:
        return None
    best: tuple[float, int, int] | None = None
    for guess in sorted(_guesses(anchor, text)):
        span = _refine(anchor, text, (guess, min(guess + len(quote), len(text))))
        if span is None:
            continue
        start, end = span
        quote_score = Levenshtein.normalized_similarity(quote, text[start:end])
        context_score = _context_similarity(anchor, text, start, end)
        if quote_score < QUOTE_SIMILARITY or context_score < CONTEXT_SIMILARITY:
            continue
        if best is None or quote_score + context_score > best[0]:
            best = (quote_score + context_score, start, end)
    return None if best is None else (best[1], best[2])


def locate(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Where the anchored passage is in ``text`` now, or ``None`` if it cannot be found safely.

    1. The old offsets, if they still hold the quote and the text is unchanged or the context
       around them is intact (a stale offset can land on another copy of a short quote).
    2. The quote verbatim; among several copies the one whose surroundings best match the old
       context, then the one nearest the old offset.
    3. A fuzzy match for a revised passage, for quotes of ``MIN_FUZZY_LENGTH`` characters or
       more, subject to ``QUOTE_SIMILARITY`` and ``CONTEXT_SIMILARITY``.

    No step accepts a span that cuts into a word where the original quote did not.
    """
    quote = anchor.quote
    if not quote.strip():
        return None
    start, end = anchor.start, anchor.end
    if (
        0 <= start <= end <= len(text)
        and text[start:end] == quote
        and _respects_words(anchor, text, start, end)
        and (
            anchor.text_hash == text_hash(text)
            or _context_agreement(anchor, text, start, end) == len(anchor.prefix + anchor.suffix)
        )
    ):
        return start, end
    hits = [
        at for at in _occurrences(text, quote) if _respects_words(anchor, text, at, at + len(quote))
    ]
    if hits:
        best = max(
            hits,
            key=lambda at: (
                _context_agreement(anchor, text, at, at + len(quote)),
                -abs(at - anchor.start),
            ),
        )
        return best, best + len(quote)
    return _fuzzy(anchor, text)


def reanchor(annotation: Annotation, text: str) -> Annotation:
    """Refresh an annotation's anchor against the current text of its section.

    Found: new offsets, context and hash, and the quote as it now reads (it differs after a
    fuzzy match). Not found: marked orphaned with the old anchor untouched, so the quote the
    analyst highlighted is never lost and a later revision may anchor it again.
    """
    span = locate(annotation.anchor, text)
    if span is None:
        return annotation.with_changes(status="orphaned")
    return annotation.with_changes(anchor=make_anchor(text, *span), status="anchored")


def reanchor_in_briefing(annotation: Annotation, briefing: Briefing) -> Annotation:
    """Refresh an annotation's anchor against a (possibly revised) briefing.

    The one entry point that re-import uses: it decides where in the briefing the passage
    now is, and returns the annotation with its section and anchor updated, or orphaned
    with its old anchor kept.
    """
    section = briefing.section(annotation.section)
    if section is None:
        return annotation.with_changes(status="orphaned")
    return reanchor(annotation, section.text)
