"""The server log shows what a client sent, never obeys it: one event, one line."""

from __future__ import annotations

from pathlib import Path

from briefing.serve.log import ServerLog


def test_controls_bidi_overrides_and_line_breaks_cannot_forge_or_hide_a_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ssh" / "server.log"
    log = ServerLog(path, echo=False)
    log.write("refused", user="mallory\u202e", command="list\nFAKE login user=alice\x1b[2J\t")
    (line,) = path.read_text(encoding="utf-8").splitlines()
    assert "\u202e" not in line and "\x1b" not in line and "\t" not in line
    assert "mallory⟨U+202E⟩" in line
    assert "list␊FAKE login user=alice␛[2J␉" in line
