"""The segmenter: sections proposed for unsectioned text, and their titles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.core.rules import slugify
from briefing.core.section_titles import title_sections
from briefing.core.sections import FEATURES, Model, gap_scores, group, segment

pytestmark = pytest.mark.unit

HARBOUR = [
    "The harbour reopened to ships on Thursday after the storm wrecked the quay and cranes.",
    "Harbour crews cleared the quay overnight; the first ship docked at the harbour at dawn.",
    "The harbour master said cranes on the quay would be replaced before summer.",
    "Farmers in the valley report the wheat harvest was the smallest in a decade.",
    "Drought shrank the wheat; valley farmers blame the dry spring for the poor harvest.",
    "Wheat prices rose as the valley harvest fell, and farmers asked for drought aid.",
    "The city council voted to rename the old library after a local poet.",
    "The poet's family welcomed the council vote; the library will hold her papers.",
    "The council library vote passed nine to two; the poet's name goes up in May.",
]

words = st.text(alphabet="abcdefghij klm", min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=30), st.one_of(st.none(), st.integers(1, 12)))
def test_no_paragraph_is_lost_duplicated_or_reordered(units: list[str], wanted: int | None) -> None:
    starts = segment(units, wanted)
    groups = group(units, starts)
    assert [u for g in groups for u in g] == units
    assert all(groups)
    if wanted is not None:
        assert len(groups) == min(wanted, len(units))
    titles = title_sections(groups)
    assert len(titles) == len(groups)
    assert all(t.strip() for t in titles)
    assert len({slugify(t) for t in titles}) == len(titles)


def test_topics_are_found_and_named_by_their_salient_phrase() -> None:
    starts = segment(HARBOUR, 3)
    assert starts == [0, 3, 6]
    titles = title_sections(group(HARBOUR, starts))
    # Each title comes from its own topic's words (single words were expected before;
    # a phrase such as "Wheat harvest" now names the part better than "Wheat").
    topics = [
        {"harbour", "quay", "cranes", "ship", "ships", "master", "crews"},
        {"wheat", "farmers", "harvest", "valley", "drought"},
        {"council", "library", "poet", "vote", "city"},
    ]
    for title, own, others in zip(
        titles, topics, [topics[1:], topics[::2], topics[:2]], strict=True
    ):
        words = set(title.lower().split())
        assert words & own, title
        assert not words & set().union(*others), title
    assert titles[1] == "Wheat harvest"


def test_the_segmenter_is_deterministic() -> None:
    assert segment(HARBOUR) == segment(list(HARBOUR))
    assert title_sections(group(HARBOUR, segment(HARBOUR))) == title_sections(
        group(HARBOUR, segment(HARBOUR))
    )


def test_a_paragraph_that_introduces_a_list_stays_with_it() -> None:
    units = [
        "Install the package with pip and check the version it prints:",
        "```\npip install thing\nthing --version\n```",
        "Configuration lives in a TOML file in your home folder.",
        "- colour: the theme\n- width: the line width",
    ]
    starts = segment(units, 2)
    assert 1 not in starts


#: The real article as imported (a copy of /work/shared/sources/russia-dprk-pact-article.txt).
ARTICLE = Path(__file__).parent / "data" / "russia-dprk-pact-article.txt"


def _article_sections() -> list[list[str]]:
    """The real article's paragraphs (title lines dropped), in its proposed sections."""
    text = ARTICLE.read_text(encoding="utf-8").split("\n\n", 1)[1]
    units = [u.strip() for u in text.split("\n\n") if u.strip()]
    return group(units, segment(units))


def test_the_real_article_gets_noun_phrase_titles_from_each_section() -> None:
    groups = _article_sections()
    titles = title_sections(groups, taken=[ARTICLE_TITLE])
    describing = ("western", "eastern", "northern", "southern", "korean", "russian", "military")
    for title, units in zip(titles, groups, strict=True):
        words = title.split()
        assert 2 <= len(words) <= 5, title
        last = words[-1].lower()
        assert last not in describing and not last.endswith(("ern", "ic", "al", "ive")), title
        assert last not in {"the", "a", "of", "on", "in", "and", "with", "to"}, title
        first_paragraph = {w.strip(".,;:“”’'\"").lower() for w in units[0].split()}
        assert any(w.lower() in first_paragraph for w in words), title
    assert titles[0] == "Mutual defense assistance pact"  # what the signing was about
    assert len(set(titles)) == len(titles)


ARTICLE_TITLE = (
    "Russia and North Korea strengthen alliance with new defense pact despite Western sanctions"
)


def test_a_title_keeps_names_and_does_not_cut_one() -> None:
    groups = [
        [
            "Officials met at the UN Security Council on Monday.",
            "The UN Security Council vote on the ceasefire failed.",
        ],
        ["Farmers in the valley report the wheat harvest was poor.", "Wheat prices rose."],
    ]
    titles = title_sections(groups)
    assert titles[0] == "UN Security Council"
    assert titles[1] == "Wheat harvest"  # "valley report" holds a verb: not a title


def test_titles_avoid_the_briefing_title_and_each_other() -> None:
    groups = [["Harbour harbour harbour quay."], ["Harbour harbour quay quay."]]
    titles = title_sections(groups, taken=["Harbour"])
    assert "Harbour" not in titles
    assert len(set(titles)) == 2


HARBOUR_LONG = [
    "The harbour reopened to ships on Thursday after the storm wrecked the quay and cranes.",
    "Harbour crews cleared the quay overnight; the first ship docked at the harbour at dawn.",
    "The harbour master said cranes on the quay would be replaced before summer.",
    "Ships queued outside the harbour while pilots checked the channel for wreckage.",
    "Dock workers at the harbour were paid overtime to unload the waiting ships.",
]
WHEAT_LONG = [
    "Farmers in the valley report the wheat harvest was the smallest in a decade.",
    "Drought shrank the wheat; valley farmers blame the dry spring for the poor harvest.",
    "Wheat prices rose as the valley harvest fell, and farmers asked for drought aid.",
    "Seed merchants in the valley expect farmers to plant less wheat next autumn.",
    "The drought also dried the valley wells that farmers use to water their wheat.",
]


def test_a_two_topic_text_breaks_where_the_topic_changes() -> None:
    units = HARBOUR_LONG + WHEAT_LONG
    starts = segment(units)
    assert len(units) // 2 in starts
    assert len(starts) <= 3


def test_a_unit_opening_with_a_cue_word_starts_a_section() -> None:
    # Lexically this text is one topic; only the cue word marks where a part begins.
    units = [
        "Zebra crossings were repainted on the main road and the side road.",
        "The road crews repainted the crossings on the main road at night.",
        "Zebra crossings on the side road were repainted by road crews.",
        "Crews on the main road finished the crossings before the morning.",
    ]
    weights = dict.fromkeys(FEATURES, 0.0)
    plain = Model(weights)
    cued = Model({**weights, "cue_opening": 4.0}, opening={"zebra": 2.0})
    assert gap_scores(units, plain) == [0.5, 0.5, 0.5]
    scores = gap_scores(units, cued)
    assert scores[1] > 0.9 > 0.6 > scores[0]
    assert segment(units, 2, model=cued) == [0, 2]


def test_a_readme_gets_its_licence_section_of_its_own() -> None:
    units = [
        "Quayside is a small library for reading tide tables from harbour offices.",
        "```bash\npip install quayside\n```",
        "Open a table with `quayside.open(path)` and ask it for the next high tide.",
        "```python\nimport quayside\ntable = quayside.open('dover.csv')\n```",
        "Times come back in the harbour's own time zone unless you pass `utc=True`.",
        "This project is licensed under the terms of the MIT license.",
    ]
    assert segment(units)[-1] == len(units) - 1
