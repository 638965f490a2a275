"""Searching in the reader and across the library: pilot tests, asserted as a user would see.

Keys: ``/`` opens the reader's search line (enter goes to the first match), ``n``/``N`` go
to the next/previous match across sections, esc closes the line and then clears the search.
In the library ``/`` (or ctrl+f in the reader) opens the search across all briefings.
"""

from __future__ import annotations

from pathlib import Path
from threading import Event
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Label, OptionList

from briefing.core.search.index import Hit, find_matches
from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import BriefingApp, make_app
from briefing.tui.screens.library import LibraryScreen
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.screens.search import SearchScreen
from briefing.tui.screens.searching import Match, reader_matches
from briefing.tui.services import ThreadedIndex
from briefing.tui.widgets import search_bar
from briefing.tui.widgets.notes_pane import NotesPane
from briefing.tui.widgets.search_bar import DEBOUNCE, SearchBar
from briefing.tui.widgets.section_view import (
    SEARCH_CURRENT_STYLE,
    SEARCH_STYLE,
    SectionView,
)
from tests.conftest import SLUG, quote_span
from tests.helpers.screen_text import on_screen, styles_at

SIZE = (100, 30)
KOREA = {"lead": 1, "treaty-terms": 6, "western-reaction": 3, "legal-framework": 1, "un-veto": 2}
POLLS = 100


@pytest.fixture(autouse=True)
def quick_typing_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search line sends a query 50 ms after the last key here, not 150 ms: the pilot
    types a key every 10 ms or so. (Tests where no prefix of a query may be searched set
    the real pause again.)"""
    monkeypatch.setattr(search_bar, "DEBOUNCE", 0.05)


def reader(app: BriefingApp) -> ReaderScreen:
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


def counter(screen: ReaderScreen | SearchScreen) -> str:
    """The counter as drawn: "3/12", "12 matches", "No matches" (hint after it)."""
    bar = screen.query_one(SearchBar)
    return str(bar.query_one("#search-count", Label).render()).split("  ")[0]


def spans(store: Store, section: str, query: str) -> list[tuple[int, int]]:
    return find_matches(store.section(SLUG, section).text, query)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait as a user waits for the counter: the pause in typing, then the search."""
    await pilot.pause(search_bar.DEBOUNCE)
    await pilot.pause()  # the query goes up and its search starts
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()  # what it found is drawn


async def until(pilot, done) -> None:  # type: ignore[no-untyped-def]
    """Pause until ``done()`` holds, as a user waits for the screen; never a timing."""
    for _ in range(200):
        if done():
            return
        await pilot.pause(0.05)


async def search(pilot, screen: ReaderScreen, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash", *query)
    await settle(pilot)
    assert screen.search.latest.shown.query == query


def hold_searches(monkeypatch: pytest.MonkeyPatch, query: str) -> tuple[Event, Event]:
    """Searches for ``query`` wait in their thread until the first event is set; the second
    is set once such a search has ended. Its thread is outside the index's lock meanwhile."""
    release, ended = Event(), Event()
    original = ThreadedIndex.search

    def held(index: ThreadedIndex, wanted: str, *args: Any, **options: Any) -> list[Hit]:
        if wanted != query:
            return original(index, wanted, *args, **options)
        release.wait(timeout=10)
        try:
            return original(index, wanted, *args, **options)
        finally:
            ended.set()

    monkeypatch.setattr(ThreadedIndex, "search", held)
    return release, ended


async def palette_offers(pilot, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the command palette, type ``query`` and read what it lists once its search
    (a worker) is done."""
    await pilot.press("ctrl+p", *query)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    options = palette.query_one(CommandList)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def notice_titles(app: BriefingApp) -> list[str]:
    return [notification.title for notification in app._notifications]


# -- matches in reading order, without a terminal -----------------------------------


def test_matches_are_in_reading_order_with_notes_at_their_passage(store: Store) -> None:
    briefing = store.get(SLUG)
    start, end = quote_span(store, "western-reaction", "propped")
    note = store.add_annotation(SLUG, "western-reaction", start, end + 3, note="korea, again")
    hits = [
        Hit(SLUG, "un-veto", "text", 5, 10, "", 1.0, matches=((5, 10), (40, 45))),
        Hit(SLUG, "western-reaction", "note", start, end, "", 1.0, annotation=note.id),
        Hit(SLUG, "western-reaction", "text", 1, 2, "", 1.0, matches=((1, 2), (900, 905))),
        Hit(SLUG, "treaty-terms", "title", 0, 0, "", 2000.0),  # the briefing title
        Hit(SLUG, "legal-framework", "title", 0, 0, "", 1000.0),  # a heading only
    ]
    found = reader_matches(briefing, hits, [note])
    assert found == [
        Match("treaty-terms", 0, 0, "title", position=1),
        Match("western-reaction", 1, 2, "text", position=2),
        Match("western-reaction", start, end + 3, "note", note.id, position=2),
        Match("western-reaction", 900, 905, "text", position=2),
        Match("legal-framework", 0, 0, "title", position=3),
        Match("un-veto", 5, 10, "text", position=4),
        Match("un-veto", 40, 45, "text", position=4),
    ]


# -- in the reader -------------------------------------------------------------------


async def test_typing_a_query_marks_every_match_and_counts_them(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        assert not screen.query(SearchBar)  # not built until first used
        await search(pilot, screen, "korea")
        bar = screen.query_one(SearchBar)
        assert bar.display and app.focused is bar.input
        assert counter(screen) == f"{sum(KOREA.values())} matches"
        first, second = spans(store, "treaty-terms", "korea")[:2]
        assert SEARCH_STYLE in styles_at(view, first[0])
        assert SEARCH_STYLE in styles_at(view, second[1] - 1)
        assert SEARCH_STYLE not in styles_at(view, first[1])  # "North Korea’s": only "Korea"
        # The briefing title above the text is marked too: "The Russia–North Korea ..."
        title = view.body.line_content(0)
        korea = title.plain.index("Korea")
        assert {str(span.style) for span in title.spans if span.start == korea} >= {SEARCH_STYLE}
        assert screen.current.key == "treaty-terms"  # typing does not move the reader

        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"zzyzx")
        await settle(pilot)
        assert screen.search.latest.shown.query == "zzyzx"
        assert counter(screen) == "No matches"
        assert SEARCH_STYLE not in styles_at(view, first[0])
        assert not view.body.line_content(0).spans[1:]  # the title: its own style alone


async def test_enter_then_n_and_shift_n_move_across_sections(store: Store) -> None:
    total = sum(KOREA.values())
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        await search(pilot, screen, "korea")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is view  # back to the text, the line stays with its counter
        assert counter(screen) == f"{KOREA['lead'] + 1}/{total}"  # the lead's match is 1
        first = spans(store, "treaty-terms", "korea")[0]
        assert SEARCH_CURRENT_STYLE in styles_at(view, first[0])

        await pilot.press(*["n"] * KOREA["treaty-terms"])  # past the last one in the section
        await pilot.pause()
        assert screen.current.key == "western-reaction"
        assert counter(screen) == f"{KOREA['lead'] + KOREA['treaty-terms'] + 1}/{total}"
        start, _ = spans(store, "western-reaction", "korea")[0]
        assert SEARCH_CURRENT_STYLE in styles_at(view, start)
        assert on_screen(view, start)
        last = spans(store, "western-reaction", "korea")[-1]
        await pilot.press("n", "n")
        await pilot.pause()
        assert on_screen(view, last[0])  # scrolled down to it

        await pilot.press("N", "N", "N")
        await pilot.pause()
        assert screen.current.key == "treaty-terms"
        assert counter(screen) == f"{KOREA['lead'] + KOREA['treaty-terms']}/{total}"
        back = spans(store, "treaty-terms", "korea")[-1]
        assert SEARCH_CURRENT_STYLE in styles_at(view, back[0])
        assert on_screen(view, back[0])

        await pilot.press("g", *["N"] * (KOREA["lead"] + KOREA["treaty-terms"]))  # wraps
        await pilot.pause()
        assert screen.current.key == "un-veto"
        assert counter(screen) == f"{total}/{total}"


async def test_n_from_another_section_starts_there(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await search(pilot, screen, "korea")
        await pilot.press("enter", "right_square_bracket", "right_square_bracket")
        assert screen.current.key == "legal-framework"
        await pilot.press("n")  # the first match here, not the one after 1/12
        await pilot.pause()
        assert screen.current.key == "legal-framework"
        before = KOREA["lead"] + KOREA["treaty-terms"] + KOREA["western-reaction"]
        assert counter(screen) == f"{before + 1}/{sum(KOREA.values())}"


async def test_a_match_in_a_note_goes_to_its_passage_and_the_note(store: Store) -> None:
    start, end = quote_span(store, "legal-framework", "Article 51 of the UN Charter")
    note = store.add_annotation(
        SLUG, "legal-framework", start, end, note="Compare the Zanzibar precedent", tags=["law"]
    )
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        await search(pilot, screen, "zanzibar")
        assert counter(screen) == "1 match"
        await pilot.press("enter")
        await until(pilot, lambda: counter(screen) == "1/1")  # the jump waits for a layout
        assert screen.current.key == "legal-framework"
        assert counter(screen) == "1/1"
        assert screen.query_one("#notes").display  # shown, even at 80 columns
        pane = screen.query_one(NotesPane)
        assert pane.highlighted_annotation == note
        assert SEARCH_CURRENT_STYLE in styles_at(view, start)
        assert on_screen(view, start)

        await pilot.press("slash", "ctrl+u", *"tag:law")  # tags are searched too
        await settle(pilot)
        assert screen.search.latest.shown.query == "tag:law"
        assert counter(screen) == "1/1"  # the same match, still the current one


async def test_a_new_note_is_found_without_reopening_the_reader(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await search(pilot, screen, "quokka")
        assert counter(screen) == "No matches"
        await pilot.press("escape", "l", "a", *"A quokka of a treaty", "ctrl+s")
        await settle(pilot)
        assert counter(screen) == "1 match"
        [note] = store.annotations(SLUG)
        await pilot.press("escape", "n")  # esc clears the passage first; the search stays
        await pilot.pause()
        assert counter(screen) == "1/1"
        assert screen.query_one(NotesPane).highlighted_annotation == note


async def test_escape_closes_the_line_then_clears_and_never_leaves(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        first = spans(store, "treaty-terms", "putin")[0]
        await search(pilot, screen, "putin")
        bar = screen.query_one(SearchBar)
        await pilot.press("escape")  # the line: back to the text, matches kept
        assert app.focused is view and bar.display
        assert SEARCH_STYLE in styles_at(view, first[0])
        await pilot.press("l", "slash", "escape")  # a passage, and the line open again
        assert app.focused is view and view.passage is not None  # the line closed, not it
        await pilot.press("escape")  # the passage goes before the search
        assert view.passage is None and bar.display
        await pilot.press("escape")  # then the search
        assert not bar.display
        assert SEARCH_STYLE not in styles_at(view, first[0])
        assert screen.check_action("next_match", ()) is False
        await pilot.press("escape", "escape")  # nothing left: Esc stays in the reader
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("q")  # q leaves
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_an_emptied_line_closes_on_escape(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await pilot.press("slash", "escape")
        assert not screen.query_one(SearchBar).display
        assert isinstance(app.screen, ReaderScreen)


# -- across all briefings ------------------------------------------------------------


async def test_slash_in_the_library_searches_all_and_opens_the_result(store: Store) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)
        library = app.screen
        await pilot.press("slash")
        assert library.query_one("#filter", Input).value == ""  # not typed into the filter
        found = app.screen
        assert isinstance(found, SearchScreen)
        await pilot.press(*"stoltenberg")
        await settle(pilot)
        assert counter(found) == "1 result"
        results = found.query_one(OptionList)
        prompt = str(results.get_option_at_index(0).prompt)
        assert "Western reaction" in prompt and "Stoltenberg" in prompt
        await pilot.press("enter")
        await pilot.pause()
        screen = reader(app)
        view = screen.query_one(SectionView)
        await settle(pilot)
        assert counter(screen) == "1/1"
        assert screen.current.key == "western-reaction"
        assert screen.query_one(SearchBar).value == "stoltenberg"
        start, _ = spans(store, "western-reaction", "stoltenberg")[0]
        assert SEARCH_CURRENT_STYLE in styles_at(view, start)
        assert on_screen(view, start)
        await pilot.press("escape")  # clears the search
        assert not screen.query_one(SearchBar).display
        await pilot.press("q")  # the library again
        await pilot.pause()
        assert app.screen is library


async def test_a_note_result_from_the_palette_opens_its_passage(store: Store) -> None:
    start, end = quote_span(store, "un-veto", "veto")
    note = store.add_annotation(SLUG, "un-veto", start, end, note="Wombat clause")
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        offered = await palette_offers(pilot, "search all")
        assert offered[0].startswith("Search all briefings")  # the one enter runs
        await pilot.press("enter")
        await pilot.pause()
        found = app.screen
        assert isinstance(found, SearchScreen)
        await pilot.press(*"wombat")
        await settle(pilot)
        assert counter(found) == "1 result"
        await pilot.press("down", "enter")  # down from the query line moves in the results
        await pilot.pause()
        screen = reader(app)
        await settle(pilot)
        assert counter(screen) == "1/1"
        assert screen.current.key == "un-veto"
        assert screen.query_one("#notes").display  # in a reader just opened, at 80 columns
        assert screen.query_one(NotesPane).highlighted_annotation == note


async def test_escape_leaves_the_global_search_where_you_were(store: Store) -> None:
    app = make_app(store, SLUG, "legal-framework")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"korea", "escape")
        await pilot.pause()
        assert app.screen is screen and screen.current.key == "legal-framework"


async def test_search_keys_are_in_help_and_the_palette(store: Store) -> None:
    from briefing.tui.screens.help import help_text

    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        text = str(help_text(screen))
        assert "Search this briefing" in text and "next search match" in text
        assert "Search every briefing" in text
        assert screen.check_action("next_match", ()) is False  # nothing searched yet
        assert screen.check_action("open_search", ()) is True
        assert any(n.startswith("Search all briefings") for n in await palette_offers(pilot, "all"))
        await pilot.press("escape", "q")  # the palette, then the reader
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert any(n.startswith("Search all briefings") for n in await palette_offers(pilot, "all"))


async def test_a_result_that_comes_late_is_dropped_for_the_newer_query(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_bar, "DEBOUNCE", DEBOUNCE)  # "kor" must never be searched
    release, ended = hold_searches(monkeypatch, "korea")
    putin = sum(len(spans(store, section, "putin")) for section in KOREA)
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await pilot.press("slash", *"korea")
        await pilot.pause(DEBOUNCE)
        await pilot.pause()  # searching "korea", held in its thread
        assert screen.search.latest.wanted == "korea" and counter(screen) == ""
        await pilot.press("ctrl+u", *"putin")
        await settle(pilot)
        assert counter(screen) == f"{putin} matches"
        release.set()
        for _ in range(POLLS):  # the "korea" search ends, its results go nowhere
            await pilot.pause(0.02)
            if ended.is_set():
                break
        assert ended.is_set()
        await pilot.pause()
        assert counter(screen) == f"{putin} matches"
        assert screen.search.latest.shown.query == "putin"


async def test_a_clicked_result_opens_with_the_query_that_found_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_bar, "DEBOUNCE", DEBOUNCE)  # "wom" must never be searched
    release, _ = hold_searches(monkeypatch, "wombat")
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"stoltenberg")
        await settle(pilot)
        found = app.screen
        assert isinstance(found, SearchScreen) and counter(found) == "1 result"
        await pilot.press("ctrl+u", *"wombat")  # its results are on their way
        await pilot.pause(DEBOUNCE)
        await pilot.pause()
        await pilot.click(OptionList, offset=(4, 1))  # the listed result, of "stoltenberg"
        release.set()
        await settle(pilot)
        screen = reader(app)
        assert screen.query_one(SearchBar).value == "stoltenberg"
        assert counter(screen) == "1/1" and screen.current.key == "western-reaction"


async def test_a_damaged_notes_file_is_reported_and_the_text_still_searched(
    store: Store,
) -> None:
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        notes = store.paths.notes_file(store.user, SLUG)
        notes.parent.mkdir(parents=True, exist_ok=True)
        notes.write_text("{ broken")  # by another program, while the reader is open
        await search(pilot, screen, "korea")
        assert notice_titles(app) == ["Notes not searched"]
        assert counter(screen) == f"{sum(KOREA.values())} matches"  # the text still is
        await pilot.press("backspace", "backspace")  # pauses in typing: told once only
        await settle(pilot)
        await pilot.press("e", "a")
        await settle(pilot)
        assert notice_titles(app) == ["Notes not searched"]
        await pilot.press("escape", "escape")

        await pilot.press("ctrl+f")  # every briefing: searched, without the notes
        found = app.screen
        assert isinstance(found, SearchScreen)
        assert notice_titles(app) == ["Notes not searched", "Notes not searched"]
        await pilot.press(*"stoltenberg")
        await settle(pilot)
        assert counter(found) == "1 result"

        await pilot.press("escape")
        store.paths.library.write_text("{ broken")
        await pilot.press("ctrl+f")  # without the library, nothing to search
        assert app.screen is screen
        assert notice_titles(app)[-1] == "Search failed"


async def test_one_index_serves_every_search_until_the_library_changes(
    store: Store, tmp_path: Path
) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Other desk\n\n## One\n\nKorea, from the other desk.\n", encoding="utf-8")
    import_paths(store, [other])
    app = make_app(store, SLUG, "treaty-terms")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        await search(pilot, screen, "korea")  # this briefing only, from the shared index
        assert counter(screen) == f"{sum(KOREA.values())} matches"
        await pilot.press("ctrl+f")
        found = app.screen
        assert isinstance(found, SearchScreen) and found._index is screen.search.index
        await pilot.press("escape", "ctrl+f")
        assert isinstance(app.screen, SearchScreen) and app.screen._index is screen.search.index

        await pilot.press("escape")
        newer = tmp_path / "newer.md"
        newer.write_text("# Newer desk\n\n## One\n\nA quokka, at last.\n", encoding="utf-8")
        import_paths(store, [newer])
        await pilot.press("ctrl+f", *"quokka")
        await settle(pilot)
        rebuilt = app.screen
        assert isinstance(rebuilt, SearchScreen) and rebuilt._index is not screen.search.index
        assert counter(rebuilt) == "1 result"
