"""Word wrapping that keeps offsets: which slice of a text each screen line draws.

The section text is drawn by one widget that wraps it itself (a hanging indent for list
items, a bar beside quotes), and notes are anchored by offsets into that text, so the
wrap must say exactly where each line starts. Widths are terminal cells: a CJK character
takes two, a combining accent none.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

#: A word and the spaces after it, or a run of spaces at the start of a line.
_WORD = re.compile(r"\S+\s*|\s+")


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """``(start, end)`` slices of ``text``, one per line of at most ``width`` cells.

    Lines break after spaces; a word wider than a line is folded. Each line's slice
    leaves out the spaces it broke at; the next line starts after them, so the slices
    plus those spaces cover the text. A ``\\n`` always breaks. An empty text is one
    empty line.
    """
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    offset = 0
    for hard in text.split("\n"):
        lines.extend((offset + s, offset + e) for s, e in _wrap_line(hard, width))
        offset += len(hard) + 1
    return lines


def _wrap_line(line: str, width: int) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    start = 0  # where the current line starts
    used = 0  # cells taken on it, spaces after its last word included
    for match in _WORD.finditer(line):
        token = match.group()
        word = token.rstrip()
        word_cells = cell_len(word)
        if used and used + word_cells > width:
            lines.append((start, _trimmed_end(line, start, match.start())))
            start, used = match.start(), 0
        if word_cells > width:  # fold a word too long for any line
            position = match.start()
            for piece_end in _folds(word, width, position):
                if piece_end < match.start() + len(word):
                    lines.append((position, piece_end))
                    position = piece_end
            start = position
            used = cell_len(line[position : match.end()])
        else:
            used += cell_len(token)
    lines.append((start, _trimmed_end(line, start, len(line))))
    return lines


def _folds(word: str, width: int, offset: int) -> list[int]:
    """Ends of the pieces of ``word`` (at ``offset`` in its line) that fill whole lines."""
    ends: list[int] = []
    cells = 0
    for index, character in enumerate(word):
        size = cell_len(character)
        if cells + size > width and cells:
            ends.append(offset + index)
            cells = 0
        cells += size
    ends.append(offset + len(word))
    return ends


def _trimmed_end(line: str, start: int, end: int) -> int:
    """``end`` moved back over trailing spaces, but never before ``start``."""
    while end > start and line[end - 1].isspace():
        end -= 1
    return end
