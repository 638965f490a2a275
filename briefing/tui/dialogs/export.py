"""Exporting a briefing's notes from the reader: save a Markdown file, or copy it.

The reader often runs on a server over SSH. A saved file then lands on the server,
which is right when the analyst has a shell there; copying goes through the
terminal (OSC 52) to the clipboard of the machine the analyst sits at, which is
the only way out of a ``briefing serve`` session. The dialog says both.

Where the file goes by default: config.toml's ``[export] folder`` if set, else
``~/briefing-notes/<slug>.md``, a folder people
find again; the data dir's ``exports/<slug>.md`` when the home folder cannot be
written to (a service account, a read-only home). Under ``briefing serve``
home is the user's own folder in the data dir, and the file may only go into
its ``briefing-notes`` folder: ``briefing export -o`` is refused there for the
same reason, that any other path would let a remote reader write over the
server's files (its keys file, other readers' notes).
"""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.widgets.button import ButtonVariant
from textual.worker import Worker, WorkerState

from briefing import __version__
from briefing.core.config import ConfigError, load_config
from briefing.core.export import ExportItem, export_markdown
from briefing.core.model import Briefing
from briefing.core.paths import (
    PathRefused,
    confined_path,
    default_export_path,
    served_folder,
)
from briefing.core.rules import counted, now_iso
from briefing.core.safetext import visible
from briefing.store.atomic import AlreadyExists, WriteRefused, write_document
from briefing.store.facade import Store
from briefing.tui.widgets.key_bar import KeyBar

SAVE, OVERWRITE = "Save (enter)", "Overwrite"  # the status line says: enter again
SSH_HINT = "Over SSH the file is saved on the server; copy sends it to your own clipboard."


def _configured(name: str, store: Store) -> Path:
    """Where ``name`` goes unserved: config.toml's ``[export] folder`` (as ``briefing
    export`` uses it), else the default. Served, the served folder rules instead."""
    try:
        folder = load_config().export_folder
    except ConfigError:  # said when the reader started; the default still works
        folder = None
    return folder / name if folder is not None else default_export_path(store.paths, name)


def notes_count(count: int) -> str:
    """``"1 note"``, ``"3 notes"``."""
    return counted(count, "note")


class ExportDialog(ModalScreen[Path | None]):
    """This user's notes on one briefing, as Markdown, saved to a file or copied.

    Dismisses with the path written, or ``None`` (copied or cancelled). The write
    runs in a worker, so a slow disk cannot freeze the reader, and a failed write
    leaves the dialog open, so the path can be fixed and tried again.
    """

    CSS_PATH = "export.tcss"

    BINDINGS = [
        Binding("enter", "save", "Save", id="export.save", tooltip="Save the notes to the file"),
        Binding(
            "ctrl+y",
            "copy",
            "Copy instead",
            id="export.copy",
            tooltip="Copy the Markdown to your clipboard instead (works over SSH)",
        ),
        Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="Close; export nothing"),
    ]

    def __init__(self, store: Store, briefing: Briefing) -> None:
        super().__init__()
        notes = store.annotations(briefing.slug)
        self.count = len(notes)
        # Made once, here: the file and the clipboard get the very same document.
        self.document = export_markdown(
            [ExportItem(briefing, tuple(notes))], exported_at=now_iso(), version=__version__
        )
        self.briefing = briefing
        self.confined = served_folder(store.paths, store.user)
        name = f"{briefing.slug}.md"
        self.path = self.confined / name if self.confined else _configured(name, store)
        self._confirmed: Path | None = None  # an existing file the user said to overwrite
        self._writing: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog") as box:
            box.border_title = "Export notes"
            what = f"{notes_count(self.count)} on “{self.briefing.title}”, as Markdown."
            yield Static(Content(visible(what)), id="export-what")
            yield Static(Content("Save to"), classes="field-label")
            yield Input(str(self.path), id="export-path", select_on_focus=False)
            yield Static("", id="export-status")
            if self.confined is not None or os.environ.get("SSH_CONNECTION"):
                yield Static(Content(SSH_HINT), id="export-hint")
            with Horizontal(id="export-buttons"):
                # The keys are on the buttons too: the key bar cannot show enter, which the
                # path field takes (its submit saves).
                yield Button(SAVE, id="export-save", variant="primary")
                yield Button("Copy (ctrl+y)", id="export-copy")
                yield Button("Cancel (esc)", id="export-cancel")
        yield KeyBar()  # this dialog's keys, not the reader's underneath

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        field.focus()
        field.cursor_position = len(field.value)  # ready to change the file name

    # -- saving -----------------------------------------------------------------

    def _status(self, text: str = "", *, warning: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.update(Content(visible(text)))
        status.set_class(warning, "-warning")
        status.display = bool(text)

    def _save_button(self, label: str, variant: ButtonVariant) -> None:
        button = self.query_one("#export-save", Button)
        button.label = label
        button.variant = variant

    def _target(self) -> Path | None:
        """The path typed, made absolute; None (and the reason shown) if unusable."""
        try:
            return confined_path(self.query_one("#export-path", Input).value, self.confined)
        except PathRefused as refused:
            self._status(visible(str(refused)), warning=True)
            return None

    def action_save(self) -> None:
        if self._writing is not None:
            return  # a second enter while writing would only ask about the file it writes
        path = self._target()
        if path is None:
            return
        self._writing = path
        overwrite = path == self._confirmed

        def write() -> Path:
            write_document(path, self.document, overwrite=overwrite)
            return path

        self.run_worker(
            write, name="export", group="export", exclusive=True, thread=True, exit_on_error=False
        )

    @on(Worker.StateChanged)
    def _write_finished(self, event: Worker.StateChanged) -> None:
        """Every outcome of a write, in one place: saved, ask to overwrite, or failed."""
        worker = event.worker
        if worker.group != "export" or not worker.is_finished:
            return
        path, self._writing = self._writing, None
        if event.state == WorkerState.SUCCESS:
            self.notify(
                visible(f"Saved {notes_count(self.count)} to {worker.result}"),
                title="Notes exported",
                markup=False,
            )
            self.dismiss(worker.result)
        elif isinstance(worker.error, AlreadyExists) and path is not None:
            self._confirmed = path
            self._status(f"{path.name} exists. Press Enter again to overwrite it.", warning=True)
            self._save_button(OVERWRITE, "warning")
        elif isinstance(worker.error, WriteRefused):
            self._status()
            self.notify(
                visible(str(worker.error)),
                title="Notes not saved",
                severity="error",
                timeout=8,
                markup=False,
            )
        elif worker.error is not None:
            raise worker.error  # a bug, not a bad path: Textual shows it and exits

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        """A new path needs its own confirmation before it may overwrite anything."""
        if self._confirmed is not None:
            self._confirmed = None
            self._save_button(SAVE, "primary")
        self._status()

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-save")
    def _save_pressed(self) -> None:
        self.action_save()

    # -- copying, cancelling ------------------------------------------------------

    def action_copy(self) -> None:
        """OSC 52: the terminal the user sits at takes the text, however far the server."""
        self.app.copy_to_clipboard(self.document)
        self.notify(
            f"{notes_count(self.count)} copied as Markdown. If nothing pastes, your terminal"
            " does not allow it (OSC 52): save a file instead.",
            title="Notes copied",
        )
        self.dismiss(None)

    @on(Button.Pressed, "#export-copy")
    def _copy_pressed(self) -> None:
        self.action_copy()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#export-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
