"""Drafts of notes that were open in an editor when the reader was ended.

An SSH connection that drops sends the reader SIGHUP (``briefing serve`` also
sends SIGTERM): the reader keeps the open editor's text here, in the user's
state file (table ``drafts``), and offers it back the next time that briefing
is opened. A draft is dropped once it is saved or deliberately discarded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from briefing.core import rules
from briefing.store.files import where

if TYPE_CHECKING:
    from briefing.store.facade import Store


@dataclass(frozen=True)
class KeptDraft:
    """An unsaved note: where it was being written, and what it said."""

    briefing: str
    section: str
    start: int
    end: int
    note: str
    tags: tuple[str, ...] = ()
    color: str = "yellow"
    note_id: str = ""  # editing this note; empty: a new note on [start, end)
    kept: str = field(default_factory=rules.now_iso)

    @property
    def key(self) -> str:
        return self.note_id or f"{self.briefing}/{self.section}/{self.start}-{self.end}"


def _from(record: dict[str, Any]) -> KeptDraft | None:
    try:
        return KeptDraft(
            briefing=str(record["briefing"]),
            section=str(record["section"]),
            start=int(record["start"]),
            end=int(record["end"]),
            note=str(record.get("note", "")),
            tags=tuple(str(t) for t in record.get("tags", ())),
            color=str(record.get("color", "yellow")),
            note_id=str(record.get("note_id", "")),
            kept=str(record.get("kept", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def keep(store: Store, draft: KeptDraft) -> None:
    """Store a draft (replacing one for the same note or passage)."""
    record = {**asdict(draft), "tags": list(draft.tags), "key": draft.key}
    with store._state.transaction() as db:
        db.table("drafts").upsert(record, where("key") == draft.key)


def kept(store: Store, slug: str) -> list[KeptDraft]:
    """The drafts kept for one briefing, oldest first."""
    data = store._state.cached(lambda d: d or {})
    records = data.get("drafts", {}).values()
    found = [d for d in map(_from, records) if d is not None and d.briefing == slug]
    return sorted(found, key=lambda d: d.kept)


def drop(store: Store, draft: KeptDraft) -> None:
    """Forget a draft once it was saved or discarded."""
    if any(d.key == draft.key for d in kept(store, draft.briefing)):
        with store._state.transaction() as db:
            db.table("drafts").remove(where("key") == draft.key)
