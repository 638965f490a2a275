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
    """Everything ``briefing serve`` can be told; each limit's default is in the README."""

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
    max_session_time: float = 28800.0  # a connection's whole life, seconds; 0: no limit
    max_channels: int = 8  # session channels open at once on one connection
    recheck_interval: float = 10.0  # re-check open connections' keys this often
    max_auth_tries: int = 6  # keys offered on one connection
    max_failures: int = 5  # failed logins for one (address, user name)...
    failure_window: float = 60.0  # ...within this many seconds...
    ban_seconds: float = 300.0  # ...refuse that pair for this long
    max_address_failures: int = 20  # failed logins from one address, any names: address ban
    ban_table_size: int = 10000  # (address, name) pairs and addresses remembered (LRU)
    max_startups: int = 64  # connections not yet logged in, overall (oldest dropped past it)
    max_startups_per_address: int = 10  # ...and from one address (new ones dropped)
    connection_rate: int = 60  # new connections from one address...
    connection_window: float = 60.0  # ...within this many seconds (more are dropped)
    log_max_bytes: int = 10 * 1024 * 1024  # server.log is rotated past this size...
    log_keep: int = 5  # ...keeping this many old logs (server.log.1 ... .N)
    kill_grace: float = 2.0  # SIGHUP/SIGTERM, then SIGKILL after this
    #: How to start the reader: DATA dir, user and command are appended.
    #: ``-I``: neither the user's folder (the child's cwd) nor user
    #: site-packages nor any PYTHON* variable reaches the child's imports;
    #: ``-X utf8`` stands in for PYTHONUTF8, which ``-I`` ignores.
    launcher: tuple[str, ...] = (sys.executable, "-I", "-X", "utf8", "-m", "briefing")
    echo: bool = True  # log lines on stderr too

    @property
    def paths(self) -> Paths:
        return Paths(self.data_dir)

    @property
    def keys_file(self) -> Path:
        return keys_file(self.paths, self.authorized_keys)
