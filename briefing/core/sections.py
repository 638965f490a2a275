"""Proposing sections for unsectioned text: where to break, and what to call each part.

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

Titles (:func:`title_sections`) are each section's salient noun phrase: runs of two to
five content words (one only when nothing longer will do) that hold no verb, do not cut a
name and never end on an adjective-like word. They score by the tf-idf of their words
across the document's sections (first sentence and first paragraph weighing more), how
early and how often they occur and whether they are a whole phrase; each shares a word
with its section's first paragraph. Sentence case, names kept, all different. The word
lists they use sit together above :func:`title_sections`.

One cohesive thing over 400 lines: breaks and titles share the word model above.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from briefing.core import segmenter_model as _fitted
from briefing.core.rules import slugify

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

_STOP = frozenset(
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
_WORD = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?", re.UNICODE)
_FENCE = re.compile(r"^(```|~~~|    )")
#: Openings that lean on what came before: the paragraph continues a section.
_REFERS_BACK = re.compile(
    r"^\s*(this|these|that|those|it|its|they|their|also|however|but|and|so|then|thus|"
    r"therefore|additionally|moreover|furthermore|likewise|similarly|in addition|"
    r"for example|for instance|as a result|instead|otherwise|here|such|both|again|still)\b",
    re.IGNORECASE,
)
_LIST = re.compile(r"^\s{0,3}([-*+]|\d{1,9}[.)])\s")


def _stem(word: str) -> str:
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


def _words(text: str) -> list[str]:
    """Content words of ``text``, lowercased and stemmed, stop words dropped."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'").removesuffix("'s")
        for part in re.split(r"[_'-]", word):
            if len(part) > 2 and part not in _STOP:
                found.append(_stem(part))
    return found


def _kind(unit: str) -> str:
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
    words = [_words(u) for u in units[1:]]
    return [(set(w[:CUE_OPENING_WORDS]), set(w)) for w in words]


def cue_evidence(words: set[str], table: Mapping[str, float]) -> float:
    """The evidence of the cue words among ``words``: their log-odds, summed, over sqrt(n)."""
    found = [table[w] for w in words if w in table]
    return sum(found) / math.sqrt(len(found)) if found else 0.0


def gap_features(units: Sequence[str], model: Model = MODEL) -> list[dict[str, float]]:
    """What is known about each gap; ``result[g]`` is the gap before unit ``g + 1``.

    The cue-word features read ``model``'s tables (the fitting script passes its own).
    """
    bags = [Counter(_words(u)) for u in units]
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
    kinds = [_kind(u) for u in units]
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
        if all(_kind(u) == "prose" for u in units):
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


#: Words that describe rather than name: a title never ends on one (suffixes, then words).
_ADJECTIVE_SUFFIXES = (
    "ern", "ic", "ical", "ial", "ual", "nal", "tal", "ral", "ive", "ous", "ful", "less",
    "able", "ible", "ian", "ean", "ese", "ly", "ed",
)  # fmt: skip
_ADJECTIVES = frozenset(
    """british turkish polish spanish irish danish swedish finnish scottish kurdish english
    french dutch greek thai important different current recent relevant independent
    military necessary primary temporary arbitrary ordinary contemporary main key major
    minor full whole due free open simple basic""".split()  # noqa: SIM905 - a word list
)
#: Nouns with an adjective's ending: a title may end on them.
_NOUNS = frozenset(
    """pattern concern lantern intern cavern tavern republic music topic logic traffic
    clinic magic panic graphic comic mechanic critic fabric rubric tactic epic relic
    mosaic plastic tutorial editorial memorial material official trial dial denial
    manual terminal journal signal canal arsenal tribunal capital hospital portal total
    metal rental general mineral admiral cathedral referral archive directive initiative
    objective alternative executive motive incentive narrative perspective representative
    derivative debian median guardian librarian civilian historian musician technician
    physician ocean bean boolean cheese table cable variable vegetable bible family italy
    supply assembly july reply anomaly monopoly ally rally apply fly need seed speed feed
    bed shed red interest test rest request protest manifest digest""".split()  # noqa: SIM905
)
#: Modifiers too vague to open a title ("Following command", "Latest template").
_VAGUE = frozenset(
    """following latest current main initial previous various certain recent first last
    similar specific different usable somewhat overall general basic simple whole full
    entire existing ongoing potential possible available""".split()  # noqa: SIM905
)
#: Title weights of a word by where it stands in its section.
FIRST_SENTENCE, FIRST_PARAGRAPH, ELSEWHERE = 3.0, 2.0, 1.0
#: A title's length bonus by words: single words only when nothing longer will do.
_LENGTH = {1: 0.35, 2: 1.0, 3: 1.1, 4: 1.05, 5: 0.95}
_TOKEN_EDGE = "\"'“”‘’()[]{}*_`"
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”|*`#>/\\]|\s[-–—]\s")


def _describes(word: str) -> bool:
    """Whether ``word`` is adjective-like (or an adverb or participle): not a title's end."""
    lower = word.lower()
    if lower in _NOUNS:
        return False
    return lower in _ADJECTIVES or (len(lower) > 4 and lower.endswith(_ADJECTIVE_SUFFIXES))


@dataclass
class _Phrase:
    """A candidate title: its words as written, where it stands, how often it occurs."""

    words: list[str]
    weight: float
    first_paragraph: bool
    count: int = 1
    whole: bool = False
    #: Where it first occurs: the share of the section's text before it (0 opens it).
    early: float = 1.0


#: Words after which the next one is a verb ("to avoid", "may weaken").
_BEFORE_VERB = frozenset("to will would may might can could should must shall does did".split())  # noqa: SIM905
#: Words that may stand between those and the verb ("may further weaken").
_BETWEEN_VERB = frozenset("not also further still then even never only just again already".split())  # noqa: SIM905
#: Words that open a noun phrase: the content word just before one is a verb ("report the").
_DETERMINERS = frozenset("the a an this these those its their his her our any some each".split())  # noqa: SIM905
#: Common verbs that no suffix gives away.
_VERBS = frozenset(
    """fell rose grew fall rise grow goes went came took gave held told found left kept began
    won lost met ran sent stood brought built caught chose drew drove felt fought meant paid
    sold spent struck taught wrote remains remain seems seem appears appear escalate
    escalates warns warn urges urge says""".split()  # noqa: SIM905 - a word list
)


@dataclass(frozen=True)
class _Word:
    """A content word as written, whether it opens a sentence, whether it reads as a verb."""

    text: str
    opens: bool
    verb: bool


def _runs(unit: str) -> list[list[_Word]]:
    """Runs of content words in ``unit``, split at stop words and punctuation."""
    runs: list[list[_Word]] = []
    run: list[_Word] = []
    opens = True
    before = ""
    for token in unit.split():
        core = token.strip(_TOKEN_EDGE).rstrip(".,;:!?")
        possessive = core.endswith(("’s", "'s"))
        core = core.removesuffix("’s").removesuffix("'s")
        lower = core.lower()
        clean = _WORD.fullmatch(core) is not None and len(core) <= 30
        if lower in _DETERMINERS and run and not run[-1].text[:1].isupper():
            run[-1] = _Word(run[-1].text, run[-1].opens, True)
        long_enough = len(core) >= 3 or core.isupper() or (core[:1].isupper() and not opens)
        if clean and lower not in _STOP and long_enough:
            verb = lower in _VERBS or (before in _BEFORE_VERB and core.islower())
            run.append(_Word(core, opens, verb))
        elif run:
            runs.append(run)
            run = []
        ends = possessive or _BREAK.search(token.replace(core, "", 1))
        if (not clean or ends or lower in _STOP) and run:  # "Putin's visit": "visit"
            runs.append(run)
            run = []
        opens = token.rstrip(_TOKEN_EDGE).endswith((".", "!", "?", ":"))
        if lower not in _BETWEEN_VERB:
            before = lower
    if run:
        runs.append(run)
    return runs


def _capital(word: _Word, named: set[str]) -> bool:
    """Whether ``word`` is written as a name (capitalised where it need not be)."""
    return word.text[:1].isupper() and (not word.opens or word.text.lower() in named)


def _section_phrases(units: Sequence[str], named: set[str]) -> dict[str, _Phrase]:
    """Candidate titles of one section by key (stemmed, lowercased): runs of 1-5 content
    words that hold no verb, do not cut a name and do not end on an adjective-like word."""
    found: dict[str, _Phrase] = {}
    length = max(1, sum(len(u) for u in units))
    before = 0
    for number, unit in enumerate(units):
        for run_number, run in enumerate(_runs(unit)):
            words = [
                w.text
                if not w.opens or _capital(w, named) or not w.text[1:].islower()
                else w.text.lower()
                for w in run
            ]
            caps = [_capital(w, named) for w in run]
            for size in range(1, 6):
                for at in range(len(words) - size + 1):
                    end = at + size
                    part = words[at:end]
                    if (
                        _describes(part[-1])
                        or any(w.verb for w in run[at:end])
                        or any(
                            w.lower().endswith(("ed", "ly", "ing")) and w.lower() not in _NOUNS
                            for w in part[1:]
                            if len(w) > 5
                        )
                        or (at > 0 and part[0].lower().endswith("ing"))
                        or part[0].lower() in _VAGUE
                        or len({w.lower() for w in part}) < len(part)
                        or (at > 0 and caps[at] and caps[at - 1])
                        or (end < len(words) and caps[end - 1] and caps[end])
                    ):
                        continue
                    key = " ".join(_stem(w.lower()) for w in part)
                    where = ELSEWHERE
                    if number == 0:
                        where = (
                            FIRST_SENTENCE
                            if _in_first_sentence(unit, run[0].text, run_number)
                            else FIRST_PARAGRAPH
                        )
                    if key in found:
                        found[key].count += 1
                        found[key].weight = max(found[key].weight, where)
                    else:
                        at_char = before + max(0, unit.find(run[at].text))
                        found[key] = _Phrase(part, where, number == 0, early=at_char / length)
                    found[key].whole |= size == len(words)
        before += len(unit)
    return found


def _in_first_sentence(unit: str, opening: str, run_number: int) -> bool:
    """Whether the ``run_number``-th run of ``unit``, opening on ``opening``, lies in the
    unit's first sentence."""
    first = re.split(r"(?<=[.!?])\s", unit.strip(), maxsplit=1)[0]
    return run_number == 0 or (opening in first and unit.find(opening) < len(first))


def title_sections(groups: Sequence[Sequence[str]], taken: Sequence[str] = ()) -> list[str]:
    """A short, distinct title for each group of units, from its salient phrase.

    Candidates are runs of two to five content words (one only when nothing longer
    will do) that never end on an adjective-like word. A phrase scores by the tf-idf of
    its words across the document's sections, with words weighed by where they stand
    (:data:`FIRST_SENTENCE`, :data:`FIRST_PARAGRAPH`, :data:`ELSEWHERE`), by how often the
    whole phrase recurs, and by its length; it must share a word with the section's first
    paragraph. Titles are in sentence case with names kept; ``taken`` are titles (for
    example the briefing's own) that must not be reused.
    """
    texts = [[u for u in g if _kind(u) != "code"] or ["\n".join(g)] for g in groups]
    named = _names(u for units in texts for u in units)
    tf: list[dict[str, float]] = []
    share: list[Counter[str]] = []
    total: Counter[str] = Counter()
    for units in texts:
        weighted: dict[str, float] = {}
        raw: Counter[str] = Counter()
        for number, unit in enumerate(units):
            head = re.split(r"(?<=[.!?])\s", unit.strip(), maxsplit=1)[0] if number == 0 else ""
            for word in _words(unit):
                raw[word] += 1
                weighted[word] = weighted.get(word, 0.0) + (
                    ELSEWHERE if number else FIRST_PARAGRAPH
                )
            for word in _words(head):
                weighted[word] = weighted.get(word, 0.0) + FIRST_SENTENCE - FIRST_PARAGRAPH
        tf.append(weighted)
        share.append(raw)
        total.update(raw)
    sdf: Counter[str] = Counter()
    for raw in share:
        sdf.update(raw.keys())
    count = len(texts)
    candidates = [_section_phrases(units, named) for units in texts]
    phrase_count: Counter[str] = Counter()
    for found in candidates:
        phrase_count.update({key: phrase.count for key, phrase in found.items()})
    used = {slugify(t, fallback="") for t in taken}
    titles = []
    for number, units in enumerate(texts):

        def word_weight(word: str, n: int = number) -> float:
            stem = _stem(word.lower())
            if stem not in tf[n]:
                return 0.0
            idf = math.log((count + 1) / sdf[stem]) + 0.2
            return (1.0 + math.log(tf[n][stem])) * idf * (share[n][stem] / total[stem])

        first = set(_words(units[0]))
        ranked = []
        for key, phrase in candidates[number].items():
            if not any(_stem(w.lower()) in first for w in phrase.words):
                continue
            weights = [word_weight(w) for w in phrase.words]
            score = (sum(weights) / math.sqrt(len(weights))) * _LENGTH[len(weights)]
            score *= (1.0 + 0.3 * (phrase.count - 1)) * (1.0 + 0.15 * phrase.weight)
            score *= 1.5 - 0.5 * phrase.early  # the earlier it comes, the more it says
            if phrase.whole:
                score *= 1.15  # the whole noun phrase, not a piece cut out of it
            if phrase_count[key] < 2 and all(w[:1].isupper() for w in phrase.words):
                score *= 0.5  # a name met once: who acted, rather than what it is about
            if min(weights) == 0.0 or (len(phrase.words[-1]) < 3 and len(phrase.words) == 1):
                score *= 0.5
            ranked.append((-score, -len(key), key, phrase))
        ranked.sort(key=lambda r: r[:3])
        title = ""
        for _score, _length, _key, phrase in ranked:
            candidate = _title_case(phrase.words)
            slug = slugify(candidate, fallback="")
            if len(candidate) <= MAX_TITLE and slug and slug not in used:
                title = candidate
                break
        counter = number + 1
        while not title or slugify(title) in used:  # section keys must differ
            title, counter = f"Part {counter}", counter + 1
        used.add(slugify(title))
        titles.append(title)
    return titles


def _names(units: Iterable[str]) -> set[str]:
    """Lowercased words written capitalised mid-sentence somewhere: names to keep."""
    named: set[str] = set()
    for unit in units:
        for run in _runs(unit):
            named.update(w.text.lower() for w in run if not w.opens and w.text[:1].isupper())
    return named


def _title_case(words: Sequence[str]) -> str:
    """Sentence case: the first letter capitalised, names and acronyms as written."""
    phrase = " ".join(words)
    return phrase[:1].upper() + phrase[1:]
