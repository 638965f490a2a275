from __future__ import annotations

from pathlib import Path

import pytest

from briefing.core.ingest import IngestError, load_file, parse_briefing, plain_text, section_blocks
from tests.conftest import BUNDLED

SECTIONS = ["Treaty terms", "Western reaction", "Legal framework", "UN veto"]


def test_bundled_briefing_has_the_four_sections_in_order() -> None:
    briefing = load_file(BUNDLED)
    assert [s.title for s in briefing.body_sections] == SECTIONS
    assert [s.key for s in briefing.body_sections] == [
        "treaty-terms",
        "western-reaction",
        "legal-framework",
        "un-veto",
    ]
    assert briefing.date == "2024-06-19"
    assert "russia" in briefing.tags
    assert briefing.source and "http" not in briefing.source


def test_bundled_briefing_carries_the_articles_quotations() -> None:
    briefing = load_file(BUNDLED)
    text = {s.key: s.text for s in briefing.sections}
    assert "“breakthrough document”" in text["treaty-terms"]
    assert "If they succeed in Ukraine, it will make us more vulnerable" in text["western-reaction"]
    assert "“flagrant violation”" in text["western-reaction"]
    assert "Article 51" in text["legal-framework"]
    assert "In March" in text["un-veto"]


def test_plain_text_strips_markup_and_joins_blocks_with_blank_lines() -> None:
    markdown = "Hello *world* and [a link](https://x.test).\n\n- one\n- **two**\n\n> said"
    assert plain_text(markdown) == "Hello world and a link.\n\none\n\ntwo\n\nsaid"
    blocks = section_blocks(markdown)
    assert [b.kind for b in blocks] == ["paragraph", "item", "item", "quote"]
    assert [b.marker for b in blocks[1:3]] == ["•", "•"]
    link = next(span for span in blocks[0].spans if span.style == "link")
    assert blocks[0].text[link.start : link.end] == "a link"
    assert link.href == "https://x.test"
    text = plain_text(markdown)
    for block in blocks:
        assert text[block.start : block.end] == block.text


def test_raw_html_is_kept_as_text_never_interpreted() -> None:
    assert plain_text("a <b>bold</b> claim") == "a <b>bold</b> claim"


def test_lead_is_the_text_between_title_and_first_section() -> None:
    briefing = parse_briefing("# T\n\nThe lead.\n\n## One\n\nBody.", slug="t")
    assert briefing.lead == "The lead."
    lead, body = briefing.sections
    assert (lead.key, lead.title, lead.text) == ("lead", "Summary", "The lead.")
    assert body.text == "Body." and briefing.body_sections == (body,)


def test_the_bundled_lead_is_a_first_section_of_key_points() -> None:
    lead = load_file(BUNDLED).sections[0]
    assert (lead.key, lead.title) == ("lead", "Key points")
    assert [b.kind for b in lead.blocks] == ["item"] * 4
    assert "three earlier agreements" in lead.text


def test_no_lead_no_lead_section_and_a_section_titled_lead_keeps_apart() -> None:
    briefing = parse_briefing("# T\n\n## Lead\n\nBody.", slug="t")
    assert [(s.key, s.title) for s in briefing.sections] == [("lead-section", "Lead")]
    assert not briefing.sections[0].is_lead


def test_crlf_and_form_feeds_do_not_shift_sections() -> None:
    text = "# T\r\n\r\n## One\r\n\r\nA\x0cB\u2028C.\r\n\r\n## Two\r\n\r\nD."
    briefing = parse_briefing(text, slug="t")
    assert [s.text for s in briefing.sections][1] == "D."


BAD = {
    "empty": (b"  \n\n", "empty"),
    "latin1": ("# Caf\u00e9\n\n## S\n\nx".encode("latin-1"), "not UTF-8"),
    "bad-yaml": (b"---\ntitle: [unclosed\n---\n# T\n\n## S\n\nx", "front matter is not valid YAML"),
    "yaml-list": (b"---\n- a\n- b\n---\n# T\n\n## S\n\nx", "front matter must be a mapping"),
    "no-title": (b"Just text.\n\n## S\n\nx", "no title"),
    "no-sections": (b"# Title\n\nOnly a lead.", "no sections"),
    "duplicate": (b"# T\n\n## Same\n\na\n\n## Same\n\nb", "duplicate section title"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_refused_with_one_line_naming_file_and_reason(
    tmp_path: Path, name: str
) -> None:
    raw, reason = BAD[name]
    path = tmp_path / f"{name}.md"
    path.write_bytes(raw)
    with pytest.raises(IngestError) as caught:
        load_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert reason in message


def test_a_file_over_5_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    path.write_bytes(b"# T\n\n## S\n\n" + b"x" * (5 * 1024 * 1024))
    with pytest.raises(IngestError, match="over the 5 MB limit"):
        load_file(path)


def test_slug_comes_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "My Briefing (v2).md"
    path.write_text("# T\n\n## S\n\nx", encoding="utf-8")
    assert load_file(path).slug == "my-briefing-v2"


def test_a_file_is_parsed_once_and_its_sections_are_slices_of_that_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from briefing.core import blocks

    calls: list[int] = []
    real = blocks.parse

    def counting(text: str, env: dict[str, object] | None = None) -> object:
        calls.append(len(text))
        return real(text, env)  # type: ignore[arg-type]

    monkeypatch.setattr(blocks, "parse", counting)
    monkeypatch.setattr("briefing.core.ingest.parse", counting)
    briefing = load_file(BUNDLED)
    assert len(calls) == 1
    for section in briefing.sections:  # the same blocks as the section parsed on its own
        assert section.blocks == section_blocks(section.markdown)
