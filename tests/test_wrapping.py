"""Wrapping the section text into screen lines, keeping where each line starts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from briefing.tui.widgets.wrapping import wrap

WORDS = st.lists(
    st.sampled_from(["a", "pact", "Pyongyang", "北朝鮮", "x" * 30, " ", "  ", "\n", "é", "—"]),
    max_size=40,
).map("".join)


def lines(text: str, width: int) -> list[str]:
    return [text[start:end] for start, end in wrap(text, width)]


def test_breaks_at_spaces_and_leaves_them_out() -> None:
    text = "The treaty was signed in Pyongyang on 19 June 2024."
    assert lines(text, 20) == ["The treaty was", "signed in Pyongyang", "on 19 June 2024."]


def test_a_hard_break_always_breaks() -> None:
    assert lines("one\ntwo three", 40) == ["one", "two three"]


def test_a_word_too_long_for_a_line_is_folded() -> None:
    assert lines("see Supercalifragilistic", 10) == ["see", "Supercalif", "ragilistic"]


def test_indentation_stays_on_its_line() -> None:
    """Code keeps its indentation, even when the first word must be folded."""
    assert lines("    def f(): return 1", 10) == ["    def", "f():", "return 1"]
    assert lines("  longword", 4) == ["  lo", "ngwo", "rd"]


def test_wide_characters_count_two_cells() -> None:
    assert lines("日本語のテキスト", 5) == ["日本", "語の", "テキ", "スト"]


def test_empty_text_is_one_empty_line() -> None:
    assert wrap("", 10) == [(0, 0)]


@given(WORDS, st.integers(min_value=1, max_value=30))
def test_lines_fit_and_cover_the_text_in_order(text: str, width: int) -> None:
    spans = wrap(text, width)
    position = 0
    for start, end in spans:
        assert position <= start <= end <= len(text)
        # Only the spaces a line broke at, or a hard break, lie between two lines.
        assert text[position:start].strip(" \n") == ""
        piece = text[start:end]
        assert cell_len(piece) <= width or len(piece) == 1
        position = end
    assert text[position:].strip(" \n") == ""
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "").replace(
        "\n", ""
    )
