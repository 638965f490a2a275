"""Anchors must survive revisions of a section, and must never point at the wrong words."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from briefing.core.anchoring import (
    CONTEXT,
    UNIQUE_LENGTH,
    AmbiguousQuote,
    find_quote,
    locate,
    make_anchor,
    reanchor,
    text_hash,
)
from briefing.core.model import Annotation

SETTINGS = settings(max_examples=150, deadline=None)

#: Mutually dissimilar words, none inside another, so a passage made of some of them occurs
#: nowhere else and text made of the others is genuinely unrelated to it.
_WORDS = """
alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar
papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu treaty border embassy
council summit tariff envoy harbour missile ceasefire pipeline drought famine refugee uranium
reactor satellite frigate garrison militia parliament budget inflation currency ballot verdict
tribunal sanction corridor ministry cabinet monsoon glacier orchard quarry lantern violin walnut
ginger copper marble velvet meadow pyramid dolphin falcon jaguar kettle ladder mirror needle
oyster rocket thimble umbrella vessel wizard yogurt zephyr anchor biscuit dragon feather hammer
island jigsaw kingdom mustard nutmeg olive puzzle riddle scissors turnip
"""
VOCABULARY = _WORDS.split()

SEPARATORS = [" ", " ", " ", ", ", ". ", "; ", "\n\n"]


def test_vocabulary_words_are_unrelated() -> None:
    """The generators below rely on this: no word contains or nearly equals another."""
    for index, word in enumerate(VOCABULARY):
        for other in VOCABULARY[index + 1 :]:
            assert word not in other and other not in word
            assert Levenshtein.normalized_similarity(word, other) < 0.75, (word, other)


def occurrences(text: str, quote: str) -> int:
    return sum(text.startswith(quote, at) for at in range(len(text)))


def annotation(text: str, start: int, end: int) -> Annotation:
    return Annotation(
        id="n1", user="ana", briefing="b", section="s", anchor=make_anchor(text, start, end)
    )


@st.composite
def documents(draw: st.DrawFn, min_words: int = 4) -> tuple[str, list[tuple[int, int]]]:
    """Text of distinct vocabulary words, with the span of each word."""
    words = draw(
        st.lists(st.sampled_from(VOCABULARY), min_size=min_words, max_size=40, unique=True)
    )
    text, spans = "", []
    for index, word in enumerate(words):
        if index:
            text += draw(st.sampled_from(SEPARATORS))
        spans.append((len(text), len(text) + len(word)))
        text += word
    return text, spans


@st.composite
def passages(draw: st.DrawFn, min_words: int = 1) -> tuple[str, int, int]:
    """A document and a passage of whole words in it."""
    text, spans = draw(documents(min_words=min_words + 1))
    first = draw(st.integers(0, len(spans) - min_words))
    last = draw(st.integers(first + min_words - 1, len(spans) - 1))
    return text, spans[first][0], spans[last][1]


#: (where, how many characters to delete, what to insert): insertions, deletions, replacements.
edits = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 6), st.text("qxzjk .,\n", max_size=12)),
    max_size=6,
)


def apply(text: str, changes: list[tuple[int, int, str]]) -> str:
    for where, cut, insert in changes:
        at = where % (len(text) + 1)
        text = text[:at] + insert + text[at + cut :]
    return text


# --- properties -----------------------------------------------------------------------------


@SETTINGS
@given(st.text(min_size=1), st.data())
def test_unchanged_text_locates_every_anchor_at_its_own_span(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assume(text[start:end].strip())
    anchor = make_anchor(text, start, end)
    assert anchor.quote == text[start:end].strip()
    assert text[anchor.start : anchor.end] == anchor.quote
    assert locate(anchor, text) == (anchor.start, anchor.end)


@SETTINGS
@given(passages(), edits, edits)
def test_edits_beyond_the_context_shift_the_passage_exactly(
    doc: tuple[str, int, int],
    before: list[tuple[int, int, str]],
    after: list[tuple[int, int, str]],
) -> None:
    text, start, end = doc
    anchor = make_anchor(text, start, end)
    head_end, tail_start = max(0, start - CONTEXT), end + CONTEXT
    head = apply(text[:head_end], before) if head_end > 0 else ""
    tail = apply(text[tail_start:], after) if tail_start < len(text) else ""
    revised = head + text[head_end:tail_start] + tail
    shift = len(head) - head_end
    assert locate(anchor, revised) == (start + shift, end + shift)


@SETTINGS
@given(passages(), edits, edits)
def test_edits_touching_the_context_still_find_the_passage(
    doc: tuple[str, int, int],
    before: list[tuple[int, int, str]],
    after: list[tuple[int, int, str]],
) -> None:
    """Edits up to the separator either side of the passage (so its own words stay whole).

    A quote of ``UNIQUE_LENGTH`` characters or more is always found; a shorter one whose
    surroundings were rewritten may be orphaned (it could as well be another copy of a
    common phrase), but is never misplaced.
    """
    text, start, end = doc
    anchor = make_anchor(text, start, end)
    head = apply(text[: start - 1], before) + text[start - 1] if start else ""
    tail = text[end] + apply(text[end + 1 :], after) if end < len(text) else ""
    revised = head + anchor.quote + tail
    span = locate(anchor, revised)
    if len(anchor.quote) < UNIQUE_LENGTH and span is None:
        return
    assert span is not None
    assert revised[span[0] : span[1]] == anchor.quote
    if occurrences(revised, anchor.quote) == 1:
        assert span == (len(head), len(head) + len(anchor.quote))


@SETTINGS
@given(passages(), st.booleans())
def test_deleted_or_rewritten_passage_is_never_matched_to_other_words(
    doc: tuple[str, int, int], rewrite: bool
) -> None:
    text, start, end = doc
    anchor = make_anchor(text, start, end)
    replacement = ""
    if rewrite:
        unused = [word for word in VOCABULARY if word not in text]
        count = len(anchor.quote.split())
        replacement = " ".join(unused[:count])
    revised = text[:start] + replacement + text[end:]
    span = locate(anchor, revised)
    assert span is None or revised[span[0] : span[1]] == anchor.quote


@SETTINGS
@given(passages(min_words=3), st.data())
def test_one_character_edit_inside_a_long_passage_is_found_exactly(
    doc: tuple[str, int, int], data: st.DataObject
) -> None:
    text, start, end = doc
    assume(end - start >= 20)
    letters = [at for at in range(start, end) if text[at].isalpha()]
    at = data.draw(st.sampled_from(letters))
    kind = data.draw(st.sampled_from(["insert", "delete", "replace"]))
    letter = data.draw(st.sampled_from("qxzjk"))
    cut = 0 if kind == "insert" else 1
    insert = "" if kind == "delete" else letter
    revised = text[:at] + insert + text[at + cut :]
    new_end = end + len(insert) - cut
    assume(revised[start:new_end] != text[start:end])
    anchor = make_anchor(text, start, end)
    assert locate(anchor, revised) == (start, new_end)


# --- examples -------------------------------------------------------------------------------

VETO = "Russia vetoed the draft resolution"


def test_repeated_quote_is_told_apart_by_its_context() -> None:
    text = (
        f"On Monday {VETO} on Ukraine, and China abstained.\n\n"
        f"On Friday {VETO} on Syria, and the chamber fell silent."
    )
    second = text.rindex(VETO)
    anchor = make_anchor(text, second, second + len(VETO))
    # A new opening paragraph moves the first occurrence to exactly where the second one was.
    opening = "x" * (second - text.index(VETO) - 2) + "\n\n"
    revised = opening + text
    assert revised.index(VETO) == anchor.start
    assert locate(anchor, revised) == (len(opening) + second, len(opening) + second + len(VETO))


def test_typo_fix_inside_a_long_quote_is_found_and_the_quote_updated() -> None:
    text = "Officials said the goverment would announce new sanctions on Tuesday. Markets fell."
    quote = "the goverment would announce new sanctions on Tuesday"
    start = text.index(quote)
    note = annotation(text, start, start + len(quote))
    revised = "Update: " + text.replace("goverment", "government")
    moved = reanchor(note, revised)
    assert moved.status == "anchored"
    assert moved.quote == "the government would announce new sanctions on Tuesday"
    assert revised[moved.start : moved.end] == moved.quote
    assert moved.anchor.text_hash == text_hash(revised)
    assert moved.anchor.prefix == revised[max(0, moved.start - CONTEXT) : moved.start]


def test_reworded_quote_is_found_with_word_boundaries() -> None:
    text = "The council met. Russia vetoed the resolution on Ukraine. China abstained."
    start = text.index(VETO.replace("draft ", ""))
    anchor = make_anchor(text, start, text.index(". China"))
    revised = text.replace("resolution", "resolutions")
    span = locate(anchor, revised)
    assert span is not None
    assert revised[span[0] : span[1]] == "Russia vetoed the resolutions on Ukraine"


def test_edit_at_the_passage_edge_does_not_pull_in_the_next_comma() -> None:
    text = "The envoys met in Geneva and Vienna, then flew home."
    anchor = make_anchor(text, 0, text.index(","))
    revised = text.replace("Vienna,", "Vienn,")
    assert locate(anchor, revised) == (0, revised.index(","))


def test_short_quote_is_found_when_moved_but_never_fuzzily() -> None:
    text = "Russia vetoed it. China abstained."
    start = text.index("vetoed")
    anchor = make_anchor(text, start, start + len("vetoed"))
    assert locate(anchor, "Earlier, " + text) == (start + 9, start + 15)
    # Same context, one letter changed: too short to trust a near-match.
    assert locate(anchor, text.replace("vetoed", "vetoes")) is None
    text = "Russia faces new sanctions from Monday."
    start = text.index("sanctions")
    anchor = make_anchor(text, start, start + len("sanctions"))
    assert locate(anchor, text.replace("sanctions", "sanction")) is None


def test_short_quote_never_moves_into_a_longer_word() -> None:
    text = "Kim agreed to the plan. Talks went on."
    start = text.index("the")
    anchor = make_anchor(text, start, start + 3)
    assert locate(anchor, "Kim agreed, and there was no plan. Talks went on.") is None
    revised = "Kim agreed, and there was the plan. Talks went on."
    assert locate(anchor, revised) == (revised.index(" the ") + 1, revised.index(" the ") + 4)
    # The old offsets still hold "plan", but it is now part of "plans".
    anchor = make_anchor("Talks on the plan", 13, 17)
    assert locate(anchor, "Talks on the plans") is None


def test_near_duplicate_elsewhere_does_not_adopt_a_deleted_passage() -> None:
    text = (
        "The council met on Monday. Russia vetoed the resolution on Ukraine. China abstained.\n\n"
        "Later, Russia vetoed the resolution on Syria as well."
    )
    quote = "Russia vetoed the resolution on Ukraine"
    start = text.index(quote)
    anchor = make_anchor(text, start, start + len(quote))
    assert locate(anchor, text.replace(quote + ". ", "")) is None


def test_unrelated_rewrite_orphans_the_note_and_keeps_its_quote() -> None:
    text = "The envoy arrived in Geneva on Sunday. Talks began at once."
    start = text.index("The envoy")
    note = annotation(text, start, text.index(" Talks"))
    revised = "Negotiations were postponed indefinitely. Talks began at once."
    orphan = reanchor(note, revised)
    assert orphan.status == "orphaned"
    assert orphan.anchor == note.anchor
    assert orphan.quote == "The envoy arrived in Geneva on Sunday."
    # When the passage comes back, so does the note.
    assert reanchor(orphan, "Preface. " + text).status == "anchored"


def test_make_anchor_trims_and_records_context() -> None:
    pad = CONTEXT + 8
    text = "a" * pad + "  Russia vetoed it.  " + "b" * pad
    anchor = make_anchor(text, pad, pad + 21)
    assert (anchor.quote, anchor.start, anchor.end) == ("Russia vetoed it.", pad + 2, pad + 19)
    assert anchor.prefix == "a" * (CONTEXT - 2) + "  "
    assert anchor.suffix == "  " + "b" * (CONTEXT - 2)
    assert anchor.text_hash == text_hash(text) != text_hash(text + ".")


@pytest.mark.parametrize(("start", "end"), [(3, 3), (3, 6), (-1, 4), (4, 99), (6, 2)])
def test_make_anchor_refuses_blank_or_out_of_range_spans(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        make_anchor("Kim   agreed.", start, end)


def test_find_quote_matches_straight_quotes_and_loose_whitespace() -> None:
    text = "Putin called it a “breakthrough\n document.” Kim agreed."
    span = find_quote(text, '  a "breakthrough document."  ')
    assert span is not None
    assert text[span[0] : span[1]] == "a “breakthrough\n document.”"
    span = find_quote("Russia’s  veto", "Russia's veto")
    assert span == (0, 14)


def test_find_quote_prefers_an_exact_match_and_reports_absence() -> None:
    text = 'He said "no". She said “no”.'
    assert find_quote(text, "“no”") == (23, 27)
    assert find_quote(text, "maybe") is None


def test_find_quote_refuses_an_ambiguous_quote() -> None:
    with pytest.raises(AmbiguousQuote) as raised:
        find_quote("Russia vetoed it. China vetoed it. France vetoed it.", "vetoed it")
    assert raised.value.count == 3
    with pytest.raises(AmbiguousQuote) as raised:
        find_quote("the “deal” and the „deal“", 'the "deal"')
    assert raised.value.count == 2
    assert isinstance(raised.value, ValueError)
