"""The blocks of one section, wrapped and drawn line by line by a single widget.

A widget per block meant mounting a dozen widgets on every section switch, each styled,
composed and laid out in turn, over several frames. Here a switch replaces a table of
lines, and only the lines on screen are drawn. The table is also the map between the
screen and the section's plain text: notes, the passage cursor, search matches and the
mouse selection are all offsets into that text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from textual.content import Content
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from briefing.core.model import Block
from briefing.core.safetext import visible
from briefing.tui.widgets.wrapping import wrap

INLINE_STYLES = {
    "em": "italic",
    "strong": "bold",
    "code": "reverse",
    "strike": "strike",
    "footnote": "bold $text-accent",
}
LINK_STYLE = "underline $text-accent"
QUOTE_BAR = "▌ "
RULE = "─"
#: The text column's widest: longer lines are hard to read. Wider, the column is centred.
MAX_COLUMN = 80


@dataclass(frozen=True)
class Mark:
    """A range of the section's plain text to draw in a given style."""

    start: int
    end: int
    style: str


#: ``Line.block`` of a blank line (after a block or a heading) and of a heading line.
BLANK = -1
HEADING = -2


@dataclass(frozen=True, slots=True)
class Line:
    """One screen line: ``[start, end)`` of the section text, after a prefix.

    A blank line between blocks is empty at the end of the block above it, so that a
    mouse selection ending there ends with that block. The headings above the text
    (briefing title, its facts, the section title) are empty at offset 0 and draw
    ``heading``, the part from ``heading_start`` of heading number ``heading_index``,
    in the component style ``style``.
    """

    start: int
    end: int
    block: int  # index of the block it draws, or BLANK or HEADING
    prefix: str = ""  # list marker or its hanging indent, or the quote bar
    heading: str = ""
    style: str = ""
    heading_index: int = -1
    heading_start: int = 0


def _one_line(text: str, width: int) -> str:
    """``text`` on one line of ``width`` cells, cut at a word boundary with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: max(width - 1, 1)]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rindex(" ")]
    return cut.rstrip(" ,;:·-") + "…"


class SectionBody(Widget):
    """Headings, then every block of a section, each followed by a blank line.

    It fills the view's width and draws a centred column of text in it: every cell then
    belongs to a line of text, so a mouse drag that leaves the column to the side still
    ends on that line, not at the end of the section.
    """

    ALLOW_SELECT = True
    COMPONENT_CLASSES = {
        "section-body--title",
        "section-body--facts",
        "section-body--section-title",
        "section-body--heading",
        "section-body--quote",
        "section-body--quote-bar",
        "section-body--marker",
        "section-body--code",
        "section-body--rule",
        "section-body--footnote",
        "section-body--table",
    }
    DEFAULT_CSS = """
    SectionBody { height: auto; width: 1fr; }
    SectionBody > .section-body--title { text-style: bold; color: $text-accent; }
    SectionBody > .section-body--facts { color: $text-muted; }
    SectionBody > .section-body--section-title { text-style: bold underline; }
    SectionBody > .section-body--heading { text-style: bold; }
    SectionBody > .section-body--quote { color: $text-muted; }
    SectionBody > .section-body--quote-bar { color: $primary; }
    SectionBody > .section-body--marker { color: $text-accent; }
    SectionBody > .section-body--code { background: $boost; }
    SectionBody > .section-body--rule { color: $primary-muted; }
    SectionBody > .section-body--footnote { color: $text-muted; }
    SectionBody > .section-body--table { color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blocks: tuple[Block, ...] = ()
        self.text = ""  # the section's plain text, which the blocks are slices of
        self._headings: tuple[tuple[str, str], ...] = ()  # (text, component style) per heading
        self._marks: tuple[Mark, ...] = ()
        self._heading_marks: dict[int, tuple[Mark, ...]] = {}  # offsets in a heading's text
        self._layout_width = -1
        self._left = 1  # the text column's left margin at that width
        self._lines: list[Line] = []
        self._starts: list[int] = []  # start of each line that draws text, in order
        self._text_lines: list[int] = []  # ... and its index in ``_lines``
        self._styles: dict[str, Style] = {}
        self._compact = False  # see set_compact

    # -- what to draw -------------------------------------------------------

    def show(
        self,
        headings: Sequence[tuple[str, str]],
        text: str,
        blocks: Sequence[Block],
        marks: Sequence[Mark],
    ) -> None:
        """Draw another section: ``headings`` are (text, component class) lines above it.

        Before the widget is mounted this only sets what the first layout draws: a
        refresh then would cost a second layout pass and frame at start-up.
        """
        self._headings = tuple(headings)
        self.text = text
        self.blocks = tuple(blocks)
        self._marks = tuple(marks)
        self._layout_width = -1
        if self.is_mounted:
            self.refresh(layout=True)

    def set_compact(self, compact: bool) -> None:
        """In a short window: the briefing's title on one line (cut), no facts line and no
        blank lines between the headings, so the section's text shows under its title."""
        if compact != self._compact:
            self._compact = compact
            self._layout_width = -1
            if self.is_mounted:
                self.refresh(layout=True)

    def set_marks(
        self, marks: Sequence[Mark], heading_marks: dict[int, tuple[Mark, ...]] | None = None
    ) -> None:
        """Restyle the lines on screen; the text and its wrapping stay as they are.

        ``heading_marks``: marks over the headings' own text, by heading number.
        """
        marks = tuple(marks)
        heading_marks = self._heading_marks if heading_marks is None else heading_marks
        if marks != self._marks or heading_marks != self._heading_marks:
            self._marks = marks
            self._heading_marks = heading_marks
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # the theme or the CSS changed

    def on_resize(self) -> None:
        """A selection is kept as screen lines and columns: rewrapped, they would point
        at other text, so it is let go."""
        if self.text_selection is not None:
            self.screen.clear_selection()

    # -- the line table -----------------------------------------------------

    @property
    def lines(self) -> list[Line]:
        """The screen lines at the widget's current width."""
        return self._layout(self.size.width)

    @staticmethod
    def column(width: int) -> tuple[int, int]:
        """The text column in a widget ``width`` wide: its left margin and its width.

        A margin of at least one cell on each side, as the view's padding was.
        """
        usable = max(width - 2, 1)
        text = min(usable, MAX_COLUMN)
        return 1 + (usable - text) // 2, text

    def _layout(self, width: int) -> list[Line]:
        if width == self._layout_width:
            return self._lines
        self._left, text_width = self.column(width)
        lines: list[Line] = []
        for number, (heading, style) in enumerate(self._headings):
            if self._compact and number < len(self._headings) - 1:
                if heading and style != ".section-body--facts":
                    cut = _one_line(heading, text_width)
                    lines.append(Line(0, 0, HEADING, "", cut, style, number, 0))
                continue
            if heading:
                lines.extend(
                    Line(0, 0, HEADING, "", heading[start:end], style, number, start)
                    for start, end in wrap(_spaced(heading), text_width)
                )
            else:
                lines.append(Line(0, 0, BLANK))
        for index, block in enumerate(self.blocks):
            lines.extend(self._block_lines(index, block, text_width))
            lines.append(Line(block.end, block.end, BLANK))
        self._lines = lines
        self._layout_width = width
        self._text_lines = [y for y, line in enumerate(lines) if line.block >= 0]
        self._starts = [lines[y].start for y in self._text_lines]
        return lines

    @staticmethod
    def _block_lines(index: int, block: Block, width: int) -> list[Line]:
        if block.kind == "rule":
            return [Line(block.start, block.end, index)]
        first = rest = ""
        if block.kind == "item":
            first = "  " * max(block.level - 1, 0) + (block.marker or " ") + " "
            rest = " " * len(first)
        elif block.kind == "footnote":  # "[2] " hanging; a note's later paragraphs under it
            first = f"{block.marker} " if block.marker else "    "
            rest = " " * len(first)
        elif block.kind == "quote":
            first = rest = QUOTE_BAR
        elif block.kind == "code":
            first = rest = " "
        pieces = wrap(_spaced(block.text), width - len(first))
        return [
            Line(block.start + start, block.start + end, index, first if n == 0 else rest)
            for n, (start, end) in enumerate(pieces)
        ]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout(width))

    # -- from offsets to lines and back --------------------------------------

    def line_of(self, offset: int) -> int | None:
        """The screen line drawing the character at ``offset`` of the section text.

        An offset between two blocks (their separator) belongs to the block above.
        """
        self._layout(self.size.width)  # the offsets of the lines at this width
        index = bisect_right(self._starts, offset) - 1
        return self._text_lines[index] if index >= 0 else None

    def offset_at(self, x: int, y: int) -> int:
        """The section offset at column ``x`` of the text on screen line ``y``.

        ``x`` counts characters of the line's text, as the selection does; the margin and
        prefix before it (a list marker, the quote bar) count as its start, the space after
        it as its end.
        """
        lines = self.lines
        if not lines:
            return 0
        line = lines[max(0, min(y, len(lines) - 1))]
        return line.start + max(0, min(x, line.end - line.start))

    def selected_span(self, selection: Selection) -> tuple[int, int] | None:
        """A mouse selection in this widget as a span of the section text."""
        lines = self.lines
        if not lines:
            return None
        start = 0 if selection.start is None else self.offset_at(*selection.start)
        end = lines[-1].end if selection.end is None else self.offset_at(*selection.end)
        return (start, end) if start < end else None

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as the section has it: no wrapping, no list markers."""
        span = self.selected_span(selection)
        return None if span is None else (self.text[span[0] : span[1]], "\n")

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # -- drawing ------------------------------------------------------------

    def line_content(self, y: int) -> Content:
        """The text of screen line ``y`` with every style over it, prefix left out."""
        line = self.lines[y]
        if line.block == HEADING:
            content = Content.styled(_shown(line.heading), line.style)
            start = line.heading_start
            for mark in self._heading_marks.get(line.heading_index, ()):
                left, right = max(mark.start - start, 0), min(mark.end - start, len(content))
                if left < right:
                    content = content.stylize(mark.style, left, right)
            return content
        if line.block < 0:
            return Content("")
        block = self.blocks[line.block]
        if block.kind == "rule":
            return Content.styled(RULE * self.column(self.size.width)[1], ".section-body--rule")
        content = Content(_shown(block.text[line.start - block.start : line.end - block.start]))
        kind_style = {
            "heading": ".section-body--heading",
            "quote": ".section-body--quote",
            "code": ".section-body--code",
            "footnote": ".section-body--footnote",
            "table": ".section-body--table",
        }.get(block.kind)
        if kind_style is not None:
            content = content.stylize(kind_style)
        for span in block.spans:
            start = max(block.start + span.start, line.start) - line.start
            end = min(block.start + span.end, line.end) - line.start
            if start < end:
                style = LINK_STYLE if span.style == "link" else INLINE_STYLES[span.style]
                content = content.stylize(style, start, end)
        for mark in self._marks:
            start, end = max(mark.start, line.start), min(mark.end, line.end)
            if start < end:
                content = content.stylize(mark.style, start - line.start, end - line.start)
        return content

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.visual_style
        blank = (base + Style(reverse=False)).rich_style
        lines = self.lines
        if y >= len(lines):
            return Strip.blank(width, blank)
        line = lines[y]
        content = self.line_content(y)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span  # a drag from the margin or a marker has a column below 0
            end = len(content) if end == -1 else min(max(end, 0), len(content))
            if max(start, 0) < end:
                content = content.stylize(self._selection_style(), max(start, 0), end)
        # Every cell carries its (column, line) for Textual's mouse selection: the margin
        # and prefix count from the left of the text, so a drag from them starts at it, and
        # the space after the text counts on from its end.
        left = Content(" " * self._left) + self._prefix_content(line)
        fill = self._resolve(".section-body--code") if self._is_code(line) else None
        after = base + (fill if fill is not None else Style(reverse=False))
        right = Content(" " * max(width - self._left - len(line.prefix) - content.cell_length, 0))
        return Strip.join(
            [
                Strip(self._segments(left, base)).apply_offsets(-len(left), y),
                Strip(self._segments(content, base)).apply_offsets(0, y),
                Strip(self._segments(right, after)).apply_offsets(len(content), y),
            ]
        ).adjust_cell_length(width, blank)

    def _selection_style(self) -> Style:
        style = self._styles.get(SELECTION)
        if style is None:
            selection = self.screen.get_component_styles("screen--selection")
            style = self._styles[SELECTION] = Style.from_styles(selection)
        return style

    def _is_code(self, line: Line) -> bool:
        return line.block >= 0 and self.blocks[line.block].kind == "code"

    def _prefix_content(self, line: Line) -> Content:
        if not line.prefix:
            return Content("")
        kind = self.blocks[line.block].kind
        style = {
            "item": ".section-body--marker",
            "footnote": ".section-body--marker",
            "quote": ".section-body--quote-bar",
            "code": ".section-body--code",
        }[kind]
        return Content.styled(line.prefix, style)

    def _segments(self, content: Content, base: Style) -> list[Segment]:
        return [
            Segment(text, style.rich_style)
            for text, style in content.render(base, "", parse_style=self._resolve)
        ]

    def _resolve(self, style: str | Style) -> Style:
        """A style of a span: a component class (".name"), or CSS variables in a string."""
        if isinstance(style, Style):
            return style
        resolved = self._styles.get(style)
        if resolved is None:
            if style.startswith("."):
                resolved = self.get_visual_style(style[1:], partial=True)
            else:
                resolved = Style.parse(style)
            self._styles[style] = resolved
        return resolved


#: The cache key of the selection's style among the resolved span styles.
SELECTION = "screen--selection"


def _spaced(text: str) -> str:
    """Tabs as single spaces: a tab reaching the terminal would move the rest of the row,
    and a tab has no width of its own to wrap by. Offsets are unchanged."""
    return text.replace("\t", " ")


def _shown(text: str) -> str:
    """Text as drawn: control characters made visible, tabs as spaces."""
    return visible(_spaced(text))
