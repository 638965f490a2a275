"""The outline editor: the edits themselves, then the screen, saving through re-import."""

from __future__ import annotations

import pytest

from briefing.core.ingest import load_file, parse_briefing
from briefing.core.outline_edit import Break, OutlineError, outline_of, paragraphs_of
from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.screens.outline import OutlineScreen
from briefing.tui.screens.reader import ReaderScreen
from tests.conftest import BUNDLED, SLUG

LAST_OF_TREATY_TERMS = "Beyond these points, the pact’s complete contents remain unpublished."


@pytest.mark.unit
def test_the_bundled_outline_saves_to_the_same_briefing() -> None:
    briefing = load_file(BUNDLED)
    outline = outline_of(briefing)
    assert [b.title for b in outline.breaks] == [s.title for s in briefing.body_sections]
    assert parse_briefing(outline.to_markdown(), slug=SLUG) == briefing


@pytest.mark.unit
def test_paragraphs_are_top_level_blocks_and_nothing_is_lost() -> None:
    markdown = "One\ntwo.\n\n- a\n\n- b\n\n```\nx\n\ny\n```\n\n[ref]: https://x.test\n\nEnd."
    chunks = paragraphs_of(markdown)
    assert chunks == [
        "One\ntwo.",
        "- a\n\n- b",
        "```\nx\n\ny\n```\n\n[ref]: https://x.test",
        "End.",
    ]


@pytest.mark.unit
def test_breaks_move_within_their_neighbours_and_every_edit_keeps_the_text() -> None:
    outline = outline_of(load_file(BUNDLED))
    first = outline.breaks[1].at  # Western reaction
    up = outline.move_break(1, -1)
    assert up.breaks[1].at == first - 1 and up.paragraphs == outline.paragraphs
    moved = parse_briefing(up.to_markdown(), slug=SLUG)
    assert moved.section("western-reaction").text.startswith(LAST_OF_TREATY_TERMS)  # type: ignore[union-attr]
    with pytest.raises(OutlineError, match="at least one paragraph"):
        outline.move_break(3, +5)
    added = outline.add_break(3, "Signing")
    assert Break(3, "Signing") in added.breaks
    with pytest.raises(OutlineError, match="already titled"):
        added.rename(0, "signing")
    merged = added.merge_with_next(0)
    assert merged.breaks == outline.breaks
    joined = outline.remove_break(0)  # Treaty terms joins the lead
    assert (
        parse_briefing(joined.to_markdown(), slug=SLUG)
        .sections[0]
        .text.endswith(LAST_OF_TREATY_TERMS)
    )
    lead = outline.set_lead("A new lead.\n\nIn two paragraphs.")
    assert lead.lead == "A new lead.\n\nIn two paragraphs."
    assert lead.paragraphs[lead.breaks[0].at :] == outline.paragraphs[outline.breaks[0].at :]


async def test_moving_a_break_and_saving_keeps_a_note_on_its_passage(store: Store) -> None:
    quote = "Their worries centre on its possible consequences for regional security"
    text = store.section(SLUG, "western-reaction").text
    start = text.index(quote)
    note = store.add_annotation(
        SLUG, "western-reaction", start, start + len(quote), note="Whose worries?"
    )
    lead = store.section(SLUG, "lead").text
    at = lead.index("three earlier agreements")
    on_lead = store.add_annotation(SLUG, "lead", at, at + len("three earlier agreements"))
    app = make_app(store, SLUG, "western-reaction")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OutlineScreen)
        assert screen.check_action("save", ()) is False  # nothing to save yet
        assert screen.paragraph == screen.outline.breaks[1].at  # at the section being read
        await pilot.press("J")  # its break down a paragraph: Treaty terms takes that one
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        treaty = app.screen.briefing.section("treaty-terms")
        assert treaty is not None and quote in treaty.text.split("\n\n")[-1]
    kept = {a.id: a for a in store.annotations(SLUG)}
    moved = kept[note.id]
    assert moved.status == "anchored" and moved.note == "Whose worries?"
    assert moved.section == "treaty-terms"
    assert store.section(SLUG, "treaty-terms").text[moved.start : moved.end] == quote
    assert kept[on_lead.id].section == "lead" and kept[on_lead.id].status == "anchored"


async def test_undo_rename_and_leaving_without_saving_change_nothing(store: Store) -> None:
    before = store.get(SLUG)
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OutlineScreen)
        await pilot.press("down", "r", "ctrl+u", *"Terms", "enter")
        await pilot.pause()
        assert screen.outline.breaks[0].title == "Terms"
        await pilot.press("u")
        assert screen.outline.breaks[0].title == "Treaty terms"
        assert screen.check_action("undo", ()) is False
        await pilot.press("d")  # Treaty terms joins the lead...
        await pilot.press("escape")  # ...unsaved: the first escape warns
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    assert store.get(SLUG) == before


async def test_the_outline_is_not_offered_to_a_served_reader(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_SERVED", "1")
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.check_action("outline", ()) is False
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_the_lead_is_edited_in_a_text_area_and_saved_as_the_lead(store: Store) -> None:
    app = make_app(store, SLUG, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OutlineScreen)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"A shorter lead.", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen and screen.outline.lead.startswith("A shorter lead.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert store.section(SLUG, "lead").text.startswith("A shorter lead.")
    assert len(store.get(SLUG).body_sections) == 4
