"""Exporting notes from the reader (``x``): pilot tests, asserted on the files and the clipboard.

The dialog saves ``~/briefing-notes/<slug>.md`` (HOME is a temporary folder here), copies
with ctrl+y, cancels with esc, and never overwrites a file without a second enter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from briefing.core.paths import default_export_path as default_path
from briefing.store.facade import Store
from briefing.tui.app import BriefingApp, make_app
from briefing.tui.dialogs.export import ExportDialog
from briefing.tui.screens.reader import ReaderScreen
from tests.conftest import SLUG, quote_span

QUOTE = "Putin called it a “breakthrough document”"
SIZE = (80, 24)


@pytest.fixture
def noted(store: Store) -> Store:
    store.add_annotation(
        SLUG, "treaty-terms", *quote_span(store, "treaty-terms", QUOTE), tags=["nato", "veto"]
    )
    return store


def home() -> Path:
    return Path.home()


def default_file() -> Path:
    return home() / "briefing-notes" / f"{SLUG}.md"


def record_notices(app: BriefingApp) -> list[dict[str, Any]]:
    """Every notify() of the app, with its arguments, still shown as usual."""
    seen: list[dict[str, Any]] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        seen.append({"message": message, **kwargs})
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


async def open_dialog(app: BriefingApp, pilot: Pilot[int]) -> ExportDialog:
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    await pilot.press("x")
    await pilot.pause()
    assert isinstance(app.screen, ExportDialog)
    return app.screen


async def settle(app: BriefingApp, pilot: Pilot[int]) -> None:
    """Let the write worker finish and its outcome be handled."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_x_then_enter_saves_the_notes_to_the_default_path(noted: Store) -> None:
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        notices = record_notices(app)
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one("#export-path", Input).value == str(default_file())
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
    written = default_file().read_text(encoding="utf-8")
    assert written.startswith("---\ntitle: The Russia–North Korea Mutual Defence Treaty\n")
    assert "\n> > Putin called it a “breakthrough document”" in written
    assert "\n> [!question] yellow · #nato #veto · created " in written
    assert notices[-1]["message"] == f"Saved 1 note to {default_file()}"
    assert notices[-1]["markup"] is False


async def test_an_existing_file_is_overwritten_only_after_a_second_enter(noted: Store) -> None:
    target = default_file()
    target.parent.mkdir()
    target.write_text("mine\n", encoding="utf-8")
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog
        assert target.read_text(encoding="utf-8") == "mine\n"
        status = str(dialog.query_one("#export-status", Static).render())
        assert "exists" in status and "Enter again" in status
        assert str(dialog.query_one("#export-save", Button).label) == "Overwrite"
        # Changing the path takes the confirmation back; the next enter asks again.
        await pilot.press("backspace", "d")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog and target.read_text(encoding="utf-8") == "mine\n"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
    assert "> Putin called it" in target.read_text(encoding="utf-8")
    assert not list(target.parent.glob(".*.tmp"))


async def test_ctrl_y_copies_the_markdown_and_writes_nothing(
    noted: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        dialog = await open_dialog(app, pilot)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    assert copied == [dialog.document]
    assert "> Putin called it a “breakthrough document”" in copied[0] and "#nato" in copied[0]
    assert not (home() / "briefing-notes").exists()


async def test_esc_cancels_and_writes_nothing(noted: Store) -> None:
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.clipboard == ""
    assert not (home() / "briefing-notes").exists()


async def test_a_path_under_a_file_is_an_error_and_the_dialog_stays(
    noted: Store, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        notices = record_notices(app)
        dialog = await open_dialog(app, pilot)
        dialog.query_one("#export-path", Input).value = str(blocker / "notes.md")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog
    assert blocker.read_text(encoding="utf-8") == "x"
    assert notices[-1]["severity"] == "error" and notices[-1]["markup"] is False
    assert notices[-1]["message"] == (
        f"cannot write {blocker / 'notes.md'}: {blocker} is a file, not a folder"
    )
    assert not (home() / "briefing-notes").exists()


async def test_with_no_notes_the_export_is_still_a_document(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    assert "No notes match." in default_file().read_text(encoding="utf-8")


def test_the_default_falls_back_to_the_data_dir_when_home_is_not_a_folder(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_path(store.paths, "x.md") == home() / "briefing-notes" / "x.md"
    not_a_folder = tmp_path / "home-file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("HOME", str(not_a_folder))
    assert default_path(store.paths, "x.md") == store.paths.exports / "x.md"


async def test_a_served_reader_saves_only_in_its_own_notes_folder(
    noted: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``briefing serve`` marks its readers (and sets HOME to the user's folder); any
    other path would let a remote reader write over the server's files."""
    user_home = noted.paths.user_dir(noted.user)
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.setenv("BRIEFING_SERVED", "1")
    outside = noted.paths.authorized_keys
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot)
        field = dialog.query_one("#export-path", Input)
        assert field.value == str(user_home / "briefing-notes" / f"{SLUG}.md")
        for path in (outside, user_home / "briefing-notes" / ".." / "state.json"):
            field.value = str(path)
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen is dialog
            assert "can only be saved in" in str(dialog.query_one("#export-status").render())
        field.value = str(user_home / "briefing-notes" / "mine.md")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
    assert not outside.exists()
    assert "> Putin called it" in (user_home / "briefing-notes" / "mine.md").read_text("utf-8")


async def test_a_symlinked_notes_folder_cannot_lead_a_served_reader_out(
    noted: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If briefing-notes is a link to the server's ssh folder, nothing is written there."""
    user_home = noted.paths.user_dir(noted.user)
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.setenv("BRIEFING_SERVED", "1")
    noted.paths.ssh.mkdir(parents=True)
    (user_home / "briefing-notes").symlink_to(noted.paths.ssh, target_is_directory=True)
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot)
        field = dialog.query_one("#export-path", Input)
        for typed in (str(user_home / "briefing-notes" / "authorized_keys"), "authorized_keys"):
            field.value = typed
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen is dialog
            assert "can only be saved in" in str(dialog.query_one("#export-status").render())
    assert not noted.paths.authorized_keys.exists()


async def test_a_path_with_a_nul_is_refused_without_crashing(noted: Store) -> None:
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        notices = record_notices(app)
        dialog = await open_dialog(app, pilot)
        dialog.query_one("#export-path", Input).value = "/tmp/bad\x00name.md"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running and app.screen is dialog
    assert [n["severity"] for n in notices] == ["error"]
    assert "cannot write" in notices[0]["message"]


def test_a_folder_that_may_not_be_searched_is_a_refusal_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python raises PermissionError from is_dir()/exists() in such a folder."""
    from briefing.store.atomic import WriteRefused, write_document

    target = tmp_path / "locked" / "notes.md"

    def denied(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_dir", denied)
    with pytest.raises(WriteRefused, match="Permission denied"):
        write_document(target, "# notes\n")
    assert not target.exists()


@pytest.mark.parametrize("over_ssh", [False, True])
async def test_the_ssh_hint_shows_only_over_ssh(
    noted: Store, monkeypatch: pytest.MonkeyPatch, over_ssh: bool
) -> None:
    if over_ssh:
        monkeypatch.setenv("SSH_CONNECTION", "127.0.0.1 50000 127.0.0.1 22")
    else:
        monkeypatch.delenv("SSH_CONNECTION", raising=False)
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot)
        assert bool(dialog.query("#export-hint")) is over_ssh


async def test_the_dialog_proposes_the_configured_export_folder(
    noted: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[export]\nfolder = "~/vault/briefings"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot)
        wanted = home() / "vault" / "briefings" / f"{SLUG}.md"
        assert dialog.query_one("#export-path", Input).value == str(wanted)
        await pilot.press("enter")
        await settle(app, pilot)
    assert "Putin called it" in wanted.read_text(encoding="utf-8")


async def test_a_served_reader_ignores_the_configured_folder(
    noted: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[export]\nfolder = "/tmp"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFING_CONFIG", str(config))
    monkeypatch.setenv("BRIEFING_SERVED", "1")
    app = make_app(noted)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot)
        value = dialog.query_one("#export-path", Input).value
        assert dialog.confined is not None and value.startswith(str(dialog.confined))
