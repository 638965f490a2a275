"""The command line's grammar: every command, its arguments and flags, as one argparse
parser (``briefing.cli`` runs it; ``briefing.clidocs`` adds the help texts and derives the
completion scripts and the man page from it). Built for one command alone when the command
line names it (:func:`chosen_command`), so a command that prints starts at once.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from briefing import __version__, clidocs

#: How many lines ``search`` prints unless told (``--limit``): a common word
#: matches in most of a big library, and thousands of lines help no one at a terminal.
SEARCH_LIMIT = 50


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line naming the command and where its help is (clig.dev);
    every sub-command's parser is made of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The one parser: every command, its flags and (from clidocs) its help texts.

    With ``only`` (a command of :data:`PARSERS`), that command is the only one built: its
    help, flags and errors are the same, and a command that prints starts without
    building the other twenty-five parsers (``python benchmarks/run.py printing``).
    """
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
    for name, (summary, add_arguments) in PARSERS.items():
        if only is None or name == only:
            add_arguments(commands.add_parser(name, help=summary))
    clidocs.finish(parser, common)
    return parser


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, when the parser may be built for it alone: its first
    word after nothing but the global flags, spelt out whole. Anything else (no command,
    ``--help``, an abbreviated flag, ``completion`` and ``man``, which read the whole
    parser) is None: every command is built, and argparse says what is wrong."""
    words = iter(argv)
    for word in words:
        if word in ("--data-dir", "--user"):
            next(words, None)
        elif not word.startswith(("--data-dir=", "--user=")):
            return word if word in PARSERS and word not in WHOLE_PARSER else None
    return None


def _list(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="print JSON")


def _show(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("slug")
    cmd.add_argument(
        "section", nargs="?", help='section key or title, e.g. treaty-terms or "Treaty terms"'
    )
    cmd.add_argument(
        "--markdown", action="store_true", help="print the briefing as Markdown that re-imports"
    )


def _outline(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("slug")


def _open(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("slug")
    cmd.add_argument("section", nargs="?")


def _import_command(cmd: argparse.ArgumentParser) -> None:
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


def _notes(notes: argparse.ArgumentParser) -> None:
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


def _export(cmd: argparse.ArgumentParser) -> None:
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


def _search(cmd: argparse.ArgumentParser) -> None:
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


def _doctor(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--restore", action="store_true", help="restore damaged files")
    cmd.add_argument("--yes", action="store_true", help="do not ask before restoring")
    cmd.add_argument(
        "--reindex", action="store_true", help="rebuild the search index from the library"
    )


def _serve(cmd: argparse.ArgumentParser) -> None:
    _keys_file(cmd)
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


def _users(users: argparse.ArgumentParser) -> None:
    _keys_file(users)
    user_cmds = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    cmd = user_cmds.add_parser("add", help="let NAME log in with the public key in PUBKEY_FILE")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("pubkey", metavar="PUBKEY_FILE", help="e.g. alice.pub; '-' reads stdin")
    user_cmds.add_parser("list", help="list users and their keys")
    cmd = user_cmds.add_parser("rm", help="remove every key of NAME (their notes are kept)")
    cmd.add_argument("name", metavar="NAME")


def _config(config: argparse.ArgumentParser) -> None:
    config_cmds = config.add_subparsers(dest="config_command", metavar="ACTION")  # none: show
    config_cmds.add_parser("path", help="print the config file's path")
    config_cmds.add_parser("show", help="print every setting")


def _completion(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("shell", choices=clidocs.SHELLS)


def _keys_file(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--authorized-keys", type=Path, metavar="FILE", help="keys file (DATA/ssh/authorized_keys)"
    )


def _no_arguments(cmd: argparse.ArgumentParser) -> None:
    """``man`` takes none."""


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


#: command -> (its line in ``--help``, what adds its arguments), in ``--help``'s order.
PARSERS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "list": ("list briefings", _list),
    "show": ("print a briefing or one section as plain text", _show),
    "outline": ("print a briefing's sections and paragraphs", _outline),
    "open": ("open the reader on a briefing", _open),
    "import": (
        "import briefings: Markdown, text or HTML files, folders, URLs, '-' for stdin",
        _import_command,
    ),
    "notes": ("add, list, edit and remove notes", _notes),
    "export": ("export notes as Markdown or JSON", _export),
    "search": ("search briefings and your notes", _search),
    "doctor": ("check the data files; restore from backup", _doctor),
    "serve": ("serve the reader over SSH (public keys only)", _serve),
    "users": ("who may read over SSH: add, list, rm", _users),
    "config": ("where the config file is, what it holds", _config),
    "completion": ("print a bash, zsh or fish completion script", _completion),
    "man": ("print the manual page", _no_arguments),
}
#: Commands that read the whole parser (to write completion scripts and the man page).
WHOLE_PARSER = {"completion", "man"}
