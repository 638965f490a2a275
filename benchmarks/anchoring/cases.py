"""Notes on old revisions and where an independent labeller says they should now be.

The labeller never calls the anchorer nor shares its tools (no quote/context fuzzy search): it
aligns the old and new documents with :mod:`difflib`, as ``git diff`` would, first paragraph by
paragraph (which also pairs paragraphs that moved, exactly or nearly), then word by word inside
each pair of paragraphs, and maps the note's words across. A note most of whose words survive
should follow them; one that lost most of them (deleted, or rewritten beyond recognition)
should orphan; the band between is left out as ambiguous and counted.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import lzma
import pickle
import random
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from briefing.core.anchoring import make_anchor
from briefing.core.ingest import IngestError, parse_briefing
from briefing.core.model import LEAD_KEY, Annotation, Briefing
from briefing.core.sentences import paragraphs, sentences

DATA = Path(__file__).resolve().parent / "data" / "revisions.json.xz"
LEAD = LEAD_KEY
NOTES_PER_PAIR = 32
WIDE_CONTEXT = 80
#: Raise when the labelling or the notes drawn change: cached pairs are then rebuilt.
LABELLER_VERSION = 7

_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Paragraph:
    key: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Case:
    """One note and its truth: ``expected`` is ``None`` when the note should orphan."""

    doc: str
    pair: int
    kind: str  # sentence, phrase, paragraph, repeated
    note: Annotation
    expected: tuple[str, int, int] | None
    unchanged: bool  # the passage reads the same in the new version
    moved: bool  # the expected section key differs from the note's


@dataclass
class Pair:
    doc: str
    index: int
    old: Briefing
    new: Briefing
    cases: list[Case]


def parts(briefing: Briefing) -> list[tuple[str, str]]:
    """(section key, plain text), the lead (a section of its own) first."""
    return [(s.key, s.text) for s in briefing.sections]


def _paragraphs(briefing: Briefing) -> list[Paragraph]:
    found = []
    for key, text in parts(briefing):
        found.extend(Paragraph(key, s, e, text[s:e]) for s, e in paragraphs(text))
    return found


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


def _neighbours(old_texts: list[str], new_texts: list[str], i: int, j: int) -> float:
    """How alike the paragraphs around old ``i`` and new ``j`` are (the two either side)."""
    score = 0.0
    for step, weight in ((-1, 1.0), (1, 1.0), (-2, 0.5), (2, 0.5)):
        a, b = i + step, j + step
        if 0 <= a < len(old_texts) and 0 <= b < len(new_texts):
            score += weight * _ratio(old_texts[a], new_texts[b])
    return round(score, 6)


def match_paragraphs(old: list[Paragraph], new: list[Paragraph]) -> tuple[dict[int, int], set[int]]:
    """Old paragraph index -> new paragraph index: in order, then moved verbatim, then edited;
    and the old paragraphs left unpaired because copies of them cannot be told apart.

    A paragraph moved verbatim whose text occurs more than once (a repeated code line, a
    label) pairs with the copy whose neighbouring paragraphs are most like its own, never by
    order alone: when one of several copies is deleted, pairing by order shifts every later
    copy onto the wrong one. Copies whose neighbours fit equally well are left out.
    """
    pairs: dict[int, int] = {}
    unclear: set[int] = set()
    old_texts, new_texts = [p.text for p in old], [p.text for p in new]
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    blocks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.update(zip(range(i1, i2), range(j1, j2), strict=True))
        elif tag == "replace":
            blocks.append((i1, i2, j1, j2))
    used = set(pairs.values())
    by_text: dict[str, list[int]] = {}
    for j in range(len(new)):
        if j not in used:
            by_text.setdefault(new_texts[j], []).append(j)
    olds_by_text: dict[str, list[int]] = {}
    for i in range(len(old)):  # moved verbatim
        if i not in pairs and by_text.get(old_texts[i]):
            olds_by_text.setdefault(old_texts[i], []).append(i)
    for text, olds in olds_by_text.items():
        news = by_text[text]
        if len(olds) == 1 and len(news) == 1:
            pairs[olds[0]] = news[0]
            used.add(news[0])
            continue
        scored = sorted(
            ((_neighbours(old_texts, new_texts, i, j), i, j) for i in olds for j in news),
            key=lambda item: -item[0],
        )
        contested: set[int] = set()  # new copies two old ones fit equally well
        for score, i, j in scored:
            if i in pairs or i in unclear or j in used or j in contested:
                continue
            tied = [
                (i2, j2)
                for s2, i2, j2 in scored
                if s2 == score
                and (i2, j2) != (i, j)
                and ((i2 == i and j2 not in used) or (j2 == j and i2 not in pairs))
            ]
            if tied:
                unclear.update({i, *(i2 for i2, _ in tied)})
                contested.update({j, *(j2 for _, j2 in tied)})
                continue
            pairs[i] = j
            used.add(j)
    for i1, i2, j1, j2 in blocks:  # edited in place
        scored = sorted(
            (
                (_ratio(old_texts[i], new_texts[j]), i, j)
                for i in range(i1, i2)
                for j in range(j1, j2)
                if i not in pairs and j not in used
            ),
            reverse=True,
        )
        for score, i, j in scored:
            if score >= 0.5 and i not in pairs and j not in used:
                pairs[i] = j
                used.add(j)
    left_old = [i for i in range(len(old)) if i not in pairs]
    left_new = [j for j in range(len(new)) if j not in used]
    if left_old and left_new and len(left_old) * len(left_new) <= 40_000:
        scored = sorted(
            ((_ratio(old_texts[i], new_texts[j]), i, j) for i in left_old for j in left_new),
            reverse=True,
        )
        for score, i, j in scored:  # moved and edited
            if score >= 0.6 and i not in pairs and j not in used:
                pairs[i] = j
                used.add(j)
    return pairs, unclear


def _tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text)]


class TokenMap:
    """Word-level diff of an old and a new text, mapping old character spans across."""

    def __init__(self, old: str, new: str) -> None:
        self.old_tokens, self.new_tokens = _tokens(old), _tokens(new)
        self.new_length = len(new)
        matcher = difflib.SequenceMatcher(
            None,
            [old[s:e] for s, e in self.old_tokens],
            [new[s:e] for s, e in self.new_tokens],
            autojunk=False,
        )
        self.mapped: dict[int, int] = {}
        self.op_of: dict[int, tuple[str, int, int, int, int]] = {}
        for op in matcher.get_opcodes():
            tag, i1, i2, j1, _ = op
            for i in range(i1, i2):
                self.op_of[i] = op
                if tag == "equal":
                    self.mapped[i] = j1 + i - i1

    def label(self, start: int, end: int) -> tuple[str, tuple[int, int] | None]:
        """("anchor", new span) / ("orphan", None) / ("ambiguous", None), by word survival."""
        import bisect

        first = bisect.bisect_left(self.old_tokens, (start, -1))
        mine = []
        for i in range(first, len(self.old_tokens)):
            if self.old_tokens[i][1] > end:
                break
            mine.append(i)
        if not mine:
            return "ambiguous", None
        kept = sum(i in self.mapped for i in mine)
        fraction = kept / len(mine)
        if fraction < 0.4:
            return "orphan", None
        if fraction < (1.0 if len(mine) <= 3 else 0.75):
            return "ambiguous", None
        new_tokens = self.new_tokens
        head, tail = mine[0], mine[-1]
        if head in self.mapped:
            new_start = new_tokens[self.mapped[head]][0]
        else:
            j1 = self.op_of[head][3]
            new_start = new_tokens[j1][0] if j1 < len(new_tokens) else self.new_length
        if tail in self.mapped:
            new_end = new_tokens[self.mapped[tail]][1]
        else:
            j2 = self.op_of[tail][4]
            new_end = new_tokens[j2 - 1][1] if j2 > 0 else 0
        if new_end <= new_start:
            return "ambiguous", None
        if not 0.6 * (end - start) <= new_end - new_start <= 1.6 * (end - start):
            return "ambiguous", None
        return "anchor", (new_start, new_end)


def _pick_note(
    rng: random.Random, old: Briefing, paragraph: Paragraph, whole: str
) -> tuple[str, int, int] | None:
    text = dict(parts(old))[paragraph.key]
    kind = rng.choices(["sentence", "phrase", "paragraph", "repeated"], [45, 30, 10, 15])[0]
    if kind == "paragraph":
        return kind, paragraph.start, paragraph.end
    spans = [s for s in sentences(text) if s[0] >= paragraph.start and s[1] <= paragraph.end]
    if not spans:
        return None
    s_start, s_end = rng.choice(spans)
    if kind == "sentence":
        return kind, s_start, s_end
    words = [(s_start + a, s_start + b) for a, b in _words(text[s_start:s_end])]
    if len(words) < 2:
        return None
    for _ in range(12):
        size = rng.randint(2, 4) if kind == "repeated" else rng.randint(2, 8)
        if size > len(words):
            continue
        first = rng.randrange(len(words) - size + 1)
        start, end = words[first][0], words[first + size - 1][1]
        if end - start < 8:
            continue  # nobody notes "of the"
        if kind == "phrase" or whole.count(text[start:end]) >= 2:
            return kind, start, end
    return None


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def _unique_exact(quote: str, briefing_parts: list[tuple[str, str]]) -> tuple[str, int] | None:
    found = [(k, t.find(quote)) for k, t in briefing_parts if quote in t]
    if len(found) == 1 and sum(t.count(quote) for _, t in briefing_parts) == 1:
        return found[0]
    return None


def build_cases(doc: str, index: int, old: Briefing, new: Briefing) -> list[Case]:
    """Notes on ``old`` (seeded by document and pair) with their labels against ``new``."""
    rng = random.Random(f"{doc}:{index}")
    old_ps, new_ps = _paragraphs(old), _paragraphs(new)
    mapping, unclear = match_paragraphs(old_ps, new_ps)
    taken = {j for i, j in mapping.items() if old_ps[i].text == new_ps[j].text}
    old_parts, new_parts = parts(old), parts(new)
    whole = "\n\n".join(t for _, t in old_parts)
    noteable = [i for i, p in enumerate(old_ps) if p.text.strip()]
    changed = [
        i
        for i in noteable
        if i not in mapping
        or new_ps[mapping[i]].text != old_ps[i].text
        or new_ps[mapping[i]].key != old_ps[i].key
    ]
    texts = dict(old_parts)
    new_texts = dict(new_parts)
    old_offsets, new_offsets = _offsets(old_parts), _offsets(new_parts)
    whole_new = "\n\n".join(t for _, t in new_parts)
    maps: dict[int, TokenMap] = {}
    whole_map: TokenMap | None = None
    cases: list[Case] = []
    seen: set[tuple[str, int, int]] = set()
    for attempt in range(NOTES_PER_PAIR * 4):
        if len(cases) >= NOTES_PER_PAIR or not noteable:
            break
        pool = changed if changed and attempt % 2 == 0 else noteable
        p_index = rng.choice(pool)
        paragraph = old_ps[p_index]
        picked = _pick_note(rng, old, paragraph, whole)
        if picked is None or p_index in unclear:
            continue  # nothing to note, or a copy of repeated text no one can tell apart
        kind, start, end = picked
        text = texts[paragraph.key]
        if not text[start:end].strip() or (paragraph.key, start, end) in seen:
            continue
        seen.add((paragraph.key, start, end))
        anchor = make_anchor(text, start, end)
        anchor = replace(  # the widest context any anchorer here keeps; run.py trims it
            anchor,
            prefix=text[max(0, anchor.start - WIDE_CONTEXT) : anchor.start],
            suffix=text[anchor.end : anchor.end + WIDE_CONTEXT],
        )
        note = Annotation(
            id=f"{doc}-{index}-{len(cases)}",
            user="bench",
            briefing=old.slug,
            section=paragraph.key,
            anchor=anchor,
        )
        new_p = new_ps[mapping[p_index]] if p_index in mapping else None
        verdict, span = "orphan", None
        if new_p is not None:
            if p_index not in maps:
                maps[p_index] = TokenMap(paragraph.text, new_p.text)
            verdict, span = maps[p_index].label(
                anchor.start - paragraph.start, anchor.end - paragraph.start
            )
        expected: tuple[str, int, int] | None = None
        if verdict == "anchor":
            assert new_p is not None and span is not None
            expected = (new_p.key, new_p.start + span[0], new_p.start + span[1])
        else:  # split, merged or moved out of its paragraph: the whole documents' word diff
            if whole_map is None:
                whole_map = TokenMap(whole, whole_new)
            doc_start = old_offsets[paragraph.key] + anchor.start
            doc_verdict, doc_span = whole_map.label(doc_start, doc_start + len(anchor.quote))
            if doc_verdict == "anchor" and doc_span is not None:
                key = max(
                    (k for k, o in new_offsets.items() if o <= doc_span[0]),
                    key=new_offsets.__getitem__,
                )
                at = doc_span[0] - new_offsets[key]
                if doc_span[1] <= new_offsets[key] + len(new_texts[key]) and not _taken(
                    new_ps, taken, key, at
                ):
                    verdict = "anchor"
                    expected = (key, at, doc_span[1] - new_offsets[key])
                # else: the words fall in a paragraph that is another old paragraph's verbatim
                # continuation (the diff lined a deleted copy of repeated text up with a copy
                # that stayed): they are not the note's.
            elif verdict == "orphan" and doc_verdict == "ambiguous":
                verdict = "ambiguous"
        if expected is None and len(anchor.quote) >= 40 and _unique_exact(anchor.quote, old_parts):
            found = _unique_exact(anchor.quote, new_parts)
            if found is not None:  # moved out of its paragraph (split, merged) unchanged
                expected = (found[0], found[1], found[1] + len(anchor.quote))
                verdict = "anchor"
        if verdict == "orphan":
            # The quote with both 32-character neighbourhoods verbatim is the same passage,
            # whatever the diff paired; several such copies cannot be told apart. Unless the
            # old text had several too: the one copy left is then the note's only if it is
            # not another old paragraph's verbatim continuation, and even then unclear.
            needle = anchor.prefix[-32:] + anchor.quote + anchor.suffix[:32]
            found_copies = _copies(needle, new_parts)
            if len(found_copies) == 1:
                key, at = found_copies[0]
                at += len(anchor.prefix[-32:])
                if len(_copies(needle, old_parts)) == 1:
                    verdict, expected = "anchor", (key, at, at + len(anchor.quote))
                elif not _taken(new_ps, taken, key, at):
                    verdict = "ambiguous"
            elif found_copies:
                verdict = "ambiguous"
        if verdict == "ambiguous":
            continue
        new_text = dict(new_parts)
        unchanged = expected is not None and (
            new_text[expected[0]][expected[1] : expected[2]] == anchor.quote
        )
        moved = expected is not None and expected[0] != paragraph.key
        cases.append(Case(doc, index, kind, note, expected, unchanged, moved))
    return cases


def _taken(new_ps: list[Paragraph], taken: set[int], key: str, at: int) -> bool:
    """Whether offset ``at`` of section ``key`` lies in a paragraph paired verbatim."""
    return any(new_ps[j].key == key and new_ps[j].start <= at < new_ps[j].end for j in taken)


def _copies(needle: str, briefing_parts: list[tuple[str, str]]) -> list[tuple[str, int]]:
    found = []
    for key, text in briefing_parts:
        at = text.find(needle)
        while at != -1:
            found.append((key, at))
            at = text.find(needle, at + 1)
    return found


def _fresh(note: Annotation) -> Annotation:
    return Annotation(
        id=note.id, user=note.user, briefing=note.briefing, section=note.section, anchor=note.anchor
    )


def _offsets(briefing_parts: list[tuple[str, str]]) -> dict[str, int]:
    offsets, at = {}, 0
    for key, text in briefing_parts:
        offsets[key] = at
        at += len(text) + 2
    return offsets


def _parse(text: str, name: str) -> Briefing | None:
    if not re.search(r"^# ", text, re.M):
        text = f"# {name}\n\n{text}"
    try:
        return parse_briefing(text, slug=name)
    except IngestError:
        return None


def load_pairs(limit: int | None = None, only: str | None = None) -> list[Pair]:
    """Every old -> new pair of the committed revisions, with its cases.

    Parsing a hundred versions of a long document takes a minute, so the pairs are cached
    (in the system's temporary folder) under a hash of the data and ``LABELLER_VERSION``.
    """
    raw = DATA.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    name = f"briefing-anchoring-bench-{digest}-v{LABELLER_VERSION}-{limit}-{only}.pickle"
    cache = Path(tempfile.gettempdir()) / name
    if cache.exists():
        loaded: list[Pair] = pickle.loads(cache.read_bytes())
        for pair in loaded:  # notes made afresh: the model may have gained fields since
            pair.cases = [replace(case, note=_fresh(case.note)) for case in pair.cases]
        return loaded
    data = json.loads(lzma.decompress(raw))
    pairs: list[Pair] = []
    for doc in data["docs"]:
        if only and only not in doc["name"]:
            continue
        texts = [v["text"] for v in doc["versions"]]
        if limit is not None:
            texts = texts[: limit + 1]
        versions = [_parse(text, doc["name"]) for text in texts]
        for index in range(len(versions) - 1):
            old, new = versions[index], versions[index + 1]
            if old is None or new is None:
                continue
            cases = build_cases(doc["name"], index, old, new)
            pairs.append(Pair(doc["name"], index, old, new, cases))
    cache.write_bytes(pickle.dumps(pairs))
    return pairs
