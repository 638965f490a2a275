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
        word_cells = cell_len(token.rstrip())
        if used + word_cells > width:
            if line[start : match.start()].strip():  # break before the word...
                lines.append((start, _trimmed_end(line, start, match.start())))
                start, used = match.start(), 0
            # ...unless all the line holds is indentation; a word too wide even so is folded.
            if used + word_cells > width:
                for end in _folds(token.rstrip(), width, match.start(), room=width - used):
                    lines.append((start, _trimmed_end(line, start, end)))  # indentation alone
                    start = end
                start = lines.pop()[0]  # the last piece goes on, with what follows it
                used = cell_len(line[start : match.end()])
                continue
        used += cell_len(token)
    lines.append((start, _trimmed_end(line, start, len(line))))
    return lines


def _folds(word: str, width: int, offset: int, room: int) -> list[int]:
    """Ends of the pieces of ``word`` (at ``offset`` in its line): the first fills the
    ``room`` left on its line, the others whole lines; the last may be shorter."""
    ends: list[int] = []
    cells = 0
    limit = max(room, 0)
    for index, character in enumerate(word):
        size = cell_len(character)
        if cells + size > limit and (cells or limit < width):
            ends.append(offset + index)
            cells, limit = 0, width
        cells += size
    ends.append(offset + len(word))
    return ends


def _trimmed_end(line: str, start: int, end: int) -> int:
    """``end`` moved back over trailing spaces, but never before ``start``."""
    while end > start and line[end - 1].isspace():
        end -= 1
    return end
