"""The bundled briefing revised three ways, re-imported, and each note's fate checked."""

from __future__ import annotations

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
