"""Keys typed fast on a real pty go where the focus is when each is handled (issue 15).

A terminal delivers keys typed quickly (or sent over SSH) in one read; here the note, a
Tab and the tags are one write, as ``tmux send-keys "note<Tab>tags"`` does.
"""

from __future__ import annotations

import os
import select
import time

import pytest

from briefing.store.facade import Store
from tests.conftest import SLUG
from tests.helpers.pty import open_reader

pytestmark = pytest.mark.system


def _drain(
    controller: int, output: bytearray, quiet: float, until: float, seen: bytes | None = None
) -> None:
    """Read what the reader draws until ``quiet`` seconds pass without output, ``until``,
    or ``seen`` has been drawn."""
    while time.monotonic() < until and not (seen and seen in output):
        ready, _, _ = select.select([controller], [], [], quiet)
        if not ready:
            return
        try:
            output.extend(os.read(controller, 65536))
        except OSError:
            return


def test_a_note_a_tab_and_tags_in_one_write_land_in_their_fields(store: Store) -> None:
    child, controller = open_reader(store.paths.root, SLUG, "un-veto")
    output = bytearray()
    try:
        deadline = time.monotonic() + 30
        while b"Security" not in output and time.monotonic() < deadline:
            _drain(controller, output, 0.5, deadline, seen=b"Security")
        os.write(controller, b"la")  # the first sentence, then the editor
        while b"Tags (comma" not in output and time.monotonic() < deadline + 30:
            _drain(controller, output, 0.5, deadline + 30, seen=b"Tags (comma")
        os.write(controller, b"my note\twatch legal\r")  # enter in the tags field saves
        for _ in range(400):
            if Store(store.paths.root, "tester").annotations(SLUG):
                break
            _drain(controller, output, 0.05, time.monotonic() + 0.5)
        os.write(controller, b"q\x11")  # to the library, and quit (ctrl+q)
        until = time.monotonic() + 30
        while child.poll() is None and time.monotonic() < until:
            _drain(controller, output, 0.05, time.monotonic() + 0.5)  # the pty must not fill
        assert child.poll() == 0, output[-2000:]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(controller)
    (note,) = Store(store.paths.root, "tester").annotations(SLUG)
    assert (note.note, note.tags) == ("my note", ("watch", "legal"))
