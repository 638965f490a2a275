"""The shared search index of the briefings' text: ``search.sqlite3`` next to the TinyDB files.

Why SQLite, and why here: every process (each CLI command, each reader session under
``briefing serve``) must search the library without loading and folding all of it.
``sqlite3`` is in the standard library, gives lock-free consistent reads (WAL) while
an import writes, and answers a word-prefix query with one index range scan. It is a
data file with I/O and locking, so it lives in the store; the core keeps the ranking
(:mod:`briefing.core.search.index`) and reads this file through its ``Corpus``
protocol, so results, offsets and order are exactly those of the in-memory index.

The file is derived data: it holds no note (notes are searched in memory, by the
process of the user they belong to), every briefing row names the revision it was
built from, and ``briefing doctor --reindex`` (or deleting the file) rebuilds it.

Tables: ``briefings`` (slug, revision, title and its folded form, first section key),
``sections`` (id, slug, key, order, heading and text, each with its folded form),
``postings`` (folded word, part, and two packed arrays: the ids of the sections in that
part holding the word, ascending, and each one's count, heading << 32 | text) and
``vocab`` (every folded word ever indexed; a stale word only widens a prefix range).

Postings are one row per word and *part* (a range of :data:`PART` section ids), not one
per word and section: a 2,000-briefing import writes some 6,000 rows instead of 2.8
million, and a re-import of one briefing rewrites the few hundred rows of its words.
Section ids only grow (``AUTOINCREMENT``), so new sections are appended to the arrays
in order and a removed one is found by bisection.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from itertools import repeat
from pathlib import Path

from briefing.core.model import Briefing
from briefing.core.search.fold import Text, fold_text
from briefing.core.search.index import SectionDoc, doc_counts
from briefing.store.atomic import LOCK_TIMEOUT

#: Bumped when what is stored changes (folding, tokenising, tables): the file is then rebuilt.
FORMAT = 2
#: Section ids per postings row.
PART = 4096
#: SQLite's page cache of a reading connection (its default is 2,000 KiB).
READ_CACHE_KIB = 256
_WIDE = 65  # vocab_width need not count further (see Corpus.vocab_width)

_TABLES = """
CREATE TABLE IF NOT EXISTS briefings (
    slug TEXT PRIMARY KEY, revision TEXT NOT NULL, title TEXT NOT NULL,
    title_folded TEXT NOT NULL, title_uneven INTEGER NOT NULL, first TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL, key TEXT NOT NULL,
    ord INTEGER NOT NULL,
    title TEXT NOT NULL, title_folded TEXT NOT NULL, title_uneven INTEGER NOT NULL,
    text TEXT NOT NULL, text_folded TEXT NOT NULL, text_uneven INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_slug ON sections (slug, ord);
CREATE TABLE IF NOT EXISTS postings (
    token TEXT NOT NULL, part INTEGER NOT NULL, docs BLOB NOT NULL, counts BLOB NOT NULL,
    PRIMARY KEY (token, part)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab (token TEXT PRIMARY KEY) WITHOUT ROWID;
"""
#: Facts about the index as a whole: ``library``, the library file's signature when the
#: index was last found up to date with it (see :meth:`SearchFile.synced_with`).
_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


#: A section as indexed: heading folded and whether folding changed lengths, the same
#: for its text, and its words (joined by spaces: a word never holds one) with their packed
#: counts as stored (:func:`~briefing.core.search.index.doc_counts`). Compact, because a big
#: import's workers send millions of them to the process that writes.
SectionRow = tuple[str, bool, str, bool, str, bytes]


def prepare(briefing: Briefing) -> list[SectionRow]:
    """What indexing needs of each section, computed from the briefing alone: most of
    an import's indexing time, so a big import has its worker processes do it."""
    rows: list[SectionRow] = []
    for section in briefing.sections:
        heading, heading_uneven = fold_text(section.title)
        text, text_uneven = fold_text(section.text)
        counts = doc_counts(heading, text)
        packed = _pack(array("q", counts.values()))
        rows.append((heading, heading_uneven, text, text_uneven, " ".join(counts), packed))
    return rows


class SearchFile:
    """The on-disk index: written by imports (under the library's lock), read by searches."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                self.path, timeout=LOCK_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version not in (0, FORMAT):
                    db.close()
                    for suffix in ("", "-wal", "-shm"):  # an old log must not replay into it
                        Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                    return self._connect()
                db.execute("PRAGMA synchronous=NORMAL")  # derived data: rebuilt if lost
                if version == 0:
                    db.execute("PRAGMA journal_mode=WAL")  # reads never wait for an import
                    db.executescript(_TABLES)
                    db.execute(f"PRAGMA user_version={FORMAT}")
                with suppress(sqlite3.Error):  # a read-only folder: searched, never marked
                    db.execute(_META)  # a no-op once there; older files of this format lack it
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def synced_with(self) -> str:
        """The library file's signature when this index was last found up to date with it
        ('' if never): while the library file still has it, there is nothing to check."""
        try:
            row = self._connect().execute("SELECT value FROM meta WHERE key = 'library'")
            found = row.fetchone()
        except sqlite3.OperationalError:  # no meta table: a read-only folder's older file
            return ""
        return str(found[0]) if found else ""

    def mark_synced(self, signature: str) -> None:
        """Note that the index is up to date with the library file of ``signature``. Only a
        shortcut for the next search: skipped, not waited for, while an import writes (or
        in a read-only folder), and that search checks the library again."""
        self._connect()
        with suppress(sqlite3.Error), closing(sqlite3.connect(self.path, timeout=0)) as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('library', ?)", (signature,))
            db.commit()

    def revisions(self) -> dict[str, str]:
        """Slug -> revision of every briefing indexed."""
        db = self._connect()
        return dict(db.execute("SELECT slug, revision FROM briefings").fetchall())

    def update(
        self,
        briefings: Iterable[tuple[Briefing, str]],
        removed: Iterable[str] = (),
        *,
        prepared: Mapping[str, list[SectionRow]] | None = None,
    ) -> None:
        """Index ``(briefing, revision)`` pairs, replacing their old rows, and forget
        ``removed`` slugs: one transaction, so a search sees all of it or none.
        ``prepared``: :func:`prepare` of some of the briefings, by slug, made elsewhere
        (an import's worker processes)."""
        db = self._connect()
        db.execute("PRAGMA cache_size=-65536")  # 64 MB while writing: a big import's B-trees
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                # Checked against the library again at the next search: an import killed
                # after this commit and before its library file leaves the two apart.
                db.execute("DELETE FROM meta WHERE key = 'library'")
                rows = _Postings(db)
                for slug in removed:
                    self._remove(db, slug, rows)
                for briefing, revision in briefings:
                    self._remove(db, briefing.slug, rows)
                    ready = prepared.get(briefing.slug) if prepared else None
                    self._insert(db, briefing, revision, rows, ready or prepare(briefing))
                rows.write()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        self.close()  # the last connection out folds the write-ahead log into the file

    def clear(self) -> None:
        """Forget everything (``doctor --reindex``)."""
        db = self._connect()
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            for table in ("briefings", "sections", "postings", "vocab", "meta"):
                db.execute(f"DELETE FROM {table}")
            db.execute("COMMIT")
        db.execute("VACUUM")
        self.close()

    @staticmethod
    def _remove(db: sqlite3.Connection, slug: str, rows: _Postings) -> None:
        found = db.execute(
            "SELECT id, title_folded, text_folded FROM sections WHERE slug = ?", (slug,)
        ).fetchall()
        for doc_id, title_folded, text_folded in found:
            rows.remove(doc_id, doc_counts(title_folded, text_folded))
        db.execute("DELETE FROM sections WHERE slug = ?", (slug,))
        db.execute("DELETE FROM briefings WHERE slug = ?", (slug,))

    @staticmethod
    def _insert(
        db: sqlite3.Connection,
        briefing: Briefing,
        revision: str,
        rows: _Postings,
        sections: list[SectionRow],
    ) -> None:
        title_folded, title_uneven = fold_text(briefing.title)
        first = briefing.sections[0].key if briefing.sections else ""
        db.execute(
            "INSERT INTO briefings VALUES (?, ?, ?, ?, ?, ?)",
            (briefing.slug, revision, briefing.title, title_folded, title_uneven, first),
        )
        for number, (section, folded) in enumerate(zip(briefing.sections, sections, strict=True)):
            heading, heading_uneven, text, text_uneven, words, counts = folded
            cursor = db.execute(
                "INSERT INTO sections (slug, key, ord, title, title_folded, title_uneven,"
                " text, text_folded, text_uneven) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    briefing.slug,
                    section.key,
                    number,
                    section.title,
                    heading,
                    heading_uneven,
                    section.text,
                    text,
                    text_uneven,
                ),
            )
            doc_id = cursor.lastrowid
            assert doc_id is not None
            rows.add(doc_id, words.split(" ") if words else [], _unpack(counts))

    def corpus(self) -> SqliteCorpus:
        """The index as a search corpus (see :class:`briefing.core.search.index.Corpus`),
        on a read-only connection of its own: closing this file's writer leaves it be."""
        self._connect()  # makes the file and its tables on first use
        db = sqlite3.connect(
            self.path, timeout=LOCK_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        db.execute("PRAGMA query_only=ON")
        # Each reader session has a connection of its own; the pages it reads stay in the
        # OS's cache, shared by all of them, so its own cache can be small (2 MB less RSS
        # per session after a search; searches no slower).
        db.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        return SqliteCorpus(db, threading.Lock())


class SqliteCorpus:
    """The ``Corpus`` of :mod:`briefing.core.search.index`, read from the shared file.

    Holds nothing but the connection: a search reads the rows it needs, in one read
    transaction (a consistent snapshot even while an import commits).
    """

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db = db
        self._lock = lock

    @contextmanager
    def reading(self) -> Iterator[object]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self
            finally:
                self._db.execute("COMMIT")

    def vocab_width(self, token: str) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM vocab WHERE token >= ? AND token < ? LIMIT ?)",
            (token, token + "\U0010ffff", _WIDE),
        ).fetchone()
        return int(row[0])

    def prefix_counts(self, token: str) -> dict[int, int]:
        rows = self._db.execute(
            "SELECT docs, counts FROM postings WHERE token >= ? AND token < ?",
            (token, token + "\U0010ffff"),
        )
        counts: dict[int, int] = {}
        for docs, packed in rows:
            pairs = zip(_unpack(docs), _unpack(packed), strict=True)
            if not counts:
                counts.update(pairs)
                continue
            for doc_id, count in pairs:
                counts[doc_id] = counts.get(doc_id, 0) + count
        return counts

    def all_ids(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT id FROM sections")]

    def places(self, ids: Collection[int]) -> dict[int, tuple[str, int]]:
        rows = self._db.execute(
            "SELECT id, slug, ord FROM sections WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
        return {doc_id: (slug, order) for doc_id, slug, order in rows}

    def doc(self, doc_id: int) -> SectionDoc:
        row = self._db.execute(
            "SELECT slug, key, ord, title, title_folded, title_uneven, text, text_folded,"
            " text_uneven FROM sections WHERE id = ?",
            (doc_id,),
        ).fetchone()
        slug, key, order, title, title_folded, title_uneven, text, text_folded, uneven = row
        return SectionDoc(
            slug,
            key,
            order,
            Text(title, (title_folded, bool(title_uneven))),
            Text(text, (text_folded, bool(uneven))),
        )

    def titles(self, briefing: str | None) -> list[tuple[str, Text, str]]:
        query = "SELECT slug, title, title_folded, title_uneven, first FROM briefings"
        rows = (
            self._db.execute(query)
            if briefing is None
            else self._db.execute(query + " WHERE slug = ?", (briefing,))
        )
        return [
            (slug, Text(title, (folded, bool(uneven))), first)
            for slug, title, folded, uneven, first in rows
        ]

    def section_orders(self, slug: str) -> dict[str, int] | None:
        rows = self._db.execute(
            "SELECT key, ord FROM sections WHERE slug = ? ORDER BY ord", (slug,)
        ).fetchall()
        if (
            not rows
            and self._db.execute("SELECT 1 FROM briefings WHERE slug = ?", (slug,)).fetchone()
            is None
        ):
            return None
        orders: dict[str, int] = {}
        for key, order in rows:
            orders.setdefault(key, order)
        return orders


def _unpack(blob: bytes) -> array[int]:
    """A stored array of 64-bit integers (little-endian on disk, whatever the machine)."""
    values = array("q")
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _pack(values: array[int]) -> bytes:
    if sys.byteorder == "big":
        values = array("q", values)
        values.byteswap()
    return values.tobytes()


class _Postings:
    """The postings rows one update changes, read on first touch and written once at its end.

    A row holds, for one word and one part of the section ids, the ascending ids of the
    sections with that word and their packed counts.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._rows: dict[tuple[str, int], tuple[array[int], array[int]]] = {}
        #: Per part, per word: the new sections' ids, and their counts.
        self._added: dict[int, tuple[defaultdict[str, list[int]], defaultdict[str, list[int]]]] = {}

    def _row(self, key: tuple[str, int]) -> tuple[array[int], array[int]]:
        row = self._rows.get(key)
        if row is None:
            found = self._db.execute(
                "SELECT docs, counts FROM postings WHERE token = ? AND part = ?", key
            ).fetchone()
            row = (_unpack(found[0]), _unpack(found[1])) if found else (array("q"), array("q"))
            self._rows[key] = row
        return row

    def remove(self, doc_id: int, counts: Iterable[str]) -> None:
        """Take section ``doc_id`` out of the rows of its words."""
        part = doc_id // PART
        for token in counts:
            docs, packed = self._row((token, part))
            at = bisect_left(docs, doc_id)
            if at < len(docs) and docs[at] == doc_id:
                del docs[at]
                del packed[at]

    def add(self, doc_id: int, words: list[str], counts: Sequence[int]) -> None:
        """Add section ``doc_id`` (a higher id than any before it) to the rows of its words."""
        part = doc_id // PART
        if part not in self._added:
            self._added[part] = (defaultdict(list), defaultdict(list))
        docs, packed = self._added[part]
        # The hot loop of a big import (millions of words), run in C by map(): each
        # word's list of section ids gets this id, its list of counts this count.
        deque(map(list.append, map(docs.__getitem__, words), repeat(doc_id)), maxlen=0)
        deque(map(list.append, map(packed.__getitem__, words), counts), maxlen=0)

    def write(self) -> None:
        """Write every changed row (a row left empty is deleted) and the new words."""
        for part, (docs, packed) in self._added.items():
            for token, ids in docs.items():
                old_docs, old_packed = self._row((token, part))
                old_docs.extend(ids)
                old_packed.extend(packed[token])
        keys = sorted(self._rows)
        self._db.executemany(
            "DELETE FROM postings WHERE token = ? AND part = ?",
            (key for key in keys if not self._rows[key][0]),
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO postings VALUES (?, ?, ?, ?)",
            (
                (*key, _pack(self._rows[key][0]), _pack(self._rows[key][1]))
                for key in keys
                if self._rows[key][0]
            ),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO vocab VALUES (?)",
            ((token,) for token in sorted({t for docs, _ in self._added.values() for t in docs})),
        )
