"""Notes from the shell: ``notes add``, ``notes list``, ``notes edit`` and ``notes rm``."""

from __future__ import annotations

import argparse

from briefing.core import jsonshape
from briefing.core.config import load_config
from briefing.core.model import DEFAULT_COLOR
from briefing.core.rules import edited_tags, normalise_tags, tag_key
from briefing.subcommands.common import EXIT_OK, Context, Failure, UsageError, print_json


def add(context: Context, args: argparse.Namespace) -> int:
    """``notes add SLUG SECTION --quote TEXT``: prints the new note's id."""
    from briefing.core import anchoring  # here: `notes list` starts without anchoring

    store = context.store
    default_tags = load_config().default_tags  # a bad config fails before anything
    section = store.section(args.slug, args.section)
    try:
        span = anchoring.find_quote(section.text, args.quote)
    except anchoring.AmbiguousQuote as error:
        raise Failure(
            f"the quote occurs {error.count} times in {args.section!r}; quote more of it"
        ) from error
    except ValueError as error:  # an empty or blank quote
        raise Failure(f"{error}: give --quote the passage to note") from None
    if span is None:
        raise Failure(f"quote not found in section {args.section!r} of {args.slug!r}")
    annotation = store.add_annotation(
        args.slug,
        section.key,
        *span,
        note=args.note,
        tags=[*default_tags, *args.tag],
        color=args.color or DEFAULT_COLOR,
    )
    context.out(annotation.id)
    return EXIT_OK


def list_notes(context: Context, args: argparse.Namespace) -> int:
    """``notes list [SLUG]``: one or two lines per note, or ``--json``."""
    store = context.store
    if args.slug:
        store.get(args.slug)  # an unknown slug is an error, not an empty list
    annotations = store.annotations(args.slug)
    if args.json:
        titles = jsonshape.section_titles(store.listings())
        notes = [
            jsonshape.note_json(a, section_title=titles.get((a.briefing, a.section), ""))
            for a in annotations
        ]
        print_json(jsonshape.document(notes=notes))
        return EXIT_OK
    if not annotations:
        context.out("No notes yet.")
    for a in annotations:
        quote = " ".join(a.quote.split())
        quote = quote if len(quote) <= 60 else quote[:59] + "…"
        tags = " ".join(f"#{t}" for t in a.tags)
        flag = "  [orphaned]" if a.status == "orphaned" else ""
        context.out(f"{a.id}  {a.briefing}/{a.section}{flag}  “{quote}”")
        if a.note or tags:
            context.out(f"    {' '.join(a.note.split())} {tags}".rstrip())
    return EXIT_OK


def edit(context: Context, args: argparse.Namespace) -> int:
    """``notes edit ID``: change the note's text, colour or tags: ``--add-tag`` and
    ``--remove-tag`` change some, ``--tag`` sets them all (as ``notes add --tag`` does)."""
    changing_tags = args.add_tag or args.remove_tag
    if args.note is None and args.tag is None and args.color is None and not changing_tags:
        raise UsageError("give --note, --add-tag, --remove-tag, --tag or --color")
    if args.tag is not None and changing_tags:
        raise UsageError("--tag sets every tag; leave out --add-tag and --remove-tag")
    both = set(map(tag_key, args.add_tag)) & set(map(tag_key, args.remove_tag))
    if both:
        raise UsageError(f"--add-tag and --remove-tag both name {sorted(both)[0]!r}")
    store = context.store
    tags, base = args.tag, None
    current = store.find_annotation(args.id)
    if changing_tags:  # from the note as it is now; a change made meanwhile is merged
        base = current
        has = set(map(tag_key, base.tags))
        lacking = [tag for tag in normalise_tags(args.remove_tag) if tag_key(tag) not in has]
        if lacking:  # a typo would otherwise pass for a removal
            raise Failure(f"note {base.id} has no tag {lacking[0]!r}")
        tags = edited_tags(base.tags, add=args.add_tag, remove=args.remove_tag)
    annotation = store.update_annotation(
        args.id, note=args.note, tags=tags, color=args.color, base=base
    )
    same = annotation.version == current.version  # nothing to change: nothing written
    context.out(f"{'unchanged' if same else 'updated'} {annotation.id}")
    return EXIT_OK


def rm(context: Context, args: argparse.Namespace) -> int:
    """``notes rm ID``: delete the note."""
    annotation = context.store.delete_annotation(args.id)
    context.out(f"deleted {annotation.id}")
    return EXIT_OK
