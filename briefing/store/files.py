"""One TinyDB data file: opening, the schema check, locked transactions and daily backups.

The store's only tinydb importer (with :mod:`briefing.store.records`' queries
going through :func:`where`). TinyDB loads with the first write: reads go
straight to the JSON, so the reader starts without it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.store import backups as _backups
from briefing.store import schema as _shape
from briefing.store.atomic import (
    CorruptFile,
    DataError,
    WriteFailed,
    cause,
    fsync_dir,
    locked,
    read_json,
    remove_stale_temps,
    stage,
    write_data,
    write_many,
)

if TYPE_CHECKING:
    from tinydb import TinyDB

SCHEMA = 1
#: Schema of the library index and of the per-briefing files (layout 2, issue 18).
#: Layout 1 was one ``library.json`` holding every section; it is migrated on first use.
LIBRARY_SCHEMA = 2
BACKUPS_KEPT = _backups.DAILY_KEPT


class StoreError(DataError):
    """A store operation that cannot be done; the data is unchanged."""


class NotFound(StoreError):
    """No briefing, section or note by that name."""


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
            return read_json(self.path, strict=True)  # a duplicate key is not dropped silently

        def write(self, data: dict[str, dict[str, Any]]) -> None:
            payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            write_data(self.path, payload.encode("utf-8"))

    class Buffered(CachingMiddleware):
        """Hold every write of one operation in memory; flush once, at its end."""

        WRITE_CACHE_SIZE = 1 << 30
        dirty = False

        def write(self, data: dict[str, dict[str, Any]]) -> None:
            self.dirty = True
            super().write(data)  # type: ignore[no-untyped-call]

    def open_db(path: Path) -> TinyDB:
        return TinyDB(path, storage=Buffered(AtomicJSONStorage))  # type: ignore[no-untyped-call]

    return open_db


def where(field: str) -> Any:
    """A TinyDB query on one field (``where("id") == x``)."""
    from tinydb import where

    return where(field)


def _schema_of(path: Path, data: dict[str, Any] | None, current: int = SCHEMA) -> int:
    if data is None:
        return 0
    meta = data.get("_meta")
    if not isinstance(meta, dict) or not meta:
        raise CorruptFile(path, "no schema version (_meta table); not a briefing data file")
    record = next(iter(meta.values()))
    schema = record.get("schema") if isinstance(record, dict) else None
    if not isinstance(schema, int):
        raise CorruptFile(path, "schema version is missing or not a number")
    if schema > current:
        raise NewerSchema(
            f"{path}: written by a newer briefing (schema {schema}; this version reads up to"
            f" {current}). Upgrade briefing; the file was not changed."
        )
    return schema


class DataFile:
    """One TinyDB file: lock-free reads of whole snapshots, locked transactions."""

    _cleaned: set[Path] = set()

    def __init__(self, path: Path, backups: Path, root: Path, schema: int = SCHEMA) -> None:
        self.path = path
        self.schema = schema
        self._backups = backups
        self._root = root
        self._snapshot: tuple[tuple[int, int, int], Any] | None = None

    def signature(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def read(self, *, strict: bool = False) -> dict[str, Any] | None:
        """The whole file, checked against its schema (:mod:`briefing.store.schema`).
        Safe without the lock: writers rename complete files. ``strict`` (doctor,
        writes) also refuses duplicate keys."""
        # Notes and state files are small: always strict, so every command sees a
        # duplicate key the next write would drop. The library only when asked.
        data = read_json(self.path, strict=strict or self.kind in ("notes", "state"))
        _schema_of(self.path, data, self.schema)
        self._check_shape(data)
        return data

    def _check_shape(self, data: dict[str, Any] | None) -> None:
        if data is not None:
            try:
                _shape.check(data, self.kind)
            except _shape.ShapeError as error:
                raise CorruptFile(self.path, str(error)) from None

    @property
    def kind(self) -> str:
        """``library``, ``state``, ``notes`` or ``other``."""
        return _shape.kind_of(self.path, self._root)

    def read_schema(self) -> tuple[int, dict[str, Any] | None]:
        """The file's schema version (0: no file) and its whole content."""
        data = read_json(self.path)
        return _schema_of(self.path, data, self.schema), data

    def cached(self, build: Any) -> Any:
        """``build(data)``, recomputed only when the file changed underneath."""
        signature = self.signature()
        if signature is None:
            return build(None)
        if self._snapshot is None or self._snapshot[0] != signature:
            self._snapshot = (signature, build(self.read()))
        return self._snapshot[1]

    @contextmanager
    def transaction(self, *, before_loss: str = "") -> Iterator[TinyDB]:
        """One locked read-modify-write. ``before_loss`` names a write that removes or
        moves notes (``delete``, ``reanchor``): the file is backed up before it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WriteFailed(f"cannot write {self.path}: {cause(error)}") from error
        with locked(self.path):
            if self.path not in self._cleaned:
                remove_stale_temps(self.path)
                self._cleaned.add(self.path)
            db = _tinydb()(self.path)
            buffer: Any = db.storage  # the Buffered middleware: dirty, flush()
            current = buffer.read()
            schema = _schema_of(self.path, current, self.schema)
            self._check_shape(current)
            if schema == 0:
                db.table("_meta").insert({"schema": self.schema})
            yield db
            # Only reached when the body did not raise; a no-op writes nothing.
            if buffer.dirty:
                if schema:
                    self._daily_backup()
                    if before_loss:
                        _backups.before_loss(self.path, self._backup_folder(), before_loss)
                buffer.flush()

    def replace_if_unchanged(
        self, signature: tuple[int, int, int] | None, data: dict[str, Any], *, before_loss: str = ""
    ) -> bool:
        """Replace the file with ``data`` if it is still the one whose :meth:`signature`
        was taken before reading it; False (nothing written) if it changed since.

        For a big rewrite planned from a snapshot (a re-import re-anchoring 10,000 notes):
        serialising, writing and fsyncing the new file, and the backups (of the snapshot,
        which is what is there while the signature holds), happen without the lock, which
        is held only to compare signatures and rename. So another process's write to this
        file (a ``notes add``) never waits behind the slow part.
        """
        if signature is None:
            return False
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._daily_backup()
        if before_loss:
            _backups.before_loss(self.path, self._backup_folder(), before_loss)
        temp = stage(self.path, payload)
        try:
            with locked(self.path):
                if self.signature() != signature:
                    return False
                os.replace(temp, self.path)
        except FileNotFoundError:  # the temporary file was cleaned away by another writer
            return False
        except WriteFailed:
            raise
        except OSError as error:
            detail = f"{cause(error)}; it was not changed"
            raise WriteFailed(f"cannot write {self.path}: {detail}") from error
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        fsync_dir(self.path.parent)
        return True

    def keep_daily_backup(self) -> None:
        """Take today's backup of the file now, if it exists and has none yet.

        For a file written outside :meth:`transaction` (a briefing's text,
        replaced by a re-import under the library's lock).
        """
        if self.path.exists():
            self._daily_backup()

    def backups(self) -> list[Path]:
        """Every backup of this file, newest first (see :mod:`briefing.store.backups`)."""
        return _backups.listing(self._backup_folder())

    def _backup_folder(self) -> Path:
        return self._backups / _backups.folder_name(self.path, self._root)

    def _daily_backup(self) -> None:
        _backups.daily(self.path, self._backup_folder(), _dt.date.today())


def document(schema: int, tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A whole TinyDB file's content: each table's records under document ids 1, 2, ..."""
    data: dict[str, Any] = {"_meta": {"1": {"schema": schema}}}
    for name, records in tables.items():
        data[name] = {str(number): record for number, record in enumerate(records, 1)}
    return data


def write_whole(path: Path, data: dict[str, Any], *, sync_folder: bool = True) -> None:
    """Write a TinyDB file in one atomic rename, without loading TinyDB (bulk writes);
    see :func:`write_atomic` for ``sync_folder``."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_data(path, payload.encode("utf-8"), sync_folder=sync_folder)


def write_wholes(files: list[tuple[Path, dict[str, Any]]]) -> None:
    """:func:`write_whole` for many files, flushed to disk together
    (:func:`~briefing.store.atomic.write_many`); folders are the caller's to fsync."""
    write_many(
        [
            (path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            for path, data in files
        ]
    )


def replace_all(db: TinyDB, data: dict[str, Any]) -> None:
    """Replace everything a transaction's TinyDB holds; flushed when the transaction ends.

    One write instead of a TinyDB call per record, each of which copies whole tables.
    """
    db.storage.write(data)
    db.clear_cache()
