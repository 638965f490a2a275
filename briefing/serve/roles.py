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
from briefing.serve.limits import FailureLimiter
from briefing.serve.policy import Events, SessionSlots
from briefing.serve.pty_child import Size


class Hub(Protocol):
    """The server, as its connections and sessions see it."""

    config: ServeConfig
    limiter: FailureLimiter[tuple[str, str]]
    address_limiter: FailureLimiter[str]
    slots: SessionSlots
    stopping: bool
    connections: set[Any]

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]: ...

    def report_error(self, what: str, error: BaseException) -> None: ...

    async def current_keys(self) -> AuthorizedKeys: ...

    def admit(self, connection: Any) -> str | None: ...

    def logged_in(self, connection: Any) -> None: ...

    def forget(self, connection: Any) -> None: ...

    def log_connection(self, connection: Any) -> None: ...


class Owner(Protocol):
    """The connection, as one of its sessions sees it."""

    server: Hub
    user: str | None
    events: Events
    term: str
    unfinished: set[Any]
    pty_allowed: bool

    def still_authorised(self, keys: AuthorizedKeys) -> bool: ...

    def session_started(self, session: Any) -> None: ...

    def saw_size(self, size: Size) -> None: ...

    def session_opened(self, session: Any) -> None: ...

    def session_closed(self, session: Any) -> None: ...
