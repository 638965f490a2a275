"""What every subcommand shares: how it fails, how it prints, what it works on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from briefing.core.safetext import safe_json, visible

if TYPE_CHECKING:
    from briefing.store.facade import Store

EXIT_OK, EXIT_FAILURE = 0, 1  # usage errors exit 2, through argparse


class Failure(Exception):
    """A command that could not do its job; printed as one line, exit 1."""


class UsageError(Exception):
    """Arguments that parse but do not go together: printed by the front as a usage
    error of the command given (``briefing export: ... (see 'briefing export --help')``),
    exit 2."""


@dataclass
class Output:
    """Where a command prints: stdout, with control characters neutralised on a terminal."""

    interactive: bool  # stdout is a terminal: neutralise control characters

    def out(self, text: str = "") -> None:
        """Print one line (or several) to stdout."""
        print(visible(text) if self.interactive else text)


@dataclass
class Context(Output):
    """The printing, and the store of the user the command runs for."""

    store: Store


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout."""
    # Escaped even when piped: a later `cat` of the file must not obey it either.
    print(safe_json(data, indent=2))
