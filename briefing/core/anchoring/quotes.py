"""Anchors made, and quotes a user typed found: the cheap, exact half of anchoring."""

from __future__ import annotations

from briefing.core.model import Anchor

#: Characters of context kept either side of a quote. The gate judges the nearest
#: ``GATE_CONTEXT`` of them; the rest tell apart repeated passages whose near context is equal.
CONTEXT = 80

#: Characters of context the gate compares (as the Hypothesis client keeps).
GATE_CONTEXT = 32


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
