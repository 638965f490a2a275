"""The one-time move from layout 1 (one ``library.json`` with every section) to layout 2.

Layout 2 (issue 18): ``library.json`` is a small index (slug, title, front matter,
section keys and titles, revision hash) that listing and start-up read; each
briefing's text is in ``briefings/<slug>.json``, read only when it is opened. Notes
and reading state are not touched: their files are the same in both layouts.

The move runs under the library's lock, the first time any command or reader
opens a layout-1 folder:

1. the old ``library.json`` is copied to ``backups/layout-1/library.json``
   (never rotated away);
2. every briefing's file is written;
3. the new index replaces ``library.json`` in one atomic rename.

A kill before step 3 leaves the old file in place, and the next start moves again.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from briefing.core.paths import Paths
from briefing.store.atomic import fsync_dir, locked
from briefing.store.files import LIBRARY_SCHEMA, DataFile, document, write_whole, write_wholes
from briefing.store.records import briefings_from, content_hash, content_tables, listing_record

#: Where the layout-1 library is kept, relative to the backups folder.
LAYOUT_1_BACKUP = "layout-1/library.json"


def needs_migration(library: DataFile) -> bool:
    """Whether ``library`` is a layout-1 file (schema 1)."""
    schema, _ = library.read_schema()
    return 0 < schema < LIBRARY_SCHEMA


def migrate(paths: Paths, library: DataFile) -> int:
    """Move a layout-1 library to layout 2; the number of briefings moved (0: nothing to do)."""
    with locked(library.path):
        schema, data = library.read_schema()
        if not (0 < schema < LIBRARY_SCHEMA) or data is None:
            return 0  # another process moved it meanwhile
        backup = paths.backups / LAYOUT_1_BACKUP
        if not backup.exists():
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library.path, backup)
            fsync_dir(backup.parent)
        records = {r["slug"]: r for r in data.get("briefings", {}).values()}
        index: list[dict[str, Any]] = []
        files: list[tuple[Path, dict[str, Any]]] = []
        for slug, briefing in briefings_from(data).items():
            record = records[slug]
            digest = record.get("hash") or content_hash(briefing)
            origin, stamp = record.get("origin", ""), record.get("imported", "")
            tables = content_tables(briefing, digest, origin, stamp)
            files.append((paths.briefing_file(slug), document(LIBRARY_SCHEMA, tables)))
            index.append(listing_record(briefing, digest, origin, stamp))
        write_wholes(files)  # flushed to disk together
        if files:
            fsync_dir(paths.briefings)  # every new name there, before the index names them
        write_whole(library.path, document(LIBRARY_SCHEMA, {"briefings": index}))
        return len(index)
