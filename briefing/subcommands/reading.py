"""Reading from the shell: ``list``, ``show``, ``outline`` and ``search``.

Printing commands: they start without the reader, and ``list`` and ``search`` without
the Markdown parser (the import budget in tests/test_architecture.py holds them to it).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from briefing.core import jsonshape
from briefing.core.rules import counted
from briefing.subcommands.common import EXIT_FAILURE, EXIT_OK, Context, UsageError, print_json

if TYPE_CHECKING:
    from briefing.core.search.query import Hit


def list_briefings(context: Context, args: argparse.Namespace) -> int:
    """``briefing list``: slug, title, section and note counts, or ``--json``."""
    store = context.store
    counts = store.note_counts()
    briefings = store.listings()
    if args.json:
        shown = [jsonshape.briefing_json(b, note_count=counts.get(b.slug, 0)) for b in briefings]
        print_json(jsonshape.document(briefings=shown))
        return EXIT_OK
    if not briefings:
        context.out("No briefings. Add some with: briefing import PATH")
    width = max((len(b.slug) for b in briefings), default=0)
    for b in briefings:
        notes, sections = counts.get(b.slug, 0), len(b.body_sections)
        context.out(
            f"{b.slug:<{width}}  {b.title}  ({counted(sections, 'section')}, "
            f"{counted(notes, 'note')})"
        )
    return EXIT_OK


def show(context: Context, args: argparse.Namespace) -> int:
    """``briefing show SLUG [SECTION]``: plain text; ``--markdown``: Markdown that re-imports."""
    store = context.store
    if args.markdown:
        if args.section:
            raise UsageError("--markdown prints the whole briefing; leave out the section")
        from briefing.core.formats import briefing_markdown

        sys.stdout.write(briefing_markdown(store.get(args.slug)))
        return EXIT_OK
    key = store.get(args.slug).section_key(args.section) if args.section else None
    section = store.section(args.slug, key) if key else None
    from briefing.core.plain import render_plain  # textwrap and the renderer: for `show` only

    context.out(render_plain(store.get(args.slug), section))
    return EXIT_OK


def outline(context: Context, args: argparse.Namespace) -> int:
    """``briefing outline SLUG``: sections, each paragraph's first words, counts."""
    from briefing.core.plain import render_outline

    context.out(render_outline(context.store.get(args.slug)))
    return EXIT_OK


def search(context: Context, args: argparse.Namespace) -> int:
    """``briefing search QUERY...``: one line per match, a section's lines together (best
    section first, its matches in text order); a note or a heading is one line. Exit 1
    when nothing matches, as grep and rg. ``--json`` holds the same lines as hits."""
    store = context.store
    index = store.search_index()
    limit = args.limit or None  # 0: every one
    hits = index.search(
        " ".join(args.query),
        notes_only=args.notes_only,
        # Each hit (a section or a note) prints at least one line: N + 1 hits are enough
        # for N lines and to tell that more match.
        limit=None if limit is None else limit + 1,
    )
    sections: dict[tuple[str, str], list[Hit]] = {}  # best first; a section's lines together
    for hit in sorted(hits, key=lambda hit: hit.kind == "note"):  # its text before its notes
        sections.setdefault((hit.briefing, hit.section), []).append(hit)
    order = {(hit.briefing, hit.section): rank for rank, hit in reversed(list(enumerate(hits)))}
    lines = [
        (hit, start, end, snippet)
        for place in sorted(sections, key=order.__getitem__)
        for hit in sections[place]
        for start, end, snippet in hit.excerpts or [(hit.start, hit.end, hit.snippet)]
    ]
    more = limit is not None and len(lines) > limit  # --limit counts the lines printed
    lines = lines[:limit]
    if args.json:
        shown = [
            jsonshape.hit_json(
                slug=hit.briefing,
                section=hit.section,
                kind=hit.kind,
                start=start,
                end=end,
                snippet=snippet,
                note_id=hit.annotation,
            )
            for hit, start, end, snippet in lines
        ]
        print_json(jsonshape.document(query=" ".join(args.query), hits=shown, more=more))
        return EXIT_OK if hits else EXIT_FAILURE
    if not hits:  # as grep and rg: no match is exit 1, an error would be 2
        print("No matches.", file=sys.stderr)
        return EXIT_FAILURE
    for hit, _, _, snippet in lines:
        # A note line names its note: two notes on one passage are two lines apart.
        kind = f" [note {hit.annotation}]" if hit.kind == "note" else ""
        context.out(f"{hit.briefing}/{hit.section}{kind}  {snippet}")
    if more:  # on stderr: a pipe gets only matches
        print(
            f"More match than the {counted(limit or 0, 'line')} shown (--limit 0 shows every one).",
            file=sys.stderr,
        )
    return EXIT_OK
