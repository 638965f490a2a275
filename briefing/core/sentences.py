"""Paragraphs and sentences of a section's plain text: the passage cursor's units.

Blocks are joined with a blank line in the plain text (see :mod:`briefing.core.ingest`), so
paragraphs split on it; sentences split on a stop followed by a capital, digit or opening
quote, with the English abbreviations that never end a sentence ("Gen.", "U.S.", "No. 2")
kept inside.
"""

from __future__ import annotations

import re

_BLOCK_SEPARATOR = "\n\n"


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Block spans: the plain text joins blocks with a blank line, so split on it."""
    spans: list[tuple[int, int]] = []
    at = 0
    while at <= len(text):
        cut = text.find(_BLOCK_SEPARATOR, at)
        cut = len(text) if cut == -1 else cut
        start, end = _trimmed(text, at, cut)
        if start < end:
            spans.append((start, end))
        at = cut + len(_BLOCK_SEPARATOR)
    return spans


#: A full stop, ellipsis, "?" or "!", then any closing quotes or brackets (which belong to the
#: sentence they close), then the whitespace that may separate two sentences.
_STOP = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")

#: Characters that may open a sentence besides capitals and digits.
_OPENERS = "\"'“‘«(["


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


#: Abbreviations that come before a name and so never end a sentence: "Gen. Milley".
_TITLES = _words(
    "Mr Mrs Ms Dr Prof Gen Lt Col Maj Capt Cmdr Adm Sgt Gov Sen Rep Amb Rev Hon Pres St Mt Ft"
    " e.g i.e cf vs viz approx"
)

#: Abbreviations that come before a number: "No. 2231", "Jan. 5", "Art. 51". Alone they may
#: well end a sentence ("Was it agreed? No. The vote ...").
_BEFORE_NUMBER = _words(
    "No Nos Art Arts Para Paras para paras p pp Vol vol Fig fig Ch ch Sec"
    " Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)

#: After "U.S." or "U.N." a capital usually continues a name ("U.S. Department of State");
#: these words after one usually start a new sentence instead.
_SENTENCE_STARTERS = _words(
    "The This That These Those It Its He She They We I In On At By For But And Or However A An"
    " There His Her Their Our As After Before Since When While If Yet So Meanwhile Moreover"
    " Still Both Some Many Such Other No Not"
)

_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_INITIAL = re.compile(r"[A-Z]")
_ENUMERATOR = re.compile(r"\d{1,3}|[IVXLC]{1,5}|[ivxlc]{1,5}")
#: The word before a full stop, without any opening quote or bracket before it.
_LAST_WORD = re.compile(r"[^\s\"'“‘«(\[]*\Z")
#: How far either side of a full stop to look for the words around it; abbreviations are short.
_WORD_WINDOW = 40


def _abbreviation(word: str, next_word: str, opens_sentence: bool) -> bool:
    """Whether the full stop after ``word`` is an abbreviation's rather than a sentence's."""
    if word in _TITLES:
        return True
    if word in _BEFORE_NUMBER:
        return next_word[:1].isdigit()
    if _INITIAL.fullmatch(word):  # "Jens S. Stoltenberg"
        return True
    if _DOTTED.fullmatch(word):  # "U.S", "U.N"
        return next_word.lstrip(_OPENERS) not in _SENTENCE_STARTERS
    # "1. Introduction", "IV. Outlook": a heading's number, not a sentence of its own.
    return opens_sentence and _ENUMERATOR.fullmatch(word) is not None


def _block_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one block (``text[start:end]``, already trimmed) into trimmed sentence spans."""
    spans: list[tuple[int, int]] = []
    begin = start
    for stop in _STOP.finditer(text, start, end):
        after = stop.end()
        if after >= end:
            break  # the block ends here anyway
        char = text[after]
        if not (char.isupper() or char.isdigit() or char in _OPENERS):
            continue  # "?” he asked", "etc. were", "the parties... agree"
        mark = stop.group().rstrip()
        if mark.startswith(".") and not mark.startswith(".."):
            # Only the last few characters: a paragraph of "Mr." and "U.S." stays linear.
            window = max(begin, stop.start() - _WORD_WINDOW)
            word = _LAST_WORD.search(text, window, stop.start())
            assert word is not None  # the pattern also matches an empty word
            next_word = text[after : after + _WORD_WINDOW].split(maxsplit=1)[0]
            if _abbreviation(word.group(), next_word, opens_sentence=word.start() == begin):
                continue
        spans.append((begin, stop.start() + len(mark)))
        begin = after
    spans.append((begin, end))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, block by block, for the reader's passage cursor.

    A sentence ends at "." "!" "?" or an ellipsis, with any closing quotes or brackets, when
    whitespace and then a capital, digit or opening quote follow, unless the full stop belongs
    to an abbreviation, an initial or a heading number. A block without any such stop (a list
    item, a heading) is one sentence; no sentence crosses a block boundary.
    """
    spans: list[tuple[int, int]] = []
    for block_start, block_end in paragraphs(text):
        spans.extend(_block_sentences(text, block_start, block_end))
    return spans
