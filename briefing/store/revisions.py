"""Revisions of a briefing, and notes bound to the one they were anchored on.

A revision id is a hash of a briefing's section keys and texts: what anchors'
offsets index into. Every note stores the revision it was anchored on.

Re-import is recoverable after a kill at any moment because the old text is
kept until every note has moved off it:

1. the old revision's section texts are written to ``DATA/revisions/<slug>/<id>.json``
   (only if some note is on it);
2. the library is written (the new revision is current);
3. each notes file is re-anchored to the new revision in one atomic write;
4. kept revisions no note points at any more are removed.

A kill after 1 or 2 leaves notes on the old revision, whose text is still on
disk: readers re-anchor them in memory (:func:`current_view`), ``doctor`` says
an import was interrupted, and the next import (or ``doctor --restore``)
finishes the move. No note ever has offsets applied to text it was not made on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from briefing.core.model import Annotation, Briefing
from briefing.store.atomic import DataError, read_bytes, write_data


def revision_of(briefing: Briefing) -> str:
    """The id of a briefing's text: a hash of its section keys and texts."""
    import hashlib  # on first use: it loads OpenSSL, which a reader without notes never needs

    payload = json.dumps([[s.key, s.text] for s in briefing.sections], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def folder(root: Path, slug: str) -> Path:
    return root / "revisions" / slug


def keep(root: Path, briefing: Briefing) -> Path:
    """Write a revision's section texts, so notes on it can be checked and moved later."""
    path = folder(root, briefing.slug) / f"{revision_of(briefing)}.json"
    if not path.exists():
        texts = {s.key: s.text for s in briefing.sections}
        write_data(path, json.dumps(texts, ensure_ascii=False).encode("utf-8"))
    return path


def texts(root: Path, slug: str, revision: str) -> dict[str, str] | None:
    """A kept revision's section texts by key, or ``None`` if it is not kept."""
    try:
        raw = read_bytes(folder(root, slug) / f"{revision}.json")
    except DataError:
        return None
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return None
    return data


def prune(root: Path, slug: str, in_use: Iterable[str]) -> None:
    """Remove kept revisions no note points at any more."""
    used = set(in_use)
    where = folder(root, slug)
    if where.is_dir():
        for path in where.glob("*.json"):
            if path.stem not in used:
                path.unlink(missing_ok=True)


def is_stale(note: Annotation, current: str) -> bool:
    """A note on another revision than the current one (an interrupted import)."""
    return bool(note.revision) and note.revision != current


def current_view(notes: Iterable[Annotation], briefing: Briefing) -> list[Annotation]:
    """Notes as they sit on the current revision: stale ones re-anchored in memory."""
    current = revision_of(briefing)
    return [moved(n, briefing, current) if is_stale(n, current) else n for n in notes]


def moved(
    note: Annotation,
    briefing: Briefing,
    current: str | None = None,
    before: Mapping[str, str] | None = None,
    *,
    version: int | None = None,
) -> Annotation:
    """A note re-anchored onto the briefing's current revision (``version``: its new one).
    ``before`` is the kept text of the revision the note is on (see :func:`texts`), if any:
    with it, a deleted copy of repeated text is orphaned rather than moved onto a copy that
    stayed."""
    from briefing.core.anchoring import reanchor_in_briefing  # only for a re-anchor

    current = current or revision_of(briefing)
    new = reanchor_in_briefing(note, briefing, before)
    if version is None:
        return new.with_changes(revision=current)
    return new.with_changes(revision=current, version=version)
