"""Search: what an analyst notices when looking for a word, a phrase or a tag.

Run ``python tests/test_search.py`` for a rough timing on a synthetic library
of 2,000 briefings x 5 sections (not part of the test suite).
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.core.ingest import parse_briefing
from briefing.core.model import Anchor, Annotation, Briefing
from briefing.core.search.index import (
    Hit,
    Query,
    SearchIndex,
    find_matches,
    fold,
    parse_query,
)

PACT = """\
---
title: Russia–DPRK pact in force
---

# Russia–DPRK pact in force

A lead paragraph, searched like a section.

## Summary

Putin and Kim signed a pact in Pyongyang. The pact revives a mutual defence clause.

## Sanctions

UN sanctions on the DPRK are eroding. Russia’s veto ended the panel of experts.

## Résumé of talks

The ﬁnal communiqué was short.
"""

TRADE = """\
# Grain corridor

## Shipping

Freighters carry grain from Odesa. Insurers watch the Black Sea.

## Prices

Wheat prices fell after the first convoy.
"""


def briefing(text: str, slug: str) -> Briefing:
    return parse_briefing(text, slug=slug)


def simple(slug: str, title: str, sections: dict[str, str]) -> Briefing:
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
    return parse_briefing(f"# {title}\n\n{body}\n", slug=slug)


def note(
    b: Briefing,
    section: str,
    quote: str,
    text: str = "",
    tags: tuple[str, ...] = (),
    ident: str = "a1",
) -> Annotation:
    sec = b.section(section)
    assert sec is not None
    start = sec.text.index(quote)
    anchor = Anchor(
        quote=quote,
        prefix=sec.text[max(0, start - 32) : start],
        suffix=sec.text[start + len(quote) : start + len(quote) + 32],
        start=start,
        end=start + len(quote),
        text_hash="",
    )
    return Annotation(
        id=ident, user="ana", briefing=b.slug, section=section, anchor=anchor, note=text, tags=tags
    )


@pytest.fixture
def pact() -> Briefing:
    return briefing(PACT, "pact")


@pytest.fixture
def trade() -> Briefing:
    return briefing(TRADE, "trade")


@pytest.fixture
def index(pact: Briefing, trade: Briefing) -> SearchIndex:
    return SearchIndex([pact, trade])


def places(hits: list[Hit]) -> list[tuple[str, str, str]]:
    return [(hit.briefing, hit.section, hit.kind) for hit in hits]


def matched(b: Briefing, hit: Hit) -> str:
    sec = b.section(hit.section)
    assert sec is not None
    return sec.text[hit.start : hit.end]


# --------------------------------------------------------------------------- query syntax


def test_parse_query_splits_words_phrases_and_tags() -> None:
    query = parse_query('Sanctions  "Mutual   Defence" tag:#Trade')
    assert query == Query(terms=("sanctions",), phrases=("mutual defence",), tags=("trade",))


def test_parse_query_folds_and_tidies() -> None:
    query = parse_query("(Résumé), “curly phrase” TAG:Ünïon - tag: sanctions sanctions")
    assert query.terms == ("resume", "sanctions")  # wrapping punctuation gone, no dupes
    assert query.phrases == ("curly phrase",)
    assert query.tags == ("union",)  # an empty tag: is ignored


def test_parse_query_unclosed_quote_runs_to_the_end() -> None:
    assert parse_query('pact "mutual defence').phrases == ("mutual defence",)


def test_fold_is_case_accent_and_compatibility_insensitive() -> None:
    assert fold("Résumé ﬁnal STRASSE Straße Kim’s") == "resume final strasse strasse kim's"


# --------------------------------------------------------------------------- matching rules


def test_empty_query_finds_nothing(index: SearchIndex) -> None:
    for text in ("", "   ", '""', "-", "tag:"):
        assert index.search(text) == []
        assert find_matches(PACT, text) == []
    assert index.search(Query()) == []


def test_case_insensitive(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("PYONGYANG")
    assert places(hits) == [("pact", "summary", "text")]
    assert matched(pact, hits[0]) == "Pyongyang"


def test_accent_insensitive_both_ways(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("communique")
    assert places(hits) == [("pact", "resume-of-talks", "text")]
    assert matched(pact, hits[0]) == "communiqué"
    accented = simple("plain", "Plain", {"Notes": "He sent his resume."})
    assert places(SearchIndex([accented]).search("résumé")) == [("plain", "notes", "text")]


def test_ligature_matches_plain_letters(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("final")
    assert places(hits) == [("pact", "resume-of-talks", "text")]
    assert matched(pact, hits[0]) == "ﬁnal"
    assert places(index.search("ﬁnal")) == places(hits)


def test_curly_and_straight_apostrophes_are_equal(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("russia's veto")
    assert places(hits) == [("pact", "sanctions", "text")]
    assert matched(pact, hits[0]) == "Russia’s"
    straight = simple("s", "S", {"Notes": "Russia's veto"})
    assert len(SearchIndex([straight]).search("Russia’s")) == 1


def test_words_match_at_the_start_of_words(index: SearchIndex) -> None:
    assert places(index.search("sanction")) == [("pact", "sanctions", "title")]
    assert places(index.search("expert")) == [("pact", "sanctions", "text")]
    assert index.search("xperts") == []  # not inside a word
    assert index.search("anctions") == []


def test_all_words_must_match_in_any_order(index: SearchIndex) -> None:
    assert places(index.search("pact putin")) == [("pact", "summary", "text")]
    assert places(index.search("putin pact")) == [("pact", "summary", "text")]
    assert index.search("putin odesa") == []


def test_words_in_two_different_sections_do_not_match(index: SearchIndex) -> None:
    assert index.search("putin veto") == []  # "Summary" has putin, "Sanctions" has veto
    assert index.search("freighters wheat") == []  # two sections of the same briefing


def test_section_heading_and_text_match_together(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("talks communique")
    assert places(hits) == [("pact", "resume-of-talks", "text")]
    assert matched(pact, hits[0]) == "communiqué"  # offsets are in the section text


def test_phrase_matches_exact_words_in_order(index: SearchIndex) -> None:
    assert places(index.search('"pact in pyongyang"')) == [("pact", "summary", "text")]
    assert index.search('"pyongyang pact"') == []
    assert places(index.search("pyongyang pact")) == [("pact", "summary", "text")]
    # whole words: the phrase "sanction" is not a prefix search
    assert index.search('"sanction"') == []
    assert places(index.search('"sanctions"')) == [("pact", "sanctions", "title")]


def test_phrase_ignores_case_accents_and_whitespace() -> None:
    b = simple("ws", "Whitespace", {"Notes": "The **Mutual**  \nDéfence clause."})
    assert "Mutual\nDéfence" in b.sections[0].text  # a hard line break
    hits = SearchIndex([b]).search('"mutual defence clause"')
    assert len(hits) == 1
    assert matched(b, hits[0]) == "Mutual\nDéfence clause"


def test_the_lead_is_searched_like_a_section(index: SearchIndex) -> None:
    assert places(index.search("searched like")) == [("pact", "lead", "text")]


def test_phrase_and_words_combine(index: SearchIndex) -> None:
    assert len(index.search('"mutual defence" kim')) == 1
    assert index.search('"mutual defence" veto') == []


# --------------------------------------------------------------------------- ranking


def test_briefing_title_hit_comes_first(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("pact")
    # the title hit opens the briefing at its top: the lead
    assert places(hits) == [("pact", "lead", "title"), ("pact", "summary", "text")]
    title = hits[0]
    assert title.snippet == "Russia–DPRK pact in force"
    assert (title.start, title.end) == (0, 0)
    assert hits[0].score > hits[1].score


def test_heading_hits_rank_above_text_hits_with_more_matches() -> None:
    many = simple("a-many", "Weekly", {"Outlook": "Oil oil oil oil oil, oil and more oil."})
    heading = simple("b-heading", "Weekly", {"Oil markets": "Quiet week."})
    named = simple("c-named", "Oil weekly", {"Outlook": "Nothing here."})
    hits = SearchIndex([many, heading, named]).search("oil")
    assert places(hits) == [
        ("c-named", "outlook", "title"),
        ("b-heading", "oil-markets", "title"),
        ("a-many", "outlook", "text"),
    ]
    assert hits[1].snippet == "Oil markets"
    assert (hits[1].start, hits[1].end, hits[1].matches) == (0, 0, ())


def test_more_matches_rank_higher() -> None:
    one = simple("a-one", "Alpha", {"Body": "Grain once."})
    three = simple("b-three", "Beta", {"Body": "Grain, grain and grain."})
    two = simple("c-two", "Gamma", {"Body": "Grain and more grain."})
    hits = SearchIndex([one, three, two]).search("grain")
    assert [hit.briefing for hit in hits] == ["b-three", "c-two", "a-one"]
    assert [hit.score for hit in hits] == [3.0, 2.0, 1.0]


def test_score_counts_every_word_a_prefix_matches() -> None:
    b = simple("s", "S", {"Sanction policy": "Sanctions, sanctioned, unsanctioned. SANCTION!"})
    (hit,) = SearchIndex([b]).search("sanction")
    assert hit.kind == "title"
    assert hit.score == 1000 + 3 * 1 + 3  # heading counts triple; "unsanctioned" is no match
    assert len(hit.matches) == 3
    (phrase_hit,) = SearchIndex([b]).search('"sanctions, sanctioned"')
    assert (phrase_hit.kind, phrase_hit.score) == ("text", 1.0)


def test_ties_break_by_slug_then_section_order() -> None:
    z = simple("zulu", "Z", {"First": "Grain.", "Second": "Grain."})
    a = simple("alpha", "A", {"Later": "Grain.", "Earlier": "Grain."})
    hits = SearchIndex([z, a]).search("grain")
    assert places(hits) == [
        ("alpha", "later", "text"),
        ("alpha", "earlier", "text"),
        ("zulu", "first", "text"),
        ("zulu", "second", "text"),
    ]
    assert hits == SearchIndex([a, z]).search("grain")  # insertion order does not matter


# --------------------------------------------------------------------------- notes


@pytest.fixture
def annotated(pact: Briefing, trade: Briefing) -> tuple[SearchIndex, list[Annotation]]:
    notes = [
        note(pact, "sanctions", "Russia’s veto", "Blocks the panel; watch Moscow.", ("UN",), "n1"),
        note(pact, "summary", "mutual defence clause", "Article 4 revived.", ("#Treaty",), "n2"),
        note(trade, "shipping", "Black Sea", "Insurance premiums rising.", ("shipping",), "n3"),
    ]
    return SearchIndex([pact, trade], notes), notes


def test_note_hit_points_at_the_annotated_passage(
    annotated: tuple[SearchIndex, list[Annotation]],
) -> None:
    index, notes = annotated
    hits = index.search("moscow")
    assert places(hits) == [("pact", "sanctions", "note")]
    hit = hits[0]
    assert hit.annotation == "n1"
    assert (hit.start, hit.end) == (notes[0].start, notes[0].end)
    assert "Moscow" in hit.snippet


def test_note_search_covers_note_tags_and_quote(
    annotated: tuple[SearchIndex, list[Annotation]],
) -> None:
    index, _ = annotated
    # "article" is in the note, "treaty" only in its tags, "clause" in the quote
    hits = index.search("article treaty clause")
    assert [(hit.kind, hit.annotation) for hit in hits] == [("note", "n2")]
    assert "Article 4 revived." in hits[0].snippet
    # words of two different notes do not combine
    assert index.search("moscow premiums") == []


def test_note_snippet_shows_the_quote_when_the_match_is_there(
    annotated: tuple[SearchIndex, list[Annotation]],
) -> None:
    index, _ = annotated
    hits = index.search("veto", notes_only=True)
    assert [(hit.annotation, hit.snippet) for hit in hits] == [("n1", "Russia’s veto")]


def test_text_and_note_hits_come_together(
    annotated: tuple[SearchIndex, list[Annotation]],
) -> None:
    index, _ = annotated
    hits = index.search("veto")
    assert {(hit.kind, hit.annotation) for hit in hits} == {("text", None), ("note", "n1")}


def test_tag_query_returns_only_tagged_notes(
    annotated: tuple[SearchIndex, list[Annotation]],
) -> None:
    index, _ = annotated
    hits = index.search("tag:treaty")
    assert [(hit.kind, hit.annotation) for hit in hits] == [("note", "n2")]
    assert hits[0].snippet == "Article 4 revived."
    assert [hit.annotation for hit in index.search("tag:#TREATY")] == ["n2"]
    assert [hit.annotation for hit in index.search("tag:un")] == ["n1"]
    assert index.search("tag:tre") == []  # tags match exactly


def test_tag_and_words_must_both_hold(annotated: tuple[SearchIndex, list[Annotation]]) -> None:
    index, _ = annotated
    assert [hit.annotation for hit in index.search("tag:un panel")] == ["n1"]
    assert index.search("tag:un insurance") == []  # the word is in another note
    assert index.search("tag:un putin") == []  # the word is only in the briefing text


def test_notes_only(annotated: tuple[SearchIndex, list[Annotation]]) -> None:
    index, _ = annotated
    assert {hit.kind for hit in index.search("black sea")} == {"text", "note"}
    hits = index.search("black sea", notes_only=True)
    assert [(hit.kind, hit.annotation) for hit in hits] == [("note", "n3")]


def test_briefing_filter(annotated: tuple[SearchIndex, list[Annotation]]) -> None:
    index, _ = annotated
    assert {hit.briefing for hit in index.search("the")} == {"pact", "trade"}
    assert {hit.briefing for hit in index.search("the", briefing="trade")} == {"trade"}
    assert [hit.annotation for hit in index.search("tag:shipping", briefing="pact")] == []
    assert index.search("the", briefing="missing") == []


def test_limit_keeps_the_best(index: SearchIndex) -> None:
    everything = index.search("the")
    assert len(everything) > 2
    assert index.search("the", limit=2) == everything[:2]
    assert index.search("the", limit=0) == []


def test_set_annotations_replaces_the_notes(
    annotated: tuple[SearchIndex, list[Annotation]],
) -> None:
    index, notes = annotated
    index.set_annotations(notes[:1])
    assert index.search("tag:treaty") == []
    assert [hit.annotation for hit in index.search("tag:un")] == ["n1"]


def test_notes_on_briefings_not_loaded_are_not_returned(pact: Briefing) -> None:
    orphan = note(pact, "summary", "Putin", "Follow up", ident="gone")
    index = SearchIndex([], [orphan])
    assert index.search("follow") == []
    index.add_briefing(pact)
    assert [hit.annotation for hit in index.search("follow")] == ["gone"]


# --------------------------------------------------------------------------- index upkeep


def test_add_briefing_replaces_one_with_the_same_slug(index: SearchIndex) -> None:
    assert index.search("odesa")
    index.add_briefing(simple("trade", "Grain corridor", {"Shipping": "Ships left Constanța."}))
    assert index.search("odesa") == []
    assert places(index.search("constanta")) == [("trade", "shipping", "text")]


def test_remove_briefing(index: SearchIndex) -> None:
    assert index.search("pyongyang")
    index.remove_briefing("pact")
    assert index.search("pyongyang") == []
    assert index.search("sanctions") == []
    index.remove_briefing("never-there")  # no error
    assert index.search("odesa")


def test_query_object_is_accepted(index: SearchIndex) -> None:
    assert index.search(Query(terms=("Pyongyang",))) == index.search("pyongyang")
    assert index.search(Query(phrases=("PACT IN   Pyongyang",))) == index.search(
        '"pact in pyongyang"'
    )


# --------------------------------------------------------------------------- hits for the reader


def test_text_hit_lists_every_match_for_highlighting(index: SearchIndex, pact: Briefing) -> None:
    hits = index.search("pact")
    text_hit = next(hit for hit in hits if hit.kind == "text")
    sec = pact.section("summary")
    assert sec is not None
    assert [sec.text[s:e] for s, e in text_hit.matches] == ["pact", "pact"]
    assert (text_hit.start, text_hit.end) == text_hit.matches[0]
    assert text_hit.matches == tuple(find_matches(sec.text, "pact"))


def test_find_matches_maps_offsets_back_to_the_original_text() -> None:
    text = "Le ﬁnal RÉSUMÉ: e\u0301te\u0301 à Straße, Kim’s ﬁle."
    spans = find_matches(text, "final resume ete strasse kim's file")
    assert [text[s:e] for s, e in spans] == [
        "ﬁnal",
        "RÉSUMÉ",
        "e\u0301te\u0301",  # combining accents belong to the match
        "Straße",
        "Kim’s",
        "ﬁle",
    ]


def test_find_matches_is_sorted_and_merged() -> None:
    text = "Korean talks; the korea desk. North Korean"
    spans = find_matches(text, "talks korea korean")
    assert spans == [(0, 6), (7, 12), (18, 23), (36, 42)]
    assert find_matches(text, '"north korean" korea') == [(0, 5), (18, 23), (30, 42)]


def test_find_matches_ignores_tags() -> None:
    assert find_matches("sanctions", "tag:sanctions") == []


def test_snippet_is_one_line_around_the_match_with_ellipses() -> None:
    before = " ".join(f"w{i}" for i in range(60))
    after = "\n".join(f"x{i}" for i in range(60))
    b = simple("long", "Long", {"Body": f"{before} Pyongyang {after}"})
    hit = SearchIndex([b]).search("pyongyang")[0]
    assert "Pyongyang" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "\n" not in hit.snippet
    assert 60 <= len(hit.snippet) <= 84
    for word in hit.snippet.strip("…").split():  # cut between words, not inside one
        assert word in {"Pyongyang", *before.split(), *after.split()}


def test_snippet_of_a_short_text_is_not_cut(index: SearchIndex) -> None:
    hit = index.search("communique")[0]
    assert hit.snippet == "The ﬁnal communiqué was short."


@given(
    st.lists(
        st.sampled_from(["Résumé", "ﬁnal", "Straße", "e\u0301te\u0301", "Kim’s", "ÉTÉ", "x"]),
        max_size=12,
    ),
    st.sampled_from(["resume", "final", "strasse", "ete", "kim's", "fin", "et"]),
)
def test_find_matches_spans_fold_to_the_query(words: list[str], term: str) -> None:
    text = " ".join(words)
    expected = sum(1 for word in words if fold(word).startswith(term))
    spans = find_matches(text, term)
    assert len(spans) == expected
    for start, end in spans:
        assert fold(text[start:end]).startswith(term)
        assert start == 0 or text[start - 1] == " "
        assert not unicodedata.combining(text[end]) if end < len(text) else True


# --------------------------------------------------------------------------- timing (manual)


def _benchmark() -> None:  # pragma: no cover - run by hand
    import random
    import statistics
    import time

    from briefing.core.model import Section

    rng = random.Random(7)
    syllables = ["ka", "ro", "mi", "sen", "tal", "vor", "un", "pe", "li", "dra", "nos", "ber"]
    vocab = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20000)]
    vocab += ["the", "of", "sanctions", "Pyongyang", "Kim’s", "résumé", "missile"] * 300

    def prose(size: int) -> str:
        return " ".join(rng.choices(vocab, k=size // 7))

    library = [
        Briefing(
            slug=f"b{number:04d}",
            title=prose(40),
            meta={},
            lead="",
            sections=tuple(
                Section(key=f"s{i}", title=prose(25), markdown="", text=prose(1500))
                for i in range(5)
            ),
        )
        for number in range(2000)
    ]
    notes = [
        Annotation(
            id=f"a{i}",
            user="u",
            briefing=f"b{i % 2000:04d}",
            section="s1",
            anchor=Anchor(prose(60), "", "", 10, 70, ""),
            note=prose(120),
            tags=(rng.choice(["sanctions", "trade", "nuclear"]),),
        )
        for i in range(5000)
    ]
    index = SearchIndex(library, notes)
    started = time.perf_counter()
    index.search("warm up")
    print(f"first search (folds, indexes 10,000 sections): {time.perf_counter() - started:.2f} s")
    rare = next(word for word in vocab if len(word) >= 10)  # in a handful of sections
    queries = [rare, f"{rare[:5]} the", "kavor", "pyongyang missile", '"kim\'s résumé"']
    for query in [*queries, "tag:nuclear kavor", "the", "k"]:
        for limit in (50, None):
            times = []
            for _ in range(7):
                started = time.perf_counter()
                count = len(index.search(query, limit=limit))
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"{query!r:24} limit={limit!s:5} median {statistics.median(times):6.1f} ms"
                f"  max {max(times):6.1f} ms  {count} hits"
            )


if __name__ == "__main__":
    _benchmark()
