"""The bundled briefing revised three ways, re-imported, and each note's fate checked."""

from __future__ import annotations

import pytest

from briefing.core.ingest import parse_briefing
from briefing.store.facade import Store
from tests.conftest import BUNDLED, SLUG, quote_span

PASSAGE = "Russia can veto decisions of the UN Security Council."
OTHER = "Moscow has already used that power in a related case."


def _note(store: Store) -> str:
    return store.add_annotation(
        SLUG, "un-veto", *quote_span(store, "un-veto", PASSAGE), note="veto"
    ).id


def _reimport(store: Store, old: str, new: str) -> None:
    source = BUNDLED.read_text(encoding="utf-8")
    assert old in source
    store.import_briefings([(parse_briefing(source.replace(old, new), slug=SLUG), "rev")])


def _text(store: Store) -> str:
    return store.section(SLUG, "un-veto").text


def test_rewording_another_sentence_keeps_the_note_on_its_passage(store: Store) -> None:
    note_id = _note(store)
    _reimport(store, OTHER, "Moscow used exactly that power once before, in a related case.")
    (note,) = store.annotations(SLUG)
    assert (note.id, note.status) == (note_id, "anchored")
    assert _text(store)[note.start : note.end] == PASSAGE


def test_inserting_a_paragraph_before_moves_the_offsets(store: Store) -> None:
    _note(store)
    before = store.annotations(SLUG)[0]
    _reimport(store, "## UN veto\n", "## UN veto\n\nA paragraph added in revision two.\n")
    (note,) = store.annotations(SLUG)
    assert note.status == "anchored"
    assert note.start == before.start + len("A paragraph added in revision two.\n\n")
    assert _text(store)[note.start : note.end] == PASSAGE


def test_removing_the_passage_orphans_the_note_and_keeps_it(store: Store) -> None:
    note_id = _note(store)
    _reimport(store, PASSAGE + " ", "")
    (note,) = store.annotations(SLUG)
    assert (note.id, note.status, note.quote, note.note) == (note_id, "orphaned", PASSAGE, "veto")
    assert PASSAGE not in _text(store)


def _plant(store: Store, count: int) -> dict[str, str]:
    """``count`` notes on sentences all over the briefing, written in one go; id -> quote."""
    import random

    from briefing.core import anchoring
    from briefing.core.model import Annotation
    from briefing.core.sentences import sentences
    from briefing.store import revisions
    from briefing.store.records import annotation_record

    briefing = store.get(SLUG)
    current = revisions.revision_of(briefing)
    spans = [(s, span) for s in briefing.sections for span in sentences(s.text)]
    rng = random.Random(12)
    notes = []
    for number in range(count):
        section, (start, end) = rng.choice(spans)
        anchor = anchoring.make_anchor(section.text, start, end)
        notes.append(
            Annotation(
                f"n{number:05d}",
                store.user,
                SLUG,
                section.key,
                anchor,
                note=str(number),
                created="2025-01-01T00:00:00",
                updated="2025-01-01T00:00:00",
                version=1,
                revision=current,
            )
        )
    with store._notes(SLUG).transaction() as db:
        db.table("annotations").insert_multiple(annotation_record(n) for n in notes)
    return {n.id: n.quote for n in notes}


def _revised() -> str:
    import re

    source = BUNDLED.read_text(encoding="utf-8")
    return re.sub(r"^(## .+)$", r"\1\n\nA paragraph added in revision two.", source, flags=re.M)


def _assert_every_note_on_its_text(store: Store, quotes: dict[str, str]) -> None:
    notes = {n.id: n for n in store.annotations(SLUG)}
    assert quotes.keys() <= notes.keys()
    for note_id, quote in quotes.items():
        note = notes[note_id]
        assert note.status == "anchored" and note.quote == quote
        assert store.section(SLUG, note.section).text[note.start : note.end] == quote


def test_a_reimport_with_a_thousand_notes_keeps_every_note_on_its_text(store: Store) -> None:
    quotes = _plant(store, 1000)
    (result,) = store.import_briefings([(parse_briefing(_revised(), slug=SLUG), "rev")])
    assert result.status == "updated" and result.orphaned == 0
    _assert_every_note_on_its_text(store, quotes)
    current = store.revision(SLUG)
    assert {n.revision for n in store.annotations(SLUG)} == {current}


def test_a_note_added_while_a_reimport_plans_is_kept_and_the_notes_still_move(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-anchoring is planned without the notes file's lock; a note added meanwhile
    makes its rename refuse, and the next try keeps the new note."""
    from briefing.store import revisions

    quotes = _plant(store, 50)
    other = Store(store.paths.root, store.user)  # another session of the same user
    real = revisions.moved
    added: list[str] = []

    def moved_while_adding(*args: object, **kwargs: object) -> object:
        if not added:
            span = quote_span(other, "un-veto", PASSAGE)
            added.append(other.add_annotation(SLUG, "un-veto", *span, note="meanwhile").id)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    from briefing.store.files import DataFile

    renames: list[bool] = []
    replace = DataFile.replace_if_unchanged

    def recorded(self: DataFile, *args: object, **kwargs: object) -> bool:
        renames.append(replace(self, *args, **kwargs))  # type: ignore[arg-type]
        return renames[-1]

    monkeypatch.setattr(revisions, "moved", moved_while_adding)
    monkeypatch.setattr(DataFile, "replace_if_unchanged", recorded)
    store.import_briefings([(parse_briefing(_revised(), slug=SLUG), "rev")])
    assert renames == [False, True]  # refused once: the file had changed under the plan
    _assert_every_note_on_its_text(store, {**quotes, added[0]: PASSAGE})
    assert len(store.annotations(SLUG)) == 51


def test_a_notes_file_that_keeps_changing_is_reanchored_under_its_lock(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.store.files import DataFile

    quotes = _plant(store, 50)
    monkeypatch.setattr(DataFile, "replace_if_unchanged", lambda *args, **kwargs: False)
    store.import_briefings([(parse_briefing(_revised(), slug=SLUG), "rev")])
    _assert_every_note_on_its_text(store, quotes)


def test_notes_add_from_another_process_during_a_reimport_is_never_locked_out(
    store: Store,
) -> None:
    import os
    import subprocess
    import sys

    _plant(store, 2000)
    env = {**os.environ, "BRIEFING_HOME": str(store.paths.root), "BRIEFING_USER": store.user}
    adder = subprocess.Popen(
        [sys.executable, "-m", "briefing", "notes", "add", SLUG, "un-veto", "--quote", PASSAGE],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    store.import_briefings([(parse_briefing(_revised(), slug=SLUG), "rev")])
    _, err = adder.communicate(timeout=60)
    notes = store.annotations(SLUG)
    if adder.returncode == 0:  # it went in before or after the import: kept either way
        assert len(notes) == 2001 and any(n.quote == PASSAGE for n in notes if n.note == "")
    else:  # it read the old text and the import committed meanwhile: refused, said so
        assert "re-imported meanwhile" in err and len(notes) == 2000
    assert "locked" not in err
