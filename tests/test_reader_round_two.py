"""What new users tripped over in the reader (issue 15), each as a pilot test."""

from __future__ import annotations

import pytest

from briefing.store.facade import Store
from briefing.tui.app import make_app
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.widgets.section_view import SectionView
from tests.conftest import SLUG
from tests.conftest import run_cli as run
from tests.helpers.waiting import resize, until

pytestmark = pytest.mark.ui


def reader(app: object) -> ReaderScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ReaderScreen)
    return screen


@pytest.mark.unit
def test_show_takes_a_section_title_as_well_as_its_key(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, by_title, _ = run(capsys, "show", SLUG, "UN veto")
    assert code == 0 and by_title.startswith("UN veto\n")
    code, by_key, _ = run(capsys, "show", SLUG, "un-veto")
    assert by_title == by_key
    code, _, err = run(capsys, "show", SLUG, "UN vet")
    assert code == 1 and "no section 'UN vet'" in err


async def test_space_at_the_end_of_a_section_goes_on_to_the_next(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        for _ in range(40):
            if screen.current.key != "treaty-terms":
                break
            await pilot.press("space")
            await pilot.pause()
        assert screen.current.key == "western-reaction"
        assert view.scroll_y == 0


async def test_escape_never_leaves_the_reader_and_q_does(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        await pilot.press("l", "slash", *"putin", "escape", "escape", "escape")
        await pilot.press("tab", "escape", "escape", "escape", "escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


def on_screen(view: SectionView, offset: int) -> bool:
    y = view.line_y(offset)
    top = round(view.scroll_y)
    return y is not None and top <= y < top + view.scrollable_content_region.height


async def test_resize_keeps_the_first_visible_passage_on_screen(store: Store) -> None:
    from briefing.core.sentences import paragraphs

    section = store.section(SLUG, "treaty-terms")
    third = paragraphs(section.text)[2][0]
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = reader(app).query_one(SectionView)
        y = view.line_y(third)
        assert y is not None
        view.scroll_to(y=y, animate=False, immediate=True)
        await pilot.pause()
        await pilot.pause()
        assert on_screen(view, third) and view.scroll_y > 0
        for size in ((100, 30), (60, 20), (160, 48), (80, 24)):
            await resize(pilot, *size)
            await pilot.pause()
            await pilot.pause()
            assert on_screen(view, third), size
            at_top = view.line_y(third) == round(view.scroll_y)
            assert at_top or view.scroll_y == view.max_scroll_y, size  # the top line, if it can


async def test_tiny_terminals_fold_the_side_panes_and_show_them_over_the_text(
    store: Store,
) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        contents, notes = screen.query_one("#contents"), screen.query_one("#notes")
        assert not contents.display and not notes.display
        assert view.size.width >= 38  # the text has the terminal (less the scrollbar)
        await pilot.press("c")  # the sections pane, over the text
        await pilot.pause()
        assert contents.display and view.size.width >= 38
        await pilot.press("down", "enter")  # a section chosen: the pane folds away
        await pilot.pause()
        assert screen.current.key == "western-reaction" and not contents.display
        await pilot.press("s")
        assert notes.display
        await pilot.press("escape")  # Esc folds it too
        assert not notes.display and app.focused is view
        await resize(pilot, 20, 10)
        await pilot.pause()
        assert view.size.width >= 18
        await resize(pilot, 80, 24)  # grown: the contents pane is back beside the text
        await pilot.pause()
        assert contents.display and view.size.width >= 30


async def test_words_can_be_quoted_from_the_keyboard(store: Store) -> None:
    text = store.section(SLUG, "treaty-terms").text
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        await pilot.press("l")  # "On Wednesday, 19 June 2024, North Korea’s leader, ..."
        await pilot.press(*">" * 5)  # drop "On Wednesday, 19 June 2024,"
        span = view.passage
        assert span is not None and text[span[0] :].startswith("North Korea’s leader")
        for _ in range(30):
            span = view.passage
            assert span is not None
            if text[span[0] : span[1]] == "North Korea’s leader,":
                break
            await pilot.press("W")  # drop the last word (the comma after "leader" stays)
        assert view.passage is not None
        assert text[view.passage[0] : view.passage[1]] == "North Korea’s leader,"
        await pilot.press("w", "less_than_sign")  # one more word each side
        assert text[view.passage[0] : view.passage[1]] == "2024, North Korea’s leader, Kim"
        assert screen.check_action("annotate", ()) is True
        await pilot.press("a", *"The leader", "ctrl+s")
        await pilot.pause()
        (note,) = store.annotations(SLUG)
        assert note.quote == "2024, North Korea’s leader, Kim"


async def test_help_wraps_a_long_description_under_its_own_column(store: Store) -> None:
    from briefing.tui.screens.help import HelpScreen

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(50, 30)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = str(app.screen.query_one("#help-keys").render()).splitlines()
        drag = next(i for i, line in enumerate(lines) if line.lstrip().startswith("mouse drag"))
        column = lines[drag].index("Select")
        assert "Select text; then a annotates it" in " ".join(
            line.strip() for line in lines[drag : drag + 3]
        )
        wrapped = [line for line in lines if line.strip() and not line.startswith("  ")]
        assert wrapped == ["Reader", "Everywhere"]  # only titles start at the left edge
        continued = [line for line in lines if line.startswith(" " * column)]
        assert continued  # some descriptions wrap at 50 columns, all of them under the column
        assert all(len(line) <= 46 for line in lines)


async def test_the_key_bar_shows_the_keys_that_work_now(store: Store) -> None:
    from briefing.tui.widgets.key_bar import KeyBar
    from briefing.tui.widgets.notes_pane import NotesPane

    text = store.section(SLUG, "treaty-terms").text
    start = text.index("signed a pact")
    store.add_annotation(SLUG, "treaty-terms", start, start + 13, note="pact")
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        shown = str(bar.render())
        assert "x Export" in shown and "t Tags" in shown
        assert "e Edit" not in shown and "d Delete" not in shown  # no note here yet
        await pilot.press("l")  # the passage holds the note
        await pilot.pause()
        shown = str(bar.render())
        assert "e Edit" in shown and "d Delete" in shown and "a Annotate" in shown
        await pilot.press("escape")
        pane = app.screen.query_one(NotesPane)
        pane.focus()  # the pane's own keys join, and e/d act on its highlighted note
        pane.highlighted = 0
        await pilot.pause()
        shown = str(bar.render())
        assert "⏎ Go to passage" in shown and "e Edit" in shown and "d Delete" in shown
        await pilot.press("d")
        await pilot.pause()
        assert "u Undo" in str(bar.render())


async def test_notes_pane_cards_show_markdown_whole_notes_and_local_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from textual.widgets import Static

    from briefing.tui.screens.note_view import NoteView
    from briefing.tui.widgets.notes_pane import NotesPane

    monkeypatch.setenv("TZ", "Europe/Vienna")
    time.tzset()
    text = store.section(SLUG, "treaty-terms").text
    long_note = "Line one with *automatic* emphasis.\nLine two: " + "word " * 40 + "END"
    first = text.index("signed a pact")
    second = text.index("The signing")
    a = store.add_annotation(SLUG, "treaty-terms", first, first + 13, note=long_note)
    store.add_annotation(SLUG, "treaty-terms", second, second + 11, note="second")
    app = make_app(store, SLUG, "treaty-terms")
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            pane = app.screen.query_one(NotesPane)
            prompt = str(pane.get_option(a.id).prompt)
            assert "*automatic*" not in prompt and "automatic emphasis." in prompt
            assert "END" in prompt and "emphasis.\nLine two" in prompt  # whole, breaks kept
            assert a.updated.endswith("Z") and ("CET" in prompt or "CEST" in prompt)
            assert pane.option_count == 2
            drawn = [pane.render_line(y).text for y in range(pane.size.height)]
            assert any(set(line.strip()) == {"─"} for line in drawn)  # a rule between cards
            pane.focus()
            pane.highlight_note(a.id)
            await pilot.press("v")
            assert isinstance(app.screen, NoteView)
            body = str(app.screen.query_one("#note-view-body", Static).render())
            assert body.startswith("Line one with automatic emphasis.") and body.endswith("END")
            await pilot.press("escape")
            assert isinstance(app.screen, ReaderScreen)
            assert store.annotations(SLUG)[0].note in (long_note, "second")  # unchanged
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize(
    "marks", ["a" + "\u0301" * 32000, "a\u0301" * 16000], ids=["one-letter", "every-letter"]
)
async def test_a_section_of_32000_combining_marks_draws_whole(
    store: Store, tmp_path: object, marks: str
) -> None:
    """Correctness only: benchmarks/run.py combining has the time to the first frame."""
    from pathlib import Path

    from briefing.store.importing import import_paths

    path = Path(str(tmp_path)) / "marks.md"
    path.write_text(f"# Marks\n\n## Marks\n\nStart {marks} end.\n", encoding="utf-8")
    assert not import_paths(store, [path]).refused
    app = make_app(store, "marks", "marks")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = reader(app).query_one(SectionView)
        lines = view.body.lines
        assert lines and lines[-1].end == len(view.section.text)  # type: ignore[union-attr]
        drawn = [i for i, line in enumerate(lines) if line.block >= 0 and line.end > line.start]
        assert view.body.render_line(drawn[0]).text.strip().startswith("Start")
        assert view.body.render_line(drawn[-1]).text.strip().endswith("end.")


async def test_notes_added_from_the_cli_show_in_an_open_reader(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.tui.widgets.notes_pane import NotesPane
    from briefing.tui.widgets.section_nav import SectionNav

    monkeypatch.setattr(ReaderScreen, "FOLLOW_EVERY", 0.02)
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = reader(app)
        nav = screen.query_one(SectionNav)
        assert not str(nav.get_option("treaty-terms").prompt).endswith(")")
        code, _, err = run(
            capsys, "notes", "add", SLUG, "treaty-terms", "--quote", "signed a pact",
            "--note", "from the shell",
        )  # fmt: skip
        assert code == 0, err
        await until(  # the reader looks again every FOLLOW_EVERY seconds
            pilot, lambda: str(nav.get_option("treaty-terms").prompt).endswith("(1)"), "(1)"
        )
        pane = screen.query_one(NotesPane)
        assert "from the shell" in str(pane.get_option_at_index(0).prompt)


async def test_the_notes_pane_lists_the_whole_briefing_and_completes_tags(store: Store) -> None:
    from textual.widgets import Input

    from briefing.tui.widgets.notes_pane import NotesPane

    for key in ("treaty-terms", "western-reaction"):
        store.add_annotation(SLUG, key, 0, 20, note=f"on {key}", tags=["watch"])
    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = reader(app)
        pane = screen.query_one(NotesPane)
        await pilot.press("t", *"wat")
        await pilot.pause()
        field = screen.query_one("#tag-filter", Input)
        await pilot.press("right")  # takes the completion
        assert field.value == "watch"
        await pilot.press("enter")
        assert "No notes on this section." in str(pane.get_option_at_index(0).prompt)
        await pilot.press("S")  # the whole briefing
        await pilot.pause()
        assert pane.option_count == 2
        first = str(pane.get_option_at_index(0).prompt)
        assert first.startswith("§ Treaty terms") and "on treaty-terms" in first
        pane.focus()
        pane.highlighted = 1
        await pilot.press("enter")  # a note of another section: go there
        await pilot.pause()
        assert screen.current.key == "western-reaction"


async def test_keys_typed_right_after_a_focus_change_go_to_the_new_field(store: Store) -> None:
    from textual.widgets import Input

    app = make_app(store, SLUG, "un-veto")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = reader(app)
        contents = screen.query_one("#contents")
        await pilot.press("t", *"watch")  # no pause: as keys arrive together over SSH
        await pilot.pause()
        assert screen.query_one("#tag-filter", Input).value == "watch"
        assert contents.display  # "c" did not toggle the sections pane
        await pilot.press("enter", "escape", "t", *"cha")  # the field exists now; its
        await pilot.pause()  # text is selected as it takes focus, so typing replaces it
        assert screen.query_one("#tag-filter", Input).value == "cha"
        await pilot.press("escape", "escape", "slash", *"hello")
        await pilot.pause()
        assert screen.search.bar is not None and screen.search.bar.value == "hello"
        assert contents.display and screen.current.key == "un-veto"
