"""What the server's parts see of each other, as protocols.

A session needs a few things of its connection, and both need a few things of
the server; naming them here (rather than importing the classes) keeps the
modules free of import cycles and says exactly what each part relies on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Protocol

from briefing.serve.config import ServeConfig
from briefing.serve.keys import AuthorizedKeys
from briefing.serve.policy import Events, FailureLimiter, SessionSlots
from briefing.serve.pty_child import Size


class Hub(Protocol):
    """The server, as its connections and sessions see it."""

    config: ServeConfig
    limiter: FailureLimiter
    slots: SessionSlots
    stopping: bool
    connections: set[Any]

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]: ...

    def report_error(self, what: str, error: BaseException) -> None: ...

    def authorized_keys(self) -> AuthorizedKeys: ...

    def log_connection(self, connection: Any) -> None: ...


class Owner(Protocol):
    """The connection, as one of its sessions sees it."""

    server: Hub
    user: str | None
    events: Events
    term: str
    unfinished: set[Any]

    def saw_size(self, size: Size) -> None: ...

    def session_opened(self, session: Any) -> None: ...

    def session_closed(self, session: Any) -> None: ...
