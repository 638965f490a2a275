"""The reader at three sizes in a dark and a light theme, with notes of several colours and
a passage selected: 40x12 (panes folded away), 80x24 and 160x48 (both panes)."""

from __future__ import annotations

import time

import pytest

from briefing.store.facade import Store
from briefing.tui.app import make_app
from tests.conftest import SLUG

pytestmark = pytest.mark.ui

SIZES = [(40, 12), (80, 24), (160, 48)]
THEMES = ["textual-dark", "catppuccin-latte"]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefing.core.rules.now_iso", lambda: "2026-11-28T09:00:00Z")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_reader_sizes_and_themes(  # type: ignore[no-untyped-def]
    snap_compare, store: Store, size: tuple[int, int], theme: str
) -> None:
    text = store.section(SLUG, "treaty-terms").text
    for quote, colour, note in [
        ("signed a pact on mutual defence", "blue", "The *core* claim"),
        ("Pyongyang, the North Korean capital", "green", "Where"),
        ("first visit there since 2000", "pink", "Rare visit"),
    ]:
        start = text.index(quote)
        store.add_annotation(
            SLUG, "treaty-terms", start, start + len(quote), note=note, color=colour
        )
    store.set_setting("theme", theme)

    async def select(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("l", "l")

    app = make_app(store, SLUG, "treaty-terms")
    assert snap_compare(app, terminal_size=size, run_before=select)
