"""Full-text search over briefings and notes. Pure: stdlib only, no I/O.

One cohesive thing (the matching rules below and the ranking that applies them), hence
its length; folding is :mod:`.fold` and query parsing :mod:`.query`.

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

Speed: the briefings live in a :class:`Corpus`, an inverted index: folded word ->
{section id: number of occurrences}, in which a query word's prefix is one range
(a ``bisect`` of the sorted vocabulary in :class:`MemoryCorpus`, which folds
briefings lazily on the first search after they change; an index range scan in
the shared file of ``briefing.store.searchfile``, which every process reads and
imports update, so no process folds the library to search it). A plain query
word is then counted from the index alone; phrases and punctuated words are
prefiltered by their words and confirmed with a regular expression on the few
candidate sections. Snippets, match spans and original-offset maps are built
only for the hits returned (``limit``), maps only when folding changed the
length of some character (ligatures, ß, decomposed accents).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol

from briefing.core.model import Annotation, Briefing
from briefing.core.search.fold import WORD, Text, fold
from briefing.core.search.query import (
    KIND_RANK,
    Compiled,
    Hit,
    HitKind,
    Query,
    as_query,
    compile_query,
    find_matches,
    make_snippet,
    match_excerpts,
    match_spans,
    norm_tag,
    parse_query,
)

__all__ = [
    "KIND_RANK",
    "Corpus",
    "Hit",
    "HitKind",
    "MemoryCorpus",
    "Query",
    "SearchIndex",
    "SectionDoc",
    "doc_counts",
    "find_matches",
    "fold",
    "parse_query",
]

#: Score offsets that put briefing-title and section-heading hits first.
BRIEFING_TITLE_TIER = 2
HEADING_TIER = 1
TIER_SCORE = 1000.0
HEADING_MATCH_WEIGHT = 3

# Once the candidate set is this small, scanning it beats more set algebra.
_PREFILTER_ENOUGH = 200
_PREFIX_CACHE_SIZE = 512
_WIDE_PREFIX = 64  # vocabulary words; a phrase's wider words are left to the scan


@dataclass(slots=True)
class SectionDoc:
    """One indexed section: where it is, its heading and its text (original and folded)."""

    slug: str
    key: str
    order: int
    title: Text
    text: Text


@dataclass(slots=True)
class _NoteDoc:
    annotation: Annotation
    text: Text  # note \0 #tags \0 quote
    fields: tuple[int, int, int]  # end offsets of note, tags, quote in the original
    tags: frozenset[str]


def _note_doc(annotation: Annotation) -> _NoteDoc:
    tag_text = " ".join(f"#{tag.strip().lstrip('#')}" for tag in annotation.tags if tag.strip())
    parts = (annotation.note, tag_text, annotation.quote)
    note_end = len(parts[0])
    tags_end = note_end + 1 + len(parts[1])
    return _NoteDoc(
        annotation=annotation,
        text=Text("\x00".join(parts)),
        fields=(note_end, tags_end, tags_end + 1 + len(parts[2])),
        tags=frozenset(tag for tag in (norm_tag(t) for t in annotation.tags) if tag),
    )


_SortKey = tuple[int, float, str, int, int, int, str]
# The item: a ready hit, a section (or only its id, read when kept), or a note.
_Ranked = tuple[_SortKey, Hit | SectionDoc | int | _NoteDoc, float, bool]

# A posting packs a section's count of one word: heading count << 32 | text count.
HEADING_SHIFT = 32
_TEXT_MASK = (1 << HEADING_SHIFT) - 1


def doc_counts(title_folded: str, text_folded: str) -> dict[str, int]:
    """A section's folded words with packed counts (heading << 32 | text)."""
    counts: dict[str, int] = dict(Counter(WORD.findall(text_folded)))
    for token in WORD.findall(title_folded):
        counts[token] = counts.get(token, 0) + (1 << HEADING_SHIFT)
    return counts


class Corpus(Protocol):
    """Where the indexed sections live: in memory (:class:`MemoryCorpus`) or in a file
    that every process shares (``briefing.store.searchfile``). Ranking is the same."""

    def reading(self) -> AbstractContextManager[object]:
        """One search's reads: a consistent view of the corpus while it lasts."""
        ...

    def vocab_width(self, token: str) -> int:
        """How many indexed words start with ``token`` (0: none). Any value above
        ``_WIDE_PREFIX`` may be reported as ``_WIDE_PREFIX + 1``."""
        ...

    def prefix_counts(self, token: str) -> Mapping[int, int]:
        """Section id -> summed packed counts of the words that start with ``token``."""
        ...

    def all_ids(self) -> Iterable[int]:
        """Every section id."""
        ...

    def places(self, ids: Collection[int]) -> dict[int, tuple[str, int]]:
        """Section id -> (briefing slug, section order)."""
        ...

    def doc(self, doc_id: int) -> SectionDoc:
        """One section, with its texts."""
        ...

    def titles(self, briefing: str | None) -> Iterable[tuple[str, Text, str]]:
        """(slug, title, first section key) of every briefing, or of ``briefing``."""
        ...

    def section_orders(self, slug: str) -> dict[str, int] | None:
        """Section key -> order in briefing ``slug``; None if it is not indexed."""
        ...


@dataclass(slots=True)
class _Entry:
    title: Text
    first: str
    doc_ids: list[int]
    order: dict[str, int]


class MemoryCorpus:
    """Briefings indexed in memory, folded on the first search after they change."""

    def __init__(self) -> None:
        self._pending: dict[str, Briefing] = {}
        self._entries: dict[str, _Entry] = {}
        self._docs: dict[int, SectionDoc] = {}
        # folded word -> {section id: packed count}
        self._postings: dict[str, dict[int, int]] = {}
        self._vocab: list[str] = []
        self._vocab_stale = False
        self._prefix_cache: dict[str, dict[int, int]] = {}
        self._next_id = 0

    def add_briefing(self, briefing: Briefing) -> None:
        self.remove_briefing(briefing.slug)
        self._pending[briefing.slug] = briefing

    def remove_briefing(self, slug: str) -> None:
        self._pending.pop(slug, None)
        entry = self._entries.pop(slug, None)
        if entry is None:
            return
        postings = self._postings
        for doc_id in entry.doc_ids:
            doc = self._docs.pop(doc_id)
            for token in doc_counts(doc.title.folded, doc.text.folded):
                posting = postings.get(token)
                if posting is None:
                    continue
                posting.pop(doc_id, None)
                if not posting:
                    del postings[token]
                    self._vocab_stale = True
        self._prefix_cache.clear()

    def refresh(self) -> None:
        """Fold and index what changed since the last search."""
        if self._pending:
            for briefing in self._pending.values():
                self._index(briefing)
            self._pending.clear()
            self._prefix_cache.clear()
        if self._vocab_stale:
            self._vocab = sorted(self._postings)
            self._vocab_stale = False

    def _index(self, briefing: Briefing) -> None:
        doc_ids: list[int] = []
        order: dict[str, int] = {}
        postings = self._postings
        for number, section in enumerate(briefing.sections):
            doc_id = self._next_id
            self._next_id += 1
            doc = SectionDoc(
                briefing.slug, section.key, number, Text(section.title), Text(section.text)
            )
            self._docs[doc_id] = doc
            doc_ids.append(doc_id)
            order.setdefault(section.key, number)
            for token, packed in doc_counts(doc.title.folded, doc.text.folded).items():
                try:
                    postings[token][doc_id] = packed
                except KeyError:
                    postings[token] = {doc_id: packed}
                    self._vocab_stale = True
        first = briefing.sections[0].key if briefing.sections else ""
        self._entries[briefing.slug] = _Entry(Text(briefing.title), first, doc_ids, order)

    def _vocab_range(self, token: str) -> tuple[int, int]:
        """The slice of the sorted vocabulary holding the words that start with ``token``."""
        vocab = self._vocab
        lo = bisect_left(vocab, token)
        return lo, bisect_left(vocab, token + "\U0010ffff", lo)

    def reading(self) -> AbstractContextManager[object]:
        return nullcontext()

    def vocab_width(self, token: str) -> int:
        lo, hi = self._vocab_range(token)
        return hi - lo

    def prefix_counts(self, token: str) -> Mapping[int, int]:
        """The result may be the index's own posting: callers must not modify it."""
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

    def all_ids(self) -> Iterable[int]:
        return self._docs

    def places(self, ids: Collection[int]) -> dict[int, tuple[str, int]]:
        docs = self._docs
        return {doc_id: (docs[doc_id].slug, docs[doc_id].order) for doc_id in ids}

    def doc(self, doc_id: int) -> SectionDoc:
        return self._docs[doc_id]

    def titles(self, briefing: str | None) -> Iterable[tuple[str, Text, str]]:
        if briefing is None:
            return [(slug, e.title, e.first) for slug, e in self._entries.items()]
        entry = self._entries.get(briefing)
        return [] if entry is None else [(briefing, entry.title, entry.first)]

    def section_orders(self, slug: str) -> dict[str, int] | None:
        entry = self._entries.get(slug)
        return None if entry is None else entry.order


class SearchIndex:
    """Briefings (a :class:`Corpus`) and one user's notes, searched. Not a source of truth.

    By default the briefings are held in a :class:`MemoryCorpus`, folded and indexed
    on the first search after they are added; annotations on the first search after
    :meth:`set_annotations`. Notes are always held in memory, by the process of the
    user they belong to.
    """

    def __init__(
        self,
        briefings: Iterable[Briefing] = (),
        annotations: Iterable[Annotation] = (),
        *,
        corpus: Corpus | None = None,
    ) -> None:
        self._memory = MemoryCorpus() if corpus is None else None
        self._corpus: Corpus = corpus if corpus is not None else self._memory  # type: ignore[assignment]
        self._annotations: list[Annotation] = []
        self._notes: list[_NoteDoc] | None = []
        for briefing in briefings:
            self.add_briefing(briefing)
        self.set_annotations(annotations)

    # -- maintenance -------------------------------------------------------------

    def _own_corpus(self) -> MemoryCorpus:
        if self._memory is None:
            raise TypeError("briefings are added to a shared corpus by the store, not here")
        return self._memory

    def add_briefing(self, briefing: Briefing) -> None:
        """Index ``briefing`` (on the next search), replacing one with its slug."""
        self._own_corpus().add_briefing(briefing)

    def remove_briefing(self, slug: str) -> None:
        """Forget a briefing; unknown slugs are ignored."""
        self._own_corpus().remove_briefing(slug)

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Replace the notes searched (typically the current user's)."""
        self._annotations = list(annotations)
        self._notes = None

    def _refresh(self) -> None:
        if self._memory is not None:
            self._memory.refresh()
        if self._notes is None:
            self._notes = [_note_doc(annotation) for annotation in self._annotations]

    def _candidates(self, compiled: Compiled) -> list[int]:
        """Section ids that may match: every query word starts one of their words.

        A superset: phrases and punctuated words are checked by the caller.
        """
        corpus = self._corpus
        counted = {simple for simple in compiled.simple if simple is not None}
        widths: list[tuple[int, str]] = []
        for token in {token for words in compiled.tokens for token in words}:
            width = corpus.vocab_width(token)
            if not width:
                return []  # no word in the library starts with it
            widths.append((width, token))
        candidates: set[int] | None = None
        for width, token in sorted(widths):
            if candidates is not None:
                if len(candidates) <= _PREFILTER_ENOUGH:
                    break  # scanning the few left beats more set algebra
                if width > _WIDE_PREFIX and token not in counted:
                    continue  # a short prefix such as the "s" of "kim's": costly to merge
            ids = corpus.prefix_counts(token)
            candidates = set(ids) if candidates is None else candidates & ids.keys()
        return sorted(corpus.all_ids() if candidates is None else candidates)

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
        compiled = compile_query(as_query(query))
        if not compiled.patterns and not compiled.tags:
            return []
        if limit is not None and limit <= 0:
            return []
        self._refresh()
        with self._corpus.reading():
            return self._search(compiled, briefing, notes_only, limit)

    def _search(
        self, compiled: Compiled, briefing: str | None, notes_only: bool, limit: int | None
    ) -> list[Hit]:
        ranked: list[_Ranked] = []
        if compiled.patterns and not compiled.tags and not notes_only:
            self._rank_titles(compiled, briefing, ranked)
            self._rank_sections(compiled, briefing, limit, ranked)
        self._rank_notes(compiled, briefing, ranked)
        ranked.sort(key=lambda item: item[0])
        if limit is not None:
            del ranked[limit:]
        hits: list[Hit] = []
        for _, item, score, heading_only in ranked:
            if isinstance(item, Hit):
                hits.append(item)
            elif isinstance(item, int):
                doc = self._corpus.doc(item)
                hits.append(_section_hit(doc, compiled.patterns, score, heading_only))
            elif isinstance(item, SectionDoc):
                hits.append(_section_hit(item, compiled.patterns, score, heading_only))
            else:
                hits.append(_note_hit(item, compiled.patterns, score))
        return hits

    def _rank_titles(self, compiled: Compiled, briefing: str | None, out: list[_Ranked]) -> None:
        patterns = compiled.patterns
        for slug, title, first in self._corpus.titles(briefing):
            folded = title.folded
            total = 0
            for pattern in patterns:
                count = len(pattern.findall(folded))
                if not count:
                    break
                total += count
            else:
                score = BRIEFING_TITLE_TIER * TIER_SCORE + total
                spans = match_spans(title, patterns)
                hit = Hit(
                    briefing=slug,
                    section=first,
                    kind="title",
                    start=0,
                    end=0,
                    snippet=make_snippet(title.original, *spans[0]),
                    score=score,
                )
                key = (-BRIEFING_TITLE_TIER, -score, slug, -1, 0, 0, "")
                out.append((key, hit, score, False))

    def _rank_sections(
        self, compiled: Compiled, briefing: str | None, limit: int | None, out: list[_Ranked]
    ) -> None:
        """Every section that matches, scored; with ``limit`` and no ``briefing``, only
        those that can be among the best ``limit`` (ties at the last place included), so
        where a common word matches thousands, the places of a few are read."""
        corpus = self._corpus
        counted = [corpus.prefix_counts(simple) for simple in compiled.simple if simple is not None]
        scanned = [
            pattern
            for pattern, simple in zip(compiled.patterns, compiled.simple, strict=True)
            if simple is None
        ]
        candidates = self._candidates(compiled)
        places = corpus.places(candidates) if briefing is not None else None
        found: list[tuple[int, float, int, bool, SectionDoc | None]] = []
        for doc_id in candidates:
            if places is not None and places[doc_id][0] != briefing:
                continue
            heading = 0
            body = 0
            heading_only = True
            for counts in counted:
                packed = counts.get(doc_id, 0)
                if not packed:
                    break
                in_heading = packed >> HEADING_SHIFT
                heading_only = heading_only and in_heading > 0
                heading += in_heading
                body += packed & _TEXT_MASK
            else:
                doc = corpus.doc(doc_id) if scanned else None
                for pattern in scanned:
                    assert doc is not None  # read above: there is a pattern to scan
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
                    found.append((tier, score, doc_id, heading_only, doc))
        if limit is not None and places is None and len(found) > limit:
            found.sort(key=lambda item: (-item[0], -item[1]))
            last = found[limit - 1][:2]
            found = [item for item in found if item[:2] >= last]  # ranks before, or ties
        if places is None:
            places = corpus.places([item[2] for item in found])
        for tier, score, doc_id, heading_only, doc in found:
            slug, order = places[doc_id]
            rank = KIND_RANK["title" if heading_only else "text"]
            key = (-tier, -score, slug, order, rank, 0, "")
            # The texts are read for the hits kept only (see search).
            out.append((key, doc if doc is not None else doc_id, score, heading_only))

    def _rank_notes(self, compiled: Compiled, briefing: str | None, out: list[_Ranked]) -> None:
        patterns = compiled.patterns
        orders: dict[str, dict[str, int] | None] = {}
        for note in self._notes or ():
            annotation = note.annotation
            if briefing is not None and annotation.briefing != briefing:
                continue
            if annotation.briefing not in orders:
                orders[annotation.briefing] = self._corpus.section_orders(annotation.briefing)
            owner = orders[annotation.briefing]
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
                order = owner.get(annotation.section, len(owner))
                rank = KIND_RANK["note"]
                key = (0, -score, annotation.briefing, order, rank, annotation.start, annotation.id)
                out.append((key, note, score, False))


def _section_hit(
    doc: SectionDoc, patterns: tuple[re.Pattern[str], ...], score: float, heading_only: bool
) -> Hit:
    matches = tuple(match_spans(doc.text, patterns))
    start, end = matches[0] if matches else (0, 0)
    excerpts = match_excerpts(doc.text.original, matches)
    if heading_only or not matches:
        title_spans = match_spans(doc.title, patterns)
        snippet = make_snippet(doc.title.original, *title_spans[0])
        excerpts = ((0, 0, snippet), *excerpts)  # the heading's line, then the text's
    else:
        snippet = make_snippet(doc.text.original, start, end)
    return Hit(
        briefing=doc.slug,
        section=doc.key,
        kind="title" if heading_only else "text",
        start=start,
        end=end,
        snippet=snippet,
        score=score,
        matches=matches,
        excerpts=excerpts,
    )


def _note_hit(note: _NoteDoc, patterns: tuple[re.Pattern[str], ...], score: float) -> Hit:
    annotation = note.annotation
    original = note.text.original
    spans = match_spans(note.text, patterns)
    if spans:
        start, end = spans[0]
        low = 0
        for high in note.fields:  # cut out the field holding the first match
            if start < high:
                break
            low = high + 1
        snippet = make_snippet(original[low:high], start - low, min(end, high) - low)
    else:  # tag-only query: the note, or else the passage
        text = annotation.note.strip() or annotation.quote
        snippet = make_snippet(text, 0, 0)
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
