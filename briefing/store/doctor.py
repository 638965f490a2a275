"""``briefing doctor``: check every data file, and restore one without losing a note.

Three verdicts besides good, kept apart because they call for different acts:

- *damaged*: does not parse, or has the wrong shape (:mod:`briefing.store.schema`);
  restorable from a backup;
- *unreadable*: the OS refuses to read it (permissions, not a regular file). The
  bytes may be fine, so it is never restored over: the user fixes the cause;
- *newer*: written by a newer version of briefing; never restored over either.

A restore keeps the damaged file aside first (``DATA/damaged/``), salvages every
note that can still be read from it, merges those with the chosen backup (the
newer copy of each note wins), and writes the result under the file's lock.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.store import backups
from briefing.store.atomic import (
    DataError,
    Unreadable,
    locked,
    read_bytes,
    read_json,
    write_data,
)

if TYPE_CHECKING:
    from briefing.store.facade import DataFile, Store


@dataclass
class Verdict:
    """What ``doctor`` found for one file."""

    file: DataFile
    status: str  # "ok", "damaged", "unreadable" or "newer"
    problem: str = ""

    @property
    def restorable(self) -> bool:
        return self.status == "damaged"


def check_file(data_file: DataFile) -> Verdict:
    """Read one file as strictly as a write would; say what is wrong with it."""
    from briefing.store.facade import NewerSchema

    try:
        data_file.read(strict=True)
    except NewerSchema as error:
        return Verdict(data_file, "newer", str(error))
    except Unreadable as error:
        return Verdict(data_file, "unreadable", str(error))
    except DataError as error:
        return Verdict(data_file, "damaged", str(error))
    return Verdict(data_file, "ok")


def check(store: Store) -> list[Verdict]:
    return [check_file(f) for f in store.data_files()]


@dataclass
class Restored:
    """What a restore did: where the damaged copy went and where each note came from."""

    kept_aside: Path
    backup: Path
    notes_from_backup: int = 0
    notes_salvaged: int = 0
    lines: list[str] = field(default_factory=list)


def salvageable(data_file: DataFile) -> int:
    """How many notes could be read back from a damaged notes file."""
    if data_file.kind != "notes":
        return 0
    try:
        raw = read_bytes(data_file.path)
    except DataError:
        return 0
    return len(backups.salvage_notes(raw or b""))


def restore(data_file: DataFile, backup: Path, damaged_root: Path) -> Restored:
    """Replace a damaged file by ``backup`` merged with what can be salvaged from it.

    The damaged bytes are copied to ``damaged_root`` first; if that copy fails,
    nothing is restored. Refuses a file that turned out readable meanwhile.
    """
    with locked(data_file.path):
        verdict = check_file(data_file)
        if verdict.status != "damaged":
            raise DataError(f"{data_file.path}: {verdict.status} now, not damaged; not restored")
        raw = read_bytes(data_file.path) or b""
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H%M%S%f")
        aside = damaged_root / data_file._backup_folder().name / f"{stamp}.json"
        write_data(aside, raw)
        chosen = read_bytes(backup) or b""
        document = read_json(backup, strict=True) or {}
        report = Restored(aside, backup)
        if data_file.kind == "notes":
            salvaged = backups.salvage_notes(raw)
            merged, report.notes_salvaged = backups.merge_notes(document, salvaged)
            report.notes_from_backup = len(merged["annotations"]) - report.notes_salvaged
            if report.notes_salvaged:
                chosen = backups.dumps(merged)
        write_data(data_file.path, chosen)
    return report


def backup_candidates(data_file: DataFile) -> list[backups.Candidate]:
    """Every backup of ``data_file``, newest first, each checked (see ``backups.candidates``)."""
    return backups.candidates(data_file._backup_folder())


def damaged_folder(store: Store) -> Path:
    return store.paths.root / "damaged"


@dataclass
class Placement:
    """Whether the notes of one file sit on the text they were made on."""

    file: DataFile
    slug: str
    waiting: int = 0  # on an older revision whose text is kept: an import was interrupted
    wrong: list[str] = field(default_factory=list)  # offsets that do not give the quote


def check_placement(store: Store, data_file: DataFile) -> Placement | None:
    """Every anchored note's quote against the text of the revision it is bound to."""
    from briefing.store import revisions
    from briefing.store.records import annotations_from

    slug = data_file.path.stem
    try:
        briefing = store.get(slug)
        notes = annotations_from(data_file.read())
    except DataError:
        return None
    current = revisions.revision_of(briefing)
    report = Placement(data_file, slug)
    kept: dict[str, dict[str, str] | None] = {}
    for note in notes:
        if note.status != "anchored":
            continue
        if note.revision in ("", current):
            section = briefing.section(note.section)
            text = section.text if section is not None else None
        else:
            if note.revision not in kept:
                kept[note.revision] = revisions.texts(store.paths.root, slug, note.revision)
            texts = kept[note.revision]
            if texts is None:
                report.wrong.append(f"{note.id} (its revision {note.revision}'s text is gone)")
                continue
            report.waiting += 1
            text = texts.get(note.section)
        if text is None or text[note.start : note.end] != note.quote:
            report.wrong.append(f"{note.id} (its offsets do not give its quote)")
    return report


def finish_moving(store: Store, slug: str) -> tuple[int, int]:
    """Re-anchor every user's notes on ``slug`` to its current revision (what an
    interrupted import did not finish). Returns (moved, orphaned)."""
    return store._reanchor_all_users(store.get(slug))
