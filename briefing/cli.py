"""The command line's front: parse the arguments, dispatch, turn failures into exit codes.

The command bodies live in ``briefing.subcommands``, one module per noun; only the chosen
command's module is imported, so ``list``, ``show``, ``search`` and ``export`` start at
once, and the reader (Textual) loads only when it opens (``subcommands.opening``). The
texts of ``--help``, the completion scripts and the man page are ``briefing.clidocs``.
Exit codes: 0 done, 1 failed (one line on stderr), 2 usage error (argparse), 130 ^C.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from briefing import __version__, clidocs
from briefing.core.config import ConfigError
from briefing.core.ingest import IngestError
from briefing.core.paths import BadUserName, Paths, data_dir_known, resolve_data_dir, resolve_user
from briefing.store.atomic import DataError, WriteRefused
from briefing.store.facade import Store
from briefing.store.importing import ensure_library
from briefing.subcommands.common import EXIT_FAILURE, EXIT_OK, Context, Failure, UsageError


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line naming the command and where its help is (clig.dev);
    every sub-command's parser is made of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The one parser: every command, its flags and (from clidocs) its help texts."""
    common = OneLineParser(add_help=False)  # accepted after a command too
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
    parser = OneLineParser(
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
    cmd.add_argument(
        "--slug",
        metavar="NAME",
        help="import one input as this briefing (a new name, or a stored one to replace)",
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
    cmd = note_cmds.add_parser("edit", help="change a note's text, tags or colour")
    cmd.add_argument("id")
    cmd.add_argument("--note", default=None, help="the new note (Markdown)")
    cmd.add_argument(
        "--add-tag", action="append", default=[], metavar="TAG", help="add a tag; repeat for more"
    )
    cmd.add_argument(
        "--remove-tag", action="append", default=[], metavar="TAG", help="remove a tag; repeat"
    )
    cmd.add_argument(
        "--tag",
        action="append",
        default=None,
        help="set the tags: replaces all of them; repeat for more; --tag '' removes every tag",
    )
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
    cmd.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE; '-': stdout; a folder (or a path ending in /): one <slug>.md "
        "per briefing there",
    )
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
    cmd.add_argument(
        "--limit",
        type=_count,
        default=SEARCH_LIMIT,
        metavar="N",
        help=f"print at most N lines, best sections first ({SEARCH_LIMIT}); 0 prints every one",
    )
    cmd.add_argument("--json", action="store_true", help="print JSON")

    cmd = commands.add_parser("doctor", help="check the data files; restore from backup")
    cmd.add_argument("--restore", action="store_true", help="restore damaged files")
    cmd.add_argument("--yes", action="store_true", help="do not ask before restoring")
    cmd.add_argument(
        "--reindex", action="store_true", help="rebuild the search index from the library"
    )

    keys_file = OneLineParser(add_help=False)
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
    config_cmds = config.add_subparsers(dest="config_command", metavar="ACTION")  # none: show
    config_cmds.add_parser("path", help="print the config file's path")
    config_cmds.add_parser("show", help="print every setting")
    cmd = commands.add_parser("completion", help="print a bash, zsh or fish completion script")
    cmd.add_argument("shell", choices=clidocs.SHELLS)
    commands.add_parser("man", help="print the manual page")
    clidocs.finish(parser, common)
    return parser


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


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return value


#: command -> (module in briefing.subcommands, function). What the function is given:
#: STANDALONE ones read no data (they work with no data dir, no $HOME): the parser.
#: DATA_DIR ones work on the data dir as a whole rather than as one reader: its Paths;
#: they make no Store, so a bad $BRIEFING_USER cannot stop them and ``users list``
#: writes nothing (``serve`` needs no library of its own either: every session runs
#: this CLI for its reader, which makes the library on first use). The rest: a Context
#: holding the user's Store, the library made on first use (but not for ``doctor``).
COMMANDS: dict[str, tuple[str, str]] = {
    "read": ("opening", "read"),
    "open": ("opening", "read"),
    "list": ("reading", "list_briefings"),
    "show": ("reading", "show"),
    "outline": ("reading", "outline"),
    "search": ("reading", "search"),
    "notes add": ("notes", "add"),
    "notes list": ("notes", "list_notes"),
    "notes edit": ("notes", "edit"),
    "notes rm": ("notes", "rm"),
    "import": ("import_export", "import_briefings"),
    "export": ("import_export", "export"),
    "doctor": ("admin", "doctor"),
    "config": ("admin", "config"),
    "completion": ("admin", "completion"),
    "man": ("admin", "man"),
    "serve": ("ssh", "serve"),
    "users": ("ssh", "users"),
}
#: How many lines ``search`` prints unless told (``--limit``): a common word
#: matches in most of a big library, and thousands of lines help no one at a terminal.
SEARCH_LIMIT = 50
STANDALONE = {"config", "completion", "man"}
DATA_DIR = {"serve", "users"}


def _command(name: str) -> Callable[..., int]:
    """The function for command ``name``; imports its module (only this one)."""
    module, function = COMMANDS[name]
    handler: Callable[..., int] = getattr(
        importlib.import_module(f"briefing.subcommands.{module}"), function
    )
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir, args.user = getattr(args, "data_dir", None), getattr(args, "user", None)
    name = args.command or "read"
    if name == "notes":
        name = f"notes {args.notes_command}"
    try:
        if name in STANDALONE:
            return _command(name)(parser, args)
        if not data_dir_known(args.data_dir):
            raise Failure(
                "cannot find your home folder ($HOME is not set);"
                " set HOME or BRIEFING_HOME, or give --data-dir"
            )
        if name in DATA_DIR:
            return _command(name)(Paths(resolve_data_dir(args.data_dir)), args)
        try:
            store = Store(resolve_data_dir(args.data_dir), resolve_user(args.user))
        except BadUserName as error:
            parser.error(str(error))
        if name != "doctor":
            ensure_library(store)
        return _command(name)(Context(sys.stdout.isatty(), store), args)
    except UsageError as error:  # named after the command given, whose --help explains it
        clidocs.subcommands(parser).get(name, parser).error(str(error))
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
