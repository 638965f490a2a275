"""The passage cursor: which sentences of a section the keyboard has selected.

Pure bookkeeping over sentence spans, kept apart from the widget that draws it so the
motions can be tested without a terminal. A selection runs from an *anchor* sentence to a
*head* sentence, like shift+arrow selection in an editor: moving collapses it onto one
sentence, extending moves only the head, so extending back past the anchor grows the
selection the other way. A selection never leaves the block (paragraph, list item,
heading) it starts in: the quote it makes is always text as the reader shows it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass
class PassageCursor:
    """Sentence spans of one section's plain text, and the selected run of them."""

    sentences: Sequence[Span]
    paragraphs: Sequence[Span]
    anchor: int | None = None
    head: int | None = None
    #: The exact span after a word-wise change (``w``, ``W``, ``<``, ``>``); None when the
    #: selection is whole sentences.
    words: Span | None = None

    @property
    def active(self) -> bool:
        return self.anchor is not None and self.head is not None

    @property
    def first(self) -> int | None:
        """Index of the first selected sentence."""
        if self.anchor is None or self.head is None:
            return None
        return min(self.anchor, self.head)

    @property
    def last(self) -> int | None:
        if self.anchor is None or self.head is None:
            return None
        return max(self.anchor, self.head)

    @property
    def span(self) -> Span | None:
        """The selected text's ``[start, end)`` in the section's plain text."""
        first, last = self.first, self.last
        if first is None or last is None:
            return None
        if self.words is not None:
            return self.words
        return self.sentences[first][0], self.sentences[last][1]

    def clear(self) -> None:
        self.anchor = self.head = None
        self.words = None

    def set_words(self, span: Span) -> None:
        """Select exactly ``span`` (word-wise); the sentences under it stay the anchor and
        head, so sentence moves go on from there."""
        start, end = span
        inside = [i for i, (s, e) in enumerate(self.sentences) if s < end and e > start]
        if not inside:
            return
        self.anchor, self.head = inside[0], inside[-1]
        self.words = span

    def place(self, index: int) -> None:
        """Select the one sentence ``index`` (clamped to the section)."""
        if not self.sentences:
            return
        index = max(0, min(index, len(self.sentences) - 1))
        self.anchor = self.head = index
        self.words = None

    def move(self, delta: int, start: int) -> None:
        """Select the sentence after (``delta`` > 0) or before the selection.

        With nothing selected yet, select sentence ``start`` (the view passes the first
        one on screen), so the cursor appears where the reader is looking.
        """
        first, last = self.first, self.last
        if first is None or last is None:
            self.place(start)
        else:
            self.place(last + delta if delta > 0 else first + delta)

    def extend(self, delta: int, start: int) -> None:
        """Move only the head, so the selection grows or shrinks by a sentence."""
        if self.anchor is None or self.head is None:
            self.place(start)
            return
        self.words = None
        head = max(0, min(self.head + delta, len(self.sentences) - 1))
        if self.paragraph_of(head) == self.paragraph_of(self.anchor):
            self.head = head  # a passage stays inside its block: a quote is text as shown

    def block_of(self, offset: int) -> Span:
        """The block (paragraph, item, heading) holding ``offset``."""
        for start, end in self.paragraphs:
            if start <= offset < end:
                return start, end
        return (0, self.sentences[-1][1] if self.sentences else 0)

    def paragraph_of(self, sentence: int) -> int:
        begin = self.sentences[sentence][0]
        for index, (start, end) in enumerate(self.paragraphs):
            if start <= begin < end:
                return index
        return len(self.paragraphs) - 1

    def select_paragraph(self, delta: int, start: int) -> None:
        """Select every sentence of the paragraph after or before the selection.

        With nothing selected, select the paragraph holding sentence ``start``.
        """
        if not self.sentences or not self.paragraphs:
            return
        first, last = self.first, self.last
        if first is None or last is None:
            target = self.paragraph_of(max(0, min(start, len(self.sentences) - 1)))
        elif delta > 0:
            target = min(self.paragraph_of(last) + 1, len(self.paragraphs) - 1)
        else:
            target = max(self.paragraph_of(first) - 1, 0)
        p_start, p_end = self.paragraphs[target]
        inside = [i for i, (s, _) in enumerate(self.sentences) if p_start <= s < p_end]
        if inside:
            self.anchor, self.head = inside[0], inside[-1]
            self.words = None


#: A word: one Chinese or Japanese character (they are written without spaces), or a run
#: of other letters and digits, with inner apostrophes and hyphens ("Pyongyang's", "co-op").
#: A pattern, not compiled here: compiling it takes ~8 ms, and the reader's first frame needs
#: no words (``re`` compiles it on the first word move, and keeps it).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_WORD = f"[{_CJK}]|(?:(?![{_CJK}])\\w)+(?:['’-](?:(?![{_CJK}])\\w)+)*"


def word_spans(text: str) -> list[Span]:
    """Every word of ``text``, as ``[start, end)`` spans in order."""
    return [match.span() for match in re.finditer(_WORD, text)]


def by_word(span: Span, words: Sequence[Span], edge: str, delta: int, text: str = "") -> Span:
    """``span`` with its ``edge`` ("start" or "end") moved a word out (``delta`` > 0 at the
    end, < 0 at the start) or in; never emptier than one word.

    At the end, given the ``text``, a word taken comes with the punctuation after it
    ("2000.") and a word dropped leaves the previous one's, so ``w`` and ``W`` undo each
    other."""
    start, end = span
    if edge == "end":
        if delta > 0:
            end = next((e for s, e in words if e > end), end)
            starts = {s for s, _ in words}
            while end < len(text) and not text[end].isspace() and end not in starts:
                end += 1  # the full stop, comma or closing quote after the word
        else:
            last = next((s for s, e in reversed(words) if start < s < end), None)
            if last is not None:
                end = last
                while end > start and text[end - 1 : end].isspace():
                    end -= 1
                if not text:  # no text to tell spaces by: the previous word's end
                    end = next((e for s, e in reversed(words) if e <= last), end)
    elif delta < 0:
        start = next((s for s, e in reversed(words) if s < start), start)
    else:
        start = next((s for s, e in words if end > s > start and e <= end), start)
    return start, end
