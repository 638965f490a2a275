"""Make untrusted text harmless for a terminal.

Briefings and notes are content, never control: an ESC, OSC or bidi
override inside them must be shown, not obeyed. Rich and Textual strip only
a few control characters and pass ESC through, so every path that puts
content on a terminal or into an export goes through this module.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Bidi overrides and isolates (LRE..RLO, LRI..PDI): they reorder the text around them, so a
#: line can show other than what it holds. Neutralised wherever content meets a terminal.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: Bidi marks (ALM, LRM, RLM): invisible, zero-width, and only settle the direction of the
#: characters beside them. Persian and Arabic text needs them; a terminal shows them as
#: written. Kept on screen; exports still spell them out (see :func:`described`).
BIDI_MARKS = "\u061c\u200e\u200f"
BIDI = BIDI_MARKS + BIDI_CONTROLS
_SURROGATES = "\ud800-\udfff"  # lone ones cannot even be encoded for a terminal
_C0_C1 = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f"
#: What the screen must not receive raw: C0 and C1 controls, overrides, isolates, surrogates.
_SCREEN_CONTROL = re.compile(f"[{_C0_C1}{BIDI_CONTROLS}{_SURROGATES}]")
#: What an export never holds raw: the same, and the bidi marks as well.
_CONTROL = re.compile(f"[{_C0_C1}{BIDI}{_SURROGATES}]")
#: What json.dumps(ensure_ascii=False) leaves raw and a terminal would still obey.
_JSON_RAW = re.compile(f"[\\x7f-\\x9f\\u2028\\u2029{BIDI}{_SURROGATES}]")


def _picture(code: int) -> str | None:
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return None


def visible(text: str) -> str:
    """Replace control characters (except newline and tab) with visible stand-ins.

    Each character is replaced by exactly one, so offsets into the text (the
    anchors of notes) stay valid on the sanitised text: C1 controls and bidi
    overrides and isolates become U+FFFD. Bidi marks (LRM, RLM, ALM) are kept: they
    only settle direction, and right-to-left text reads wrong without them.
    """
    return _SCREEN_CONTROL.sub(lambda m: _picture(ord(m.group())) or "\ufffd", text)


def described(text: str) -> str:
    """Like :func:`visible`, but names C1 and bidi characters (``⟨U+202E⟩``).

    For exports, where offsets do not matter and a reader should see what was there.
    """
    return _CONTROL.sub(lambda m: _picture(ord(m.group())) or f"⟨U+{ord(m.group()):04X}⟩", text)


def has_controls(text: str) -> bool:
    """Whether :func:`visible` would change ``text``."""
    return _SCREEN_CONTROL.search(text) is not None


def safe_json(data: Any, **options: Any) -> str:
    """JSON that keeps every character but never carries one a terminal would obey."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
