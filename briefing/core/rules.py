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


def split_tag_input(text: str) -> list[str]:
    """A tags field as typed in the reader: tags separated by spaces or commas."""
    return text.replace(",", " ").split()


def normalise_tag(tag: str) -> str:
    """One tag as stored: no leading '#', lower case, NFC, inner whitespace runs as
    one '-' (``"Watch list"`` -> ``"watch-list"``: one tag, and a valid Obsidian tag).
    Accents and symbols are kept (``"Résumé"`` -> ``"résumé"``, ``"C++"`` -> ``"c++"``)."""
    tag = unicodedata.normalize("NFC", tag).strip().lstrip("#").strip().lower()
    return "-".join(tag.split())


def normalise_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored, in order, without repeats. Each item is one tag, or several
    separated by commas (``--tag "watch list"`` is one tag, ``--tag a,b`` two); a
    typed field separated by spaces goes through :func:`split_tag_input` first."""
    tags: list[str] = []
    for chunk in raw:
        for part in chunk.split(","):
            tag = normalise_tag(part)
            if tag and tag_key(tag) not in map(tag_key, tags):
                tags.append(tag)
    return tuple(tags)


def edited_tags(
    current: Iterable[str], *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> tuple[str, ...]:
    """``current`` with ``add`` appended (those not there yet) and ``remove`` taken out,
    each compared as tags are (:func:`tag_key`): removing ``Résumé`` removes ``resume``."""
    gone = {tag_key(tag) for tag in normalise_tags(remove)}
    return tuple(tag for tag in normalise_tags([*current, *add]) if tag_key(tag) not in gone)


def tag_key(tag: str) -> str:
    """The one form tags are compared in, everywhere (store, search, export, the
    notes pane, the CLI): :func:`normalise_tag`, then accents dropped and casefolded,
    so ``tag:resume``, ``--tag Résumé`` and ``#RESUME`` all name the same tag."""
    decomposed = unicodedata.normalize("NFKD", normalise_tag(tag))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold()


def slugify(text: str, fallback: str = "section") -> str:
    """A stable, ASCII, URL- and filename-safe key for a title."""
    # Punctuation, symbols and spaces of any script (en and em dashes, slashes, quotes)
    # separate words: "Russia–North Korea" -> "russia-north-korea". Accents are dropped
    # and other letters outside ASCII are left out, as before.
    spaced = "".join(
        " " if unicodedata.category(c)[0] in "PSZ" else c
        for c in unicodedata.normalize("NFKD", text)
    )
    ascii_text = spaced.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is exactly one, as every
    message that counts says it: ``"1 note"``, ``"0 notes"``, ``"2 matches"`` (give
    ``plural`` when adding an ``s`` is not it)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


#: A line that CommonMark can only read as a paragraph's (or a blank one): it starts, after
#: at most three spaces, with a letter or an opening quote or bracket, none of which opens
#: another block (a heading, rule, list, quote, fence, HTML block or link reference each
#: start otherwise). A note of such lines needs no Markdown parser to be placed safely.
_PROSE_LINE = re.compile(r" {0,3}(?:[^\W\d_]|[\"'“‘«(¿¡])| *$")


def paragraphs_only(lines: Iterable[str]) -> bool:
    """Whether Markdown of these lines holds nothing but paragraphs (see ``_PROSE_LINE``)."""
    return all(_PROSE_LINE.match(line) for line in lines)


def excerpt(text: str, limit: int = 60) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at a word boundary, with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut and not flat[limit - 1].isspace():  # not in the middle of a word...
        at_word = cut[: cut.rindex(" ")]
        if len(at_word) >= limit // 2:  # ...unless that would waste half the room
            cut = at_word
    return cut.rstrip(" ,;:") + "…"
