"""The real reader, on a real pty, fed a briefing and a note full of control sequences.

Textual writes escape sequences of its own to draw; the test proves that none
of the sequences *from the content* reach the terminal: each is marked with a
word that must come out only as visible text (␛[31mEVILRED), never as ESC [31m.
"""

from __future__ import annotations

import os
import select
import time
from pathlib import Path

from briefing.store.facade import Store
from briefing.store.importing import import_paths
from tests.helpers.pty import open_reader

ESC, BEL, CSI8 = "\x1b", "\x07", "\x9b"
HOSTILE = {
    "csi colour": f"{ESC}[31mEVILRED",
    "osc 52 clipboard": f"{ESC}]52;c;RVZJTENMSVA={BEL}EVILCLIP",
    "osc 8 link": f"{ESC}]8;;https://evil.example/{ESC}\\EVILLINK{ESC}]8;;{ESC}\\",
    "dcs": f"{ESC}P1$qEVILDCS{ESC}\\",
    "c1 csi": f"{CSI8}2JEVILC1",
    "title set": f"{ESC}]0;EVILTITLE{BEL}",
}
#: What each must never look like on the wire (ESC may also be sent as C1).
RAW = [
    b"\x1b[31mEVILRED",
    b"\x1b]52;c;RVZJTENMSVA=",
    b"\x1b]8;;https://evil.example/",
    b"\x1bP1$qEVILDCS",
    "\x9b2JEVILC1".encode(),
    b"\x1b]0;EVILTITLE",
]


def _briefing(folder: Path) -> Path:
    body = " ".join(HOSTILE.values())
    path = folder / "hostile.md"
    path.write_text(
        f"# Hostile {HOSTILE['csi colour']}\n\n## Section {HOSTILE['title set']}\n\n"
        f"Plain words first. {body} Plain words last.\n",
        encoding="utf-8",
    )
    return path


def _run_reader(data: Path, section: str, size: tuple[int, int], keys: list[bytes]) -> bytes:
    child, controller = open_reader(data, "hostile", section, size)
    output = bytearray()

    def read_until_quiet(quiet: float, deadline: float) -> None:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], quiet)
            if not ready:
                return
            try:
                output.extend(os.read(controller, 65536))
            except OSError:
                return

    try:
        deadline = time.monotonic() + 30
        while b"Plain words" not in output and time.monotonic() < deadline:
            read_until_quiet(0.2, deadline)
        for number, key in enumerate(keys, 1):
            os.write(controller, key)  # each key's screen drawn before the next, the last in full
            read_until_quiet(0.2 if number < len(keys) else 0.5, time.monotonic() + 10)
    finally:
        child.kill()
        child.wait()
        os.close(controller)
    return bytes(output)


def test_no_control_sequence_from_content_reaches_the_terminal(
    store: Store, tmp_path: Path
) -> None:
    report = import_paths(store, [_briefing(tmp_path)])
    assert not report.refused
    (section,) = store.get("hostile").sections
    quote = HOSTILE["osc 52 clipboard"]
    start = section.text.index(quote)
    store.add_annotation(
        "hostile", section.key, start, start + len(quote), note=f"note {HOSTILE['c1 csi']} end"
    )
    # Wide enough for the notes pane; then page, toggle panes and open help.
    output = _run_reader(store.paths.root, section.key, (120, 36), [b"G", b"c", b"?", b"\x1b"])
    assert b"Plain words" in output and b"EVILCLIP" in output  # the content was drawn
    for raw in RAW:
        assert raw not in output, raw
    shown = output.decode("utf-8", "replace")
    assert "␛[31mEVILRED" in shown  # visible, as text
    assert "\x9b" not in shown
