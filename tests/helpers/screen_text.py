"""Where a character of the section is drawn, and in which styles: as a user sees it."""

from __future__ import annotations

from briefing.tui.widgets.section_view import SectionView


def styles_at(view: SectionView, offset: int) -> set[str]:
    """The styles drawn over one character of the section, on the line that draws it."""
    body = view.body
    y = body.line_of(offset)
    assert y is not None, f"offset {offset} is not drawn"
    line = body.lines[y]
    assert line.start <= offset <= line.end
    at = offset - line.start
    return {str(span.style) for span in body.line_content(y).spans if span.start <= at < span.end}


def on_screen(view: SectionView, offset: int) -> bool:
    """The line drawing ``offset`` is inside the text's window."""
    line = view.line_y(offset)
    top = round(view.scroll_y)
    return line is not None and top <= line < top + view.scrollable_content_region.height
