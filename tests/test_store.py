from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.core.ingest import load_file, parse_briefing, section_blocks
from briefing.store.atomic import DataError
from briefing.store.facade import SCHEMA, Store, StoreError
from briefing.store.files import LIBRARY_SCHEMA
from tests.conftest import BUNDLED, SLUG, quote_span, snapshot_files


def test_first_run_imports_the_bundled_briefing(store: Store) -> None:
    assert [b.slug for b in store.briefings()] == [SLUG]
    assert len(store.get(SLUG).body_sections) == 4


def test_schema_version_is_in_every_file(store: Store) -> None:
    store.add_annotation(SLUG, "un-veto", *quote_span(store, "un-veto", "In March"))
    store.set_setting("theme", "nord")
    expected = {
        store.paths.library: LIBRARY_SCHEMA,
        store.paths.briefing_file(SLUG): LIBRARY_SCHEMA,
        store.paths.notes_file("tester", SLUG): SCHEMA,
        store.paths.state_file("tester"): SCHEMA,
    }
    for path, schema in expected.items():
        meta = json.loads(path.read_text())["_meta"]
        assert list(meta.values()) == [{"schema": schema}]


def test_importing_the_same_file_twice_leaves_the_files_byte_identical(
    store: Store, data_dir: Path
) -> None:
    before = snapshot_files(data_dir)
    results = store.import_briefings([(load_file(BUNDLED), str(BUNDLED))])
    assert [r.status for r in results] == ["unchanged"]
    assert snapshot_files(data_dir) == before


def test_reimporting_a_revision_replaces_text_and_keeps_every_note(store: Store) -> None:
    quote = "Russia can veto decisions of the UN Security Council."
    note = store.add_annotation(
        SLUG, "un-veto", *quote_span(store, "un-veto", quote), note="key point", tags=["veto"]
    )
    revised = BUNDLED.read_text(encoding="utf-8").replace(
        "## UN veto\n", "## UN veto\n\nA new opening paragraph for the section.\n"
    )
    results = store.import_briefings([(parse_briefing(revised, slug=SLUG), "revised")])
    assert results[0].status == "updated"
    assert "A new opening paragraph" in store.get(SLUG).section("un-veto").text  # type: ignore[union-attr]
    (kept,) = store.annotations(SLUG)
    assert kept.id == note.id and kept.note == "key point" and kept.tags == ("veto",)
    assert kept.status == "anchored"
    text = store.get(SLUG).section("un-veto").text  # type: ignore[union-attr]
    assert text[kept.start : kept.end] == quote
    assert kept.start > note.start


def test_a_note_whose_section_disappears_is_kept_as_orphan(store: Store) -> None:
    store.add_annotation(SLUG, "un-veto", *quote_span(store, "un-veto", "In March"))
    revised = BUNDLED.read_text(encoding="utf-8").split("## UN veto")[0]
    store.import_briefings([(parse_briefing(revised, slug=SLUG), "cut")])
    (orphan,) = store.annotations(SLUG)
    assert orphan.status == "orphaned" and orphan.quote == "In March"


def test_each_user_sees_only_their_own_notes(store: Store, data_dir: Path) -> None:
    store.add_annotation(SLUG, "un-veto", *quote_span(store, "un-veto", "In March"))
    other = Store(data_dir, "bob")
    assert other.annotations() == []
    assert store.note_counts() == {SLUG: 1}


def test_edit_delete_and_restore(store: Store) -> None:
    added = store.add_annotation(SLUG, "un-veto", *quote_span(store, "un-veto", "In March"))
    edited = store.update_annotation(added.id[:6], note="new", tags=["A, #b"])
    assert (edited.note, edited.tags) == ("new", ("a", "b"))
    removed = store.delete_annotation(added.id)
    assert store.annotations() == []
    store.restore_annotation(removed)
    assert [a.note for a in store.annotations()] == ["new"]


def test_reading_state_and_settings_persist_per_user(store: Store, data_dir: Path) -> None:
    state = store.reading_state(SLUG)
    state.section, state.scroll = "un-veto", 12.0
    state.read.add("treaty-terms")
    store.save_reading_state(state)
    store.set_setting("theme", "nord")
    again = Store(data_dir, "tester")
    assert again.reading_state(SLUG).read == {"treaty-terms"}
    assert again.reading_state(SLUG).section == "un-veto"
    assert again.setting("theme") == "nord"
    assert Store(data_dir, "bob").setting("theme") is None


def test_a_setting_set_to_its_value_again_writes_nothing(store: Store, data_dir: Path) -> None:
    store.set_setting("theme", "nord")

    def written() -> dict[Path, tuple[int, int]]:  # a rewrite renames a new file in
        return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in data_dir.rglob("*.json")}

    before = written()
    store.set_setting("theme", "nord")  # every start sets the last briefing again
    assert written() == before
    store.set_setting("theme", "gruvbox")
    assert Store(data_dir, "tester").setting("theme") == "gruvbox"


def test_sections_are_stored_parsed_and_read_back_as_drawn(store: Store, data_dir: Path) -> None:
    briefing = store.get(SLUG)
    for section in briefing.sections:
        assert section.blocks == section_blocks(section.markdown)
        assert all(section.text[b.start : b.end] == b.text for b in section.blocks)


def test_a_library_stored_without_blocks_still_reads(store: Store, data_dir: Path) -> None:
    """A library imported by an earlier version has no parsed blocks: they are made again."""
    expected = store.get(SLUG)
    path = store.paths.briefing_file(SLUG)
    data = json.loads(path.read_text("utf-8"))
    for record in data["sections"].values():
        del record["blocks"]
    path.write_text(json.dumps(data), "utf-8")
    assert Store(data_dir, "tester").get(SLUG) == expected


def test_a_corrupt_file_is_named_and_never_overwritten(store: Store) -> None:
    path = store.paths.library
    path.write_text('{"briefings": {"1": ')
    fresh = Store(store.paths.root, "tester")
    with pytest.raises(DataError, match=str(path)):
        fresh.briefings()
    with pytest.raises(DataError, match="not valid JSON"):
        fresh.import_briefings([(load_file(BUNDLED), "x")])
    assert path.read_text() == '{"briefings": {"1": '


def test_a_newer_schema_is_refused(store: Store) -> None:
    path = store.paths.library
    data = json.loads(path.read_text())
    data["_meta"] = {"1": {"schema": max(SCHEMA, LIBRARY_SCHEMA) + 1}}
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer briefing"):
        Store(store.paths.root, "tester").briefings()
    assert path.read_bytes() == before


def test_a_library_stored_before_the_lead_was_a_section_reads_it(
    store: Store, data_dir: Path
) -> None:
    """An earlier version stored the lead as text only: the reader still gets its section."""
    expected = store.get(SLUG)
    path = store.paths.briefing_file(SLUG)
    data = json.loads(path.read_text("utf-8"))
    data["sections"] = {k: r for k, r in data["sections"].items() if r["key"] != "lead"}
    path.write_text(json.dumps(data), "utf-8")
    again = Store(data_dir, "tester").get(SLUG)
    assert again.sections[0].key == "lead" and again == expected


def _many_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for number in range(count):
        text = (
            f"---\ntitle: Briefing {number}\ndate: 2025-01-{1 + number:02d}\ntags: [t{number % 3}]"
            f"\n---\n\n# Briefing {number}\n\nLead {number}.\n\n## Terms\n\nThe pact, part"
            f" {number}, with *veto* and [a link](https://example.org/{number}).\n\n## Reaction"
            f"\n\n- Point {number}\n- Another point\n"
        )
        path = folder / f"b{number:02d}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    (folder / "bad.md").write_bytes(b"# Not UTF-8 \xff\n\n## A\n\nText.\n")
    return paths


def test_a_folder_imported_at_once_gives_the_library_of_one_file_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big import parses in worker processes and writes every file in one batch;
    what it stores and reports is what importing each file in turn gives."""
    from briefing.store import importing

    monkeypatch.setattr(importing, "PARALLEL_FROM", 4)  # workers from 4 files on
    folder = tmp_path / "md"
    paths = _many_files(folder, 12)
    batch, single = Store(tmp_path / "batch", "u"), Store(tmp_path / "single", "u")
    report = importing.import_paths(batch, [folder])
    singles = [importing.import_paths(single, [path]) for path in [*paths, folder / "bad.md"]]
    assert [(r.slug, r.status) for r in report.results] == [
        (r.slug, r.status) for one in singles for r in one.results
    ]
    assert [str(e) for e in report.refused] == [str(e) for one in singles for e in one.refused]
    assert len(report.results) == 12 and len(report.refused) == 1

    def stored(store: Store) -> list[tuple[object, ...]]:
        return [
            (listing.slug, listing.title, listing.revision, store.get(listing.slug))
            for listing in store.listings()
        ]

    assert stored(batch) == stored(single)
    for query in ["veto", "pact part", "briefing 7", "point"]:
        assert batch.search_index([]).search(query) == single.search_index([]).search(query)
    assert not list((tmp_path / "batch" / "briefings").glob(".*.tmp"))  # no temp left over


def test_files_parsed_in_workers_are_the_files_parsed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.store import importing

    _many_files(tmp_path / "md", 20)
    inputs, _ = importing.collect_inputs([tmp_path / "md"])
    here = list(importing.parsed_inputs(inputs))  # 21 files: under the default threshold
    monkeypatch.setattr(importing, "PARALLEL_FROM", 2)
    monkeypatch.setattr(importing, "_cores", lambda: 2)
    forked = list(importing.parsed_inputs(inputs))

    def comparable(outcome: object) -> object:
        return str(outcome) if isinstance(outcome, Exception) else outcome

    assert [(i, comparable(o)) for i, o in here] == [(i, comparable(o)) for i, o in forked]
    assert len(here) == 21 and sum(isinstance(o, Exception) for _, o in here) == 1


def test_the_library_is_listed_in_title_order_and_renewed_by_a_re_import(store: Store) -> None:
    """``library()`` is what the reader's search screen holds: it lists every briefing
    by title, and stays the same object until an import changes the library file."""
    for title in ("Zebra crossings", "apple harvest", "Mango season"):
        text = f"# {title}\n\nLead.\n\n## One\n\nText about {title}.\n"
        slug = title.lower().replace(" ", "-")
        store.import_briefings([(parse_briefing(text, slug=slug), "test")])
    library = store.library()
    titles = [listing.title for listing in library.values()]
    assert titles == sorted(titles, key=str.casefold)
    assert store.slugs() == list(library) and store.library() is library
    assert library["mango-season"].sections[-1].title == "One"
    revised = "# Mango season\n\nLead.\n\n## Two\n\nNew text.\n"
    store.import_briefings([(parse_briefing(revised, slug="mango-season"), "test")])
    assert store.library() is not library
    assert [s.title for s in store.library()["mango-season"].sections][-1] == "Two"
