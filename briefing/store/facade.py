"""Persistent state: the shared library, and each user's notes and reading state.

This is the only module that imports tinydb. Layout (see :mod:`briefing.core.paths`)::

    library.json                 briefings + sections, shared by all users
    users/<user>/notes/<slug>.json   one user's annotations on one briefing
    users/<user>/state.json      reading positions, read marks, settings

Notes are split per user and per briefing so that saving one note rewrites
a small file, however many notes the store holds in all.

Every write is one read-modify-write under an inter-process lock, on a fresh
TinyDB whose query cache and next-id counter therefore cannot be stale, with
writes buffered in ``CachingMiddleware`` and flushed once as an atomic rename.
If the operation raises, nothing is flushed and the file is unchanged.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.core import anchoring, rules
from briefing.core.anchoring.changes import NoteChange, classify
from briefing.core.model import (
    COLORS,
    DEFAULT_COLOR,
    Anchor,
    Annotation,
    Block,
    Briefing,
    ReadingState,
    Section,
    Span,
)
from briefing.core.paths import Paths, validate_user
from briefing.core.rules import normalise_tags
from briefing.store.atomic import (
    CorruptFile,
    DataError,
    locked,
    read_json,
    remove_stale_temps,
    write_atomic,
)

if TYPE_CHECKING:
    from tinydb import TinyDB

SCHEMA = 1
BACKUPS_KEPT = 5

__all__ = [
    "SCHEMA",
    "DataError",
    "ImportResult",
    "NewerSchema",
    "NotFound",
    "Store",
    "StoreError",
]


class StoreError(DataError):
    """A store operation that cannot be done; the data is unchanged."""


class NotFound(StoreError):
    pass


class NewerSchema(StoreError):
    """Written by a newer version: not damaged, so never replaced by a backup."""


_UNSET = object()


@lru_cache(maxsize=1)
def _tinydb() -> Callable[[Path], TinyDB]:
    """How a transaction opens a file. TinyDB loads with the first write: reads go
    straight to the JSON (``DataFile.read``), so the reader starts without it."""
    from tinydb import TinyDB
    from tinydb.middlewares import CachingMiddleware
    from tinydb.storages import Storage

    class AtomicJSONStorage(Storage):
        """TinyDB storage whose every write is an fsynced atomic rename."""

        def __init__(self, path: str | Path) -> None:
            self.path = Path(path)

        def read(self) -> dict[str, dict[str, Any]] | None:
            return read_json(self.path)

        def write(self, data: dict[str, dict[str, Any]]) -> None:
            payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            write_atomic(self.path, payload.encode("utf-8"))

    class Buffered(CachingMiddleware):
        """Hold every write of one operation in memory; flush once, at its end."""

        WRITE_CACHE_SIZE = 1 << 30
        dirty = False

        def write(self, data: dict[str, dict[str, Any]]) -> None:
            self.dirty = True
            super().write(data)

    def open_db(path: Path) -> TinyDB:
        return TinyDB(path, storage=Buffered(AtomicJSONStorage))

    return open_db


def _where(field: str) -> Any:
    """A TinyDB query on one field (``_where("id") == x``)."""
    from tinydb import where

    return where(field)


def _schema_of(path: Path, data: dict[str, Any] | None) -> int:
    if data is None:
        return 0
    meta = data.get("_meta")
    if not isinstance(meta, dict) or not meta:
        raise CorruptFile(path, "no schema version (_meta table); not a briefing data file")
    record = next(iter(meta.values()))
    schema = record.get("schema") if isinstance(record, dict) else None
    if not isinstance(schema, int):
        raise CorruptFile(path, "schema version is missing or not a number")
    if schema > SCHEMA:
        raise NewerSchema(
            f"{path}: written by a newer briefing (schema {schema}; this version reads up to"
            f" {SCHEMA}). Upgrade briefing; the file was not changed."
        )
    return schema


class DataFile:
    """One TinyDB file: lock-free reads of whole snapshots, locked transactions."""

    _cleaned: set[Path] = set()

    def __init__(self, path: Path, backups: Path, root: Path) -> None:
        self.path = path
        self._backups = backups
        self._root = root
        self._snapshot: tuple[tuple[int, int, int], Any] | None = None

    def signature(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def read(self) -> dict[str, Any] | None:
        """The whole file. Safe without the lock: writers rename complete files."""
        data = read_json(self.path)
        _schema_of(self.path, data)
        return data

    def cached(self, build: Any) -> Any:
        """``build(data)``, recomputed only when the file changed underneath."""
        signature = self.signature()
        if signature is None:
            return build(None)
        if self._snapshot is None or self._snapshot[0] != signature:
            self._snapshot = (signature, build(self.read()))
        return self._snapshot[1]

    @contextmanager
    def transaction(self) -> Iterator[TinyDB]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with locked(self.path):
            if self.path not in self._cleaned:
                remove_stale_temps(self.path)
                self._cleaned.add(self.path)
            db = _tinydb()(self.path)
            buffer: Any = db.storage  # the Buffered middleware: dirty, flush()
            schema = _schema_of(self.path, buffer.read())
            if schema == 0:
                db.table("_meta").insert({"schema": SCHEMA})
            yield db
            # Only reached when the body did not raise; a no-op writes nothing.
            if buffer.dirty:
                if schema:
                    self._daily_backup()
                buffer.flush()

    def backups(self) -> list[Path]:
        folder = self._backup_folder()
        return sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []

    def _backup_folder(self) -> Path:
        relative = self.path.relative_to(self._root)
        return self._backups / str(relative).replace("/", "__")

    def _daily_backup(self) -> None:
        folder = self._backup_folder()
        target = folder / f"{_dt.date.today().isoformat()}.json"
        if target.exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, self.path.read_bytes())
        for old in self.backups()[BACKUPS_KEPT:]:
            old.unlink(missing_ok=True)

    def restore(self, backup: Path) -> None:
        with locked(self.path):
            write_atomic(self.path, backup.read_bytes())


@dataclass(frozen=True)
class ImportResult:
    slug: str
    title: str
    status: str  # "new", "updated" or "unchanged"
    moved: int = 0
    orphaned: int = 0
    #: Notes (every user's) now in another section, with revised words, or orphaned.
    changes: tuple[NoteChange, ...] = ()


def content_hash(briefing: Briefing) -> str:
    payload = json.dumps(
        [briefing.title, briefing.meta, briefing.lead]
        + [[s.key, s.title, s.markdown] for s in briefing.sections],
        sort_keys=True,
        ensure_ascii=False,
    )
    import hashlib  # on first use: the reader starts without it

    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _briefings_from(data: dict[str, Any] | None) -> dict[str, Briefing]:
    if not data:
        return {}
    sections: dict[str, list[dict[str, Any]]] = {}
    for record in data.get("sections", {}).values():
        sections.setdefault(record["briefing"], []).append(record)
    result: dict[str, Briefing] = {}
    for record in data.get("briefings", {}).values():
        slug = record["slug"]
        ordered = sorted(sections.get(slug, []), key=lambda r: r["position"])
        result[slug] = Briefing(
            slug=slug,
            title=record["title"],
            meta=record.get("meta", {}),
            lead=record.get("lead", ""),
            sections=tuple(_section_from(r) for r in ordered),
        )
    return dict(sorted(result.items(), key=lambda item: item[1].title.casefold()))


def _block_record(block: Block) -> list[Any]:
    """A block, stored parsed so the reader needs no Markdown parser; its text is
    not stored twice: it is the slice ``[start, start + length)`` of the section text."""
    spans = [[s.start, s.end, s.style, s.href] for s in block.spans]
    return [block.kind, block.start, len(block.text), block.level, block.marker, spans]


def _section_from(record: dict[str, Any]) -> Section:
    text, markdown = record["text"], record["markdown"]
    stored = record.get("blocks")
    if stored is None:  # imported by a version that did not store blocks
        from briefing.core.ingest import section_blocks

        blocks = section_blocks(markdown)
    else:
        blocks = tuple(
            Block(kind, text[start : start + length], start, _spans(spans), level, marker)
            for kind, start, length, level, marker, spans in stored
        )
    return Section(record["key"], record["title"], markdown, text, blocks)


def _spans(records: list[list[Any]]) -> tuple[Span, ...]:
    return tuple(Span(start, end, style, href) for start, end, style, href in records)


def _annotation_record(annotation: Annotation) -> dict[str, Any]:
    anchor = annotation.anchor
    return {
        "id": annotation.id,
        "user": annotation.user,
        "briefing": annotation.briefing,
        "section": annotation.section,
        "quote": anchor.quote,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "start": anchor.start,
        "end": anchor.end,
        "text_hash": anchor.text_hash,
        "note": annotation.note,
        "tags": list(annotation.tags),
        "color": annotation.color,
        "created": annotation.created,
        "updated": annotation.updated,
        "status": annotation.status,
    }


def _annotation_from(record: dict[str, Any]) -> Annotation:
    return Annotation(
        id=record["id"],
        user=record["user"],
        briefing=record["briefing"],
        section=record["section"],
        anchor=Anchor(
            quote=record["quote"],
            prefix=record.get("prefix", ""),
            suffix=record.get("suffix", ""),
            start=record["start"],
            end=record["end"],
            text_hash=record.get("text_hash", ""),
        ),
        note=record.get("note", ""),
        tags=tuple(record.get("tags", ())),
        color=record.get("color", DEFAULT_COLOR),
        created=record.get("created", ""),
        updated=record.get("updated", ""),
        status=record.get("status", "anchored"),
    )


def _annotations_from(data: dict[str, Any] | None) -> tuple[Annotation, ...]:
    if not data:
        return ()
    records = data.get("annotations", {}).values()
    return tuple(sorted((_annotation_from(r) for r in records), key=lambda a: (a.start, a.id)))


def check_note(note: str) -> str:
    """The note rule of :mod:`briefing.core.rules`, refused as a store error."""
    try:
        return rules.check_note(note)
    except rules.RuleBroken as error:
        raise StoreError(str(error)) from None


class Store:
    """The library plus one user's notes and state."""

    def __init__(self, root: Path, user: str) -> None:
        self.paths = Paths(Path(root))
        self.user = validate_user(user)
        self._files: dict[Path, DataFile] = {}

    def _file(self, path: Path) -> DataFile:
        if path not in self._files:
            self._files[path] = DataFile(path, self.paths.backups, self.paths.root)
        return self._files[path]

    @property
    def library_file(self) -> DataFile:
        return self._file(self.paths.library)

    def exists(self) -> bool:
        return self.paths.library.exists()

    # -- library -------------------------------------------------------

    def briefings(self) -> list[Briefing]:
        return list(self.library_file.cached(_briefings_from).values())

    def get(self, slug: str) -> Briefing:
        briefing = self.library_file.cached(_briefings_from).get(slug)
        if briefing is None:
            raise NotFound(f"no briefing {slug!r} (see 'briefing list')")
        return briefing

    def section(self, slug: str, key: str) -> Section:
        """One section; an unknown key is an error that lists the keys there are."""
        briefing = self.get(slug)
        section = briefing.section(key)
        if section is None:
            keys = ", ".join(s.key for s in briefing.sections)
            raise NotFound(f"briefing {slug!r} has no section {key!r} (sections: {keys})")
        return section

    def import_briefings(
        self, items: Iterable[tuple[Briefing, str]], *, imported_at: str | None = None
    ) -> list[ImportResult]:
        """Add or replace briefings in one library write, then re-anchor their notes."""
        stamp = imported_at or rules.now_iso()
        results: list[ImportResult] = []
        changed: list[Briefing] = []
        with self.library_file.transaction() as db:
            briefings, sections = db.table("briefings"), db.table("sections")
            for briefing, origin in items:
                digest = content_hash(briefing)
                old = briefings.get(_where("slug") == briefing.slug)
                if isinstance(old, dict) and old.get("hash") == digest:
                    results.append(ImportResult(briefing.slug, briefing.title, "unchanged"))
                    changed.append(briefing)  # see below: repairs what a crash left stale
                    continue
                record = {
                    "slug": briefing.slug,
                    "title": briefing.title,
                    "meta": briefing.meta,
                    "lead": briefing.lead,
                    "hash": digest,
                    "origin": origin,
                    "imported": stamp,
                }
                briefings.upsert(record, _where("slug") == briefing.slug)
                sections.remove(_where("briefing") == briefing.slug)
                sections.insert_multiple(
                    {
                        "briefing": briefing.slug,
                        "key": s.key,
                        "title": s.title,
                        "position": position,
                        "markdown": s.markdown,
                        "text": s.text,
                        "blocks": [_block_record(b) for b in s.blocks],
                    }
                    for position, s in enumerate(briefing.sections)
                )
                status = "updated" if old else "new"
                results.append(ImportResult(briefing.slug, briefing.title, status))
                if old:
                    changed.append(briefing)
        # Re-anchor after the library is safely written: a crash in between
        # leaves notes with stale offsets, which the next re-import repairs
        # (for an "unchanged" briefing this writes nothing unless a note is stale).
        by_slug = {r.slug: i for i, r in enumerate(results)}
        for briefing in changed:
            changes: list[NoteChange] = []
            moved, orphaned = self._reanchor_all_users(briefing, changes)
            index = by_slug[briefing.slug]
            results[index] = ImportResult(
                briefing.slug,
                briefing.title,
                results[index].status,
                moved=moved,
                orphaned=orphaned,
                changes=tuple(changes),
            )
        return results

    def _reanchor_all_users(
        self, briefing: Briefing, changes: list[NoteChange] | None = None
    ) -> tuple[int, int]:
        """Re-anchor every user's notes on ``briefing``; what changed goes into ``changes``
        and, for each user, into their notes file until their reader has told them."""
        moved = orphaned = 0
        users = self.paths.users
        files = sorted(users.glob(f"*/notes/{briefing.slug}.json")) if users.is_dir() else []
        news: list[NoteChange] = []
        for path in files:
            with self._file(path).transaction() as db:
                table = db.table("annotations")
                for doc in table.all():
                    old = _annotation_from(doc)
                    new = anchoring.reanchor_in_briefing(old, briefing)
                    if new != old:
                        if new.status == "orphaned":
                            orphaned += old.status != "orphaned"
                        else:
                            moved += 1
                        table.update(_annotation_record(new), doc_ids=[doc.doc_id])
                        change = classify(old, new)
                        if change is not None:
                            news.append(change)
                if news:
                    db.table("changes").insert_multiple(c.record() for c in news)
                    if changes is not None:
                        changes.extend(news)
                    news = []
        return moved, orphaned

    def take_changes(self, slug: str) -> list[NoteChange]:
        """What re-imports did to this user's notes on ``slug`` since last asked; forgets it.

        The reader calls this when it opens a briefing, so a note that moved, was edited or
        orphaned by a re-import someone else ran is not a silent surprise.
        """
        notes = self._notes(slug)
        data = notes.cached(lambda d: d or {})
        if not data.get("changes"):
            return []
        with notes.transaction() as db:
            table = db.table("changes")
            found = [NoteChange.from_record(dict(r)) for r in table.all()]
            table.truncate()
        return [c for c in found if c is not None]

    # -- annotations ---------------------------------------------------

    def _notes(self, slug: str) -> DataFile:
        return self._file(self.paths.notes_file(self.user, slug))

    def annotations(self, slug: str | None = None) -> list[Annotation]:
        """This user's notes, on one briefing or on all, in briefing then text order."""
        if slug is not None:
            return list(self._notes(slug).cached(_annotations_from))
        folder = self.paths.notes_dir(self.user)
        if not folder.is_dir():
            return []
        found: list[Annotation] = []
        for path in sorted(folder.glob("*.json")):
            found.extend(self._notes(path.stem).cached(_annotations_from))
        return found

    def note_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for annotation in self.annotations():
            counts[annotation.briefing] = counts.get(annotation.briefing, 0) + 1
        return counts

    def add_annotation(
        self,
        slug: str,
        section_key: str,
        start: int,
        end: int,
        *,
        note: str = "",
        tags: Iterable[str] = (),
        color: str = DEFAULT_COLOR,
    ) -> Annotation:
        section = self.section(slug, section_key)
        if color not in COLORS:
            raise StoreError(f"unknown colour {color!r} (choose from {', '.join(COLORS)})")
        check_note(note)
        anchor = anchoring.make_anchor(section.text, start, end)
        stamp = rules.now_iso()
        import secrets  # on first use: it loads OpenSSL, and the reader starts without it

        annotation = Annotation(
            id=secrets.token_hex(5),
            user=self.user,
            briefing=slug,
            section=section_key,
            anchor=anchor,
            note=note,
            tags=normalise_tags(tags),
            color=color,
            created=stamp,
            updated=stamp,
        )
        with self._notes(slug).transaction() as db:
            db.table("annotations").insert(_annotation_record(annotation))
        return annotation

    def find_annotation(self, annotation_id: str, slug: str | None = None) -> Annotation:
        """By id, or by a unique prefix of at least four characters.

        Callers that know the briefing pass ``slug``: then one notes file is
        read instead of every notes file of the user.
        """
        wanted = annotation_id.strip().lower()
        candidates = self.annotations(slug)
        matches = [a for a in candidates if a.id == wanted]
        if not matches and len(wanted) >= 4:
            matches = [a for a in candidates if a.id.startswith(wanted)]
        if not matches:
            raise NotFound(f"no note with id {annotation_id!r} (see 'briefing notes list')")
        if len(matches) > 1:
            raise StoreError(f"id {annotation_id!r} matches {len(matches)} notes; type more of it")
        return matches[0]

    def update_annotation(
        self,
        annotation_id: str,
        *,
        note: str | None = None,
        tags: Iterable[str] | None = None,
        color: str | None = None,
        anchor: Anchor | None = None,
        section: str | None = None,
        slug: str | None = None,
    ) -> Annotation:
        current = self.find_annotation(annotation_id, slug)
        if color is not None and color not in COLORS:
            raise StoreError(f"unknown colour {color!r} (choose from {', '.join(COLORS)})")
        changes: dict[str, Any] = {"updated": rules.now_iso()}
        if note is not None:
            changes["note"] = check_note(note)
        if tags is not None:
            changes["tags"] = normalise_tags(tags)
        if color is not None:
            changes["color"] = color
        if anchor is not None:  # re-attached to a new passage
            changes.update(anchor=anchor, status="anchored", section=section or current.section)
        with self._notes(current.briefing).transaction() as db:
            table = db.table("annotations")
            doc = table.get(_where("id") == current.id)
            if not isinstance(doc, dict):
                raise NotFound(f"note {current.id} was deleted meanwhile")
            updated = _annotation_from(dict(doc)).with_changes(**changes)
            table.update(_annotation_record(updated), doc_ids=[doc.doc_id])
        return updated

    def delete_annotation(self, annotation_id: str, slug: str | None = None) -> Annotation:
        current = self.find_annotation(annotation_id, slug)
        with self._notes(current.briefing).transaction() as db:
            removed = db.table("annotations").remove(_where("id") == current.id)
            if not removed:
                raise NotFound(f"note {current.id} was deleted meanwhile")
        return current

    def restore_annotation(self, annotation: Annotation) -> Annotation:
        """Put back a deleted note exactly as it was (undo)."""
        with self._notes(annotation.briefing).transaction() as db:
            db.table("annotations").upsert(
                _annotation_record(annotation), _where("id") == annotation.id
            )
        return annotation

    # -- per-user state ------------------------------------------------

    @property
    def _state(self) -> DataFile:
        return self._file(self.paths.state_file(self.user))

    def _state_data(self) -> dict[str, Any]:
        return self._state.cached(lambda data: data or {})  # type: ignore[no-any-return]

    def setting(self, key: str, default: Any = None) -> Any:
        for record in self._state_data().get("settings", {}).values():
            if record.get("key") == key:
                return record.get("value", default)
        return default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting; the same value again writes nothing (no lock, no fsync)."""
        if self.setting(key, _UNSET) == value:
            return
        with self._state.transaction() as db:
            db.table("settings").upsert({"key": key, "value": value}, _where("key") == key)

    def reading_state(self, slug: str) -> ReadingState:
        for record in self._state_data().get("reading", {}).values():
            if record.get("briefing") == slug:
                return ReadingState(
                    briefing=slug,
                    section=record.get("section", ""),
                    scroll=float(record.get("scroll", 0.0)),
                    read=set(record.get("read", ())),
                )
        return ReadingState(briefing=slug)

    def reading_states(self) -> dict[str, ReadingState]:
        slugs = [r.get("briefing") for r in self._state_data().get("reading", {}).values()]
        return {slug: self.reading_state(slug) for slug in slugs if isinstance(slug, str)}

    def save_reading_state(self, state: ReadingState) -> None:
        record = {
            "briefing": state.briefing,
            "section": state.section,
            "scroll": round(state.scroll, 2),
            "read": sorted(state.read),
        }
        with self._state.transaction() as db:
            db.table("reading").upsert(record, _where("briefing") == state.briefing)

    # -- health ----------------------------------------------------------

    def data_files(self) -> list[DataFile]:
        """Every data file of every user, for ``briefing doctor``."""
        paths = [self.paths.library]
        if self.paths.users.is_dir():
            paths += sorted(self.paths.users.glob("*/state.json"))
            paths += sorted(self.paths.users.glob("*/notes/*.json"))
        return [self._file(p) for p in paths if p.exists()]
