"""What ``briefing serve`` allows, decided without any I/O.

Kept apart from the server (:mod:`briefing.serve.server`) so that each rule, which is
where a security mistake would be, reads and tests on its own: the child's
environment, the exec allowlist, size and length limits, session slots and
the bounded record of what a connection did (bans and rates are in
:mod:`briefing.serve.limits`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

from briefing.core.paths import SERVED_ENV
from briefing.core.rules import counted

EXEC_COMMANDS = "export [SLUG], list, search QUERY"
NO_PTY = (
    "briefing: the reader needs a terminal: connect with 'ssh -t', or run one of: " + EXEC_COMMANDS
)

# -- the child's environment --------------------------------------------

_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_LOCALE_NAMES = frozenset(
    {
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "LC_COLLATE",
        "LC_MESSAGES",
        "LC_MONETARY",
        "LC_NUMERIC",
        "LC_TIME",
        "LC_ADDRESS",
        "LC_IDENTIFICATION",
        "LC_MEASUREMENT",
        "LC_NAME",
        "LC_PAPER",
        "LC_TELEPHONE",
    }
)
_LOCALE_VALUE = re.compile(r"[A-Za-z0-9_.@+-]{0,64}")
#: The only environment requests a session keeps, each at most
#: :data:`MAX_ENV_VALUE` bytes; anything else is refused without being stored.
ENV_NAMES = _LOCALE_NAMES | {"NO_COLOR", "COLORTERM"}
MAX_ENV_VALUE = 64
#: Exec commands longer than this are refused before any parsing.
MAX_COMMAND_BYTES = 1024
#: The largest terminal a session gets; bigger requests are clamped (and logged).
MAX_COLUMNS = 1000
MAX_ROWS = 500
DEFAULT_TERM = "xterm"
#: Terminals known to draw 24-bit colour. ``*-256color`` alone is not proof
#: (macOS Terminal.app says xterm-256color and has no truecolor), so such a
#: client gets 256 colours unless it sends COLORTERM=truecolor itself
#: (``ssh -o SetEnv=COLORTERM=truecolor``).
TRUECOLOR_TERMS = frozenset(
    {"alacritty", "contour", "foot", "foot-extra", "wezterm", "xterm-ghostty", "xterm-kitty"}
)


def clean_term(term: str | None) -> str:
    """The client's TERM if it looks like a terminal name: the child's libraries trust it."""
    return term if term and _TERM.fullmatch(term) else DEFAULT_TERM


def wants_truecolor(term: str, client_colorterm: str | None = None) -> bool:
    if (client_colorterm or "").lower() in {"truecolor", "24bit"}:
        return True
    return term.endswith("-direct") or term in TRUECOLOR_TERMS


def no_op_browser() -> str:
    """A program that does nothing and succeeds, so webbrowser stops looking."""
    return shutil.which("true") or "true"


def child_environment(
    client_env: Mapping[str, str],
    term: str | None,
    home: Path,
    *,
    server_path: str | None = None,
) -> dict[str, str]:
    """The reader's whole environment: an allowlist, never the server's or client's env."""
    env = {
        "TERM": clean_term(term) if term is not None else "dumb",
        "PATH": server_path if server_path is not None else os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "BROWSER": no_op_browser(),
        "PYTHONUTF8": "1",
        SERVED_ENV: "1",
    }
    for name, value in client_env.items():
        if name in _LOCALE_NAMES and _LOCALE_VALUE.fullmatch(value):
            env[name] = value
    env.setdefault("LANG", "C.UTF-8")
    if client_env.get("NO_COLOR"):
        env["NO_COLOR"] = "1"
    if term is not None and wants_truecolor(env["TERM"], client_env.get("COLORTERM")):
        env["COLORTERM"] = "truecolor"
    return env


def env_request_allowed(name: bytes, value: bytes) -> bool:
    """Whether a client's ``env`` request is kept: an allowlisted name, a short value."""
    return len(value) <= MAX_ENV_VALUE and name.decode("ascii", "replace") in ENV_NAMES


def clamp_size(
    cols: int, rows: int, max_cols: int = MAX_COLUMNS, max_rows: int = MAX_ROWS
) -> tuple[int, int]:
    """The size a session gets: 80x24 for 0 (unknown), at most ``max_cols`` x ``max_rows``."""
    cols = cols if cols > 0 else 80
    rows = rows if rows > 0 else 24
    return min(cols, max_cols), min(rows, max_rows)


# -- what a session may run ---------------------------------------------


class Refusal(Exception):
    """A request the server will not serve: ``message`` for the client, ``outcome`` for the log."""

    def __init__(self, message: str, outcome: str) -> None:
        super().__init__(message)
        self.message = message
        self.outcome = outcome


def exec_command(command: str) -> list[str]:
    """The briefing arguments for an allowed exec request, or :class:`Refusal`.

    Only ``export [SLUG]``, ``list`` and ``search QUERY``; no options at all,
    since some (``export -o FILE``) would act on the server's files. A command
    over :data:`MAX_COMMAND_BYTES` is refused before it is parsed.
    """
    shown = shorten(command)
    if len(command.encode("utf-8", "surrogatepass")) > MAX_COMMAND_BYTES:
        raise Refusal(
            f"briefing: the command is too long (over {MAX_COMMAND_BYTES} bytes)."
            f" Commands: {EXEC_COMMANDS}",
            f"refused: exec of {len(command.encode('utf-8', 'surrogatepass'))} bytes",
        )
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise Refusal(
            f"briefing: cannot read the command {shown} ({error}). Commands: {EXEC_COMMANDS}",
            f"refused: exec {shown}",
        ) from error
    name, rest = (words[0], words[1:]) if words else ("", [])
    if name in {"list", "export", "search"} and any(word.startswith("-") for word in rest):
        raise Refusal(
            f"briefing: options are not available over SSH ({shown}). Commands: {EXEC_COMMANDS}",
            f"refused: exec {shown}",
        )
    if name == "list" and not rest:
        return ["list"]
    if name == "export" and len(rest) <= 1:
        return ["export", *rest]
    if name == "search" and rest:
        return ["search", " ".join(rest)]
    raise Refusal(
        f"briefing: {shown} is not available over SSH. Commands: {EXEC_COMMANDS};"
        " or connect with a terminal to read.",
        f"refused: exec {shown}",
    )


def shorten(text: str, limit: int = 60) -> str:
    """A client-supplied string made safe and short for a message or the log."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


# -- bookkeeping ---------------------------------------------------------


class SessionSlots:
    """Running sessions, overall and per user, against the configured caps."""

    def __init__(self, total: int, per_user: int) -> None:
        self.total = total
        self.per_user = per_user
        self.by_user: dict[str, int] = {}

    @property
    def used(self) -> int:
        return sum(self.by_user.values())

    def acquire(self, user: str) -> Refusal | None:
        if self.by_user.get(user, 0) >= self.per_user:
            return Refusal(
                f"briefing: {user} already has {counted(self.per_user, 'open session')}, the most"
                " allowed; close one and try again.",
                "refused: too many sessions for the user",
            )
        if self.used >= self.total:
            return Refusal(
                f"briefing: the server is full ({counted(self.total, 'session')});"
                " try again later.",
                "refused: server full",
            )
        self.by_user[user] = self.by_user.get(user, 0) + 1
        return None

    def release(self, user: str) -> None:
        count = self.by_user.get(user, 0) - 1
        if count > 0:
            self.by_user[user] = count
        else:
            self.by_user.pop(user, None)


class Events:
    """What happened on one connection, for its log line.

    The client decides how many requests it makes (forwardings, sessions one
    after another), so a repeat is counted rather than kept, and past
    ``LIMIT`` different events the rest are only counted.
    """

    LIMIT = 32

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self.dropped = 0

    def add(self, event: str, *, first: bool = False) -> None:
        """Record ``event``; ``first`` puts a new one at the front (why a login failed)."""
        if event in self._counts:
            self._counts[event] += 1
        elif len(self._counts) >= self.LIMIT:
            self.dropped += 1
        elif first:
            self._counts = {event: 1, **self._counts}
        else:
            self._counts[event] = 1

    def any_refusal(self) -> bool:
        return any(event.startswith("refused") for event in self._counts)

    def __str__(self) -> str:
        parts = [
            f"{event} (x{count})" if count > 1 else event for event, count in self._counts.items()
        ]
        if self.dropped:
            parts.append(f"{self.dropped} more")
        return "; ".join(parts)
