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
``postings`` (folded word, section id, packed count: heading << 32 | text) and
``vocab`` (every folded word ever indexed; a stale word only widens a prefix range).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.core.model import Briefing
from briefing.core.search.fold import Text, fold_text
from briefing.core.search.index import SectionDoc, doc_counts
from briefing.store.atomic import LOCK_TIMEOUT

#: Bumped when what is stored changes (folding, tokenising): the file is then rebuilt.
FORMAT = 1
_WIDE = 65  # vocab_width need not count further (see Corpus.vocab_width)

_TABLES = """
CREATE TABLE IF NOT EXISTS briefings (
    slug TEXT PRIMARY KEY, revision TEXT NOT NULL, title TEXT NOT NULL,
    title_folded TEXT NOT NULL, title_uneven INTEGER NOT NULL, first TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL, key TEXT NOT NULL, ord INTEGER NOT NULL,
    title TEXT NOT NULL, title_folded TEXT NOT NULL, title_uneven INTEGER NOT NULL,
    text TEXT NOT NULL, text_folded TEXT NOT NULL, text_uneven INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_slug ON sections (slug, ord);
CREATE TABLE IF NOT EXISTS postings (
    token TEXT NOT NULL, doc INTEGER NOT NULL, packed INTEGER NOT NULL,
    PRIMARY KEY (token, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab (token TEXT PRIMARY KEY) WITHOUT ROWID;
"""


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
                    self.path.unlink()
                    return self._connect()
                db.execute("PRAGMA synchronous=NORMAL")  # derived data: rebuilt if lost
                if version == 0:
                    db.execute("PRAGMA journal_mode=WAL")  # reads never wait for an import
                    db.executescript(_TABLES)
                    db.execute(f"PRAGMA user_version={FORMAT}")
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def revisions(self) -> dict[str, str]:
        """Slug -> revision of every briefing indexed."""
        db = self._connect()
        return dict(db.execute("SELECT slug, revision FROM briefings").fetchall())

    def update(
        self, briefings: Iterable[tuple[Briefing, str]], removed: Iterable[str] = ()
    ) -> None:
        """Index ``(briefing, revision)`` pairs, replacing their old rows, and forget
        ``removed`` slugs: one transaction, so a search sees all of it or none."""
        db = self._connect()
        db.execute("PRAGMA cache_size=-65536")  # 64 MB while writing: a big import's B-trees
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                for slug in removed:
                    self._remove(db, slug)
                postings: list[tuple[str, int, int]] = []
                for briefing, revision in briefings:
                    self._remove(db, briefing.slug)
                    postings.extend(self._insert(db, briefing, revision))
                postings.sort()
                db.executemany("INSERT INTO postings VALUES (?, ?, ?)", postings)
                db.executemany(
                    "INSERT OR IGNORE INTO vocab VALUES (?)",
                    ((token,) for token in sorted({p[0] for p in postings})),
                )
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
            for table in ("briefings", "sections", "postings", "vocab"):
                db.execute(f"DELETE FROM {table}")
            db.execute("COMMIT")
        db.execute("VACUUM")
        self.close()

    @staticmethod
    def _remove(db: sqlite3.Connection, slug: str) -> None:
        rows = db.execute(
            "SELECT id, title_folded, text_folded FROM sections WHERE slug = ?", (slug,)
        ).fetchall()
        for doc_id, title_folded, text_folded in rows:
            db.executemany(
                "DELETE FROM postings WHERE token = ? AND doc = ?",
                ((token, doc_id) for token in doc_counts(title_folded, text_folded)),
            )
        db.execute("DELETE FROM sections WHERE slug = ?", (slug,))
        db.execute("DELETE FROM briefings WHERE slug = ?", (slug,))

    @staticmethod
    def _insert(
        db: sqlite3.Connection, briefing: Briefing, revision: str
    ) -> list[tuple[str, int, int]]:
        title_folded, title_uneven = fold_text(briefing.title)
        first = briefing.sections[0].key if briefing.sections else ""
        db.execute(
            "INSERT INTO briefings VALUES (?, ?, ?, ?, ?, ?)",
            (briefing.slug, revision, briefing.title, title_folded, title_uneven, first),
        )
        postings: list[tuple[str, int, int]] = []
        for number, section in enumerate(briefing.sections):
            heading, heading_uneven = fold_text(section.title)
            text, text_uneven = fold_text(section.text)
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
            postings.extend(
                (token, doc_id, packed) for token, packed in doc_counts(heading, text).items()
            )
        return postings

    def corpus(self) -> SqliteCorpus:
        """The index as a search corpus (see :class:`briefing.core.search.index.Corpus`),
        on a read-only connection of its own: closing this file's writer leaves it be."""
        self._connect()  # makes the file and its tables on first use
        db = sqlite3.connect(
            self.path, timeout=LOCK_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        db.execute("PRAGMA query_only=ON")
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
            "SELECT doc, SUM(packed) FROM postings WHERE token >= ? AND token < ? GROUP BY doc",
            (token, token + "\U0010ffff"),
        )
        return dict(rows.fetchall())

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
