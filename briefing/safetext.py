"""Make untrusted text harmless for a terminal.

Briefings and notes are content, never control: an ESC, OSC or bidi
override inside them must be shown, not obeyed. Rich and Textual strip only
a few control characters and pass ESC through, so every path that puts
content on a terminal goes through :func:`visible` first.
"""

from __future__ import annotations

import re

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls and bidi overrides: the replacement character


def visible(text: str) -> str:
    """Replace control characters (except newline and tab) with visible stand-ins.

    Each character is replaced by exactly one, so offsets into the text (the
    anchors of notes) stay valid on the sanitised text.
    """
    return _CONTROL.sub(_picture, text)


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None
