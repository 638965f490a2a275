"""What to call each proposed section: its salient noun phrase.

Titles (:func:`title_sections`) are each section's salient noun phrase: runs of two to
five content words (one only when nothing longer will do) that hold no verb, do not cut a
name and never end on an adjective-like word. They score by the tf-idf of their words
across the document's sections (first sentence and first paragraph weighing more), how
early and how often they occur and whether they are a whole phrase; each shares a word
with its section's first paragraph. Sentence case, names kept, all different. The word
lists they use sit together above :func:`title_sections`.

The word model (stop words, stems, the word pattern) is :mod:`briefing.core.sections`',
shared with the breaks. One cohesive thing: a phrase finder and its scoring.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.core.rules import slugify
from briefing.core.sections import (
    MAX_TITLE,
    STOP_WORDS,
    WORD_PATTERN,
    content_words,
    stem_of,
    unit_kind,
)

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
        clean = WORD_PATTERN.fullmatch(core) is not None and len(core) <= 30
        if lower in _DETERMINERS and run and not run[-1].text[:1].isupper():
            run[-1] = _Word(run[-1].text, run[-1].opens, True)
        long_enough = len(core) >= 3 or core.isupper() or (core[:1].isupper() and not opens)
        if clean and lower not in STOP_WORDS and long_enough:
            verb = lower in _VERBS or (before in _BEFORE_VERB and core.islower())
            run.append(_Word(core, opens, verb))
        elif run:
            runs.append(run)
            run = []
        ends = possessive or _BREAK.search(token.replace(core, "", 1))
        if (not clean or ends or lower in STOP_WORDS) and run:  # "Putin's visit": "visit"
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
                    key = " ".join(stem_of(w.lower()) for w in part)
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
    texts = [[u for u in g if unit_kind(u) != "code"] or ["\n".join(g)] for g in groups]
    named = _names(u for units in texts for u in units)
    tf: list[dict[str, float]] = []
    share: list[Counter[str]] = []
    total: Counter[str] = Counter()
    for units in texts:
        weighted: dict[str, float] = {}
        raw: Counter[str] = Counter()
        for number, unit in enumerate(units):
            head = re.split(r"(?<=[.!?])\s", unit.strip(), maxsplit=1)[0] if number == 0 else ""
            for word in content_words(unit):
                raw[word] += 1
                weighted[word] = weighted.get(word, 0.0) + (
                    ELSEWHERE if number else FIRST_PARAGRAPH
                )
            for word in content_words(head):
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
            stem = stem_of(word.lower())
            if stem not in tf[n]:
                return 0.0
            idf = math.log((count + 1) / sdf[stem]) + 0.2
            return (1.0 + math.log(tf[n][stem])) * idf * (share[n][stem] / total[stem])

        first = set(content_words(units[0]))
        ranked = []
        for key, phrase in candidates[number].items():
            if not any(stem_of(w.lower()) in first for w in phrase.words):
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
