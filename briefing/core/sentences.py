"""Paragraphs and sentences of a section's plain text: the passage cursor's units.

Blocks are joined with a blank line in the plain text (see :mod:`briefing.core.ingest`), so
paragraphs split on it; sentences split on a stop followed by a capital, digit or opening
quote, with the English abbreviations that never end a sentence ("Gen.", "U.S.", "No. 2")
kept inside. A block written mostly in a script without capitals (Korean, Chinese,
Japanese, Arabic, Persian, Hebrew, Hindi, Thai...) is split by sentencex, in the language of
that script, instead: there "a stop, then a capital" finds nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

_BLOCK_SEPARATOR = "\n\n"

#: Scripts without capitals, by code point range, and the language sentencex splits them as.
_CASELESS_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0E00, 0x0E7F, "th"),
    (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x3130, 0x318F, "ko"),
    (0x3400, 0x4DBF, "zh"),
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7A3, "ko"),
    (0xFB50, 0xFDFF, "ar"),
    (0xFE70, 0xFEFF, "ar"),
)


def _script_language(char: str) -> str | None:
    code = ord(char)
    for low, high, language in _CASELESS_SCRIPTS:
        if low <= code <= high:
            return language
    return None


def caseless_language(text: str) -> str | None:
    """The language to split ``text`` as when most of its letters have no case, else None.

    Japanese mixes kana with Chinese characters: any kana makes it Japanese.
    """
    cased = 0
    scripts: Counter[str] = Counter()
    for char in text:
        if not char.isalpha():
            continue
        if char.isupper() or char.islower():
            cased += 1
        elif (language := _script_language(char)) is not None:
            scripts[language] += 1
    if sum(scripts.values()) <= cased:
        return None
    if scripts["ja"]:
        return "ja"
    return scripts.most_common(1)[0][0]


def _segmenter() -> Callable[[str, str], Iterable[str]]:
    # Loaded on first use: most briefings never need it, and `briefing list` should not.
    from sentencex import segment

    return segment  # type: ignore[no-any-return]


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


def _caseless_sentences(
    text: str, start: int, end: int, language: str
) -> list[tuple[int, int]] | None:
    """sentencex's sentences of one block, as trimmed spans; None if its pieces do not put
    the block back together (then the block is split by the rules below).

    sentencex takes time quadratic in a run of Chinese without spaces, so the block goes to
    it in chunks of about :data:`_CHUNK` characters, each cut just after a sentence stop.
    """
    segment = _segmenter()
    spans: list[tuple[int, int]] = []
    at = start
    for chunk_end in _chunk_ends(text, start, end):
        pieces = list(segment(language, text[at:chunk_end]))
        if "".join(pieces) != text[at:chunk_end]:
            return None
        for piece in pieces:
            span = _trimmed(text, at, at + len(piece))
            at += len(piece)
            if span[0] < span[1]:
                spans.append(span)
    return spans


#: The length of text handed to sentencex at once.
_CHUNK = 500
#: Where a chunk may end: after a stop of any script, its closing quotes and any spaces.
_CHUNK_CUT = re.compile(r"[.!?…。！？｡।॥؟۔]+[\"'”’»)\]」』）]*\s*")


def _chunk_ends(text: str, start: int, end: int) -> list[int]:
    """Where to cut ``text[start:end]`` into chunks of about :data:`_CHUNK` characters."""
    ends: list[int] = []
    at = start
    while end - at > _CHUNK:
        cut = _CHUNK_CUT.search(text, at + _CHUNK, end)
        if cut is None or cut.end() >= end:
            break
        ends.append(cut.end())
        at = cut.end()
    ends.append(end)
    return ends


def _block_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one block (``text[start:end]``, already trimmed) into trimmed sentence spans."""
    language = caseless_language(text[start:end])
    if language is not None:
        split = _caseless_sentences(text, start, end, language)
        if split:
            return split
    spans: list[tuple[int, int]] = []
    begin = start
    for stop in _STOP.finditer(text, start, end):
        after = stop.end()
        if after >= end:
            break  # the block ends here anyway
        char = text[after]
        caseless = char.isalpha() and not char.islower()  # a capital, or a letter of a
        # script without case (a Korean sentence after an English one)
        if not (caseless or char.isdigit() or char in _OPENERS):
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
