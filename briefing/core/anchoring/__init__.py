"""Anchor notes to passages, and find them again anywhere in a revised briefing.

An anchor records a passage three ways, as the Hypothesis annotator does: the quoted text,
``CONTEXT`` characters either side of it, and its offsets in its section. Offsets are cheap but
go stale as soon as anything earlier changes; the quote survives edits elsewhere; the context
tells apart repeated quotes and vouches for a near match when the passage itself was revised.

The rule throughout is that a note is better orphaned than pinned to the wrong words: when
unsure, :func:`reanchor_in_briefing` orphans the note and keeps its old quote. Its parts:

* :mod:`~briefing.core.anchoring.quotes`: making anchors, finding a quote a user typed;
* :mod:`~briefing.core.anchoring.spans`: candidate spans in one text (exact, fuzzy, snapped);
* :mod:`~briefing.core.anchoring.gate`: whether a candidate is the passage;
* :mod:`~briefing.core.anchoring.rivals`: other old passages with a better claim to it;
* :mod:`~briefing.core.anchoring.search`: where in the whole briefing the passage is now.
"""

from __future__ import annotations

from collections.abc import Mapping

from briefing.core.anchoring.gate import (
    CONTEXT_SIMILARITY,
    MIN_FUZZY_LENGTH,
    QUOTE_SIMILARITY,
    UNIQUE_LENGTH,
)
from briefing.core.anchoring.quotes import (
    CONTEXT,
    GATE_CONTEXT,
    AmbiguousQuote,
    find_quote,
    make_anchor,
    text_hash,
)
from briefing.core.anchoring.search import Layout, place, place_in
from briefing.core.model import Anchor, Annotation, Briefing

__all__ = [
    "CONTEXT",
    "CONTEXT_SIMILARITY",
    "GATE_CONTEXT",
    "MIN_FUZZY_LENGTH",
    "QUOTE_SIMILARITY",
    "UNIQUE_LENGTH",
    "AmbiguousQuote",
    "find_quote",
    "locate",
    "make_anchor",
    "reanchor",
    "reanchor_in_briefing",
    "text_hash",
]


def locate(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Where the anchored passage is in ``text`` now, or ``None`` if it cannot be found safely."""
    placed = place_in(anchor, "text", Layout(None, [("text", text)]))
    return None if placed is None else (placed[1], placed[2])


def reanchor(annotation: Annotation, text: str) -> Annotation:
    """Refresh an annotation's anchor against the current text of its section.

    Found: new offsets, context and hash, and the quote as it now reads (it differs after a
    fuzzy match). Not found: marked orphaned with the old anchor untouched, so the quote the
    analyst highlighted is never lost and a later revision may anchor it again.
    """
    span = locate(annotation.anchor, text)
    if span is None:
        return annotation.with_changes(status="orphaned")
    return annotation.with_changes(anchor=make_anchor(text, *span), status="anchored")


def reanchor_in_briefing(
    annotation: Annotation, briefing: Briefing, before: Mapping[str, str] | None = None
) -> Annotation:
    """Refresh an annotation's anchor against a (possibly revised) briefing.

    The one entry point that re-import uses: it finds where in the whole briefing the passage
    now is, and returns the annotation with its section and anchor updated (a renamed or split
    section never orphans a note by itself), or orphaned with its old anchor kept.

    ``before`` is the section texts (by key, in order) of the revision the note was made on,
    when it is kept: a look-alike of the passage that is plainly another old passage's
    continuation is then never taken for the note's (a deleted copy of repeated text orphans).
    """
    placed = place(annotation.anchor, annotation.section, briefing, before)
    if placed is None:
        return annotation.with_changes(status="orphaned")
    key, start, end = placed
    section = briefing.section(key)
    assert section is not None  # place() only answers with a section of this briefing
    return annotation.with_changes(
        section=key, anchor=make_anchor(section.text, start, end), status="anchored"
    )
