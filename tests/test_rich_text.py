"""Tables, footnotes and links: in the plain text, in ``show`` and in the reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.core.ingest import load_file, parse_briefing
from briefing.core.plain import render_plain
from briefing.store.facade import Store
from briefing.store.importing import import_paths
from briefing.tui.app import make_app
from briefing.tui.widgets.section_view import SectionView

RICH = Path(__file__).parent / "data" / "rich" / "arms-transfers.md"
SLUG = "arms-transfers"


@pytest.mark.unit
def test_a_table_is_an_aligned_grid_with_its_header_bold() -> None:
    shipments = load_file(RICH).section("shipments")
    assert shipments is not None
    table = shipments.blocks[0]
    assert table.kind == "table"
    assert table.text.split("\n") == [
        "Year │ Containers │     Source",
        "─────┼────────────┼───────────────",
        "2022 │      1,000 │    estimate",  # right and centred columns as the table says
        "2023 │      6,700 │ South Korea[2]",
        "2024 │     11,000 │    Ministry",
    ]
    bold = [table.text[s.start : s.end] for s in table.spans if s.style == "strong"]
    assert bold == ["Year", "Containers", "Source", "Ministry"]
    assert shipments.text[table.start : table.end] == table.text  # anchors see the grid


@pytest.mark.unit
def test_footnotes_follow_the_section_citing_them_numbered_for_the_whole_briefing() -> None:
    briefing = load_file(RICH)
    lead, shipments, outlook = briefing.sections
    assert lead.text.endswith("Pyongyang, 19 June 2024.")
    notes = [(b.marker, b.text) for b in shipments.blocks if b.kind == "footnote"]
    assert notes == [("[2]", "As reported by the ministry in February 2024.")]
    assert not [b for b in outlook.blocks if b.kind == "footnote"]
    cited = next(s for s in lead.blocks[0].spans if s.style == "footnote")
    assert lead.blocks[0].text[cited.start : cited.end] == "[1]"


@pytest.mark.unit
def test_an_undefined_footnote_stays_text_and_a_shared_one_shows_under_each_citer() -> None:
    briefing = parse_briefing(
        "# T\n\n## A\n\nOne[^x] and [^nope].\n\n## B\n\nTwo[^x].\n\n[^x]: Shared.\n", slug="t"
    )
    a, b = briefing.sections
    assert a.text == "One[1] and [^nope].\n\nShared." and b.text == "Two[1].\n\nShared."


@pytest.mark.unit
def test_show_numbers_link_targets_and_lists_them_at_the_end() -> None:
    text = render_plain(load_file(RICH))
    assert "according to a UN panel <1>." in text
    assert "defence ministry <2> and the panel <1>." in text  # one number per target
    assert "See https://example.org/watch." in text  # a bare link is its own target
    assert text.endswith("<1> https://un.example/panel-report\n<2> https://mnd.example/briefing")
    assert "│ South Korea[2]" in text and "[2] As reported by the ministry" in text


@pytest.fixture
def rich_store(store: Store) -> Store:
    import_paths(store, [RICH])
    return store


@pytest.mark.ui
async def test_a_link_in_the_passage_is_shown_and_enter_copies_it_never_opens(
    rich_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda *a, **k: opened.append(str(a)))
    app = make_app(rich_store, SLUG, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(SectionView)
        view.focus()
        assert view.check_action("copy_link", ()) is False  # no passage, nothing to copy
        await pilot.press("l")  # the first sentence: it holds the link to the panel
        await pilot.pause()
        assert view.passage_links() == ("https://un.example/panel-report",)
        assert any("https://un.example/panel-report" in n.message for n in app._notifications)
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == "https://un.example/panel-report"
    assert opened == []
