"""Full-text search over briefings and notes. Pure: stdlib only, no I/O.

Matching rules (what a user sees):

* **Folding.** Text and query are compared after Unicode folding: NFKD,
  combining marks stripped, casefolded, curly quotes/apostrophes made
  straight. So ``pyongyang`` finds "Pyongyang", ``resume`` finds "résumé",
  ``ﬁnal`` (ligature) finds "final" and ``kim's`` finds "Kim’s". Every offset
  returned refers to the *original* text, never the folded one.
* **Words match at the start of a word** (prefix-of-word): ``sanction``
  finds "sanctions" and "Sanctioned" but ``anction`` finds nothing. A word
  must start where a word starts in the text; it may end anywhere.
  Punctuation wrapping a query word (``(korea),``) is ignored; a word with no
  letter or digit at all (``-``) is dropped.
* **Several words must all match**, in any order, within *one* section (its
  heading and its text together) or within *one* note (its text, its tags and
  its quoted passage together). Words spread over two sections do not match.
* **"Quoted phrases"** match those words exactly, in that order, as whole
  words, with any whitespace between them: ``"nuclear test"`` finds
  "nuclear\\ntest" but not "nuclear testing".
* **tag:xyz** keeps only notes carrying that tag (folded, ``#`` stripped,
  exact). It restricts the results to note hits; combined with words, both
  must hold. Several ``tag:`` must all be present.
* **Ranking.** Briefing-title hits first, then section-heading hits (every
  word found in the heading), then by number of matches (a match in a heading
  counts three times). Ties: briefing slug, section order, then title before
  text before note hits, then passage offset and annotation id.
* Scripts written without spaces (Chinese, Japanese) are only matched at the
  start of a run of letters: a known limit of prefix-of-word matching.

Speed: :class:`SearchIndex` folds and tokenises briefings lazily, on the first
search after they change (or on :meth:`SearchIndex.prepare`), into an inverted
index: folded word -> {section id: number of occurrences}, with a sorted
vocabulary so that a query word's prefix is a ``bisect`` range. A plain query
word is then counted from the index alone; phrases and punctuated words are
prefiltered by their words and confirmed with a regular expression on the few
candidate sections. Snippets, match spans and original-offset maps are built
only for the hits returned (``limit``), maps only when folding changed the
length of some character (ligatures, ß, decomposed accents).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from briefing.core.model import Annotation, Briefing
from briefing.core.rules import tag_key

__all__ = [
    "KIND_RANK",
    "Hit",
    "HitKind",
    "Query",
    "SearchIndex",
    "find_matches",
    "fold",
    "parse_query",
]

HitKind = Literal["text", "note", "title"]
#: Where hits (and the reader's matches) at one place go: title before text before notes.
KIND_RANK: dict[HitKind, int] = {"title": 0, "text": 1, "note": 2}

#: Approximate width of a hit's snippet, in characters (ellipses excluded).
SNIPPET_WIDTH = 80
ELLIPSIS = "…"

#: Score offsets that put briefing-title and section-heading hits first.
BRIEFING_TITLE_TIER = 2
HEADING_TIER = 1
TIER_SCORE = 1000.0
HEADING_MATCH_WEIGHT = 3

# Once the candidate set is this small, scanning it beats more set algebra.
_PREFILTER_ENOUGH = 200
_PREFIX_CACHE_SIZE = 512
_WIDE_PREFIX = 64  # vocabulary words; a phrase's wider words are left to the scan

_QUOTES = str.maketrans(
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
_WORD = re.compile(r"\w+")
_HAS_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_QUERY_TOKEN = re.compile(
    r'(?P<tag>(?i:tag):(?:"[^"]*(?:"|$)|\S*))|"(?P<phrase>[^"]*)(?:"|$)|(?P<word>\S+)'
)
# Punctuation that wraps a word in prose and is dropped from a query word.
_WRAPPING = "\"'`.,;:!?()[]{}<>…"


def _fold_char(char: str) -> str:
    folded = _FOLD_TABLE.get(char)
    if folded is None:
        folded = unicodedata.normalize("NFKD", char).casefold()
        folded = unicodedata.normalize("NFKD", folded).lower()
        folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
        folded = _FOLD_TABLE[char] = folded.translate(_QUOTES)
    return folded


def _fold_run(run: str) -> tuple[str, bool]:
    """Fold a run of non-ASCII characters; True if some character changes length."""
    cached = _RUN_CACHE.get(run)
    if cached is None:
        parts = [_fold_char(char) for char in run]
        cached = ("".join(parts), any(len(part) != 1 for part in parts))
        if len(_RUN_CACHE) >= _RUN_CACHE_SIZE:
            _RUN_CACHE.clear()
        _RUN_CACHE[run] = cached
    return cached


def _fold_text(text: str) -> tuple[str, bool]:
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
    return _fold_text(text)[0]


class _Text:
    """An original string, its folded form, and (lazily) the offset map between them."""

    __slots__ = ("_ends", "_starts", "folded", "original", "uneven")

    def __init__(self, original: str) -> None:
        self.original = original
        self.folded, self.uneven = _fold_text(original)
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
        folded = char.lower() if char.isascii() else _fold_char(char)
        if folded:
            count = len(folded)
            starts.extend([index] * count)
            ends.extend([index + 1] * count)
        elif ends:
            ends[-1] = index + 1
    return starts, ends


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. Every member is already folded (see :func:`fold`)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases or self.tags)


def _norm_tag(tag: str) -> str:
    return tag_key(tag)  # the one tag rule, core/rules.py


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def parse_query(text: str) -> Query:
    """Words, ``"quoted phrases"`` and ``tag:xyz`` -> :class:`Query`.

    An unclosed quote runs to the end of the query; curly quotes count as quotes.
    """
    terms: list[str] = []
    phrases: list[str] = []
    tags: list[str] = []
    for match in _QUERY_TOKEN.finditer(text.translate(_QUOTES)):
        if match.group("tag") is not None:
            tags.append(_norm_tag(match.group("tag")[4:].strip('"')))
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
class _Compiled:
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
def _compile(query: Query) -> _Compiled:
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
    tokens = tuple(tuple(_WORD.findall(text)) for text, _ in sources)
    return _Compiled(
        patterns=tuple(_pattern(text, whole_word=whole) for text, whole in sources),
        tokens=tokens,
        simple=tuple(
            text if not whole and words == (text,) else None
            for (text, whole), words in zip(sources, tokens, strict=True)
        ),
        tags=frozenset(tag for tag in (_norm_tag(t) for t in query.tags) if tag),
    )


def _as_query(query: str | Query) -> Query:
    return query if isinstance(query, Query) else parse_query(query)


def _spans(text: _Text, patterns: Iterable[re.Pattern[str]]) -> list[tuple[int, int]]:
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
    compiled = _compile(_as_query(query))
    if not compiled.patterns or not text:
        return []
    return _spans(_Text(text), compiled.patterns)


def _snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
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


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result.

    ``start``/``end``: the first match in the section's plain text (``text``
    and ``title`` hits; ``0, 0`` when only a title matched), or the annotated
    passage (``note`` hits), so the reader can jump there. ``matches``: every
    match span in the section text, for highlighting (``text``/``title`` hits).
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


# --------------------------------------------------------------------------- index


@dataclass(slots=True)
class _SectionDoc:
    slug: str
    key: str
    order: int
    title: _Text
    text: _Text


@dataclass(slots=True)
class _Entry:
    briefing: Briefing
    title: _Text
    doc_ids: list[int]
    order: dict[str, int]


@dataclass(slots=True)
class _NoteDoc:
    annotation: Annotation
    text: _Text  # note \0 #tags \0 quote
    fields: tuple[int, int, int]  # end offsets of note, tags, quote in the original
    tags: frozenset[str]


def _note_doc(annotation: Annotation) -> _NoteDoc:
    tag_text = " ".join(f"#{tag.strip().lstrip('#')}" for tag in annotation.tags if tag.strip())
    parts = (annotation.note, tag_text, annotation.quote)
    note_end = len(parts[0])
    tags_end = note_end + 1 + len(parts[1])
    return _NoteDoc(
        annotation=annotation,
        text=_Text("\x00".join(parts)),
        fields=(note_end, tags_end, tags_end + 1 + len(parts[2])),
        tags=frozenset(tag for tag in (_norm_tag(t) for t in annotation.tags) if tag),
    )


_SortKey = tuple[int, float, str, int, int, int, str]
_Ranked = tuple[_SortKey, Hit | _SectionDoc | _NoteDoc, float, bool]

# A posting packs a section's count of one word: heading count << 32 | text count.
_HEADING_SHIFT = 32
_TEXT_MASK = (1 << _HEADING_SHIFT) - 1


class SearchIndex:
    """An in-memory index of briefings and one user's notes. Not a source of truth.

    Briefings are folded and indexed on the first search after they are added;
    annotations on the first search after :meth:`set_annotations`.
    """

    def __init__(
        self, briefings: Iterable[Briefing] = (), annotations: Iterable[Annotation] = ()
    ) -> None:
        self._pending: dict[str, Briefing] = {}
        self._entries: dict[str, _Entry] = {}
        self._docs: dict[int, _SectionDoc] = {}
        # folded word -> {section id: packed count}
        self._postings: dict[str, dict[int, int]] = {}
        self._vocab: list[str] = []
        self._vocab_stale = False
        self._prefix_cache: dict[str, dict[int, int]] = {}
        self._next_id = 0
        self._annotations: list[Annotation] = []
        self._notes: list[_NoteDoc] | None = []
        for briefing in briefings:
            self.add_briefing(briefing)
        self.set_annotations(annotations)

    # -- maintenance -------------------------------------------------------------

    def add_briefing(self, briefing: Briefing) -> None:
        """Index ``briefing`` (on the next search), replacing one with its slug."""
        self.remove_briefing(briefing.slug)
        self._pending[briefing.slug] = briefing

    def remove_briefing(self, slug: str) -> None:
        """Forget a briefing; unknown slugs are ignored."""
        self._pending.pop(slug, None)
        entry = self._entries.pop(slug, None)
        if entry is None:
            return
        postings = self._postings
        for doc_id in entry.doc_ids:
            doc = self._docs.pop(doc_id)
            for token in _doc_counts(doc):
                posting = postings.get(token)
                if posting is None:
                    continue
                posting.pop(doc_id, None)
                if not posting:
                    del postings[token]
                    self._vocab_stale = True
        self._prefix_cache.clear()

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Replace the notes searched (typically the current user's)."""
        self._annotations = list(annotations)
        self._notes = None

    def prepare(self) -> None:
        """Fold and index whatever changed now rather than on the next search.

        Optional (e.g. from a worker at start-up). The index is not thread-safe:
        do not search from another thread meanwhile.
        """
        self._refresh()

    def _refresh(self) -> None:
        if self._pending:
            for briefing in self._pending.values():
                self._index(briefing)
            self._pending.clear()
            self._prefix_cache.clear()
        if self._vocab_stale:
            self._vocab = sorted(self._postings)
            self._vocab_stale = False
        if self._notes is None:
            self._notes = [_note_doc(annotation) for annotation in self._annotations]

    def _index(self, briefing: Briefing) -> None:
        doc_ids: list[int] = []
        order: dict[str, int] = {}
        postings = self._postings
        for number, section in enumerate(briefing.sections):
            doc_id = self._next_id
            self._next_id += 1
            doc = _SectionDoc(
                briefing.slug, section.key, number, _Text(section.title), _Text(section.text)
            )
            self._docs[doc_id] = doc
            doc_ids.append(doc_id)
            order.setdefault(section.key, number)
            for token, packed in _doc_counts(doc).items():
                try:
                    postings[token][doc_id] = packed
                except KeyError:
                    postings[token] = {doc_id: packed}
                    self._vocab_stale = True
        self._entries[briefing.slug] = _Entry(briefing, _Text(briefing.title), doc_ids, order)

    def _vocab_range(self, token: str) -> tuple[int, int]:
        """The slice of the sorted vocabulary holding the words that start with ``token``."""
        vocab = self._vocab
        lo = bisect_left(vocab, token)
        return lo, bisect_left(vocab, token + "\U0010ffff", lo)

    def _prefix_counts(self, token: str) -> dict[int, int]:
        """Sections holding a word that starts with ``token``, with packed counts.

        The result may be the index's own posting: callers must not modify it.
        """
        cached = self._prefix_cache.get(token)
        if cached is not None:
            return cached
        lo, hi = self._vocab_range(token)
        postings = [self._postings[word] for word in self._vocab[lo:hi]]
        if len(postings) == 1:
            merged = postings[0]
        else:
            postings.sort(key=len, reverse=True)
            merged = dict(postings[0]) if postings else {}
            for posting in postings[1:]:
                for doc_id, packed in posting.items():
                    merged[doc_id] = merged.get(doc_id, 0) + packed
        if len(self._prefix_cache) >= _PREFIX_CACHE_SIZE:
            self._prefix_cache.clear()
        self._prefix_cache[token] = merged
        return merged

    def _candidates(self, compiled: _Compiled) -> list[int]:
        """Section ids that may match: every query word starts one of their words.

        A superset: phrases and punctuated words are checked by the caller.
        """
        counted = {simple for simple in compiled.simple if simple is not None}
        widths: list[tuple[int, str]] = []
        for token in {token for words in compiled.tokens for token in words}:
            lo, hi = self._vocab_range(token)
            if lo == hi:
                return []  # no word in the library starts with it
            widths.append((hi - lo, token))
        candidates: set[int] | None = None
        for width, token in sorted(widths):
            if candidates is not None:
                if len(candidates) <= _PREFILTER_ENOUGH:
                    break  # scanning the few left beats more set algebra
                if width > _WIDE_PREFIX and token not in counted:
                    continue  # a short prefix such as the "s" of "kim's": costly to merge
            ids = self._prefix_counts(token)
            candidates = set(ids) if candidates is None else candidates & ids.keys()
        return sorted(self._docs if candidates is None else candidates)

    # -- search ------------------------------------------------------------------

    def search(
        self,
        query: str | Query,
        *,
        briefing: str | None = None,
        notes_only: bool = False,
        limit: int | None = None,
    ) -> list[Hit]:
        """Hits for ``query``, best first (see the module docstring for the rules).

        ``briefing`` keeps one briefing's hits; ``notes_only`` keeps note hits;
        ``limit`` keeps the best ones. A ``tag:`` in the query implies notes only.
        """
        compiled = _compile(_as_query(query))
        if not compiled.patterns and not compiled.tags:
            return []
        if limit is not None and limit <= 0:
            return []
        self._refresh()
        ranked: list[_Ranked] = []
        if compiled.patterns and not compiled.tags and not notes_only:
            self._rank_titles(compiled, briefing, ranked)
            self._rank_sections(compiled, briefing, ranked)
        self._rank_notes(compiled, briefing, ranked)
        ranked.sort(key=lambda item: item[0])
        if limit is not None:
            del ranked[limit:]
        hits: list[Hit] = []
        for _, item, score, heading_only in ranked:
            if isinstance(item, Hit):
                hits.append(item)
            elif isinstance(item, _SectionDoc):
                hits.append(_section_hit(item, compiled.patterns, score, heading_only))
            else:
                hits.append(_note_hit(item, compiled.patterns, score))
        return hits

    def _rank_titles(self, compiled: _Compiled, briefing: str | None, out: list[_Ranked]) -> None:
        if briefing is None:
            entries: Iterable[_Entry] = self._entries.values()
        else:
            entries = [self._entries[briefing]] if briefing in self._entries else []
        patterns = compiled.patterns
        for entry in entries:
            title = entry.title.folded
            total = 0
            for pattern in patterns:
                count = len(pattern.findall(title))
                if not count:
                    break
                total += count
            else:
                score = BRIEFING_TITLE_TIER * TIER_SCORE + total
                first = entry.briefing.sections[0].key if entry.briefing.sections else ""
                spans = _spans(entry.title, patterns)
                hit = Hit(
                    briefing=entry.briefing.slug,
                    section=first,
                    kind="title",
                    start=0,
                    end=0,
                    snippet=_snippet(entry.title.original, *spans[0]),
                    score=score,
                )
                key = (-BRIEFING_TITLE_TIER, -score, entry.briefing.slug, -1, 0, 0, "")
                out.append((key, hit, score, False))

    def _rank_sections(self, compiled: _Compiled, briefing: str | None, out: list[_Ranked]) -> None:
        counted = [self._prefix_counts(simple) for simple in compiled.simple if simple is not None]
        scanned = [
            pattern
            for pattern, simple in zip(compiled.patterns, compiled.simple, strict=True)
            if simple is None
        ]
        docs = self._docs
        for doc_id in self._candidates(compiled):
            doc = docs[doc_id]
            if briefing is not None and doc.slug != briefing:
                continue
            heading = 0
            body = 0
            heading_only = True
            for counts in counted:
                packed = counts.get(doc_id, 0)
                if not packed:
                    break
                in_heading = packed >> _HEADING_SHIFT
                heading_only = heading_only and in_heading > 0
                heading += in_heading
                body += packed & _TEXT_MASK
            else:
                for pattern in scanned:
                    in_heading = len(pattern.findall(doc.title.folded))
                    in_text = len(pattern.findall(doc.text.folded))
                    if not in_heading and not in_text:
                        break
                    heading_only = heading_only and in_heading > 0
                    heading += in_heading
                    body += in_text
                else:
                    tier = HEADING_TIER if heading_only else 0
                    score = tier * TIER_SCORE + HEADING_MATCH_WEIGHT * heading + body
                    rank = KIND_RANK["title" if heading_only else "text"]
                    key = (-tier, -score, doc.slug, doc.order, rank, 0, "")
                    out.append((key, doc, score, heading_only))

    def _rank_notes(self, compiled: _Compiled, briefing: str | None, out: list[_Ranked]) -> None:
        patterns = compiled.patterns
        for note in self._notes or ():
            annotation = note.annotation
            if briefing is not None and annotation.briefing != briefing:
                continue
            owner = self._entries.get(annotation.briefing)
            if owner is None:  # not loaded: the reader could not open it
                continue
            if not compiled.tags <= note.tags:
                continue
            total = 0
            for pattern in patterns:
                count = len(pattern.findall(note.text.folded))
                if not count:
                    break
                total += count
            else:
                score = float(max(total, 1))
                order = owner.order.get(annotation.section, len(owner.order))
                rank = KIND_RANK["note"]
                key = (0, -score, annotation.briefing, order, rank, annotation.start, annotation.id)
                out.append((key, note, score, False))


def _doc_counts(doc: _SectionDoc) -> dict[str, int]:
    """A section's folded words with packed counts (heading << 32 | text)."""
    counts: dict[str, int] = dict(Counter(_WORD.findall(doc.text.folded)))
    for token in _WORD.findall(doc.title.folded):
        counts[token] = counts.get(token, 0) + (1 << _HEADING_SHIFT)
    return counts


def _section_hit(
    doc: _SectionDoc, patterns: tuple[re.Pattern[str], ...], score: float, heading_only: bool
) -> Hit:
    matches = tuple(_spans(doc.text, patterns))
    start, end = matches[0] if matches else (0, 0)
    if heading_only or not matches:
        title_spans = _spans(doc.title, patterns)
        snippet = _snippet(doc.title.original, *title_spans[0])
    else:
        snippet = _snippet(doc.text.original, start, end)
    return Hit(
        briefing=doc.slug,
        section=doc.key,
        kind="title" if heading_only else "text",
        start=start,
        end=end,
        snippet=snippet,
        score=score,
        matches=matches,
    )


def _note_hit(note: _NoteDoc, patterns: tuple[re.Pattern[str], ...], score: float) -> Hit:
    annotation = note.annotation
    original = note.text.original
    spans = _spans(note.text, patterns)
    if spans:
        start, end = spans[0]
        low = 0
        for high in note.fields:  # cut out the field holding the first match
            if start < high:
                break
            low = high + 1
        snippet = _snippet(original[low:high], start - low, min(end, high) - low)
    else:  # tag-only query: the note, or else the passage
        text = annotation.note.strip() or annotation.quote
        snippet = _snippet(text, 0, 0)
    return Hit(
        briefing=annotation.briefing,
        section=annotation.section,
        kind="note",
        start=annotation.start,
        end=annotation.end,
        snippet=snippet,
        score=score,
        annotation=annotation.id,
    )
