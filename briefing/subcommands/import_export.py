"""Briefings in, notes out: ``import`` and ``export``.

The work is the store's (``store.importing``, ``store.exporting``); here are the flags
that must go together, the progress bar and what is printed.
"""

from __future__ import annotations

import argparse
import os
import sys

from briefing import __version__
from briefing.core.config import load_config
from briefing.core.safetext import visible
from briefing.store.importing import collect_inputs, import_paths
from briefing.subcommands.common import EXIT_FAILURE, EXIT_OK, Context, Failure, UsageError


def import_briefings(context: Context, args: argparse.Namespace) -> int:
    """``import PATH...``: one line per briefing, its notes' fate; exit 1 if any refused."""
    from briefing.core.anchoring import changes  # here: `export` starts without anchoring
    from briefing.core.formats import Options

    if args.sections is not None and args.split == "none":
        raise UsageError("give --sections N or --split none, not both")
    options = Options(split=args.split, sections=args.sections)
    if args.paths.count("-") > 1:
        raise UsageError("'-' (stdin) can be given once")
    files, missing = collect_inputs(args.paths)
    if args.slug is not None and (len(files) + len(missing) != 1):
        raise UsageError("--slug NAME is for one input (one file, URL or '-')")
    if len(files) > 5:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("Importing", total=len(files))
            report = import_paths(
                context.store,
                args.paths,
                on_parsed=lambda _: progress.advance(task),
                options=options,
            )
    else:
        report = import_paths(context.store, args.paths, options=options, slug=args.slug)
    for result in report.results:
        before = report.sections_before.get(result.slug, {})
        found = list(result.changes)
        titles: dict[str, str] = {}
        if result.status == "updated":  # the library index: no briefing's text is read
            titles = {s.key: s.title for s in context.store.listing(result.slug).sections}
        told = changes.report(found, before, titles, context.store.user)
        detail = f" (notes: {told.counts})" if told.counts else ""
        context.out(f"{result.status:>9}  {result.slug}  {result.title}{detail}")
        for line in told.lines:  # renamed sections, then only the user's own notes
            context.out(f"           {visible(line)}")
    for error in report.refused:
        print(f"  refused  {visible(str(error))}", file=sys.stderr)
    summary = f"{len(report.results)} imported, {len(report.refused)} refused"
    print(summary, file=sys.stderr if report.refused else sys.stdout)
    return EXIT_FAILURE if report.refused else EXIT_OK


def export(context: Context, args: argparse.Namespace) -> int:
    """``export``: to stdout, to ``-o FILE``, or one file per briefing in the config's
    export folder; each file written is named on stderr."""
    from briefing.store import exporting

    if args.slugs and args.all:
        raise UsageError("give SLUGs or --all, not both")
    if args.template and args.format == "json":
        raise UsageError("--template makes Markdown; leave out --format json")
    config = load_config()
    template = args.template or (config.export_template if args.format == "md" else None)
    chosen = exporting.Selection(args.slugs, args.tag, args.section, args.since)
    try:
        items = exporting.select(context.store, chosen)
        render = exporting.renderer(args.format, template, environ=os.environ, version=__version__)
        if args.output == "-" or (args.output is None and config.export_folder is None):
            sys.stdout.write(render(items))  # '-' is stdout, as for import
            return EXIT_OK
        for target in exporting.targets(
            items,
            args.format,
            output=args.output,
            folder=config.export_folder,
            filtered=chosen.filtered,
        ):
            written = exporting.write(
                target.path, render(target.items), force=args.force, ours=target.ours
            )
            print(f"{'wrote' if written else 'unchanged'} {target.path}", file=sys.stderr)
    except exporting.ExportFailed as error:
        raise Failure(str(error)) from None
    return EXIT_OK
