"""Annotating in the reader: pilot tests, asserted as a user would see the result.

Keys: ``l``/``h`` select the next/previous sentence, ``L``/``H`` extend the selection,
``}``/``{`` select a paragraph, ``a`` annotates, ``e``/``d``/``u`` edit, delete and undo,
``r`` re-attaches an orphan, ``t`` filters the notes by tag.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip
from textual.widgets import Input, TextArea

from briefing.core.model import Annotation
from briefing.core.sentences import paragraphs, sentences
from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import BriefingApp, make_app
from briefing.tui.dialogs.note_editor import NoteEditor
from briefing.tui.passage import PassageCursor
from briefing.tui.screens.help import HelpScreen
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.notes_pane import ORPHANED_HEADER, NotesPane
from briefing.tui.widgets.section_nav import SectionNav
from briefing.tui.widgets.section_view import (
    CURSOR_STYLE,
    FLASH_STYLE,
    HIGHLIGHT_STYLES,
    SectionView,
)
from tests.conftest import BUNDLED, SLUG, snapshot_files
from tests.helpers.screen_text import on_screen, styles_at
from tests.helpers.waiting import until

SECTION = "treaty-terms"
SIZE = (100, 30)


def section_text(store: Store, key: str = SECTION) -> str:
    section = store.get(SLUG).section(key)
    assert section is not None
    return section.text


def reader(app: BriefingApp) -> ReaderScreen:
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


def cell_styles(strip: Strip) -> list[object]:
    """The colours of each cell of a drawn line."""
    return [
        (segment.style.color, segment.style.bgcolor) if segment.style else None
        for segment in strip
        for _ in range(segment.cell_length)
    ]


async def show_notes(pilot, app: BriefingApp) -> NotesPane:  # type: ignore[no-untyped-def]
    """At 100 columns the notes pane is folded away; ``s`` shows it."""
    screen = reader(app)
    if not screen.query_one("#notes").display:
        await pilot.press("s")
        await pilot.pause()
    return screen.query_one(NotesPane)


def option_ids(pane: NotesPane) -> list[str | None]:
    return [option.id for option in pane.options]


# -- the passage cursor, without a terminal ----------------------------------------


def test_cursor_moves_extends_and_selects_paragraphs() -> None:
    text = "One. Two. Three.\n\nFour. Five."
    cursor = PassageCursor(sentences(text), paragraphs(text))
    cursor.move(+1, start=1)  # nothing selected yet: the sentence the view suggests
    assert cursor.span == (5, 9)
    cursor.extend(+1, start=0)
    assert text[slice(*cursor.span)] == "Two. Three."  # type: ignore[misc]
    cursor.move(+1, start=0)  # moving collapses onto the sentence after the selection
    assert text[slice(*cursor.span)] == "Four."  # type: ignore[misc]
    cursor.extend(-1, start=0)  # not back into the paragraph before: a passage keeps to
    assert text[slice(*cursor.span)] == "Four."  # type: ignore[misc]  # its block
    cursor.extend(+1, start=0)
    assert text[slice(*cursor.span)] == "Four. Five."  # type: ignore[misc]
    cursor.extend(-1, start=0)  # shrinks it back to its anchor, and stops at its block
    cursor.extend(-1, start=0)
    assert text[slice(*cursor.span)] == "Four."  # type: ignore[misc]
    cursor.select_paragraph(+1, start=0)
    assert text[slice(*cursor.span)] == "Four. Five."  # type: ignore[misc]
    cursor.select_paragraph(-1, start=0)
    assert text[slice(*cursor.span)] == "One. Two. Three."  # type: ignore[misc]
    cursor.move(-1, start=0)  # already at the first sentence: stays
    assert cursor.span == (0, 4)
    cursor.clear()
    assert cursor.span is None


# -- in the reader -------------------------------------------------------------------


async def test_select_a_sentence_then_extend_to_two(store: Store) -> None:
    spans = sentences(section_text(store))
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = reader(app).query_one(SectionView)
        assert view.passage is None
        await pilot.press("l")
        assert view.passage == spans[0]
        assert CURSOR_STYLE in styles_at(view, spans[0][0])
        await pilot.press("L")
        assert view.passage == (spans[0][0], spans[1][1])
        assert CURSOR_STYLE in styles_at(view, spans[1][0])
        await pilot.press("l")  # moving collapses onto the next sentence
        assert view.passage == spans[2]
        await pilot.press("h")
        assert view.passage == spans[1]
        await pilot.press("right_curly_bracket")  # the whole next paragraph
        assert view.passage == (spans[2][0], spans[4][1])
        await pilot.press("escape")  # clears the passage, stays in the reader
        assert view.passage is None
        assert CURSOR_STYLE not in styles_at(view, spans[2][0])
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape", "escape")  # nothing to clear: Esc stays in the reader
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")  # q leaves
        assert isinstance(app.screen, LibraryScreen)


async def test_cursor_keeps_the_passage_on_screen(store: Store) -> None:
    spans = sentences(section_text(store))
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = reader(app).query_one(SectionView)
        for _ in range(len(spans) + 2):
            await pilot.press("l")
        assert view.passage == spans[-1]
        assert view.scroll_y > 0
        assert on_screen(view, spans[-1][0])
        # Cleared, the cursor starts again where the reader is looking.
        await pilot.press("escape", "g", *["j"] * 14, "l")
        start = view.passage[0]  # type: ignore[index]
        assert start > spans[0][0]  # the first sentence has scrolled out of view
        assert on_screen(view, start)


async def test_annotate_with_a_note_and_tags(store: Store) -> None:
    spans = sentences(section_text(store))
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        await pilot.press("l", "L", "a")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert editor.quote == section_text(store)[spans[0][0] : spans[1][1]]
        await pilot.press(*"Pact **signed** in Pyongyang.")
        await pilot.press("tab", *"NATO, #Korea treaty")
        await pilot.press("tab", "right", "space")  # the second colour: green
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen

        [note] = store.annotations(SLUG)
        assert (note.start, note.end) == (spans[0][0], spans[1][1])
        assert note.note == "Pact **signed** in Pyongyang."
        assert note.tags == ("nato", "korea", "treaty")
        assert note.color == "green"
        assert HIGHLIGHT_STYLES["green"] in styles_at(view, note.start)
        assert HIGHLIGHT_STYLES["green"] in styles_at(view, note.end - 1)
        assert HIGHLIGHT_STYLES["green"] not in styles_at(view, spans[2][0])

        pane = await show_notes(pilot, app)
        assert option_ids(pane) == [note.id]
        prompt = pane.get_option(note.id).prompt
        assert isinstance(prompt, Content)
        assert "Pact signed in Pyongyang." in str(prompt)  # Markdown drawn, not shown raw
        bold = str(prompt).index("signed in Pyongyang")
        assert any(
            span.start <= bold < span.end and "bold" in str(span.style) for span in prompt.spans
        )
        assert "#nato #korea #treaty" in str(prompt)
        await pilot.press("c")  # the contents pane, with the new count
        nav = screen.query_one(SectionNav)
        assert str(nav.get_option(SECTION).prompt).endswith("(1)")


async def test_an_empty_note_makes_a_plain_highlight(store: Store) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "a", "ctrl+s")
        await pilot.pause()
        [note] = store.annotations(SLUG)
        assert note.note == "" and note.tags == () and note.color == "yellow"


async def test_annotate_the_mouse_selection(store: Store) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        body = view.body
        second = body.blocks[1]
        y = body.line_of(second.start)
        assert y is not None and body.lines[y].start == second.start
        x = body.render_line(y).text.index(second.text[:12])  # where the text is drawn
        # A drag from column 3 to column 17 of the second paragraph's first line.
        await pilot.mouse_down(body, offset=(x + 3, y))
        await pilot.hover(body, offset=(x + 17, y))
        await pilot.mouse_up(body, offset=(x + 17, y))
        await pilot.pause()
        assert body in screen.selections
        drawn = cell_styles(body.render_line(y))
        assert drawn[x + 5] != drawn[x + 1] and drawn[x + 5] != drawn[x + 30]  # it is drawn
        start, end = view.selected_span()  # type: ignore[misc]
        assert start == second.start + 3
        assert section_text(store)[start:end] == second.text[3 : end - second.start]
        assert screen.get_selected_text() == section_text(store)[start:end]
        await pilot.press("a")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("ctrl+s")
        await pilot.pause()
        [note] = store.annotations(SLUG)
        assert note.start == start and note.end <= end
        assert not screen.selections  # the selection is used up


async def test_a_selection_across_lines_and_blocks_spans_them(store: Store) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        body = view.body
        first, second = body.blocks[:2]
        y1, y2 = body.line_of(first.start), body.line_of(second.start)
        assert y1 is not None and y2 is not None and y2 - y1 > 2  # a wrapped paragraph
        # Columns count the characters of each screen line, not of the block.
        screen.selections = {body: Selection(Offset(10, y1 + 1), Offset(5, y2))}
        await pilot.pause()
        assert view.selected_span() == (body.lines[y1 + 1].start + 10, second.start + 5)
        assert screen.check_action("annotate", ()) is True


async def test_jump_from_the_notes_pane_to_the_passage(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough to be seen after a pause on a loaded machine; then waited out, not timed.
    monkeypatch.setattr("briefing.tui.widgets.section_view.FLASH_SECONDS", 2.0)
    text = section_text(store)
    quote = "the pact’s complete contents remain"
    start = text.index(quote)
    note = store.add_annotation(SLUG, SECTION, start, start + len(quote), note="Unknown terms")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = reader(app).query_one(SectionView)
        assert not on_screen(view, start)  # the last paragraph is below the window
        pane = await show_notes(pilot, app)
        pane.focus()
        pane.highlight_note(note.id)
        await pilot.press("enter")
        await pilot.pause()
        assert on_screen(view, start)
        assert FLASH_STYLE in styles_at(view, start)
        # A flash, not a mark: it ends. (Enter again flashes for 50 ms; that end waited for.)
        monkeypatch.setattr("briefing.tui.widgets.section_view.FLASH_SECONDS", 0.05)
        assert pane.has_focus
        await pilot.press("enter")
        await until(pilot, lambda: FLASH_STYLE not in styles_at(view, start), "the flash end")
        assert FLASH_STYLE not in styles_at(view, start)
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, start)


async def test_edit_delete_and_undo(store: Store) -> None:
    spans = sentences(section_text(store))
    note = store.add_annotation(SLUG, SECTION, *spans[3], note="First thought", tags=["un"])
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        pane = await show_notes(pilot, app)

        # In the text, e edits the note under the passage.
        await pilot.press("l", "l", "l", "l")
        assert view.passage == spans[3]
        await pilot.press("e")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        area = editor.query_one(TextArea)
        assert area.text == "First thought"
        assert editor.query_one("#note-tags", Input).value == "un"
        await pilot.press(*", revised")
        await pilot.press("ctrl+s")
        await pilot.pause()
        [edited] = store.annotations(SLUG)
        assert edited.note == "First thought, revised" and edited.tags == ("un",)
        assert "revised" in str(pane.get_option(note.id).prompt)

        # In the notes pane, e and d act on the highlighted note.
        pane.focus()
        pane.highlight_note(note.id)
        await pilot.press("e")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("tab", *" sanctions", "enter")  # enter in the tags field saves
        await pilot.pause()
        assert store.annotations(SLUG)[0].tags == ("un", "sanctions")

        await pilot.press("d")
        await pilot.pause()
        assert store.annotations(SLUG) == []
        assert option_ids(pane) == [None]  # "No notes on this section."
        assert HIGHLIGHT_STYLES["yellow"] not in styles_at(view, spans[3][0])
        nav = screen.query_one(SectionNav)
        assert not str(nav.get_option(SECTION).prompt).endswith(")")

        await pilot.press("u")
        await pilot.pause()
        [restored] = store.annotations(SLUG)
        assert restored.id == note.id and restored.tags == ("un", "sanctions")
        assert option_ids(pane) == [note.id]
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, spans[3][0])
        assert str(nav.get_option(SECTION).prompt).endswith("(1)")
        assert screen.check_action("undo_delete", ()) is False  # nothing left to undo: hidden


async def test_undo_restores_several_deletes_in_reverse_order(store: Store) -> None:
    spans = sentences(section_text(store))
    first = store.add_annotation(SLUG, SECTION, *spans[0], note="one")
    second = store.add_annotation(SLUG, SECTION, *spans[1], note="two")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = await show_notes(pilot, app)
        pane.focus()
        pane.highlight_note(first.id)
        await pilot.press("d", "d")
        await pilot.pause()
        assert store.annotations(SLUG) == []
        await pilot.press("u")
        assert [a.id for a in store.annotations(SLUG)] == [second.id]
        await pilot.press("u")
        assert [a.id for a in store.annotations(SLUG)] == [first.id, second.id]
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert "Note restored." in said and not any("Note deleted" in m for m in said)


async def test_notes_persist_across_a_restart(store: Store) -> None:
    spans = sentences(section_text(store))
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l", "l", "a", *"Kept", "tab", *"memo", "ctrl+s")
        await pilot.pause()
        await pilot.press("right_curly_bracket", "a", "tab", *"para", "ctrl+s")
        await pilot.pause()
    again = make_app(Store(store.paths.root, "tester"), SLUG, SECTION)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = reader(again).query_one(SectionView)
        pane = await show_notes(pilot, again)
        notes = pane.annotations
        assert [(n.note, n.tags) for n in notes] == [("Kept", ("memo",)), ("", ("para",))]
        assert (notes[0].start, notes[0].end) == spans[1]
        assert (notes[1].start, notes[1].end) == (spans[2][0], spans[4][1])
        assert option_ids(pane) == [n.id for n in notes]
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, spans[1][0])
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, spans[4][1] - 1)


async def test_escape_in_the_editor_changes_nothing(store: Store) -> None:
    spans = sentences(section_text(store))
    store.add_annotation(SLUG, SECTION, *spans[0], note="Keep me", tags=["a"])
    store.set_setting("last_briefing", SLUG)  # else remembered just after the first frame
    before = snapshot_files(store.paths.root)
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        state_before = snapshot_files(store.paths.root)  # opening saves the reading state
        await pilot.press("l", "e")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*" and more", "tab", *"b", "escape")
        assert isinstance(app.screen, NoteEditor)  # a changed note: Esc asks first
        assert "Unsaved changes" in str(app.screen.query_one("#note-status").render())
        await pilot.press("escape")  # and a second Esc discards
        assert app.screen is screen
        await pilot.press("l", "a", *"Never saved", "escape", "escape")
        assert app.screen is screen
        assert snapshot_files(store.paths.root) == state_before
        [note] = store.annotations(SLUG)
        assert note.note == "Keep me" and note.tags == ("a",)
    notes = {k: v for k, v in snapshot_files(store.paths.root).items() if "notes" in k}
    assert notes == {k: v for k, v in before.items() if "notes" in k}


def orphan_one(store: Store, tmp_path: Path) -> Annotation:
    """Annotate a sentence, then re-import the briefing with that sentence rewritten."""
    text = section_text(store)
    quote = "Beyond these points, the pact’s complete contents remain unpublished."
    start = text.index(quote[:40])
    note = store.add_annotation(SLUG, SECTION, start, start + 40, note="Watch this")
    markdown = BUNDLED.read_text(encoding="utf-8")
    assert quote[:40] in markdown
    revised = tmp_path / f"{SLUG}.md"
    revised.write_text(markdown.replace(quote[:40], "Nothing else is known: officials"))
    import_paths(store, [revised])
    [orphan] = store.annotations(SLUG)
    assert orphan.id == note.id and orphan.status == "orphaned"
    return orphan


async def test_an_orphan_shows_in_its_group_and_can_be_reattached(
    store: Store, tmp_path: Path
) -> None:
    orphan = orphan_one(store, tmp_path)
    spans = sentences(section_text(store))
    kept = store.add_annotation(SLUG, SECTION, *spans[0], note="anchored")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        pane = await show_notes(pilot, app)
        assert option_ids(pane) == [kept.id, None, orphan.id]
        assert str(pane.get_option_at_index(1).prompt) == ORPHANED_HEADER

        await pilot.press("l", "l")  # the new passage: the second sentence
        pane.focus()
        pane.highlight_note(orphan.id)
        await pilot.pause()
        assert screen.check_action("reattach_note", ()) is True
        await pilot.press("r")
        await pilot.pause()
        moved = next(a for a in store.annotations(SLUG) if a.id == orphan.id)
        assert moved.status == "anchored" and (moved.start, moved.end) == spans[1]
        assert moved.note == "Watch this" and moved.section == SECTION
        assert option_ids(pane) == [kept.id, orphan.id]  # no orphans left, no header
        assert HIGHLIGHT_STYLES["yellow"] in styles_at(view, spans[1][0])


async def test_an_orphan_can_be_deleted(store: Store, tmp_path: Path) -> None:
    orphan = orphan_one(store, tmp_path)
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = await show_notes(pilot, app)
        pane.focus()
        pane.highlight_note(orphan.id)
        assert reader(app).check_action("reattach_note", ()) is False  # no passage yet: hidden
        await pilot.press("d")
        await pilot.pause()
        assert store.annotations(SLUG) == []
        assert option_ids(pane) == [None]


async def test_tag_filter_narrows_the_notes(store: Store) -> None:
    spans = sentences(section_text(store))
    nato = store.add_annotation(SLUG, SECTION, *spans[0], tags=["nato", "europe"])
    sanctions = store.add_annotation(SLUG, SECTION, *spans[1], tags=["sanctions"])
    plain = store.add_annotation(SLUG, SECTION, *spans[2])
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=(80, 24)) as pilot:  # notes pane folded: t shows it
        await pilot.pause()
        screen = reader(app)
        await pilot.press("t")
        pane = screen.query_one(NotesPane)
        field = screen.query_one("#tag-filter", Input)
        assert screen.query_one("#notes").display and field.display
        assert app.focused is field
        await pilot.press(*"#NA")
        assert option_ids(pane) == [nato.id]
        await pilot.press("escape")  # back to the notes; the filter stays, and shows
        assert app.focused is pane and field.display
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("t", "ctrl+u", "backspace", "backspace", "backspace", "enter")
        assert option_ids(pane) == [nato.id, sanctions.id, plain.id]
        assert not field.display  # an empty filter folds away
        await pilot.press("t", *"nothing", "enter")
        said = str(pane.get_option_at_index(0).prompt)
        assert said == "No notes tagged #nothing. S shows the whole briefing's."
        # Esc clears the filter: every note again, from the top of the pane.
        await pilot.press("escape")
        await pilot.pause()
        assert option_ids(pane) == [nato.id, sanctions.id, plain.id]
        assert pane.scroll_y == 0 and pane.highlighted == 0


async def _palette_names(pilot, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the real command palette, type, and read what it offers."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.press(*query)
    await pilot.app.workers.wait_for_complete()  # its search (a worker), for the whole query
    await pilot.pause()
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    options = palette.query_one(CommandList)
    names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return names


async def test_note_keys_are_in_help_and_the_palette(store: Store) -> None:
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        names = await _palette_names(pilot, "sentence")
        assert any("Sentence" in name for name in names)
        assert not any("Annotate" in name for name in await _palette_names(pilot, "annotate"))
        await pilot.press("l")
        assert any("Annotate" in name for name in await _palette_names(pilot, "annotate"))
        assert any("Extend passage" in n for n in await _palette_names(pilot, "extend"))
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query("Static")[1].render())
        assert "Select the next sentence" in text and "Re-attach" in text


async def test_markup_in_a_briefing_is_shown_as_text_everywhere(
    store: Store, tmp_path: Path
) -> None:
    from textual.widgets import DataTable

    from briefing.store.importing import import_paths

    odd = tmp_path / "odd.md"
    odd.write_text(
        '---\ndate: "[bold red]2024[/]"\n---\n# Costs [/] rise\n\n## One\n\nText.\n',
        encoding="utf-8",
    )
    import_paths(store, [odd])
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        names = await _palette_names(pilot, "costs")
        assert any("Costs [/] rise" in name for name in names)  # no MarkupError, no styling
        await pilot.press("q")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = table.get_row("odd")
        assert str(row[1]) == "[bold red]2024[/]"


async def test_undo_from_another_section_brings_the_passage_back_into_view(
    store: Store,
) -> None:
    text = section_text(store)
    quote = "the pact’s complete contents remain"  # the last paragraph: below the window
    start = text.index(quote)
    note = store.add_annotation(SLUG, SECTION, start, start + len(quote), note="Far down")
    app = make_app(store, SLUG, SECTION)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        pane = await show_notes(pilot, app)
        pane.focus()
        pane.highlight_note(note.id)
        await pilot.press("d")
        assert store.annotations(SLUG) == []
        await pilot.press("right_square_bracket")
        assert screen.current.key == "western-reaction"
        await pilot.press("u")
        await pilot.pause()
        assert screen.current.key == SECTION
        view = screen.query_one(SectionView)
        assert on_screen(view, start)
        assert [a.id for a in store.annotations(SLUG)] == [note.id]
