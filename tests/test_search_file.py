"""The shared search index on disk: same results as in memory, kept up to date by imports,
rebuilt by ``doctor --reindex``, and never holding anyone's notes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.core.ingest import parse_briefing
from briefing.core.search.index import SearchIndex
from briefing.store.facade import Store
from briefing.store.importing import import_paths
from tests.conftest import SLUG, quote_span, run_cli

pytestmark = pytest.mark.unit

EXTRA = """\
---
title: Ceasefire talks in Geneva
tags: [diplomacy]
---

# Ceasefire talks in Geneva

## Délégations

The délégations met in Genève. Kim’s envoy spoke; the ﬁnal text is “open”.

## Next round

Talks resume in March. The ceasefire holds; sanctions relief is not on the table.
"""

QUERIES = [
    "veto",
    "korea",
    "KOREA sanctions",
    '"mutual defence"',
    '"north korea"',
    "kim's",
    "geneve",
    "delegations",
    "final",
    "march",
    "the",
    "a",
    "pyong",
    "ceasefire talks",
    '"talks resume"',
    "(korea),",
    "nothing-here",
    "tag:people",
    "tag:people kim",
    "signed",
]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def library(store: Store, tmp_path: Path) -> Store:
    import_paths(store, [_write(tmp_path, "geneva.md", EXTRA)])
    store.add_annotation(
        SLUG, "treaty-terms", *quote_span(store, "treaty-terms", "Kim Jong Un"), tags=["people"]
    )
    return store


@pytest.mark.parametrize("query", QUERIES)
def test_the_shared_index_finds_exactly_what_the_memory_index_finds(
    library: Store, query: str
) -> None:
    in_memory = SearchIndex(library.briefings(), library.annotations())
    on_disk = library.search_index()
    for options in ({}, {"limit": 3}, {"briefing": SLUG}, {"notes_only": True}):
        assert on_disk.search(query, **options) == in_memory.search(query, **options)


@settings(deadline=None, max_examples=40)
@given(
    words=st.lists(
        st.sampled_from(["veto", "Korea", "kim", "the", "talks", "é", "ﬁ", "’s", "pact", "x"]),
        min_size=1,
        max_size=3,
    ),
    phrase=st.booleans(),
)
def test_any_query_gives_the_same_hits_on_disk_and_in_memory(
    words: list[str], phrase: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = _shared_store(tmp_path_factory)
    query = f'"{" ".join(words)}"' if phrase else " ".join(words)
    in_memory = SearchIndex(store.briefings(), store.annotations())
    on_disk = store.search_index()
    everything = on_disk.search(query)
    assert everything == in_memory.search(query)
    # The best N are the first N of every hit, ties at the last place in the same order.
    for limit in (1, 2, 3, 5):
        assert on_disk.search(query, limit=limit) == everything[:limit]


_STORES: dict[str, Store] = {}


def _shared_store(factory: pytest.TempPathFactory) -> Store:
    if "s" not in _STORES:
        from briefing.store.importing import ensure_library

        root = factory.mktemp("shared")
        store = Store(root / "data", "tester")
        ensure_library(store)
        import_paths(store, [_write(root, "geneva.md", EXTRA)])
        _STORES["s"] = store
    return _STORES["s"]


def test_a_reimport_updates_the_index_so_the_next_search_finds_the_new_text(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    source = _write(tmp_path, "geneva.md", EXTRA)
    import_paths(store, [source])
    assert run_cli(capsys, "search", "ceasefire")[1].count("geneva/") == 2
    source.write_text(EXTRA.replace("ceasefire holds", "truce holds"), encoding="utf-8")
    import_paths(store, [source])
    code, out, _ = run_cli(capsys, "search", "truce")
    assert code == 0 and "geneva/next-round" in out
    code, out, _ = run_cli(capsys, "search", '"ceasefire holds"')
    assert "next-round" not in out
    # Only the changed briefing was indexed again: the other one's rows are the same.
    with sqlite3.connect(store.paths.search_index) as db:
        ids = dict(db.execute("SELECT key, id FROM sections WHERE slug = ?", (SLUG,)).fetchall())
    import_paths(store, [_write(tmp_path, "geneva.md", EXTRA)])
    with sqlite3.connect(store.paths.search_index) as db:
        again = dict(db.execute("SELECT key, id FROM sections WHERE slug = ?", (SLUG,)).fetchall())
    assert again == ids


def test_one_users_search_never_returns_another_users_notes(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    secret = "zanzibar quokka rendezvous"
    alice = Store(store.paths.root, "alice")
    alice.add_annotation(SLUG, "un-veto", *quote_span(store, "un-veto", "In March"), note=secret)
    code, out, _ = run_cli(capsys, "--user", "alice", "search", "quokka")
    assert code == 0 and "[note " in out and "zanzibar" in out
    code, out, err = run_cli(capsys, "--user", "bob", "search", "quokka")
    assert out == "" and "No matches." in err
    assert Store(store.paths.root, "bob").search_index().search("zanzibar") == []
    # Nothing of a note is in the shared file.
    assert b"quokka" not in store.paths.search_index.read_bytes()


def test_doctor_reindex_rebuilds_a_lost_or_damaged_index(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    expected = run_cli(capsys, "search", "veto")[1]
    with sqlite3.connect(store.paths.search_index) as db:
        db.execute("DELETE FROM postings")  # damaged: every word forgotten
    code, out, _ = run_cli(capsys, "doctor", "--reindex")
    assert code == 0 and "Search index rebuilt: 1 briefing." in out
    assert run_cli(capsys, "search", "veto")[1] == expected
    store.paths.search_index.unlink()  # lost: the next search builds it again
    assert run_cli(capsys, "search", "veto")[1] == expected


def test_a_library_changed_behind_the_index_is_caught_up_at_the_next_search(
    store: Store, tmp_path: Path
) -> None:
    store.search_file.update([], removed=[SLUG])  # as if the import was killed before it
    assert {h.briefing for h in store.search_index().search("veto")} == {SLUG}
    parsed = parse_briefing(EXTRA, slug="late")
    store.search_file.update([(parsed, "stale-revision")])  # a slug the library lacks
    assert "late" not in {h.briefing for h in store.search_index().search("geneva")}


def test_a_library_file_put_back_by_other_means_is_searched_as_it_is_now(
    store: Store, tmp_path: Path
) -> None:
    """A search reads the library only when its file is not the one the index was last
    found up to date with; a library put back by a restore or a sync tool is such a file."""
    import_paths(store, [_write(tmp_path, "geneva.md", EXTRA)])
    assert "geneva" in {h.briefing for h in store.search_index().search("relief")}
    other = Store(tmp_path / "other", store.user)
    (tmp_path / "elsewhere").mkdir()
    moved = EXTRA.replace("sanctions relief", "armistice")
    import_paths(other, [_write(tmp_path / "elsewhere", "geneva.md", moved)])
    for path in (store.paths.library, store.paths.briefing_file("geneva")):
        source = other.paths.root / path.relative_to(store.paths.root)
        copy = path.with_name(f"{path.name}.new")
        copy.write_bytes(source.read_bytes())
        os.replace(copy, path)
    search = store.search_index()
    assert "geneva" in {h.briefing for h in search.search("armistice")}
    assert "geneva" not in {h.briefing for h in search.search("relief")}


def test_re_imports_in_any_order_leave_the_index_finding_what_a_rebuild_finds(
    store: Store, tmp_path: Path
) -> None:
    """Postings are packed per word: removing a re-imported briefing's sections from
    them, and adding its new ones, must leave no stale or missing hit."""
    versions = [
        EXTRA,
        EXTRA.replace("ceasefire holds", "truce holds"),
        EXTRA.replace("Talks resume in March.", "Kim's envoy talks in March. Veto!"),
    ]
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(5):
        _write(folder, f"g{number}.md", versions[number % 3].replace("Geneva", f"Geneva {number}"))
    import_paths(store, [folder])
    for number, version in [(1, 2), (3, 0), (1, 1), (4, 2)]:
        text = versions[version].replace("Geneva", f"Geneva {number}")
        import_paths(store, [_write(folder, f"g{number}.md", text)])
    in_memory = SearchIndex(store.briefings(), [])
    on_disk = store.search_index([])
    for query in [*QUERIES, "truce", "holds", "resume", "envoy talks", "geneva 1"]:
        assert on_disk.search(query) == in_memory.search(query), query
    store.sync_search(rebuild=True)
    rebuilt = store.search_index([])
    assert rebuilt.search("truce") == on_disk.search("truce")


def test_an_index_file_of_an_older_format_is_rebuilt_at_the_next_search(store: Store) -> None:
    expected = store.search_index([]).search("veto")
    store.search_file.close()
    store.paths.search_index.unlink()
    with sqlite3.connect(store.paths.search_index) as db:  # as the first format wrote it
        db.execute("CREATE TABLE postings (token TEXT, doc INTEGER, packed INTEGER)")
        db.execute("PRAGMA user_version=1")
    again = Store(store.paths.root, store.user)
    assert again.search_index([]).search("veto") == expected
    with sqlite3.connect(store.paths.search_index) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(postings)")]
    assert columns == ["token", "part", "docs", "counts"]
