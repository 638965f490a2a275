"""Proposing sections for unsectioned text: where to break (what to call each part is
:mod:`briefing.core.section_titles`).

Deterministic, and no model is downloaded: what was learnt ships as a small generated
module (briefing/core/segmenter_model.py). The text arrives as *units* (paragraphs,
lists, code blocks: the top-level Markdown blocks), and the result only groups them: no
unit is lost, repeated or moved (:func:`group` is the one place that cuts the list).

Breaks (:func:`segment`) start from TextTiling (Hearst 1997) and add what marks a new
section in real documents:

* each unit becomes a bag of stemmed content words, weighted by idf across the units of
  the document, so words that run through the whole text count for little;
* every gap between two units is described by lexical cohesion across it (cosines between
  the units, two-unit windows and ``WINDOW_WORDS``-word windows either side, the depth of
  the dip, the share of new words after it) and by the text's shape (prose after a list,
  a paragraph ending in ':' that introduces what follows, an opening such as 'However'
  or 'This' that leans on the paragraph before, a bold label), by cohesion between
  ``WIDE_WORDS``-word windows (a section's reach rather than a paragraph's: a sub-topic
  inside a section changes the near vocabulary, not the far), and by learnt cue words
  (Beeferman et al. 1999): words such as 'licence', 'contributing' or 'release' that
  tend to open a new part of a document;
* a logistic score over these features (:data:`MODEL`, fitted by
  ``benchmarks/segmenter/fit.py`` on the benchmark's documents, which reports its
  cross-validated Pk) is each gap's chance of being a break; their sum is how many
  breaks to expect, and the likeliest gaps win. Plain prose (an article) scores low
  everywhere, so it also gets a section per ``WORDS_PER_SECTION`` words. ``sections``
  asks for an exact count instead.

Titles are :mod:`briefing.core.section_titles`; both share the word model here.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from briefing.core import segmenter_model as _fitted

#: Words on each side of a gap that are compared (whole units, at least one).
WINDOW_WORDS = 120
#: Words on each side of a gap in the wide comparison (a section, rather than a paragraph).
WIDE_WORDS = 800
#: No section is shorter than this many units.
MIN_UNITS = 1
#: About how many words make one section when the count is not asked for.
WORDS_PER_SECTION = 120
#: How many content words open a unit, for the opening cue words.
CUE_OPENING_WORDS = 8
#: A proposed title is at most this long.
MAX_TITLE = 40

STOP_WORDS = frozenset(
    """\
    a about above according across after again against all almost also although always am
    among an and another any anyone anything are around as at away back be became because
    become been before being below between both but by can cannot could did do does doing
    done down during each either else enough etc even ever every few for from further get
    gets getting give given go going got had has have having he her here hers herself him
    himself his how however i if in including instead into is it its itself just least less
    let like made make makes many may me might more most much must my myself near need needs
    neither never new next no nor not now of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps put rather really said same says
    see seen several shall she should since so some something still such than that the their
    theirs them themselves then there these they thing things this those though through thus
    to together too toward towards under until up upon us use used uses using very via was
    way we well were what whatever when where whether which while who whom whose why will
    with within without would yes yet you your yours yourself yourselves also further
    furthermore additionally notably particularly previously already e.g i.e""".split()  # noqa: SIM905 - a word list reads best as words
)
WORD_PATTERN = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?", re.UNICODE)
_FENCE = re.compile(r"^(```|~~~|    )")
#: Openings that lean on what came before: the paragraph continues a section.
_REFERS_BACK = re.compile(
    r"^\s*(this|these|that|those|it|its|they|their|also|however|but|and|so|then|thus|"
    r"therefore|additionally|moreover|furthermore|likewise|similarly|in addition|"
    r"for example|for instance|as a result|instead|otherwise|here|such|both|again|still)\b",
    re.IGNORECASE,
)
_LIST = re.compile(r"^\s{0,3}([-*+]|\d{1,9}[.)])\s")


def stem_of(word: str) -> str:
    """A light English suffix stripper: enough to meet 'treaty' and 'treaties'."""
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


def content_words(text: str) -> list[str]:
    """Content words of ``text``, lowercased and stemmed, stop words dropped."""
    found = []
    for match in WORD_PATTERN.finditer(text):
        word = match.group().lower().replace("’", "'").removesuffix("'s")
        for part in re.split(r"[_'-]", word):
            if len(part) > 2 and part not in STOP_WORDS:
                found.append(stem_of(part))
    return found


def unit_kind(unit: str) -> str:
    head = unit.lstrip("\n")
    if _FENCE.match(head):
        return "code"
    if _LIST.match(head):
        return "list"
    if head.startswith(("|", ">", "<", "#")):
        return "other"
    return "prose"


def _cosine(a: Counter[str], b: Counter[str], weight: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(a[w] * b[w] * weight[w] ** 2 for w in a.keys() & b.keys())
    norm_a = math.sqrt(sum((c * weight[w]) ** 2 for w, c in a.items()))
    norm_b = math.sqrt(sum((c * weight[w]) ** 2 for w, c in b.items()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def _window(
    bags: Sequence[Counter[str]],
    sizes: Sequence[int],
    start: int,
    step: int,
    reach: int = WINDOW_WORDS,
) -> Counter[str]:
    """Units from ``start`` on, going ``step`` (+1 or -1), until ``reach`` words are in."""
    total: Counter[str] = Counter()
    words = 0
    index = start
    while 0 <= index < len(bags) and (words < reach or not total):
        total.update(bags[index])
        words += sizes[index]
        index += step
    return total


FEATURES = (
    "bias",
    "cos_next",
    "cos_two",
    "cos_words",
    "depth",
    "novelty",
    "colon_before",
    "code_before",
    "list_before",
    "other_before",
    "code_after",
    "list_after",
    "other_after",
    "short_after",
    "refers_back",
    "question_before",
    "local_peak",
    "prose_after_prose",
    "prose_after_list",
    "list_after_list",
    "first_gap",
    "cos_back_max",
    "cos_skip",
    "link_before",
    "bold_start",
    "cue_opening",
    "cue_unit",
    "cos_wide",
)


@dataclass(frozen=True)
class Model:
    """What the segmenter learnt from documents with their headings taken out.

    ``weights`` are the logistic weights of :data:`FEATURES`; ``opening`` and ``unit``
    are cue words (stemmed) with the log-odds that a unit opening with them, or holding
    them, starts a section (Beeferman et al. 1999 learn such cue words too): words such
    as 'licens' or 'contribut' that open a new part of a document.
    """

    weights: Mapping[str, float]
    opening: Mapping[str, float] = field(default_factory=dict)
    unit: Mapping[str, float] = field(default_factory=dict)


#: The shipped model, written by benchmarks/segmenter/fit.py from the benchmark's
#: fitting half (its held-out half is scored by benchmarks/segmenter/run.py).
MODEL = Model(_fitted.WEIGHTS, _fitted.OPENING_CUES, _fitted.UNIT_CUES)


def cue_views(units: Sequence[str]) -> list[tuple[set[str], set[str]]]:
    """For each gap, the cue words looked up: those opening the unit after it, and all of
    that unit's (stemmed content words, as sets)."""
    words = [content_words(u) for u in units[1:]]
    return [(set(w[:CUE_OPENING_WORDS]), set(w)) for w in words]


def cue_evidence(words: set[str], table: Mapping[str, float]) -> float:
    """The evidence of the cue words among ``words``: their log-odds, summed, over sqrt(n)."""
    found = [table[w] for w in words if w in table]
    return sum(found) / math.sqrt(len(found)) if found else 0.0


def gap_features(units: Sequence[str], model: Model = MODEL) -> list[dict[str, float]]:
    """What is known about each gap; ``result[g]`` is the gap before unit ``g + 1``.

    The cue-word features read ``model``'s tables (the fitting script passes its own).
    """
    bags = [Counter(content_words(u)) for u in units]
    sizes = [max(1, len(u.split())) for u in units]
    count = len(units)
    if count < 2:
        return []
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    weight = {w: math.log((count + 1) / n) + 0.1 for w, n in df.items()}

    def around(g: int, units_each: int) -> float:
        left: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for i in range(max(0, g - units_each), g):
            left.update(bags[i])
        for i in range(g, min(count, g + units_each)):
            right.update(bags[i])
        return _cosine(left, right, weight)

    two = [around(g, 2) for g in range(1, count)]
    kinds = [unit_kind(u) for u in units]
    cues = cue_views(units)
    seen: set[str] = set()
    rows = []
    for g in range(1, count):
        i = g - 1
        left_peak = max(two[max(0, i - 2) : i + 1])
        right_peak = max(two[i : i + 3])
        seen.update(bags[g - 1])
        after = _window(bags, sizes, g, 1)
        novelty = sum(c for w, c in after.items() if w not in seen) / max(1, sum(after.values()))
        rows.append(
            {
                "bias": 1.0,
                "cos_next": around(g, 1),
                "cos_two": two[i],
                "cos_words": _cosine(_window(bags, sizes, g - 1, -1), after, weight),
                "depth": (left_peak - two[i]) + (right_peak - two[i]),
                "novelty": novelty,
                "colon_before": float(units[g - 1].rstrip().endswith(":")),
                "code_before": float(kinds[g - 1] == "code"),
                "list_before": float(kinds[g - 1] == "list"),
                "other_before": float(kinds[g - 1] == "other"),
                "code_after": float(kinds[g] == "code"),
                "list_after": float(kinds[g] == "list"),
                "other_after": float(kinds[g] == "other"),
                "short_after": float(kinds[g] == "prose" and sizes[g] < 25),
                "refers_back": float(bool(_REFERS_BACK.match(units[g]))),
                "question_before": float(units[g - 1].rstrip().endswith("?")),
                "local_peak": 0.0,
                "prose_after_prose": float(kinds[g - 1] == kinds[g] == "prose"),
                "prose_after_list": float(kinds[g - 1] == "list" and kinds[g] == "prose"),
                "list_after_list": float(kinds[g - 1] == kinds[g] == "list"),
                "first_gap": float(g == 1),
                "cos_back_max": max(
                    _cosine(bags[j], bags[g], weight) for j in range(max(0, g - 3), g)
                ),
                "cos_skip": _cosine(bags[g - 1], bags[g + 1], weight) if g + 1 < count else 0.0,
                "link_before": float(units[g - 1].rstrip().endswith(")")),
                "bold_start": float(units[g].lstrip().startswith(("**", "__"))),
                "cue_opening": cue_evidence(cues[g - 1][0], model.opening),
                "cue_unit": cue_evidence(cues[g - 1][1], model.unit),
                "cos_wide": _cosine(
                    _window(bags, sizes, g - 1, -1, WIDE_WORDS),
                    _window(bags, sizes, g, 1, WIDE_WORDS),
                    weight,
                ),
            }
        )
    # A break is where cohesion is lowest among its neighbours, not merely low.
    for i, row in enumerate(rows):
        here = row["cos_two"] + row["cos_next"]
        near = [r["cos_two"] + r["cos_next"] for r in rows[max(0, i - 1) : i + 2]]
        row["local_peak"] = float(here <= min(near))
    return rows


def gap_scores(units: Sequence[str], model: Model = MODEL) -> list[float]:
    """The chance, by ``model``, that each gap is a section break."""
    scores = []
    for row in gap_features(units, model):
        z = sum(model.weights[name] * value for name, value in row.items())
        scores.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
    return scores


def segment(units: Sequence[str], sections: int | None = None, model: Model = MODEL) -> list[int]:
    """Where each section starts: indexes into ``units``, the first always 0.

    ``sections`` asks for that many (fewer only when there are fewer units); ``None``
    lets the text decide.
    """
    count = len(units)
    if count == 0:
        return []
    if sections is not None and sections <= 1:
        return [0]
    scores = gap_scores(units, model)
    sizes = [max(1, len(u.split())) for u in units]
    if sections is None:
        # The scores are chances, so their sum is the expected number of breaks. Prose
        # alone (an article) scores low everywhere: it gets a section per so many words.
        wanted = max(round(sum(scores)) + 1, 1)
        if all(unit_kind(u) == "prose" for u in units):
            wanted = max(wanted, min(round(sum(sizes) / WORDS_PER_SECTION), count))
    else:
        wanted = min(sections, count)
    return _pick(scores, wanted)


def _pick(scores: Sequence[float], wanted: int) -> list[int]:
    """Section starts at the ``wanted - 1`` likeliest gaps, no section under MIN_UNITS."""
    count = len(scores) + 1
    order = sorted(range(1, count), key=lambda g: (-scores[g - 1], g))
    starts = [0]
    for gap in order:
        if len(starts) >= wanted:
            break
        bounds = sorted([*starts, gap, count])
        where = bounds.index(gap)
        if gap - bounds[where - 1] >= MIN_UNITS and bounds[where + 1] - gap >= MIN_UNITS:
            starts.append(gap)
    return sorted(starts)


def group(units: Sequence[str], starts: Sequence[int]) -> list[list[str]]:
    """Cut ``units`` at ``starts`` (which must begin with 0 and rise)."""
    if not units:
        return []
    edges = [*starts, len(units)]
    return [list(units[edges[i] : edges[i + 1]]) for i in range(len(starts))]
