"""Issue #12: any interleaving of two sessions' adds, edits, deletes and re-imports.

Two :class:`Store` objects on one data folder (one user in two readers, or a
reader and the CLI) each act on what *they* last saw, so edits and deletes are
often based on stale views. Whatever the order, in the end no note is lost, none
is duplicated, and every anchored note's quote is the text it points at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.core.ingest import parse_briefing
from briefing.core.sentences import sentences
from briefing.store import revisions
from briefing.store.facade import DataError, Store
from briefing.store.importing import ensure_library
from tests.conftest import BUNDLED, SLUG

pytestmark = pytest.mark.unit

SOURCE = BUNDLED.read_text(encoding="utf-8")
REVISIONS = [
    parse_briefing(SOURCE, slug=SLUG),
    parse_briefing(re.sub(r"^(## .+)$", r"\1\n\nAdded at the top.", SOURCE, flags=re.M), slug=SLUG),
]

operation = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 1), st.integers(0, 200)),
    st.tuples(st.just("edit"), st.integers(0, 1), st.integers(0, 200)),
    st.tuples(st.just("delete"), st.integers(0, 1), st.integers(0, 200)),
    st.tuples(st.just("reimport"), st.integers(0, 1), st.integers(0, 1)),
)


def _run(root: Path, operations: list[tuple[str, int, int]]) -> None:
    sessions = [Store(root, "tester"), Store(root, "tester")]
    ensure_library(sessions[0])
    seen: list[list] = [[], []]  # what each session last read
    alive: set[str] = set()
    for step, (kind, who, pick) in enumerate(operations):
        store = sessions[who]
        if kind == "reimport":
            store.import_briefings([(REVISIONS[pick], f"rev{pick}")])
        elif kind == "add":
            briefing = store.get(SLUG)
            section = briefing.sections[pick % len(briefing.sections)]
            spans = sentences(section.text)
            if spans:
                start, end = spans[pick % len(spans)]
                note = store.add_annotation(SLUG, section.key, start, end, note=f"step {step}")
                alive.add(note.id)
        elif seen[who]:
            target = seen[who][pick % len(seen[who])]
            try:
                if kind == "edit":
                    store.update_annotation(target.id, note=f"edit {step}", base=target)
                else:
                    store.delete_annotation(target.id, SLUG)
                    alive.discard(target.id)
            except DataError:  # deleted or changed meanwhile: refused, nothing written
                pass
        seen[who] = store.annotations(SLUG)
        _check(root, alive, f"after step {step} ({kind})")


def _check(root: Path, alive: set[str], context: str) -> None:
    notes_file = root / "users" / "tester" / "notes" / f"{SLUG}.json"
    records = (
        list(json.loads(notes_file.read_bytes())["annotations"].values())
        if notes_file.exists()
        else []
    )
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), f"{context}: a note is stored twice"
    assert set(ids) == alive, f"{context}: lost {alive - set(ids)}, revived {set(ids) - alive}"
    fresh = Store(root, "tester")
    briefing = fresh.get(SLUG)
    current = revisions.revision_of(briefing)
    for record in records:
        if record["status"] == "anchored" and record["revision"] == current:
            section = briefing.section(record["section"])
            assert section is not None
            assert section.text[record["start"] : record["end"]] == record["quote"], context
    for note in fresh.annotations(SLUG):
        if note.status == "anchored":
            section = briefing.section(note.section)
            assert section is not None and section.text[note.start : note.end] == note.quote


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=14))
def test_any_interleaving_of_two_sessions_loses_and_misplaces_nothing(
    tmp_path_factory: pytest.TempPathFactory, operations: list[tuple[str, int, int]]
) -> None:
    _run(tmp_path_factory.mktemp("data"), operations)
