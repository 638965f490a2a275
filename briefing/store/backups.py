"""Backups of data files, and restoring one without losing a note.

Layout, under ``DATA/backups/``: one folder per data file, named by the file's
path relative to the data folder, percent-encoded (``users%2Fbob%2Fstate.json``),
so two files can never share a folder (the old ``/`` -> ``__`` naming made
``users/bob__notes/state.json`` and ``users/bob/notes/state.json`` collide).
In a folder:

- ``YYYY-MM-DD.json``: the file as it was before that day's first write (daily);
- ``YYYY-MM-DDTHHMMSSffffff-<why>.json``: the file just before a write that
  removes or moves notes (``delete``, ``reanchor``, ``restore``).

Both kinds sort by time by name. A restore first keeps the damaged file in
``DATA/damaged/<same folder name>/``, then merges every note that can still be
read from it with the chosen backup.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from briefing.core.rules import counted
from briefing.store.atomic import DataError, read_bytes, read_json, write_data
from briefing.store.schema import ShapeError, strict_loads, valid_annotation

DAILY_KEPT = 5
EVENTS_KEPT = 20
_DAILY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


def folder_name(path: Path, root: Path) -> str:
    """An injective name for a data file's backup folder."""
    return quote(path.relative_to(root).as_posix(), safe="")


def listing(folder: Path) -> list[Path]:
    """Every backup in a folder, newest first."""
    return sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []


def daily(path: Path, folder: Path, today: _dt.date) -> None:
    """Copy ``path`` as today's backup unless there is one; keep the newest few days."""
    target = folder / f"{today.isoformat()}.json"
    if target.exists():
        return
    current = read_bytes(path)
    if current is None:
        return
    write_data(target, current)
    days = [b for b in listing(folder) if _DAILY.match(b.name)]
    for old in days[DAILY_KEPT:]:
        old.unlink(missing_ok=True)


def before_loss(path: Path, folder: Path, why: str) -> Path | None:
    """Copy ``path`` before a write that removes or moves notes; keep the newest few."""
    current = read_bytes(path)
    if current is None:
        return None
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H%M%S%f")
    target = folder / f"{stamp}-{why}.json"
    write_data(target, current)
    events = [b for b in listing(folder) if not _DAILY.match(b.name)]
    for old in events[EVENTS_KEPT:]:
        old.unlink(missing_ok=True)
    return target


# -- describing candidates --------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One backup a damaged file could be restored from."""

    path: Path
    good: bool
    records: int  # notes in a notes file, else records in all tables
    age_seconds: float
    problem: str = ""

    def describe(self, *, notes: bool) -> str:
        if not self.good:
            return f"{self.path.name}  damaged ({self.problem}); skipped"
        count = counted(self.records, "note" if notes else "record")
        return f"{self.path.name}  {age(self.age_seconds)}, {count}"


def age(seconds: float) -> str:
    """``just now``, ``5 minutes old``, ``3 hours old``, ``2 days old``."""
    seconds = max(seconds, 0.0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{counted(n, unit)} old"
    return "just now"


def candidates(folder: Path, *, now: float | None = None) -> list[Candidate]:
    """Every backup of one file, newest first, each checked and counted."""
    now = time.time() if now is None else now
    found = []
    for backup in listing(folder):
        try:
            data = read_json(backup, strict=True) or {}
            age_seconds = now - backup.stat().st_mtime
        except (DataError, OSError) as error:
            found.append(Candidate(backup, False, 0, 0.0, _short(error)))
            continue
        found.append(Candidate(backup, True, count_records(data), age_seconds))
    return found


def count_records(data: dict[str, Any]) -> int:
    if isinstance(data.get("annotations"), dict):
        return len(data["annotations"])
    return sum(len(t) for k, t in data.items() if k != "_meta" and isinstance(t, dict))


def _short(error: Exception) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if ": " in text else text


# -- salvage and merge --------------------------------------------------------

_RECORD_START = re.compile(r'"\d+"\s*:\s*\{')


def salvage_notes(raw: bytes) -> list[dict[str, Any]]:
    """Every whole note that can still be read from a damaged notes file.

    A file that still parses gives its valid records; one that does not is
    scanned for ``"<id>": {...}`` objects, each decoded on its own, so one
    broken record (or a cut-off end) costs only that record.
    """
    records: list[Any] = []
    try:
        data = strict_loads(raw)
    except (ValueError, RecursionError, ShapeError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("annotations"), dict):
        records = list(data["annotations"].values())
    elif data is None:
        text = raw.decode("utf-8", "replace")
        decoder = json.JSONDecoder()
        for match in _RECORD_START.finditer(text):
            try:
                record, _ = decoder.raw_decode(text, match.end() - 1)
            except (ValueError, RecursionError):
                continue
            records.append(record)
    best: dict[str, dict[str, Any]] = {}
    for record in records:
        if valid_annotation(record):
            other = best.get(record["id"])
            if other is None or _newer(record, other):
                best[record["id"]] = record
    return list(best.values())


def _newer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a.get("version", 0), a.get("updated", "")) > (b.get("version", 0), b.get("updated", ""))


def merge_notes(
    backup: dict[str, Any], salvaged: list[dict[str, Any]]
) -> tuple[dict[str, Any], int]:
    """The backup's document with the salvaged notes merged in (the newer copy of each id).

    Returns the document and how many notes came from the damaged file.
    """
    by_id: dict[str, dict[str, Any]] = {}
    for record in (backup.get("annotations") or {}).values():
        by_id[record["id"]] = record
    from_damaged = 0
    for record in salvaged:
        old = by_id.get(record["id"])
        if old is None or _newer(record, old):
            by_id[record["id"]] = record
            from_damaged += 1
    document = dict(backup)
    document["annotations"] = {str(i): r for i, r in enumerate(by_id.values(), start=1)}
    return document, from_damaged


def dumps(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
