"""Reading over SSH: ``serve`` runs the server, ``users`` says who may log in.

Both work on the data dir as a whole, not as one reader, and both need the ``serve``
extra (asyncssh); without it they say so in one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING, Any

from briefing.core.rules import counted
from briefing.subcommands.common import EXIT_OK, Failure, Output

if TYPE_CHECKING:
    from briefing.core.paths import Paths


def serve(paths: Paths, args: argparse.Namespace) -> int:
    """``serve``: the reader over SSH until interrupted."""
    server = _needs_serve("serve", "briefing.serve.server")

    config = server.ServeConfig(
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
        return int(server.run(config))
    except server.ServeError as error:
        raise Failure(str(error)) from error


def users(paths: Paths, args: argparse.Namespace) -> int:
    """``users add|list|rm``: the authorized keys file, one line per change or key."""
    keys = _needs_serve("users", "briefing.serve.keys")

    output = Output(sys.stdout.isatty())
    path = keys.keys_file(paths, args.authorized_keys)
    try:
        if args.users_command == "add":
            entry = keys.add_user(path, args.name, args.pubkey)
            output.out(f"added {entry.user}: {entry.algorithm} {entry.fingerprint}")
        elif args.users_command == "rm":
            removed = keys.remove_user(path, args.name)
            keys_removed = counted(len(removed), "key")
            output.out(f"removed {keys_removed} of {args.name}; their notes are kept")
        else:
            for line in keys.list_lines(path):
                output.out(line)
    except keys.UsersError as error:
        raise Failure(str(error)) from error
    return EXIT_OK


def _needs_serve(command: str, module: str) -> Any:
    """``module``, or one line naming the extra when asyncssh is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if (error.name or "").split(".")[0] not in {"asyncssh", "cryptography"}:
            raise
        raise Failure(
            f"`briefing {command}` needs the serve extra: pip install 'briefing[serve]'"
        ) from None
