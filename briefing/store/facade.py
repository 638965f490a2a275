"""Persistent state: the shared library, and each user's notes and reading state.

The :class:`Store` facade: every read and write the CLI, the reader and the server make
goes through it, so it is long but one cohesive thing (the store's public surface).
Files, transactions and backups are :mod:`briefing.store.files`'; record conversions
:mod:`briefing.store.records`'; the import use case :mod:`briefing.store.importing`.
Layout (see :mod:`briefing.core.paths` and the README's "Where data lives")::

    library.json                     the library index: one small record per briefing
    briefings/<slug>.json            one briefing's text, read only when it is opened
    search.sqlite3                   the shared search index of the briefings' text
    users/<user>/notes/<slug>.json   one user's annotations on one briefing
    users/<user>/state.json          reading positions, read marks, settings
    revisions/<slug>/<id>.json       an older text, kept while notes are on it

Notes are split per user and per briefing so that saving one note rewrites
a small file, however many notes the store holds in all.

Every write is one read-modify-write under an inter-process lock, on a fresh
TinyDB whose query cache and next-id counter therefore cannot be stale, with
writes buffered in ``CachingMiddleware`` and flushed once as an atomic rename.
If the operation raises, nothing is flushed and the file is unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from briefing.core import rules
from briefing.core.model import (
    COLORS,
    DEFAULT_COLOR,
    Anchor,
    Annotation,
    Briefing,
    Listing,
    ReadingState,
    Section,
)
from briefing.core.paths import Paths, validate_user
from briefing.core.rules import normalise_tags
from briefing.store import merging, revisions
from briefing.store.atomic import DataError, fsync_dir
from briefing.store.files import (
    BACKUPS_KEPT,
    LIBRARY_SCHEMA,
    SCHEMA,
    DataFile,
    NewerSchema,
    NotFound,
    StoreError,
    document,
    replace_all,
    where,
    write_wholes,
)
from briefing.store.records import (
    LibraryIndex,
    annotation_from,
    annotation_record,
    annotations_from,
    briefing_from_content,
    content_hash,
    content_tables,
    listing_record,
)

__all__ = [
    "BACKUPS_KEPT",
    "SCHEMA",
    "DataError",
    "DataFile",
    "ImportResult",
    "NewerSchema",
    "NotFound",
    "Store",
    "StoreError",
]


# Anchoring (and the package it lives in) is for writes and imports: the printing commands
# and the reader start without it (tests/test_architecture.py, IMPORT_BUDGET).
if TYPE_CHECKING:
    from briefing.core.anchoring.changes import NoteChange
    from briefing.core.search.index import SearchIndex
    from briefing.store.searchfile import SearchFile, SectionRow, SqliteCorpus

_UNSET = object()


@dataclass(frozen=True)
class ImportResult:
    """What an import did to one briefing, and to the notes on it."""

    slug: str
    title: str
    status: str  # "new", "updated" or "unchanged"
    moved: int = 0
    orphaned: int = 0
    #: Notes (every user's) now in another section, with revised words, or orphaned.
    changes: tuple[NoteChange, ...] = ()


def check_note(note: str) -> str:
    """The note rule of :mod:`briefing.core.rules`, refused as a store error."""
    try:
        return rules.check_note(note)
    except rules.RuleBroken as error:
        raise StoreError(str(error)) from None


class _Layout1(Exception):
    """The library file is in layout 1: move it before reading it."""


def _listings_of_layout_2(data: dict[str, Any] | None) -> LibraryIndex:
    if data is not None:
        meta: dict[str, Any] = next(iter(data.get("_meta", {}).values()), {})
        if meta.get("schema", LIBRARY_SCHEMA) < LIBRARY_SCHEMA:
            raise _Layout1
    return LibraryIndex(data)


#: Re-anchorings of one notes file planned without its lock before one is done under it.
_OPTIMISTIC_TRIES = 3
#: A note's new record and what the move did to it (see :func:`.changes.classify`).
_Placed = tuple[dict[str, Any], "NoteChange | None"]


@dataclass
class _Reanchored:
    """What re-anchoring one notes file changed."""

    changed: bool = False
    moved: int = 0
    orphaned: int = 0
    used: set[str] = field(default_factory=set)
    news: list[NoteChange] = field(default_factory=list)


def _apply_plan(
    table: dict[str, Any],
    plan: dict[str, tuple[dict[str, Any], _Placed | None]],
    new_place: Callable[[dict[str, Any]], _Placed | None],
) -> _Reanchored:
    """Put each note of ``table`` (changed in place) where ``plan`` says; a note that
    differs from the one planned is placed again by ``new_place``."""
    done = _Reanchored()
    for doc_id, record in list(table.items()):
        planned = plan.get(record["id"])
        placed = planned[1] if planned and planned[0] == record else new_place(record)
        if placed is not None:
            new, change = placed
            if change is not None:
                done.news.append(change)
            if new["status"] == "orphaned":
                done.orphaned += record.get("status") != "orphaned"
            elif (new["section"], new["start"], new["end"]) != (
                record["section"],
                record["start"],
                record["end"],
            ):
                done.moved += 1
            table[doc_id] = new
            done.changed = True
        done.used.add(table[doc_id].get("revision", ""))
    return done


class Marks(NamedTuple):
    """What changes when someone else writes: each file's (inode, mtime, size), or None.
    Comparing two is a few ``stat`` calls; nothing is read (see :meth:`Store.marks`)."""

    library: object
    notes: object
    state: object


class StaleRevision(StoreError):
    """A write based on a revision of a briefing that is no longer the current one."""


class Store:
    """The library plus one user's notes and state."""

    def __init__(self, root: Path, user: str) -> None:
        self.paths = Paths(Path(root))
        self.user = validate_user(user)
        self._files: dict[Path, DataFile] = {}
        self._search_file: SearchFile | None = None
        self._revisions: dict[str, tuple[Briefing, str]] = {}
        #: Per briefing, the notes the running import moved, edited or orphaned.
        self._note_changes: dict[str, list[NoteChange]] = {}
        #: Per briefing, its section titles before the running import (key -> title).
        self._sections_before: dict[str, dict[str, str]] = {}

    def _file(self, path: Path) -> DataFile:
        if path not in self._files:
            library = path == self.paths.library or path.parent == self.paths.briefings
            schema = LIBRARY_SCHEMA if library else SCHEMA
            self._files[path] = DataFile(path, self.paths.backups, self.paths.root, schema)
        return self._files[path]

    @property
    def library_file(self) -> DataFile:
        """The library index: one small record per briefing (layout 2)."""
        return self._file(self.paths.library)

    def exists(self) -> bool:
        return self.paths.library.exists()

    # -- library -------------------------------------------------------

    def _index(self) -> LibraryIndex:
        """The library index by slug, in title order; a layout-1 folder is moved first."""
        try:
            return self.library_file.cached(_listings_of_layout_2)  # type: ignore[no-any-return]
        except _Layout1:
            from briefing.store.layout import migrate  # once per data folder, ever

            migrate(self.paths, self.library_file)
            return self.library_file.cached(_listings_of_layout_2)  # type: ignore[no-any-return]

    def listings(self) -> list[Listing]:
        """Every briefing as the library lists it (no text is read)."""
        return list(self._index().values())

    def library(self) -> Mapping[str, Listing]:
        """The library index, Listings by slug in title order: the same object until the
        library file changes (a re-import makes a new one). Each Listing is made when
        first read, so holding the whole library costs one file read."""
        return self._index()

    def slugs(self) -> list[str]:
        """Every briefing's slug, in the library's order (no Listing is made)."""
        return list(self._index())

    def listing(self, slug: str) -> Listing:
        listing = self._index().get(slug)
        if listing is None:
            raise NotFound(f"no briefing {slug!r} (see 'briefing list')")
        return listing

    def origins(self) -> dict[str, str]:
        """Where each briefing was last imported from, by slug: a file's full path, a
        URL, ``-`` for stdin (reads the library index; for an import to decide which
        stored briefing an input revises)."""
        self._index()  # moves a layout-1 folder first
        data = self.library_file.read() or {}
        records = data.get("briefings", {}).values()
        return {record["slug"]: str(record.get("origin", "")) for record in records}

    def briefings(self) -> list[Briefing]:
        """Every briefing with its text: reads every briefing's file (export, reindex)."""
        return [self.get(slug) for slug in self._index()]

    def get(self, slug: str) -> Briefing:
        """One briefing with its text, read from its own file on first use."""
        self.listing(slug)
        path = self.paths.briefing_file(slug)
        return self._checked(slug, self._file(path).cached(briefing_from_content))

    def _checked(self, slug: str, briefing: Briefing | None) -> Briefing:
        if briefing is None:
            path = self.paths.briefing_file(slug)
            raise StoreError(f"{path}: the briefing's file is missing; import {slug!r} again")
        return briefing

    def _hash_on_disk(self, path: Path) -> str | None:
        """The content hash a briefing's own file records; None if there is none."""
        try:
            data = self._file(path).read() or {}
        except DataError:
            return None
        records = data.get("briefing")
        record = next(iter(records.values()), None) if isinstance(records, dict) else None
        value = record.get("hash") if isinstance(record, dict) else None
        return value if isinstance(value, str) else None

    def _load(self, slug: str) -> Briefing:
        """One briefing read afresh and not kept (indexing the whole library)."""
        path = self.paths.briefing_file(slug)
        return self._checked(slug, briefing_from_content(self._file(path).read()))

    # -- search ----------------------------------------------------------

    @property
    def search_file(self) -> SearchFile:
        """The shared search index of the library's text (``search.sqlite3``)."""
        if self._search_file is None:
            from briefing.store.searchfile import SearchFile

            self._search_file = SearchFile(self.paths.search_index)
        return self._search_file

    def search_index(self, annotations: Iterable[Annotation] | None = None) -> SearchIndex:
        """This user's search: the shared index of the library's text, brought up to date
        with the library first (only briefings whose revision changed are indexed), and
        this user's notes, held in memory and never written to the shared file.

        If the shared file cannot be used (a read-only data folder), the library is
        indexed in memory instead: slower, same results. ``annotations``: the notes to
        search (default: all of this user's).
        """
        import sqlite3

        from briefing.core.search.index import SearchIndex

        notes = self.annotations() if annotations is None else annotations
        try:
            corpus = self.sync_search()
        except sqlite3.Error:
            return SearchIndex(self.briefings(), notes)
        return SearchIndex(annotations=notes, corpus=corpus)

    def sync_search(self, *, rebuild: bool = False) -> SqliteCorpus:
        """Index what changed in the library since the search file was written; with
        ``rebuild``, everything again (``doctor --reindex``). The corpus to search.

        While the library file is the very one the index was last found up to date with
        (same inode, time and size: every write renames a new file in), the library is
        not read at all: a search in a big library skips parsing its index."""
        search = self.search_file
        # Taken before the library is read: if a newer file is read below, the signature
        # noted is the older one, and the next search checks again.
        signature = repr(self.library_file.signature())
        if not rebuild and search.synced_with() == signature:
            return search.corpus()
        listings = self._index()
        if rebuild:
            search.clear()
        indexed = search.revisions()
        stale = [slug for slug in listings if indexed.get(slug) != listings.revision(slug)]
        gone = [slug for slug in indexed if slug not in listings]
        if stale or gone:
            search.update(((self._load(slug), listings.revision(slug)) for slug in stale), gone)
        search.mark_synced(signature)
        return search.corpus()

    def section(self, slug: str, key: str) -> Section:
        """One section, by its key or its title (:meth:`.Briefing.section_key`); an
        unknown one is an error that lists the keys there are."""
        briefing = self.get(slug)
        section = briefing.section(briefing.section_key(key))
        if section is None:
            keys = ", ".join(s.key for s in briefing.sections)
            raise NotFound(f"briefing {slug!r} has no section {key!r} (sections: {keys})")
        return section

    def import_briefings(
        self,
        items: Iterable[tuple[Briefing, str]],
        *,
        imported_at: str | None = None,
        search_rows: Mapping[str, list[SectionRow]] | None = None,
    ) -> list[ImportResult]:
        """Add or replace briefings, then re-anchor their notes.

        Under the library's lock: each new or changed briefing's file is written once,
        then the library index once (the commit point: a kill before it leaves the
        index naming the old revisions, and the next import writes them again).
        ``search_rows``: :func:`.searchfile.prepare` of some briefings by slug, made by
        the import's worker processes.
        """
        stamp = imported_at or rules.now_iso()
        results: list[ImportResult] = []
        changed: list[Briefing] = []
        indexed: list[tuple[Briefing, str]] = []
        items = list(items)
        listed = self._index()  # moves a layout-1 folder first
        # Step 1 of a recoverable re-import (see :mod:`.revisions`): the text notes are
        # on now stays on disk until every note has moved to the new revision.
        for briefing, _ in items:
            if briefing.slug not in listed:
                continue
            try:
                old_briefing = self._load(briefing.slug)
            except StoreError:
                continue  # its file is missing: nothing left to keep
            if revisions.revision_of(old_briefing) != revisions.revision_of(briefing):
                revisions.keep(self.paths.root, old_briefing)
            self._sections_before[briefing.slug] = {s.key: s.title for s in old_briefing.sections}
        with self.library_file.transaction() as db:
            data = dict(db.storage.read() or {})
            table: dict[str, Any] = dict(data.get("briefings", {}))
            by_slug = {record["slug"]: key for key, record in table.items()}
            next_id = max((int(key) for key in table), default=0) + 1
            written = False
            files: list[tuple[Path, dict[str, Any]]] = []
            for briefing, origin in items:
                digest = content_hash(briefing)
                path = self.paths.briefing_file(briefing.slug)
                key = by_slug.get(briefing.slug)
                old = table.get(key) if key is not None else None
                # The briefing's own file is checked too: a kill between writing it and
                # the index leaves the index naming the old text over a file of the new.
                if old is not None and old.get("hash") == digest == self._hash_on_disk(path):
                    results.append(ImportResult(briefing.slug, briefing.title, "unchanged"))
                    changed.append(briefing)  # see below: repairs what a crash left stale
                    continue
                self._file(path).keep_daily_backup()
                files.append(
                    (
                        path,
                        document(LIBRARY_SCHEMA, content_tables(briefing, digest, origin, stamp)),
                    )
                )
                if key is None:
                    key = by_slug[briefing.slug] = str(next_id)
                    next_id += 1
                table[key] = listing_record(briefing, digest, origin, stamp)
                indexed.append((briefing, digest))
                written = True
                status = "updated" if old else "new"
                results.append(ImportResult(briefing.slug, briefing.title, status))
                if old:
                    changed.append(briefing)
            if written:
                write_wholes(files)  # flushed to disk together
                fsync_dir(self.paths.briefings)  # every new name there, before the index names it
                self._index_search(indexed, search_rows)
                data["briefings"] = table
                replace_all(db, data)
        # Re-anchor after the library is safely written: a crash in between
        # leaves notes with stale offsets, which the next re-import repairs
        # (for an "unchanged" briefing this writes nothing unless a note is stale).
        by_result = {r.slug: i for i, r in enumerate(results)}
        for briefing in changed:
            moved, orphaned = self._reanchor_all_users(briefing)
            changes = self._note_changes.pop(briefing.slug, [])
            index = by_result[briefing.slug]
            results[index] = ImportResult(
                briefing.slug,
                briefing.title,
                results[index].status,
                moved=moved,
                orphaned=orphaned,
                changes=tuple(changes),
            )
        return results

    def _index_search(
        self,
        indexed: list[tuple[Briefing, str]],
        prepared: Mapping[str, list[SectionRow]] | None = None,
    ) -> None:
        """Index the briefings just written, in the shared search file. It is derived
        data: if it cannot be written now, the next search brings it up to date."""
        import sqlite3

        with contextlib.suppress(sqlite3.Error):
            self.search_file.update(indexed, prepared=prepared)

    def _reanchor_all_users(self, briefing: Briefing) -> tuple[int, int]:
        """Move every user's notes on this briefing to its current revision; then drop
        kept revisions no note is on. Each file is planned without its lock and written
        in one short locked write, so a ``notes add`` never waits long behind an import."""
        moved = orphaned = 0
        current = revisions.revision_of(briefing)
        users = self.paths.users
        files = sorted(users.glob(f"*/notes/{briefing.slug}.json")) if users.is_dir() else []
        in_use: set[str] = set()
        for path in files:
            file_moved, file_orphaned, used = self._reanchor_file(path, briefing, current)
            moved, orphaned = moved + file_moved, orphaned + file_orphaned
            in_use |= used
        revisions.prune(self.paths.root, briefing.slug, in_use - {current})
        return moved, orphaned

    def _reanchor_file(
        self, path: Path, briefing: Briefing, current: str
    ) -> tuple[int, int, set[str]]:
        """Re-anchor one notes file. Planned, and its new content written to a temporary
        file, without the lock; under the lock only a check that nothing changed since
        and a rename (:meth:`DataFile.replace_if_unchanged`). A file changed meanwhile is
        planned again (only its changed notes), then, if it keeps changing, under the lock."""
        from briefing.core.anchoring.changes import classify  # only when a note moves

        data_file = self._file(path)
        kept: dict[str, dict[str, str] | None] = {"": None}  # texts of the notes' revisions

        def new_place(record: dict[str, Any]) -> _Placed | None:
            old = annotation_from(record)
            if old.revision == current:
                return None
            if old.revision not in kept:
                kept[old.revision] = revisions.texts(self.paths.root, briefing.slug, old.revision)
            new = revisions.moved(
                old, briefing, current, kept[old.revision], version=old.version + 1
            )
            return annotation_record(new), classify(old, new)

        # The slow part (anchoring), from a snapshot and without the lock. A note added or
        # edited meanwhile makes the rename refuse: the next try places only that note.
        plan: dict[str, tuple[dict[str, Any], _Placed | None]] = {}
        for _ in range(_OPTIMISTIC_TRIES):
            signature = data_file.signature()  # before the read: a write after it is seen
            data = data_file.read() or {}
            snapshot = data.get("annotations", {})
            for record in snapshot.values():
                planned = plan.get(record["id"])
                if planned is None or planned[0] != record:
                    plan[record["id"]] = (record, new_place(record))
            written = _apply_plan(snapshot, plan, new_place)
            if not written.changed or data_file.replace_if_unchanged(
                signature, data, before_loss="reanchor"
            ):
                break
        else:  # written to that often meanwhile: placed again, now, under the lock
            with data_file.transaction(before_loss="reanchor") as db:
                storage: Any = db.storage
                data = storage.read() or {}
                written = _apply_plan(data.get("annotations", {}), plan, new_place)
                if written.changed:
                    storage.write(data)  # one write for the whole file: linear in notes
        if written.news:
            self._tell_later(path.parent.parent.name, briefing.slug, written.news)
        return written.moved, written.orphaned, written.used

    def _tell_later(self, user: str, slug: str, news: list[NoteChange]) -> None:
        """Keep what an import did to ``user``'s notes, for the import's result and, in their
        state file, for their reader to say when it next opens the briefing."""
        self._note_changes.setdefault(slug, []).extend(news)
        before = tuple(self._sections_before.get(slug, {}).items())  # tells a rename apart
        with self._file(self.paths.state_file(user)).transaction() as db:
            db.table("changes").insert_multiple(
                {**replace(c, before=before).record(), "briefing": slug} for c in news
            )

    def take_changes(self, slug: str) -> list[NoteChange]:
        """What re-imports did to this user's notes on ``slug`` since last asked; forgets it.

        The reader calls this when it opens a briefing, so a note that moved, was edited or
        orphaned by a re-import someone else ran is not a silent surprise.
        """
        pending = self._state_data().get("changes", {}).values()
        if not any(r.get("briefing") == slug for r in pending):
            return []
        from briefing.core.anchoring.changes import NoteChange

        with self._state.transaction() as db:
            table = db.table("changes")
            found = [
                NoteChange.from_record(dict(r)) for r in table.search(where("briefing") == slug)
            ]
            table.remove(where("briefing") == slug)
        return [c for c in found if c is not None]

    # -- annotations ---------------------------------------------------

    def _notes(self, slug: str) -> DataFile:
        return self._file(self.paths.notes_file(self.user, slug))

    def annotations(self, slug: str | None = None) -> list[Annotation]:
        """This user's notes, on one briefing or on all, in briefing then text order."""
        if slug is not None:
            return self._on_current_revision(slug, self._notes(slug).cached(annotations_from))
        found: list[Annotation] = []
        for slug in self._noted_slugs():
            found.extend(
                self._on_current_revision(slug, self._notes(slug).cached(annotations_from))
            )
        return found

    def marks(self, slug: str | None = None) -> Marks:
        """The marks of the library, of this user's notes on ``slug`` (on every briefing
        when None) and of their state file: a reader compares them once a second to
        follow imports and notes written by the CLI or another session."""
        if slug is not None:
            notes: object = self._notes(slug).signature()
        else:
            notes = tuple(self._notes(s).signature() for s in self._noted_slugs())
        return Marks(self.library_file.signature(), notes, self._state.signature())

    def _noted_slugs(self) -> list[str]:
        folder = self.paths.notes_dir(self.user)
        return sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []

    def stored_annotations(self) -> list[Annotation]:
        """This user's notes on every briefing as their files hold them, reading the notes
        files only and never a briefing's text (the library's counts and notes list). A
        note an interrupted import left on an older revision has its old offsets here;
        :meth:`annotations` gives it re-anchored."""
        found: list[Annotation] = []
        for slug in self._noted_slugs():
            found.extend(self._notes(slug).cached(annotations_from))
        return found

    def revision(self, slug: str) -> str:
        """The id of a briefing's current text (:func:`.revisions.revision_of`)."""
        briefing = self.get(slug)
        cached = self._revisions.get(slug)
        if cached is None or cached[0] is not briefing:
            cached = (briefing, revisions.revision_of(briefing))
            self._revisions[slug] = cached
        return cached[1]

    def _on_current_revision(self, slug: str, notes: Iterable[Annotation]) -> list[Annotation]:
        """Notes left on an older revision by an interrupted import are shown re-anchored
        (in memory), never with old offsets on new text."""
        notes = list(notes)
        if not any(n.revision for n in notes) or not self.exists():
            return notes
        try:
            current = self.revision(slug)
        except DataError:  # no such briefing, or a damaged library: notes stay readable
            return notes
        if not any(revisions.is_stale(n, current) for n in notes):
            return notes
        return revisions.current_view(notes, self.get(slug))

    def note_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for annotation in self.stored_annotations():  # a count needs no briefing's text
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
        revision: str | None = None,
    ) -> Annotation:
        """Note ``[start, end)`` of a section. ``revision``: the briefing revision the
        offsets were taken on (a reader names the one it shows); if the briefing was
        re-imported since, :class:`StaleRevision` is raised and nothing is written."""
        expected = revision or self.revision(slug)
        if self.revision(slug) != expected:
            raise StaleRevision(
                f"briefing {slug!r} was re-imported meanwhile; the passage must be"
                " found again in the new text. Nothing was saved."
            )
        section = self.section(slug, section_key)
        if color not in COLORS:
            raise StoreError(f"unknown colour {color!r} (choose from {', '.join(COLORS)})")
        check_note(note)
        from briefing.core.anchoring import make_anchor

        anchor = make_anchor(section.text, start, end)
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
            version=1,
            revision=expected,
        )
        with self._notes(slug).transaction() as db:
            # Checked under the notes file's lock: an import re-anchors this file under
            # the same lock, after its library write, so no note slips past it.
            if self.revision(slug) != expected:
                raise StaleRevision(
                    f"briefing {slug!r} was re-imported meanwhile; the passage must be"
                    " found again in the new text. Nothing was saved."
                )
            db.table("annotations").insert(annotation_record(annotation))
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
        base: Annotation | None = None,
    ) -> Annotation:
        """Change a note. ``base``: the note as the editor started from it; a change
        made elsewhere since is merged field by field, or refused (:mod:`.merging`)."""
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
            changes["revision"] = self.revision(current.briefing)
        with self._notes(current.briefing).transaction() as db:
            table = db.table("annotations")
            doc = table.get(where("id") == current.id)
            if not isinstance(doc, dict):
                raise NotFound(f"note {current.id} was deleted meanwhile")
            stored = annotation_from(dict(doc))
            updated = stored.with_changes(**changes)
            if base is not None:
                updated = merging.merge(base, stored, base.with_changes(**changes))
            if updated.with_changes(updated=stored.updated) == stored:
                return stored  # an edit that changes nothing is not written, nor dated
            updated = updated.with_changes(version=stored.version + 1)
            table.update(annotation_record(updated), doc_ids=[doc.doc_id])
        return updated

    def delete_annotation(self, annotation_id: str, slug: str | None = None) -> Annotation:
        current = self.find_annotation(annotation_id, slug)
        with self._notes(current.briefing).transaction(before_loss="delete") as db:
            removed = db.table("annotations").remove(where("id") == current.id)
            if not removed:
                raise NotFound(f"note {current.id} was deleted meanwhile")
        return current

    def restore_annotation(self, annotation: Annotation) -> Annotation:
        """Put back a deleted note exactly as it was (undo)."""
        with self._notes(annotation.briefing).transaction() as db:
            db.table("annotations").upsert(
                annotation_record(annotation), where("id") == annotation.id
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
            db.table("settings").upsert({"key": key, "value": value}, where("key") == key)

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
        """Save a position; read marks are merged with the stored ones (their union),
        so two readers quitting never unmark what the other one read."""
        with self._state.transaction() as db:
            table = db.table("reading")
            stored = table.get(where("briefing") == state.briefing)
            read = set(state.read)
            if isinstance(stored, dict):
                read |= set(stored.get("read", ()))
            record = {
                "briefing": state.briefing,
                "section": state.section,
                "scroll": round(state.scroll, 2),
                "read": sorted(read),
            }
            table.upsert(record, where("briefing") == state.briefing)

    # -- health ----------------------------------------------------------

    def data_files(self) -> list[DataFile]:
        """Every data file of every user, for ``briefing doctor``."""
        paths = [self.paths.library]
        if self.paths.briefings.is_dir():
            paths += sorted(self.paths.briefings.glob("*.json"))
        if self.paths.users.is_dir():
            paths += sorted(self.paths.users.glob("*/state.json"))
            paths += sorted(self.paths.users.glob("*/notes/*.json"))
        return [self._file(p) for p in paths if p.exists()]
