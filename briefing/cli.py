"""The command line's front: parse the arguments, dispatch, turn failures into exit codes.

The command bodies live in ``briefing.subcommands``, one module per noun; only the chosen
command's module is imported, so ``list``, ``show``, ``search`` and ``export`` start at
once, and the reader (Textual) loads only when it opens (``subcommands.opening``). The
parser itself is ``briefing.cliparser``; the texts of ``--help``, the completion scripts and
the man page are ``briefing.clidocs``.
Exit codes: 0 done, 1 failed (one line on stderr), 2 usage error (argparse), 130 ^C.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

from briefing import clidocs
from briefing.cliparser import build_parser, chosen_command
from briefing.core.config import ConfigError
from briefing.core.ingest import IngestError
from briefing.core.paths import BadUserName, Paths, data_dir_known, resolve_data_dir, resolve_user
from briefing.store.atomic import DataError, WriteRefused
from briefing.store.facade import Store
from briefing.subcommands.common import EXIT_FAILURE, EXIT_OK, Context, Failure, UsageError

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
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(chosen_command(argv))
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
        if name != "doctor" and not store.exists():
            from briefing.store.importing import ensure_library  # the first run only

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
