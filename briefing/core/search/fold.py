"""Unicode folding for search: the comparison form of a text, and offsets back to the original.

Pure: stdlib only. See :mod:`briefing.core.search.index` for the matching rules.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["QUOTES", "WORD", "Text", "fold", "fold_char", "fold_text"]

QUOTES = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u02bc": "'",  # ʼ
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2033": '"',  # ″
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2010": "-",  # ‐ hyphen
        "\u2011": "-",  # non-breaking hyphen
    }
)

# Every non-ASCII character met so far -> its folded form; and folded runs.
_FOLD_TABLE: dict[str, str] = {}
_RUN_CACHE: dict[str, tuple[str, bool]] = {}
_RUN_CACHE_SIZE = 50_000
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
WORD = re.compile(r"\w+")


def fold_char(char: str) -> str:
    folded = _FOLD_TABLE.get(char)
    if folded is None:
        folded = unicodedata.normalize("NFKD", char).casefold()
        folded = unicodedata.normalize("NFKD", folded).lower()
        folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
        folded = _FOLD_TABLE[char] = folded.translate(QUOTES)
    return folded


def _fold_run(run: str) -> tuple[str, bool]:
    """Fold a run of non-ASCII characters; True if some character changes length."""
    cached = _RUN_CACHE.get(run)
    if cached is None:
        parts = [fold_char(char) for char in run]
        cached = ("".join(parts), any(len(part) != 1 for part in parts))
        if len(_RUN_CACHE) >= _RUN_CACHE_SIZE:
            _RUN_CACHE.clear()
        _RUN_CACHE[run] = cached
    return cached


def fold_text(text: str) -> tuple[str, bool]:
    """``text`` folded, and whether folding changed any character's length.

    Only the non-ASCII runs go through Python; ASCII is left to ``str.lower``.
    Every folded non-ASCII character is already lower case, so the result is
    the concatenation of each character's fold (which the offset map relies on).
    """
    if text.isascii():
        return text.lower(), False
    uneven = False

    def replace(match: re.Match[str]) -> str:
        nonlocal uneven
        folded, changed = _fold_run(match.group())
        uneven = uneven or changed
        return folded

    return _NON_ASCII.sub(replace, text).lower(), uneven


def fold(text: str) -> str:
    """The comparison form of ``text``: NFKD, no combining marks, casefolded,
    curly quotes straightened. Folding is per character and idempotent."""
    return fold_text(text)[0]


class Text:
    """An original string, its folded form, and (lazily) the offset map between them."""

    __slots__ = ("_ends", "_starts", "folded", "original", "uneven")

    def __init__(self, original: str, folded: tuple[str, bool] | None = None) -> None:
        """``folded``: ``fold_text(original)`` when it is known already (a stored index)."""
        self.original = original
        self.folded, self.uneven = fold_text(original) if folded is None else folded
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the folded text onto the original."""
        if not self.uneven:
            return start, end
        if self._starts is None or self._ends is None:
            self._starts, self._ends = _offset_map(self.original)
        starts, ends = self._starts, self._ends
        if start >= len(starts):
            return len(self.original), len(self.original)
        return starts[start], ends[end - 1] if end > start else starts[start]


def _offset_map(text: str) -> tuple[list[int], list[int]]:
    """For each folded character: where its source starts and ends in ``text``.

    A character that folds to nothing (a combining accent) extends the end of
    the character before it, so a match on "e" in "e\u0301" covers the accent.
    """
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        folded = char.lower() if char.isascii() else fold_char(char)
        if folded:
            count = len(folded)
            starts.extend([index] * count)
            ends.extend([index + 1] * count)
        elif ends:
            ends[-1] = index + 1
    return starts, ends
