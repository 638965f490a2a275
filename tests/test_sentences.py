"""The passage cursor moves sentence by sentence: splits must fall where a reader expects."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.core.sentences import paragraphs, sentences


def split(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The U.S. Department of State condemned it. Russia vetoed it.",
            ["The U.S. Department of State condemned it.", "Russia vetoed it."],
            id="U.S. before a name",
        ),
        pytest.param(
            "The U.N. Security Council met twice. The U.K. abstained both times.",
            ["The U.N. Security Council met twice.", "The U.K. abstained both times."],
            id="U.N. and U.K.",
        ),
        pytest.param(
            "The draft was tabled by the U.S. The E.U. followed a day later.",
            ["The draft was tabled by the U.S.", "The E.U. followed a day later."],
            id="U.S. ending a sentence",
        ),
        pytest.param(
            "Gen. Milley met Mr. Kim and Mrs. Park. Dr. Lee joined them in St. Petersburg.",
            ["Gen. Milley met Mr. Kim and Mrs. Park.", "Dr. Lee joined them in St. Petersburg."],
            id="titles",
        ),
        pytest.param(
            "Some members, e.g. France, abstained. Others, i.e. the P5, did not. Oil, gas, etc. "
            "were excluded.",
            [
                "Some members, e.g. France, abstained.",
                "Others, i.e. the P5, did not.",
                "Oil, gas, etc. were excluded.",
            ],
            id="e.g. i.e. etc. mid-sentence",
        ),
        pytest.param(
            "They listed oil, gas, timber, etc. The list was not final.",
            ["They listed oil, gas, timber, etc.", "The list was not final."],
            id="etc. ending a sentence",
        ),
        pytest.param(
            "Talks began on Jan. 12 and ended on Feb. 3. Nothing was agreed.",
            ["Talks began on Jan. 12 and ended on Feb. 3.", "Nothing was agreed."],
            id="months",
        ),
        pytest.param(
            "NATO Secretary-General Jens S. Stoltenberg spoke in Brussels. He urged restraint.",
            [
                "NATO Secretary-General Jens S. Stoltenberg spoke in Brussels.",
                "He urged restraint.",
            ],
            id="initials",
        ),
        pytest.param(
            "Growth was 1.5 per cent. It fell to 0.9 in 2023. Pi is 3.14.",
            ["Growth was 1.5 per cent.", "It fell to 0.9 in 2023.", "Pi is 3.14."],
            id="decimals",
        ),
        pytest.param(
            "Putin called it a “breakthrough document.” Kim agreed.",
            ["Putin called it a “breakthrough document.”", "Kim agreed."],
            id="curly closing quote",
        ),
        pytest.param(
            'The envoy said "the talks are over." Nobody replied.',
            ['The envoy said "the talks are over."', "Nobody replied."],
            id="straight closing quote",
        ),
        pytest.param(
            "“Is this a threat?” The minister paused. “Why?” asked the envoy.",
            ["“Is this a threat?”", "The minister paused.", "“Why?” asked the envoy."],
            id="question in quotes",
        ),
        pytest.param(
            "Kim called it “historic.” “We agree,” said Putin.",
            ["Kim called it “historic.”", "“We agree,” said Putin."],
            id="next sentence opens with a quote",
        ),
        pytest.param(
            "(See Article 51.) Then the Council acted. It was late (too late.) Some said so.",
            [
                "(See Article 51.)",
                "Then the Council acted.",
                "It was late (too late.)",
                "Some said so.",
            ],
            id="closing brackets",
        ),
        pytest.param(
            "He paused... Then he spoke. The parties… agree. The rest is silence…",
            ["He paused...", "Then he spoke.", "The parties… agree.", "The rest is silence…"],
            id="ellipses",
        ),
        pytest.param(
            "Resolution No. 2231 remains in force. Was it renewed? No. The vote failed!",
            ["Resolution No. 2231 remains in force.", "Was it renewed?", "No.", "The vote failed!"],
            id="No. before a number",
        ),
        pytest.param(
            "Sanctions on the central bank, the energy sector and",
            ["Sanctions on the central bank, the energy sector and"],
            id="list item without a full stop",
        ),
        pytest.param("3. Outlook for 2025", ["3. Outlook for 2025"], id="numbered heading"),
        pytest.param("Hello", ["Hello"], id="one word"),
    ],
)
def test_sentence_rules(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_sentences_never_cross_blocks() -> None:
    text = (
        "Key points\n\n"
        "Sanctions on the central bank\n\n"
        "The U.S. agreed. Russia did not\n\n"
        "  “We will respond,” the Kremlin said.  "
    )
    assert split(text) == [
        "Key points",
        "Sanctions on the central bank",
        "The U.S. agreed.",
        "Russia did not",
        "“We will respond,” the Kremlin said.",
    ]


def test_paragraphs_are_trimmed_blocks() -> None:
    text = "  Heading \n\nFirst line\nsame block.\n\n\n\nLast.\n\n"
    assert [text[start:end] for start, end in paragraphs(text)] == [
        "Heading",
        "First line\nsame block.",
        "Last.",
    ]
    assert paragraphs("") == paragraphs(" \n\n ") == []


# Characters that exercise every rule: stops, quotes, brackets, capitals, digits, breaks.
tricky_text = st.text(alphabet="aZ1 .!?…”“\"'()\n\t", max_size=120) | st.lists(
    st.sampled_from(
        ["U.S.", "Gen.", "No.", "3.14", "e.g.", "“Why?”", "(see 5.)", "etc.", "S.", "Then", "\n\n"]
    )
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(tricky_text)
def test_sentences_tile_the_text(text: str) -> None:
    spans = sentences(text)
    blocks = paragraphs(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert "\n\n" not in piece
        assert piece == piece.strip()
        assert any(block_start <= start and end <= block_end for block_start, block_end in blocks)
        previous_end = end
    covered = {at for start, end in spans for at in range(start, end)}
    assert all(at in covered for at, char in enumerate(text) if not char.isspace())


@settings(max_examples=150, deadline=None)
@given(tricky_text)
def test_paragraphs_tile_the_text(text: str) -> None:
    spans = paragraphs(text)
    assert spans == sorted(spans)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert "\n\n" in text[end:start]
    for start, end in spans:
        assert "\n\n" not in text[start:end] and text[start:end] == text[start:end].strip() != ""
    covered = {at for start, end in spans for at in range(start, end)}
    assert all(at in covered for at, char in enumerate(text) if not char.isspace())


# -- scripts without capitals ------------------------------------------------------------

CASELESS = {
    "ko": (
        "북한과 러시아는 조약을 맺었다.",
        "그 조약은 상호 방위를 약속한다.",
        "미국은 우려를 표했다.",
    ),
    "zh": ("俄罗斯和朝鲜签署了条约。", "该条约承诺相互防御！", "美国表示担忧？"),
    "ja": ("ロシアと北朝鮮は条約を結んだ。", "条約は相互防衛を約束する。", "米国は懸念を示した。"),
    "ar": (
        "وقعت روسيا وكوريا الشمالية معاهدة.",
        "تعد المعاهدة بالدفاع المتبادل؟",
        "أعربت واشنطن عن قلقها.",
    ),
    "hi": ("रूस और उत्तर कोरिया ने संधि की।", "संधि रक्षा का वादा करती है।", "अमेरिका ने चिंता जताई।"),
}


@pytest.mark.parametrize("language", sorted(CASELESS))
def test_sentences_split_in_scripts_without_capitals(language: str) -> None:
    expected = CASELESS[language]
    joiner = "" if language in ("zh", "ja") else " "
    text = joiner.join(expected)
    assert [text[a:b] for a, b in sentences(text)] == list(expected)


def test_english_rules_still_hold_beside_other_scripts() -> None:
    text = "Gen. Milley met the U.S. Secretary. He cited No. 2231. 북한은 반발했다."
    assert [text[a:b] for a, b in sentences(text)] == [
        "Gen. Milley met the U.S. Secretary.",
        "He cited No. 2231.",
        "북한은 반발했다.",
    ]


def test_a_long_run_of_chinese_splits_every_sentence() -> None:
    one = "该条约承诺相互防御。"
    text = one * 3000  # cut into chunks for the splitter: no sentence is lost at a cut
    spans = sentences(text)
    assert len(spans) == 3000 and all(text[a:b] == one for a, b in spans)


def test_persian_bidi_marks_are_kept_and_overrides_are_not() -> None:
    from briefing.core.safetext import visible

    persian = "این \u200cیک متن\u200f است \u200e(2024)\u200e و \u061cپایان"
    assert visible(persian) == persian
    assert visible("a\u202eb\u2067c\u2069") == "a\ufffdb\ufffdc\ufffd"
