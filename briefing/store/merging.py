"""Edits that merge or refuse, never revert.

Every note carries a ``version``, raised by each write. An edit names the
version it started from (its *base*). If the stored note moved on meanwhile (the
CLI's ``notes edit``, another reader of the same user, a re-import that moved its
passage), the edit is merged field by field: what only this edit changed is
applied, what only the other changed is kept. If both changed the same field to
different values, the edit is refused with :class:`EditConflict`, which carries
the stored note so that the user can see the other version.
"""

from __future__ import annotations

from typing import Any

from briefing.core.model import Annotation
from briefing.store.atomic import DataError

#: The fields of a note an edit can change, as the user sees them.
FIELDS = ("note", "tags", "color", "passage")


class EditConflict(DataError):
    """The note was changed elsewhere in the same field; nothing was written."""

    def __init__(self, current: Annotation, fields: list[str]) -> None:
        names = ", ".join("text" if f == "note" else f for f in fields)
        super().__init__(
            f"note {current.id} was changed elsewhere meanwhile ({names}); yours was not saved"
        )
        self.current = current
        self.fields = fields


def _value(annotation: Annotation, field: str) -> Any:
    if field == "passage":
        return (annotation.section, annotation.anchor, annotation.status)
    return getattr(annotation, field)


def merge(base: Annotation, stored: Annotation, mine: Annotation) -> Annotation:
    """``stored`` with the fields this edit changed from ``base``; raise on a real conflict."""
    if stored.version == base.version:
        return mine
    clashes = [
        f
        for f in FIELDS
        if _value(mine, f) != _value(base, f)
        and _value(stored, f) != _value(base, f)
        and _value(stored, f) != _value(mine, f)
    ]
    if clashes:
        raise EditConflict(stored, clashes)
    changes: dict[str, Any] = {"updated": mine.updated}
    for field in FIELDS:
        if _value(mine, field) != _value(base, field):
            if field == "passage":
                changes.update(section=mine.section, anchor=mine.anchor, status=mine.status)
            else:
                changes[field] = getattr(mine, field)
    return stored.with_changes(**changes)
