"""Query parsing, compiled patterns, match spans, snippets and the :class:`Hit` result.

Pure: stdlib only. The matching rules are in :mod:`briefing.core.search.index`'s docstring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from briefing.core.rules import tag_key
from briefing.core.search.fold import QUOTES, WORD, Text, fold

__all__ = [
    "KIND_RANK",
    "Compiled",
    "Hit",
    "HitKind",
    "Query",
    "as_query",
    "compile_query",
    "find_matches",
    "make_snippet",
    "match_spans",
    "norm_tag",
    "parse_query",
]

HitKind = Literal["text", "note", "title"]
#: Where hits (and the reader's matches) at one place go: title before text before notes.
KIND_RANK: dict[HitKind, int] = {"title": 0, "text": 1, "note": 2}

#: Approximate width of a hit's snippet, in characters (ellipses excluded).
SNIPPET_WIDTH = 80
ELLIPSIS = "…"

_HAS_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_QUERY_TOKEN = re.compile(
    r'(?P<tag>(?i:tag):(?:"[^"]*(?:"|$)|\S*))|"(?P<phrase>[^"]*)(?:"|$)|(?P<word>\S+)'
)
# Punctuation that wraps a word in prose and is dropped from a query word.
_WRAPPING = "\"'`.,;:!?()[]{}<>…"


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. Every member is already folded (see :func:`fold`)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def norm_tag(tag: str) -> str:
    """The one tag rule (:func:`briefing.core.rules.tag_key`), as search compares tags."""
    return tag_key(tag)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def parse_query(text: str) -> Query:
    """Words, ``"quoted phrases"`` and ``tag:xyz`` -> :class:`Query`.

    An unclosed quote runs to the end of the query; curly quotes count as quotes.
    """
    terms: list[str] = []
    phrases: list[str] = []
    tags: list[str] = []
    for match in _QUERY_TOKEN.finditer(text.translate(QUOTES)):
        if match.group("tag") is not None:
            tags.append(norm_tag(match.group("tag")[4:].strip('"')))
        elif match.group("phrase") is not None:
            phrase = " ".join(fold(match.group("phrase")).split())
            if _HAS_WORD.search(phrase):
                phrases.append(phrase)
        else:
            term = fold(match.group("word")).strip(_WRAPPING)
            if _HAS_WORD.search(term):
                terms.append(term)
    return Query(terms=_unique(terms), phrases=_unique(phrases), tags=_unique(tags))


@dataclass(frozen=True, slots=True)
class Compiled:
    patterns: tuple[re.Pattern[str], ...]
    tokens: tuple[tuple[str, ...], ...]  # each pattern's words, to prefilter with
    # The pattern's one word if it is a plain word: its matches in a section are
    # then exactly the section's words starting with it, counted by the index.
    simple: tuple[str | None, ...]
    tags: frozenset[str]


def _pattern(text: str, *, whole_word: bool) -> re.Pattern[str]:
    """Match ``text`` (folded) at a word start, any whitespace between its words.

    The word-start check is a lookbehind placed *after* the first word, so the
    pattern opens with a literal and ``re`` can skip ahead to candidates fast.
    """
    words = text.split()
    first = re.escape(words[0])
    if _HAS_WORD.match(words[0]):
        first += rf"(?<!\w{first})"
    body = r"\s+".join([first, *(re.escape(word) for word in words[1:])])
    if whole_word and _HAS_WORD.match(words[-1][-1]):
        body += r"(?!\w)"
    return re.compile(body)


@lru_cache(maxsize=256)
def compile_query(query: Query) -> Compiled:
    sources: list[tuple[str, bool]] = []
    for term in query.terms:
        folded = fold(term).strip()
        if _HAS_WORD.search(folded):
            sources.append((folded, False))
    for phrase in query.phrases:
        folded = " ".join(fold(phrase).split())
        if _HAS_WORD.search(folded):
            sources.append((folded, True))
    sources = list(dict.fromkeys(sources))
    tokens = tuple(tuple(WORD.findall(text)) for text, _ in sources)
    return Compiled(
        patterns=tuple(_pattern(text, whole_word=whole) for text, whole in sources),
        tokens=tokens,
        simple=tuple(
            text if not whole and words == (text,) else None
            for (text, whole), words in zip(sources, tokens, strict=True)
        ),
        tags=frozenset(tag for tag in (norm_tag(t) for t in query.tags) if tag),
    )


def as_query(query: str | Query) -> Query:
    return query if isinstance(query, Query) else parse_query(query)


def match_spans(text: Text, patterns: Iterable[re.Pattern[str]]) -> list[tuple[int, int]]:
    """All matches of ``patterns`` in ``text``, original offsets, sorted and merged."""
    folded = text.folded
    found: list[tuple[int, int]] = []
    for pattern in patterns:
        found.extend([match.span() for match in pattern.finditer(folded)])
    found.sort()
    merged: list[tuple[int, int]] = []
    last = -1
    for start, end in found:
        if start <= last:  # overlaps or touches the previous span
            if end > last:
                merged[-1] = (merged[-1][0], end)
                last = end
        else:
            merged.append((start, end))
            last = end
    if not text.uneven:
        return merged
    return [text.span(start, end) for start, end in merged]


def find_matches(text: str, query: str | Query) -> list[tuple[int, int]]:
    """Every span of ``query``'s words and phrases in ``text``.

    Offsets index the original ``text``; spans are sorted and overlapping or
    touching spans are merged. Tags are ignored (they are not in the text).
    """
    compiled = compile_query(as_query(query))
    if not compiled.patterns or not text:
        return []
    return match_spans(Text(text), compiled.patterns)


def make_snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of ``text`` around ``[start, end)``, on one line."""
    size = len(text)
    start = max(0, min(start, size))
    end = max(start, min(end, size))
    if end - start >= width:
        low, high = start, start + width
    else:
        low = max(0, start - (width - (end - start)) // 2)
        high = min(size, low + width)
        low = max(0, high - width)
        if low > 0 and not text[low - 1].isspace():  # do not open mid-word
            space = _SPACE.search(text, low, start)
            if space is not None:
                low = space.end()
        if high < size and not text[high].isspace():  # do not close mid-word
            space = _UP_TO_LAST_SPACE.match(text, end, high)
            if space is not None:
                high = space.end() - 1
    body = " ".join(text[low:high].split())
    return f"{ELLIPSIS if low > 0 else ''}{body}{ELLIPSIS if high < size else ''}"


#: One line of search output: the span it shows (one match, or several close together)
#: and its snippet.
Excerpt = tuple[int, int, str]


def match_excerpts(
    text: str, spans: Sequence[tuple[int, int]], width: int = SNIPPET_WIDTH
) -> tuple[Excerpt, ...]:
    """One excerpt per match of ``spans`` (sorted) in ``text``, in text order. Matches
    close enough to show in one snippet share it, as grep prints a line once however many
    matches it holds: the excerpt then spans from the first of them to the last."""
    excerpts: list[Excerpt] = []
    index = 0
    while index < len(spans):
        start, end = spans[index]
        index += 1
        while index < len(spans) and spans[index][1] - start <= width // 2:
            end = max(end, spans[index][1])
            index += 1
        excerpts.append((start, end, make_snippet(text, start, end, width)))
    return tuple(excerpts)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result.

    ``start``/``end``: the first match in the section's plain text (``text``
    and ``title`` hits; ``0, 0`` when only a title matched), or the annotated
    passage (``note`` hits), so the reader can jump there. ``matches``: every
    match span in the section text, for highlighting (``text``/``title`` hits).
    ``excerpts``: a section hit's lines in ``briefing search``: its heading's (``0, 0``)
    when the heading holds every word, then each match in the text with its snippet
    (:func:`match_excerpts`); empty for a note or a briefing title (one line: ``snippet``).
    """

    briefing: str
    section: str
    kind: HitKind
    start: int
    end: int
    snippet: str
    score: float
    annotation: str | None = None
    matches: tuple[tuple[int, int], ...] = ()
    excerpts: tuple[Excerpt, ...] = ()
