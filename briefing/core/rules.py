"""The rules that more than one room applies, each defined once.

A rule here is pure: it neither reads nor writes anything. The store enforces
them on every write; the reader, the CLI, export and search apply the same
functions so that what is typed, stored, searched and exported agree.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable

#: A note is a comment, not a document: every save rewrites the user's notes
#: on that briefing, and the reader and search hold every note in memory.
MAX_NOTE_CHARS = 100_000


class RuleBroken(ValueError):
    """Input that breaks one of these rules; the message is one line for the user."""


def now_iso() -> str:
    """The current moment as stored and exported: UTC, to the second."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_note(note: str) -> str:
    """``note`` unchanged, or :class:`RuleBroken` when it is over the length limit."""
    if len(note) > MAX_NOTE_CHARS:
        raise RuleBroken(
            f"the note is {len(note):,} characters long, over the limit of {MAX_NOTE_CHARS:,}"
        )
    return note


def normalise_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Tags are typed with commas or spaces, with or without '#'; stored lower case."""
    tags: list[str] = []
    for chunk in raw:
        for tag in chunk.replace(",", " ").split():
            tag = tag.lstrip("#").strip().lower()
            if tag and tag not in tags:
                tags.append(tag)
    return tuple(tags)


def slugify(text: str, fallback: str = "section") -> str:
    """A stable, ASCII, URL- and filename-safe key for a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback
