"""What re-anchoring did to a note, in words a reader can act on.

A note whose passage merely shifted within its section is not news. One whose passage is now in
another section ("moved"), whose words were revised ("edited", with the old and the new quote)
or which could not be placed ("orphaned") is reported after a re-import.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from briefing.core.model import Annotation
from briefing.core.rules import excerpt

ChangeKind = Literal["moved", "edited", "orphaned"]


@dataclass(frozen=True, slots=True)
class NoteChange:
    """One note's fate in a re-import."""

    kind: ChangeKind
    user: str
    note_id: str
    old_section: str
    new_section: str
    old_quote: str
    new_quote: str
    #: The briefing's sections before the import, (key, title) pairs, when kept with the
    #: change for a later reader: it tells a renamed section from notes that moved.
    before: tuple[tuple[str, str], ...] = ()

    def record(self) -> dict[str, Any]:
        """A JSON-safe form, for the store."""
        return {
            "kind": self.kind,
            "user": self.user,
            "id": self.note_id,
            "old_section": self.old_section,
            "new_section": self.new_section,
            "old_quote": self.old_quote,
            "new_quote": self.new_quote,
            "before": dict(self.before),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> NoteChange | None:
        """The change a record holds, or ``None`` for a damaged one."""
        kind = record.get("kind")
        fields = [record.get(k) for k in ("user", "id", "old_section", "new_section")]
        quotes = [record.get("old_quote"), record.get("new_quote")]
        if kind not in ("moved", "edited", "orphaned"):
            return None
        if not all(isinstance(v, str) for v in fields + quotes):
            return None
        kept = record.get("before")
        pairs = kept.items() if isinstance(kept, dict) else ()
        before = tuple((k, v) for k, v in pairs if isinstance(v, str))
        change = cls(kind, *fields, *quotes)  # type: ignore[arg-type]
        return replace(change, before=before)


def classify(old: Annotation, new: Annotation) -> NoteChange | None:
    """What happened to ``old`` when it became ``new``, or ``None`` if nothing worth telling."""
    if new.status == "orphaned":
        if old.status == "orphaned":
            return None
        kind: ChangeKind = "orphaned"
    elif new.quote != old.quote:
        kind = "edited"
    elif new.section != old.section or old.status == "orphaned":
        kind = "moved"  # to another section, or found again
    else:
        return None
    return NoteChange(kind, old.user, old.id, old.section, new.section, old.quote, new.quote)


def renamed_sections(
    changes: list[NoteChange], old_keys: Collection[str], new_keys: Collection[str]
) -> dict[str, str]:
    """Sections whose heading was reworded, old key -> new key: a section gone from the
    briefing whose notes all went to one section new in it, which took notes from no
    other. Its notes did not move: the section was renamed around them."""
    targets: dict[str, set[str]] = {}
    for change in changes:
        if change.kind != "orphaned" and change.old_section != change.new_section:
            targets.setdefault(change.old_section, set()).add(change.new_section)
    for change in changes:  # an orphaned note's section was not simply renamed
        if change.kind == "orphaned" and change.old_section in targets:
            targets[change.old_section].add("")
    pairs = {
        old: next(iter(new))
        for old, new in targets.items()
        if len(new) == 1 and old not in new_keys and next(iter(new)) not in old_keys
    }
    sources = [new for new in pairs.values()]
    return {old: new for old, new in pairs.items() if new and sources.count(new) == 1}


def renamed_in_place(
    before: Sequence[str], after: Sequence[str], changes: Iterable[NoteChange] = ()
) -> dict[str, str]:
    """Sections reworded where they stand, old key -> new key, told without notes: the
    same number of sections, and at one place a key gone from the briefing where a new
    one now is. A section some note left (for another section, or none) is not one."""
    if len(before) != len(after):
        return {}
    left = {c.old_section for c in changes}
    return {
        old: new
        for old, new in zip(before, after, strict=True)
        if old != new and old not in after and new not in before and old not in left
    }


@dataclass(frozen=True, slots=True)
class Report:
    """What a re-import did to one briefing's notes, as the CLI and the reader both say it."""

    counts: str  # "1 moved, 1 edited" (a renamed section's notes not counted), or ""
    lines: list[str]  # each renamed section, then each of the user's own notes


def report(
    found: list[NoteChange],
    before: Mapping[str, str],
    titles: Mapping[str, str],
    user: str,
    width: int = 60,
) -> Report:
    """The lines that tell ``user`` what an import did: ``before`` and ``titles`` are the
    briefing's section titles (key -> title) before and after it. Others' notes are only
    counted, never spelled out: they are private."""
    renamed = renamed_sections(found, before, titles)
    # A renamed section that holds no note is told by where it stands.
    for old, new in renamed_in_place(list(before), list(titles), found).items():
        if new not in renamed.values():
            renamed.setdefault(old, new)
    lines = [
        f"section “{before.get(old, old)}” is now “{titles.get(new, new)}”"
        for old, new in renamed.items()
    ]
    kept = [c for c in found if not is_renamed(c, renamed)]
    for change in kept:
        if change.user == user:
            lines.extend(describe(change, dict(titles), width, old_titles=before).split("\n"))
    return Report(summary(found, renamed), lines)


def sections_before(found: list[NoteChange]) -> dict[str, str]:
    """The sections before the import, as kept with the stored changes (key -> title)."""
    return {key: title for change in found for key, title in change.before}


def is_renamed(change: NoteChange, renamed: Mapping[str, str]) -> bool:
    """Whether ``change`` is a note that only went along with its renamed section."""
    return change.kind == "moved" and renamed.get(change.old_section) == change.new_section


def summary(changes: list[NoteChange], renamed: Mapping[str, str] | None = None) -> str:
    """ "2 moved, 1 edited, 1 orphaned" (kinds with none left out), or "" for no change;
    a note whose section was only ``renamed`` has not moved."""
    counts = {kind: 0 for kind in ("moved", "edited", "orphaned")}
    for change in changes:
        if not is_renamed(change, renamed or {}):
            counts[change.kind] += 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)


def _short(quote: str, width: int = 60, around: int = 0) -> str:
    """The quote on one line, at most ``width`` characters, showing offset ``around``."""
    flat = " ".join(quote.split())
    if len(flat) <= width:
        return f"“{flat}”"
    start = max(0, min(around - width // 3, len(flat) - width + 1))
    if start and not flat[start - 1].isspace():  # begin at a word, if one starts soon
        space = flat.find(" ", start, max(around, start + 1))
        start = space + 1 if space != -1 else start
    head = "…" if start else ""
    return f"“{head}{excerpt(flat[start:], width - len(head))}”"


def _first_difference(a: str, b: str) -> int:
    a, b = " ".join(a.split()), " ".join(b.split())
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def describe(
    change: NoteChange,
    titles: dict[str, str] | None = None,
    width: int = 60,
    *,
    old_titles: Mapping[str, str] | None = None,
) -> str:
    """What happened to which note, and where it went, for a person: one line, or two for an
    edited note (the old words, then the new, both shown where they first differ).

    Quotes are cut to ``width`` characters; below 60 the kinds are not padded into a column
    (for a notification, which is narrow). ``old_titles``: the sections' titles before the
    import, so that a moved note says from where it went (a gone section's key otherwise).
    """
    title = (titles or {}).get
    pad = 10 if width >= 60 else 0
    kind = f"{change.kind}{':' if not pad else ''}".ljust(pad) + ("" if pad else " ")
    if change.kind == "orphaned":
        was = title(change.old_section, change.old_section)
        return f"{kind}{_short(change.old_quote, width)} (was in {was})"
    where = ""
    if change.new_section != change.old_section:
        now = title(change.new_section, change.new_section)
        where = f" (now in {now})"
        if old_titles is not None:
            was = old_titles.get(change.old_section) or title(change.old_section, "")
            where = f" (from {was or change.old_section} to {now})"
    if change.kind == "edited":
        at = _first_difference(change.old_quote, change.new_quote)
        arrow = "       -> " if pad else "-> "
        return (
            f"{kind}{_short(change.old_quote, width, around=at)}\n"
            f"{arrow}{_short(change.new_quote, width, around=at)}{where}"
        )
    return f"{kind}{_short(change.new_quote, width)}{where}"
