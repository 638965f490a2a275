"""What ``briefing serve`` allows, decided without any I/O.

Kept apart from the server (:mod:`briefing.serve.server`) so that each rule, which is
where a security mistake would be, reads and tests on its own: the child's
environment, the exec allowlist, failed-login bans, session slots and the
bounded record of what a connection did.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from briefing.core.paths import SERVED_ENV

EXEC_COMMANDS = "export [SLUG], list, search QUERY"
NO_PTY = (
    "briefing: the reader needs a terminal: connect with 'ssh -t', or run one of: " + EXEC_COMMANDS
)

# -- the child's environment --------------------------------------------

_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_LOCALE_NAME = re.compile(r"LANG|LC_[A-Z]{2,20}")
_LOCALE_VALUE = re.compile(r"[A-Za-z0-9_.@+-]{0,64}")
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
        if _LOCALE_NAME.fullmatch(name) and _LOCALE_VALUE.fullmatch(value):
            env[name] = value
    env.setdefault("LANG", "C.UTF-8")
    if client_env.get("NO_COLOR"):
        env["NO_COLOR"] = "1"
    if term is not None and wants_truecolor(env["TERM"], client_env.get("COLORTERM")):
        env["COLORTERM"] = "truecolor"
    return env


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
    since some (``export -o FILE``) would act on the server's files.
    """
    shown = shorten(command)
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


class FailureLimiter:
    """Failed logins per address: too many within a window bans the address."""

    MAX_ADDRESSES = 10000

    def __init__(
        self,
        max_failures: int,
        window: float,
        ban_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.ban_seconds = ban_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._banned: dict[str, float] = {}

    def banned_for(self, address: str) -> float:
        """Seconds the address is still refused, 0 if it is not."""
        until = self._banned.get(address)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left <= 0:
            del self._banned[address]
            return 0.0
        return left

    def failed(self, address: str) -> bool:
        """Count one failure; ``True`` if the address is now banned."""
        now = self.clock()
        times = self._failures.setdefault(address, deque())
        times.append(now)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.max_failures:
            self._banned[address] = now + self.ban_seconds
            del self._failures[address]
            return True
        if len(self._failures) > self.MAX_ADDRESSES:  # forget the stalest address
            self._failures.pop(next(iter(self._failures)))
        return False


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
                f"briefing: {user} already has {self.per_user} open session(s), the most"
                " allowed; close one and try again.",
                "refused: too many sessions for the user",
            )
        if self.used >= self.total:
            return Refusal(
                f"briefing: the server is full ({self.total} sessions); try again later.",
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
