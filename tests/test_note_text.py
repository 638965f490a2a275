"""A note's Markdown as the notes pane draws it."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from textual.content import Content

from briefing.tui.widgets.note_text import _parsed, note_content

pytestmark = pytest.mark.unit


def _drawn(content: Content) -> tuple[str, list[object]]:
    return content.plain, list(content.spans)


def test_markdown_in_a_note_is_drawn_as_styles_and_bullets() -> None:
    drawn = note_content("See *this* and `code`\n\n- one\n- two")
    assert drawn.plain == "See this and code\n• one\n• two"
    styles = {str(span.style) for span in drawn.spans}
    assert "italic" in styles and "bold" in styles


# Most notes are plain prose, drawn without loading the Markdown parser. Whatever a note
# holds, it is drawn as the parser would draw it.
_CHARS = list("ab é漢 .,;:!?'\"“«(-+=#>*_`[]<>&\\~|0123456789\n\t\u00a0\x00\x1b\r")
_notes = st.text(alphabet=st.sampled_from(_CHARS), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_notes)
@example("on veto")
@example("  two  spaces \n\nand a  line \n")
@example("long-term plans, 3 of them; the #1 goal = peace")
@example("a\n===")
@example("a\n---")
@example("1. first")
@example("a &amp; b")
@example("a \\* b")
@example("a\u00a0\nb")
@example("a\tb")
@example("    indented code")
@example("a\x1b[31m")
@example("see *this* and **that**")
@example("see _this_")
@example("a `code` span")
@example("a [link](https://example.org) and <https://example.org>")
@example("a ~~gone~~")
def test_a_note_is_drawn_as_the_markdown_parser_draws_it(note: str) -> None:
    assert _drawn(note_content(note)) == _drawn(_parsed(note))
