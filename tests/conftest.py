"""Every test runs against a temporary data dir and a fixed user, never the real ones."""

from __future__ import annotations

import gc
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from briefing.cli import main
from briefing.store.facade import Store
from briefing.store.importing import ensure_library

# Property tests are deterministic: the same examples on every run and machine, so a
# failure in CI replays locally. (HYPOTHESIS_PROFILE=explore for fresh random examples.)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _quick_pilot() -> None:
    """Let the pilot wait in steps of 4 ms, not 20, and draw a frame every 2 ms.

    Textual's pilot waits after every key press until the app is idle: it sleeps in steps
    of ``SLEEP_GRANULARITY`` (1/50 s) until a step passes with almost no CPU used. That is
    40 ms per key at least, even for an app with nothing left to do, and most of the
    suite's UI time. A shorter step keeps the same test (a step in which the process
    worked is not idle), and frames come twice per step, as one did per 20 ms step, so
    what a test reads after a key press has been laid out and drawn, as before.
    """
    import textual._wait
    import textual.screen

    textual._wait.SLEEP_GRANULARITY = 0.004
    textual._wait.SLEEP_IDLE = 0.004 / 20  # idle: under 5 % of a step's wall time, as before
    textual.screen.UPDATE_PERIOD = 0.002  # type: ignore[misc]  # a Final, read per screen


_quick_pilot()

#: The suite in three layers (``pytest -m unit`` runs the fast pure ones). A module not
#: listed here is pure unless its tests carry a marker of their own.
UI_MODULES = {
    "test_reader",
    "test_annotate_ui",
    "test_search_ui",
    "test_section_text",
    "test_snapshots",
    "test_export_ui",
}
SYSTEM_MODULES = {"test_serve", "test_users", "test_reliability", "test_escape_app"}
LAYERS = ("unit", "ui", "system")


#: Modules whose tests run longest, mostly waiting on the child processes they kill or
#: serve: they run first, so that no worker is still on one when the others are done.
LONGEST_FIRST = ("test_reimport_kills", "test_reliability", "test_serve", "test_serve_limits")


def _module_name(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    return module.__name__.rsplit(".", 1)[-1] if module else ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(layer) for layer in LAYERS):
            continue
        module = _module_name(item)
        layer = "ui" if module in UI_MODULES else "system" if module in SYSTEM_MODULES else "unit"
        item.add_marker(getattr(pytest.mark, layer))
    rank = {name: at for at, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module_name(item), len(rank)))  # stable


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what importing and collecting made (some 70,000 objects: modules, hypothesis,
    textual), so that every full garbage collection in the tests skips them."""
    gc.collect()
    gc.freeze()


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Let go of the reader's drawn lines once a test is over.

    Textual 8 caches a method on each widget's ``StylesCache`` (``get_inner_outer``, an
    ``lru_cache`` of 1,024 entries keyed by the instance), which keeps those caches and
    every line they drew alive across apps: a worker's heap would grow by some 7,000
    objects per reader test, and every garbage collection would walk them.
    """
    styles_cache = sys.modules.get("textual._styles_cache")
    method = getattr(getattr(styles_cache, "StylesCache", None), "get_inner_outer", None)
    if method is not None and hasattr(method, "cache_clear"):
        method.cache_clear()


ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "content" / "russia-dprk-pact.md"
SLUG = "russia-dprk-pact"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every location the app could touch at a temporary folder."""
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("BRIEFING_HOME", str(data))
    monkeypatch.setenv("BRIEFING_USER", "tester")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return data


@pytest.fixture
def quick_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader and the notes list look for changes made elsewhere every 20 ms, not every
    second: a test waiting for them to follow a change waits for the change, not the clock."""
    from briefing.tui.screens.all_notes import AllNotesScreen
    from briefing.tui.screens.reader import ReaderScreen

    monkeypatch.setattr(ReaderScreen, "FOLLOW_EVERY", 0.02)
    monkeypatch.setattr(AllNotesScreen, "FOLLOW_EVERY", 0.02)


@pytest.fixture
def data_dir(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture(scope="session")
def first_run_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir as the first run leaves it (the bundled briefing imported), made once."""
    root = tmp_path_factory.mktemp("first-run") / "data"
    ensure_library(Store(root, "tester"))
    return root


@pytest.fixture
def store(data_dir: Path, first_run_library: Path) -> Store:
    """A store holding the bundled briefing, as after a first run (a copy of one made once
    per session: importing it again for every test is the same work every time)."""
    shutil.copytree(first_run_library, data_dir, dirs_exist_ok=True)
    store = Store(data_dir, "tester")
    assert not ensure_library(store)  # nothing left to import
    return store


def snapshot_files(root: Path) -> dict[str, bytes]:
    """Every data file's bytes, to prove an operation changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def run_cli(
    capsys: pytest.CaptureFixture[str], *argv: str, tty: bool = False
) -> tuple[int, str, str]:
    """``briefing ARGV`` in-process: exit code, stdout, stderr.

    ``tty`` makes stdout claim to be a terminal, as the CLI sees it in a shell.
    """
    with pytest.MonkeyPatch.context() as patch:
        if tty:
            patch.setattr(sys.stdout, "isatty", lambda: True)
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors and --help
            code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def quote_span(store: Store, section: str, quote: str) -> tuple[int, int]:
    """Offsets of ``quote`` in a section of the bundled briefing."""
    start = store.section(SLUG, section).text.index(quote)
    return start, start + len(quote)
