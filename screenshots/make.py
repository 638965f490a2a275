"""Write SVG screenshots of the main screens into this folder.

    python screenshots/make.py

Runs the real app headless on a temporary data dir holding the bundled
briefing and a few notes, so the pictures never show anyone's own data.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def shoot(app, name: str, size: tuple[int, int], keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        await pilot.pause(0.3)
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
        print(f"wrote screenshots/{name}.svg")


def seed(store) -> None:  # type: ignore[no-untyped-def]
    slug = "russia-dprk-pact"
    section = store.get(slug).section("western-reaction")
    for quote, note, tags, color in [
        (
            "“propped up”",
            "Stoltenberg's framing: North Korea as a prop of the war.",
            ["nato", "ukraine"],
            "yellow",
        ),
        (
            "“flagrant violation”",
            "January statement: missiles from the North to Russia.",
            ["sanctions"],
            "pink",
        ),
    ]:
        start = section.text.index(quote)
        store.add_annotation(
            slug, section.key, start, start + len(quote), note=note, tags=tags, color=color
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        os.environ["BRIEFING_HOME"] = data
        from briefing.store.facade import Store
        from briefing.store.importing import ensure_library
        from briefing.tui.app import make_app

        store = Store(Path(data), "analyst")
        ensure_library(store)
        seed(store)
        slug = "russia-dprk-pact"
        await shoot(make_app(store, slug, "western-reaction"), "reader-100x30", (100, 30), ["s"])
        await shoot(make_app(store, slug, "treaty-terms"), "reader-80x24", (80, 24), [])
        await shoot(make_app(store, slug, "treaty-terms"), "help", (80, 24), ["question_mark"])
        await shoot(make_app(store, slug), "library", (80, 24), ["q"])
        await shoot(make_app(store, slug), "all-notes", (80, 24), ["q", "ctrl+n"])
        store.set_setting("theme", "catppuccin-latte")  # a light theme, a passage selected
        await shoot(
            make_app(store, slug, "western-reaction"), "reader-light-120x36", (120, 36), ["l"]
        )
        await shoot(make_app(store, slug, "western-reaction"), "reader-40x12", (40, 12), [])


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
