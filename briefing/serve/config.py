"""The server's options and limits (``briefing serve`` flags), and its start-up error."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from briefing.core.paths import Paths
from briefing.serve.keys import keys_file


class ServeError(Exception):
    """The server cannot start; ``str()`` says why and what to do."""


@dataclass
class ServeConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 2222
    authorized_keys: Path | None = None  # None: the data dir's
    max_sessions: int = 20
    max_sessions_per_user: int = 4
    idle_timeout: float = 1800.0  # seconds without input; 0 disables
    login_timeout: float = 30.0
    keepalive_interval: float = 30.0
    keepalive_count_max: int = 3
    max_auth_tries: int = 6  # keys offered on one connection
    max_failures: int = 5  # failed logins from one address...
    failure_window: float = 60.0  # ...within this many seconds...
    ban_seconds: float = 300.0  # ...refuse that address for this long
    kill_grace: float = 2.0  # SIGHUP/SIGTERM, then SIGKILL after this
    #: How to start the reader: DATA dir, user and command are appended.
    launcher: tuple[str, ...] = (sys.executable, "-m", "briefing")
    echo: bool = True  # log lines on stderr too

    @property
    def paths(self) -> Paths:
        return Paths(self.data_dir)

    @property
    def keys_file(self) -> Path:
        return keys_file(self.paths, self.authorized_keys)
