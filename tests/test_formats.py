"""Any article into canonical briefing Markdown: Markdown variants, plain text, HTML."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.core.formats import Options, briefing_markdown, kind_for, to_markdown
from briefing.core.ingest import IngestError, parse_briefing
from briefing.store.facade import content_hash
from tests.conftest import BUNDLED, ROOT

pytestmark = pytest.mark.unit
HTML_PAGE = ROOT / "tests" / "data" / "web" / "harbour-article.html"


def briefing_of(text: str, kind: str = "markdown", name: str = "note.md", **options: object):  # type: ignore[no-untyped-def]
    markdown = to_markdown(
        text,
        kind,  # type: ignore[arg-type]
        name=name,
        origin=name,
        options=Options(**options),  # type: ignore[arg-type]
    )
    return parse_briefing(markdown, slug="note", origin=name)


def all_text(briefing) -> str:  # type: ignore[no-untyped-def]
    return "\n\n".join([briefing.lead, *(s.text for s in briefing.body_sections)])


def test_a_sectioned_briefing_passes_through_unchanged() -> None:
    text = BUNDLED.read_text("utf-8")
    assert to_markdown(text, "markdown", name=BUNDLED.name, origin="x") == text


def test_an_obsidian_note_without_a_heading_takes_its_title_from_the_file_name() -> None:
    note = (
        "---\ntags: [meeting, harbour]\naliases: [port sync]\n---\n"
        "Met the [[Harbour Master|harbour master]] about the quay repairs and [[Cranes]].\n\n"
        "The cranes arrive in May; until then big ships use the south terminal.\n"
    )
    briefing = briefing_of(note, name="Port meeting 2024-03-14.md")
    assert briefing.title == "Port meeting 2024-03-14"
    assert briefing.tags == ("meeting", "harbour")
    text = all_text(briefing)
    assert "Met the harbour master about the quay repairs and Cranes." in text
    assert "[[" not in text


def test_a_short_first_line_is_the_title_when_there_is_no_heading() -> None:
    briefing = briefing_of("Quay repairs\n\nThe quay reopened.\n\nCranes come in May.\n")
    assert briefing.title == "Quay repairs"
    assert "Quay repairs" not in all_text(briefing)


def test_the_front_matter_title_wins() -> None:
    briefing = briefing_of("---\ntitle: From front matter\n---\nFirst line\n\nBody text.\n")
    assert briefing.title == "From front matter"
    assert "First line" in all_text(briefing)


def test_a_pandoc_title_block_gives_title_author_and_date() -> None:
    text = (
        "% Storm damage at Valmora\n% Ines Marlow; Tomas Relling\n% 14 March 2024\n\n"
        "The quay was wrecked.\n\n## Repairs\n\nCranes are on order.\n"
    )
    briefing = briefing_of(text)
    assert briefing.title == "Storm damage at Valmora"
    assert briefing.meta["author"] == "Ines Marlow; Tomas Relling"
    assert briefing.date == "14 March 2024"
    assert [s.title for s in briefing.body_sections] == ["Repairs"]
    assert briefing.lead == "The quay was wrecked."


def test_markdown_without_sections_gets_them_proposed_and_keeps_every_block() -> None:
    paragraphs = [f"Paragraph {n} about {topic}." for n, topic in enumerate("abcdef")]
    text = "# Title\n\n" + "\n\n".join(paragraphs) + "\n\n```\ncode  stays\n```\n"
    briefing = briefing_of(text, sections=3)
    assert len(briefing.body_sections) == 3
    assert all_text(briefing).strip().split("\n\n") == [*paragraphs, "code  stays"]


def test_split_none_makes_one_section() -> None:
    briefing = briefing_of("# T\n\nOne.\n\nTwo.\n\nThree.\n", split="none")
    assert len(briefing.body_sections) == 1
    assert briefing.body_sections[0].text == "One.\n\nTwo.\n\nThree."


def test_sections_n_resplits_even_a_sectioned_file() -> None:
    briefing = briefing_of(BUNDLED.read_text("utf-8"), sections=2)
    assert len(briefing.body_sections) == 2


TEXT = """\
Port of Valmora reopens after storm damage
By Ines Marlow
14 March 2024

The Port of Valmora reopened on Thursday, three weeks after a storm.

Crews worked through the night: *debris*, [cranes] and #3 berth_side.
- Not a list, 2024. Not a number.
"""


def test_plain_text_title_byline_dateline_and_literal_characters() -> None:
    briefing = briefing_of(TEXT, "text", name="port.txt")
    assert briefing.title == "Port of Valmora reopens after storm damage"
    assert briefing.meta["author"] == "Ines Marlow"
    assert briefing.date == "2024-03-14"
    text = all_text(briefing)
    assert "Crews worked through the night: *debris*, [cranes] and #3 berth_side." in text
    assert "- Not a list, 2024. Not a number." in text


def test_a_title_line_with_a_label_glued_on_uses_the_repeated_title() -> None:
    text = "Big news today News\nphoto / Agency\nBig news today\n\nFirst paragraph here.\n"
    briefing = briefing_of(text, "text", name="a.txt")
    assert briefing.title == "Big news today"
    assert briefing.meta["category"] == "News"
    assert briefing.lead == ""  # a photo credit is not the lead: it is kept as such
    assert briefing.meta["image_credit"] == "photo / Agency"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
            max_size=60,
        ).filter(lambda s: s.strip()),
        min_size=1,
        max_size=6,
    )
)
def test_every_word_of_a_text_comes_through_in_order(paragraphs: list[str]) -> None:
    text = "Title line\n\n" + "\n\n".join(paragraphs) + "\n"
    briefing = briefing_of(text, "text", name="t.txt")
    assert all_text(briefing).split() == " ".join(paragraphs).split()


def test_formats_are_known_by_suffix_or_by_their_first_bytes() -> None:
    assert kind_for("a.markdown") == "markdown"
    assert kind_for("a.TXT") == "text"
    assert kind_for("a.htm") == "html"
    assert kind_for("", b"  <!DOCTYPE html><html>") == "html"
    assert kind_for("", b"---\ntitle: x\n---\n") == "markdown"
    assert kind_for("", b"Just words.\n\nMore words.") == "text"


def test_an_html_page_keeps_the_article_and_its_metadata_only() -> None:
    markdown = to_markdown(HTML_PAGE.read_text("utf-8"), "html", name=HTML_PAGE.name, origin="page")
    briefing = parse_briefing(markdown, slug="page")
    assert briefing.title == "Port of Valmora reopens after storm damage"
    assert briefing.meta["author"] == "Ines Marlow"
    assert briefing.meta["site"] == "The Coastal Ledger"
    assert briefing.meta["url"] == "https://ledger.example/news/valmora-port-reopens"
    assert briefing.date == "2024-03-14"
    assert [s.title for s in briefing.body_sections] == ["Repairs and costs", "Effect on trade"]
    text = all_text(briefing)
    assert "four hundred metres of fendering" in text
    for junk in ("Subscribe", "ADVERTISEMENT", "SPONSORED", "Seagull42", "sourdough", "Cookie"):
        assert junk not in markdown


def test_a_page_with_no_article_is_refused() -> None:
    with pytest.raises(IngestError, match="no article text found"):
        to_markdown(
            "<html><head><title>Nothing</title></head><body></body></html>",
            "html",
            name="",
            origin="p",
        )


def test_without_the_web_extra_html_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "trafilatura", None)
    with pytest.raises(IngestError, match=re.escape("pip install 'briefing[web]'")):
        to_markdown("<html><body><p>x</p></body></html>", "html", name="", origin="p")


def test_show_markdown_of_the_bundled_briefing_reimports_to_the_same_briefing() -> None:
    original = parse_briefing(BUNDLED.read_text("utf-8"), slug="russia-dprk-pact")
    printed = briefing_markdown(original)
    again = parse_briefing(printed, slug="russia-dprk-pact")
    assert again == original
    assert content_hash(again) == content_hash(original)
    assert briefing_markdown(again) == printed


def test_a_pages_facts_are_carried_into_the_export() -> None:
    from briefing.core.export import ExportItem, export_markdown

    markdown = to_markdown(HTML_PAGE.read_text("utf-8"), "html", name="p.html", origin="p")
    briefing = parse_briefing(markdown, slug="page")
    document = export_markdown([ExportItem(briefing, ())], exported_at="2024-03-15", version="x")
    front = document.split("\n---\n", 1)[0]
    assert "url: https://ledger.example/news/valmora-port-reopens" in front
    assert "site: The Coastal Ledger" in front
    assert "Ines Marlow" in front
    assert "Author: Ines Marlow · Site: The Coastal Ledger · Date: 2024-03-14" in document
    assert briefing.facts == (
        "Ines Marlow",
        "The Coastal Ledger",
        "2024-03-14",
        "https://ledger.example/news/valmora-port-reopens",
    )
