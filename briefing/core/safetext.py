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

BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"  # lone ones cannot even be encoded for a terminal
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI}{_SURROGATES}]")
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
    overrides become U+FFFD.
    """
    return _CONTROL.sub(lambda m: _picture(ord(m.group())) or "\ufffd", text)


def described(text: str) -> str:
    """Like :func:`visible`, but names C1 and bidi characters (``⟨U+202E⟩``).

    For exports, where offsets do not matter and a reader should see what was there.
    """
    return _CONTROL.sub(lambda m: _picture(ord(m.group())) or f"⟨U+{ord(m.group()):04X}⟩", text)


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None


def safe_json(data: Any, **options: Any) -> str:
    """JSON that keeps every character but never carries one a terminal would obey."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
