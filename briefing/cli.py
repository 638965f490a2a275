"""The command line: parse arguments, call the core, print.

Kept thin on purpose, and the reader (Textual) is imported only when it is
opened, so that ``list``, ``show``, ``search`` and ``export`` start at once.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from briefing import __version__, clidocs
from briefing.core import anchoring, jsonshape
from briefing.core.anchoring import changes
from briefing.core.config import ConfigError, config_path, describe, load_config
from briefing.core.ingest import IngestError
from briefing.core.model import DEFAULT_COLOR
from briefing.core.paths import BadUserName, Paths, resolve_data_dir, resolve_user
from briefing.core.safetext import safe_json, visible
from briefing.store.atomic import DataError, WriteRefused
from briefing.store.facade import DataFile, Store
from briefing.store.importing import collect_inputs, ensure_library, import_paths

EXIT_OK, EXIT_FAILURE = 0, 1  # usage errors exit 2, through argparse


class Failure(Exception):
    """A command that could not do its job; printed as one line, exit 1."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)  # accepted after a command too
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where data lives (default: $BRIEFING_HOME or the platform's user data dir)",
    )
    common.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="whose notes (default: $BRIEFING_USER or the login name)",
    )
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Read briefings in the terminal, mark passages and keep notes.",
        epilog="With no command, opens the reader. Example: briefing export --all -o notes.md",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    cmd = commands.add_parser("list", help="list briefings")
    cmd.add_argument("--json", action="store_true", help="print JSON")

    cmd = commands.add_parser("show", help="print a briefing or one section as plain text")
    cmd.add_argument("slug")
    cmd.add_argument(
        "section", nargs="?", help='section key or title, e.g. treaty-terms or "Treaty terms"'
    )
    cmd.add_argument(
        "--markdown", action="store_true", help="print the briefing as Markdown that re-imports"
    )

    cmd = commands.add_parser("outline", help="print a briefing's sections and paragraphs")
    cmd.add_argument("slug")

    cmd = commands.add_parser("open", help="open the reader on a briefing")
    cmd.add_argument("slug")
    cmd.add_argument("section", nargs="?")

    cmd = commands.add_parser(
        "import",
        help="import briefings: Markdown, text or HTML files, folders, URLs, '-' for stdin",
    )
    cmd.add_argument("paths", nargs="+", metavar="PATH", help="a file, folder, http(s) URL or -")
    cmd.add_argument(
        "--sections",
        type=_positive,
        metavar="N",
        help="split a text into N sections (default: as many as its topics)",
    )
    cmd.add_argument(
        "--split",
        choices=("auto", "none"),
        default="auto",
        help="auto: propose sections for text without '##' headings; none: one section",
    )

    notes = commands.add_parser("notes", help="add, list, edit and remove notes")
    note_cmds = notes.add_subparsers(dest="notes_command", metavar="ACTION", required=True)
    cmd = note_cmds.add_parser("add", help="note a passage, given by its exact quote")
    cmd.add_argument("slug")
    cmd.add_argument("section")
    cmd.add_argument("--quote", required=True, help="the passage, as it appears in the section")
    cmd.add_argument("--note", default="", help="the note (Markdown)")
    cmd.add_argument("--tag", action="append", default=[], help="a tag; repeat for more")
    cmd.add_argument("--color", default=None, help="highlight colour")
    cmd = note_cmds.add_parser("list", help="list notes")
    cmd.add_argument("slug", nargs="?")
    cmd.add_argument("--json", action="store_true", help="print JSON")
    cmd = note_cmds.add_parser("edit", help="change a note's text or tags")
    cmd.add_argument("id")
    cmd.add_argument("--note", default=None, help="the new note (Markdown)")
    cmd.add_argument("--tag", action="append", default=None, help="replaces the tags; repeat")
    cmd.add_argument("--color", default=None, help="the new highlight colour")
    cmd = note_cmds.add_parser("rm", help="delete a note")
    cmd.add_argument("id")

    cmd = commands.add_parser("export", help="export notes as Markdown or JSON")
    cmd.add_argument("slugs", nargs="*", metavar="SLUG")
    cmd.add_argument("--all", action="store_true", help="every briefing with notes")
    cmd.add_argument("--tag", action="append", default=[], help="only notes with this tag")
    cmd.add_argument("--section", metavar="KEY", help="only this section")
    cmd.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="only notes created or changed since"
    )
    cmd.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    cmd.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    cmd.add_argument(
        "--format",
        choices=("md", "json"),
        default="md",
        help="md: Markdown for people and Obsidian (default); json: exact, for tools",
    )
    cmd.add_argument(
        "--template", type=Path, metavar="FILE", help="render with this Jinja2 template"
    )

    cmd = commands.add_parser("search", help="search briefings and your notes")
    cmd.add_argument("query", nargs="+", help='words, "a phrase" or tag:NAME')
    cmd.add_argument("--notes-only", action="store_true", help="search only your notes")
    cmd.add_argument("--json", action="store_true", help="print JSON")

    cmd = commands.add_parser("doctor", help="check the data files; restore from backup")
    cmd.add_argument("--restore", action="store_true", help="restore damaged files")
    cmd.add_argument("--yes", action="store_true", help="do not ask before restoring")
    cmd.add_argument(
        "--reindex", action="store_true", help="rebuild the search index from the library"
    )

    keys_file = argparse.ArgumentParser(add_help=False)
    keys_file.add_argument(
        "--authorized-keys", type=Path, metavar="FILE", help="keys file (DATA/ssh/authorized_keys)"
    )
    cmd = commands.add_parser(
        "serve", parents=[keys_file], help="serve the reader over SSH (public keys only)"
    )
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    cmd.add_argument("--port", type=_port, default=2222, help="port to listen on (2222)")
    cmd.add_argument("--max-sessions", type=_positive, default=20, metavar="N", help="(20)")
    cmd.add_argument("--max-sessions-per-user", type=_positive, default=4, metavar="N", help="(4)")
    cmd.add_argument(
        "--idle-timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="end a session after this long without input; 0: never (1800)",
    )
    cmd.add_argument(
        "--max-session-time",
        type=float,
        default=28800.0,
        metavar="SECONDS",
        help="end a connection this long after login, whatever it does; 0: never (28800)",
    )
    cmd.add_argument(
        "--max-startups",
        type=_positive,
        default=64,
        metavar="N",
        help="connections not yet logged in, overall; past it the oldest is dropped (64)",
    )

    users = commands.add_parser(
        "users", parents=[keys_file], help="who may read over SSH: add, list, rm"
    )
    user_cmds = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    cmd = user_cmds.add_parser("add", help="let NAME log in with the public key in PUBKEY_FILE")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("pubkey", metavar="PUBKEY_FILE", help="e.g. alice.pub; '-' reads stdin")
    user_cmds.add_parser("list", help="list users and their keys")
    cmd = user_cmds.add_parser("rm", help="remove every key of NAME (their notes are kept)")
    cmd.add_argument("name", metavar="NAME")

    config = commands.add_parser("config", help="where the config file is, what it holds")
    config_cmds = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_cmds.add_parser("path", help="print the config file's path")
    config_cmds.add_parser("show", help="print every setting")
    cmd = commands.add_parser("completion", help="print a bash, zsh or fish completion script")
    cmd.add_argument("shell", choices=clidocs.SHELLS)
    commands.add_parser("man", help="print the manual page")
    clidocs.finish(parser, common)
    return parser


def _home_known() -> bool:
    """Whether the platform's data dir can be found: a home folder, or $XDG_DATA_HOME."""
    if os.environ.get("XDG_DATA_HOME"):
        return True
    try:
        return str(Path.home()) not in ("", "~")
    except RuntimeError:  # no $HOME and no passwd entry, as in a bare container
        return False


def _day(text: str) -> str:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {text!r}") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {text!r}")
    return text


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return value


@dataclass
class Output:
    interactive: bool  # stdout is a terminal: neutralise control characters

    def out(self, text: str = "") -> None:
        print(visible(text) if self.interactive else text)


@dataclass
class Context(Output):
    store: Store


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir, args.user = getattr(args, "data_dir", None), getattr(args, "user", None)
    name = args.command or "read"
    try:
        if name in STANDALONE_HANDLERS:
            return STANDALONE_HANDLERS[name](parser, args)
        if not (args.data_dir or os.environ.get("BRIEFING_HOME") or _home_known()):
            raise Failure(
                "cannot find your home folder ($HOME is not set);"
                " set HOME or BRIEFING_HOME, or give --data-dir"
            )
        if name in DATA_DIR_HANDLERS:
            paths = Paths(resolve_data_dir(args.data_dir))
            return DATA_DIR_HANDLERS[name](paths, args)
        try:
            store = Store(resolve_data_dir(args.data_dir), resolve_user(args.user))
        except BadUserName as error:
            parser.error(str(error))
        if name != "doctor":
            ensure_library(store)
        handler = HANDLERS[f"notes {args.notes_command}" if name == "notes" else name]
        return handler(Context(sys.stdout.isatty(), store), args)
    except (Failure, DataError, IngestError, ConfigError, WriteRefused) as error:
        print(f"briefing: error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `briefing list | head` (an OSError: caught first)
        sys.stderr.close()
        return EXIT_OK
    except OSError as error:  # the data dir cannot be made, say: still one line
        from briefing.store.atomic import cause

        where = f"{error.filename}: " if error.filename else ""
        print(f"briefing: error: {where}{cause(error)}", file=sys.stderr)
        return EXIT_FAILURE


def cmd_read(context: Context, args: argparse.Namespace) -> int:
    slug, section = getattr(args, "slug", None), getattr(args, "section", None)
    context.store.note_counts()  # a damaged file or a wrong slug is said first, as
    if slug is not None:  # it would be with a terminal
        context.store.section(slug, section) if section else context.store.get(slug)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise Failure("briefing needs a terminal; try `briefing show`")
    theme = load_config().theme
    from briefing.tui.launch import open_reader  # Textual loads only inside it

    return open_reader(context.store, slug, section, theme=theme)


def cmd_list(context: Context, args: argparse.Namespace) -> int:
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
            f"{b.slug:<{width}}  {b.title}  ({sections} section{'s' if sections != 1 else ''}, "
            f"{notes} note{'s' if notes != 1 else ''})"
        )
    return EXIT_OK


def cmd_show(context: Context, args: argparse.Namespace) -> int:
    store = context.store
    if args.markdown:
        if args.section:
            usage_error("show --markdown prints the whole briefing; leave out the section")
        from briefing.core.formats import briefing_markdown

        sys.stdout.write(briefing_markdown(store.get(args.slug)))
        return EXIT_OK
    key = args.section
    if key:  # a section's title, as the reader shows it, names it as well as its key
        sections = store.get(args.slug).sections
        titles = {" ".join(s.title.split()).casefold(): s.key for s in sections}
        if all(s.key != key for s in sections):
            key = titles.get(" ".join(key.split()).casefold(), key)
    section = store.section(args.slug, key) if key else None
    from briefing.core.plain import render_plain  # textwrap and the renderer: for `show` only

    context.out(render_plain(store.get(args.slug), section))
    return EXIT_OK


def cmd_outline(context: Context, args: argparse.Namespace) -> int:
    from briefing.core.plain import render_outline

    context.out(render_outline(context.store.get(args.slug)))
    return EXIT_OK


def cmd_import(context: Context, args: argparse.Namespace) -> int:
    from briefing.core.formats import Options

    if args.sections is not None and args.split == "none":
        usage_error("give --sections N or --split none, not both")
    options = Options(split=args.split, sections=args.sections)
    if args.paths.count("-") > 1:
        usage_error("'-' (stdin) can be given once")
    files, _ = collect_inputs(args.paths)
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
        report = import_paths(context.store, args.paths, options=options)
    for result in report.results:
        detail = ""
        if result.changes or result.orphaned:
            detail = f" (notes: {changes.summary(list(result.changes))})"
        context.out(f"{result.status:>9}  {result.slug}  {result.title}{detail}")
        # Only the importing user's own notes are spelled out: others' stay private.
        mine = [c for c in result.changes if c.user == context.store.user]
        if mine:
            titles = {s.key: s.title for s in context.store.get(result.slug).sections}
            for change in mine:
                for line in changes.describe(change, titles).split("\n"):
                    context.out(f"           {visible(line)}")
    for error in report.refused:
        print(f"  refused  {visible(str(error))}", file=sys.stderr)
    summary = f"{len(report.results)} imported, {len(report.refused)} refused"
    print(summary, file=sys.stderr if report.refused else sys.stdout)
    return EXIT_FAILURE if report.refused else EXIT_OK


def cmd_notes_add(context: Context, args: argparse.Namespace) -> int:
    store = context.store
    default_tags = load_config().default_tags  # a bad config fails before anything
    section = store.section(args.slug, args.section)
    try:
        span = anchoring.find_quote(section.text, args.quote)
    except anchoring.AmbiguousQuote as error:
        raise Failure(
            f"the quote occurs {error.count} times in {args.section!r}; quote more of it"
        ) from error
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


def cmd_notes_list(context: Context, args: argparse.Namespace) -> int:
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


def cmd_notes_edit(context: Context, args: argparse.Namespace) -> int:
    if args.note is None and args.tag is None and args.color is None:
        usage_error("notes edit: give --note, --tag or --color")
    annotation = context.store.update_annotation(
        args.id, note=args.note, tags=args.tag, color=args.color
    )
    context.out(f"updated {annotation.id}")
    return EXIT_OK


def cmd_notes_rm(context: Context, args: argparse.Namespace) -> int:
    annotation = context.store.delete_annotation(args.id)
    context.out(f"deleted {annotation.id}")
    return EXIT_OK


def cmd_export(context: Context, args: argparse.Namespace) -> int:
    from briefing.store import exporting

    if args.slugs and args.all:
        usage_error("give SLUGs or --all, not both")
    if args.template and args.format == "json":
        usage_error("--template makes Markdown; leave out --format json")
    config = load_config()
    template = args.template or (config.export_template if args.format == "md" else None)
    chosen = exporting.Selection(args.slugs, args.tag, args.section, args.since)
    try:
        items = exporting.select(context.store, chosen)
        render = exporting.renderer(args.format, template, environ=os.environ, version=__version__)
        if args.output is None and config.export_folder is None:
            sys.stdout.write(render(items))
            return EXIT_OK
        suffix = ".json" if args.format == "json" else ".md"
        if args.output is None:  # a vault folder: one file per briefing, named by its slug
            folder = config.export_folder or Path()
            jobs = [(folder / f"{i.briefing.slug}{suffix}", [i], True) for i in items]
        else:
            jobs = [(args.output, items, False)]
        for path, chosen_items, ours in jobs:
            written = exporting.write(path, render(chosen_items), force=args.force, ours=ours)
            print(f"{'wrote' if written else 'unchanged'} {path}", file=sys.stderr)
    except exporting.ExportFailed as error:
        raise Failure(str(error)) from None
    return EXIT_OK


def cmd_search(context: Context, args: argparse.Namespace) -> int:
    store = context.store
    index = store.search_index()
    hits = index.search(" ".join(args.query), notes_only=args.notes_only)
    if args.json:
        shown = [
            jsonshape.hit_json(
                slug=hit.briefing,
                section=hit.section,
                kind=hit.kind,
                start=hit.start,
                end=hit.end,
                snippet=hit.snippet,
                note_id=hit.annotation,
            )
            for hit in hits
        ]
        print_json(jsonshape.document(query=" ".join(args.query), hits=shown))
        return EXIT_OK if hits else EXIT_FAILURE
    if not hits:  # as grep and rg: no match is exit 1, an error would be 2
        print("No matches.", file=sys.stderr)
        return EXIT_FAILURE
    for hit in hits:
        kind = " [note]" if hit.kind == "note" else ""
        context.out(f"{hit.briefing}/{hit.section}{kind}  {hit.snippet}")
    return EXIT_OK


def cmd_doctor(context: Context, args: argparse.Namespace) -> int:
    from briefing.store import doctor

    store = context.store
    if args.reindex:
        import sqlite3

        try:
            store.sync_search(rebuild=True)
        except sqlite3.Error as error:
            raise Failure(f"{store.paths.search_index}: cannot rebuild ({error})") from error
        count = len(store.listings())
        context.out(f"Search index rebuilt: {count} briefing{'s' if count != 1 else ''}.")
        return EXIT_OK
    verdicts = doctor.check(store)
    if not verdicts:
        context.out(f"No data files yet in {store.paths.root}.")
        return EXIT_OK
    for verdict in verdicts:
        if verdict.status == "ok":
            context.out(f"ok   {verdict.file.path}")
        elif verdict.status == "unreadable":
            context.out(f"BAD  {verdict.problem} (not damage: never restored; fix the cause)")
        else:
            context.out(f"BAD  {verdict.problem}")
    bad = [v for v in verdicts if v.restorable]
    others = [v for v in verdicts if v.status in ("newer", "unreadable")]
    unplaced = doctor_placement(context, verdicts, args.restore)
    if not bad:
        if not others and not unplaced:
            context.out(f"All {len(verdicts)} data files are good.")
        return EXIT_FAILURE if others or unplaced else EXIT_OK
    if not args.restore:
        context.out("Run 'briefing doctor --restore' to restore from the newest good backup.")
        return EXIT_FAILURE
    failed = 0
    for verdict in bad:
        backup = choose_backup(context, verdict.file, args.yes)
        if backup is None:
            failed += 1
            continue
        done = doctor.restore(verdict.file, backup, doctor.damaged_folder(store))
        context.out(f"restored {verdict.file.path} from {backup}")
        context.out(f"  the damaged file is kept as {done.kept_aside}")
        if verdict.file.kind == "notes":
            context.out(
                f"  {done.notes_from_backup} notes from the backup,"
                f" {done.notes_salvaged} salvaged from the damaged file"
            )
    return EXIT_FAILURE if failed or others else EXIT_OK


def doctor_placement(context: Context, verdicts: list[Any], repair: bool) -> int:
    """Notes not on the text they were made on: say so; with ``repair`` (``--restore``),
    finish the interrupted import's re-anchoring. How many files are still not right."""
    from briefing.store import doctor

    store = context.store
    unplaced = 0
    for verdict in verdicts:
        if verdict.status != "ok" or verdict.file.kind != "notes":
            continue
        placement = doctor.check_placement(store, verdict.file)
        if placement is None or not (placement.waiting or placement.wrong):
            continue
        path = verdict.file.path
        if placement.waiting:
            context.out(
                f"WAIT {path}: {placement.waiting} notes are still on an older revision of"
                f" {placement.slug!r} (an import was interrupted; its text is kept)"
            )
        for problem in placement.wrong:
            context.out(f"BAD  {path}: note {problem}")
        if repair:
            moved, orphaned = doctor.finish_moving(store, placement.slug)
            context.out(
                f"re-anchored the notes on {placement.slug!r}: {moved} moved, {orphaned} orphaned"
            )
        else:
            unplaced += 1
    if unplaced:
        context.out("Run 'briefing doctor --restore' to move them onto the current text.")
    return unplaced


def choose_backup(context: Context, data_file: DataFile, yes: bool) -> Path | None:
    """The backup to restore from: the newest good one with ``--yes``, else the user's pick
    from a list showing each backup's age and note count. ``None``: leave the file."""
    from briefing.store import backups, doctor

    candidates = backups.candidates(data_file._backup_folder())
    good = [c for c in candidates if c.good]
    if not good:
        print(f"no good backup for {data_file.path}; left as it is", file=sys.stderr)
        return None
    if yes:
        return good[0].path
    if not sys.stdin.isatty():
        raise Failure("not asking without a terminal; add --yes to restore")
    notes = data_file.kind == "notes"
    context.out(f"Backups of {data_file.path}, newest first:")
    for number, candidate in enumerate(good, start=1):
        context.out(f"  {number}) {candidate.describe(notes=notes)}")
    for candidate in candidates:
        if not candidate.good:
            context.out(f"  -  {candidate.describe(notes=notes)}")
    if notes:
        context.out(
            f"  {doctor.salvageable(data_file)} notes can be salvaged from the damaged file;"
            " they are merged with the backup you choose."
        )
    answer = input(f"Restore from which backup? [1-{len(good)}, Enter: 1, n: skip] ")
    answer = answer.strip().lower() or "1"
    if answer.isdigit() and 1 <= int(answer) <= len(good):
        return good[int(answer) - 1].path
    context.out(f"skipped {data_file.path}")
    return None


def cmd_serve(paths: Paths, args: argparse.Namespace) -> int:
    serve = _needs_serve("serve", "briefing.serve.server")

    config = serve.ServeConfig(
        paths.root,
        host=args.host,
        port=args.port,
        authorized_keys=args.authorized_keys,
        max_sessions=args.max_sessions,
        max_sessions_per_user=args.max_sessions_per_user,
        idle_timeout=max(args.idle_timeout, 0.0),
        max_session_time=max(args.max_session_time, 0.0),
        max_startups=args.max_startups,
    )
    try:
        return int(serve.run(config))
    except serve.ServeError as error:
        raise Failure(str(error)) from error


def cmd_users(paths: Paths, args: argparse.Namespace) -> int:
    users = _needs_serve("users", "briefing.serve.keys")

    output = Output(sys.stdout.isatty())
    path = users.keys_file(paths, args.authorized_keys)
    try:
        if args.users_command == "add":
            entry = users.add_user(path, args.name, args.pubkey)
            output.out(f"added {entry.user}: {entry.algorithm} {entry.fingerprint}")
        elif args.users_command == "rm":
            removed = users.remove_user(path, args.name)
            output.out(f"removed {len(removed)} key(s) of {args.name}; their notes are kept")
        else:
            for line in users.list_lines(path):
                output.out(line)
    except users.UsersError as error:
        raise Failure(str(error)) from error
    return EXIT_OK


def _needs_serve(command: str, module: str) -> Any:
    """``module``, or one line naming the extra when asyncssh is not installed."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        if (error.name or "").split(".")[0] not in {"asyncssh", "cryptography"}:
            raise
        raise Failure(
            f"`briefing {command}` needs the serve extra: pip install 'briefing[serve]'"
        ) from None


def cmd_config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    output = Output(sys.stdout.isatty())
    if args.config_command == "path":
        output.out(str(config_path()))
        return EXIT_OK
    for line in describe(load_config()):
        output.out(line)
    return EXIT_OK


def cmd_completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    sys.stdout.write(clidocs.completion(parser, args.shell))
    return EXIT_OK


def cmd_man(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    sys.stdout.write(clidocs.man_page(parser))
    return EXIT_OK


#: Commands that read no data at all: they work with no data dir, no $HOME.
STANDALONE_HANDLERS: dict[str, Callable[[argparse.ArgumentParser, argparse.Namespace], int]] = {
    "config": cmd_config,
    "completion": cmd_completion,
    "man": cmd_man,
}

#: Commands on the data dir as a whole rather than as one reader: they make no
#: Store, so a bad $BRIEFING_USER cannot stop them and ``users list`` writes
#: nothing. ``serve`` needs no library of its own either: every session runs
#: this CLI for its reader, which makes the library on first use.
DATA_DIR_HANDLERS: dict[str, Callable[[Paths, argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "users": cmd_users,
}
HANDLERS = {
    "read": cmd_read,
    "open": cmd_read,
    "list": cmd_list,
    "show": cmd_show,
    "outline": cmd_outline,
    "import": cmd_import,
    "notes add": cmd_notes_add,
    "notes list": cmd_notes_list,
    "notes edit": cmd_notes_edit,
    "notes rm": cmd_notes_rm,
    "export": cmd_export,
    "doctor": cmd_doctor,
    "search": cmd_search,
}


def print_json(data: Any) -> None:
    # Escaped even when piped: a later `cat` of the file must not obey it either.
    print(safe_json(data, indent=2))


def usage_error(message: str) -> NoReturn:
    build_parser().error(message)
