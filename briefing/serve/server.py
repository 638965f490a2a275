"""``briefing serve``: the reader over SSH, one child process per session.

Each interactive session runs ``python -I -m briefing --data-dir DATA --user
USER`` on a pseudo-terminal of its own: Textual owns its process's stdin and
SIGWINCH, so one app per process. The server only moves bytes between the
SSH channel and the pty, sizes the pty (``TIOCSWINSZ``, then ``SIGWINCH``)
and ends the child when the session ends.

Who gets in
    Public keys only. ``ssh/authorized_keys`` in the data dir (see
    :mod:`briefing.serve.keys`) maps each key to a user name; the login name must
    be that name (``ssh alice@host`` with a key registered for alice). The
    file is re-read when it changes.

What a session may do
    With a pty: the reader, or one of the exec commands below. Without a pty
    only ``export [SLUG]``, ``list`` and ``search QUERY``. Everything else
    (a shell without a pty, other commands, sftp/scp and other subsystems,
    port forwarding either way, agent and X11 forwarding) is refused with a
    message to the client and a line in the log.

The child's environment
    Built from nothing: ``TERM`` (from the pty request), ``LANG`` and
    ``LC_*`` (from the client, if they look like locale names),
    ``NO_COLOR`` (if the client sent it), ``COLORTERM=truecolor`` when the
    terminal is known to do 24-bit colour (see :func:`wants_truecolor`), and
    what the server sets: ``PATH`` (the server's), ``HOME`` (the user's
    folder in the data dir), ``PYTHONUTF8=1`` and ``BROWSER`` pointing at a
    program that does nothing, so that no link can ever start a browser (or
    anything else) on the server. ``COLUMNS``/``LINES`` are never set: the
    pty carries the size. Nothing else the client sends (``TEXTUAL_*``,
    ``PYTHON*``, ``LD_*``...) reaches the child.

Limits
    Before key exchange: banned addresses, addresses over the rate of new
    connections or with too many connections not yet logged in are dropped;
    past ``max_startups`` the oldest unauthenticated connection makes room.
    Then: login timeout, keepalives, an idle timeout (no input, or no started
    session, for N seconds), a maximum session time, the terminal size, exec
    length, environment and channels per connection bounded, a cap on
    concurrent sessions overall and per user, failed logins banned per
    (address, user name) and per address in bounded tables, and each open
    connection's key re-checked at every session start and every
    ``recheck_interval`` seconds. Algorithms: :mod:`briefing.serve.crypto`.

Log
    One line per connection in ``ssh/server.log`` (rotated by size) and on
    stderr: time, user, key fingerprint, address, TERM, size, duration and
    outcome; a line per unexpected error, with its traceback on stderr.

What lives where
    The rules (environment, exec allowlist, limits) are in
    :mod:`briefing.serve.policy`, the child process and its pty in
    :mod:`briefing.serve.pty_child`, the keys file in :mod:`briefing.serve.keys`,
    the options in :mod:`briefing.serve.config`, the host key in
    :mod:`briefing.serve.hostkey`, the log in :mod:`briefing.serve.log`, one
    connection in :mod:`briefing.serve.connection` and one session channel in
    :mod:`briefing.serve.session`; this module is the listener that holds them.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
import traceback
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import asyncssh

from briefing.serve.config import ServeConfig, ServeError
from briefing.serve.connection import ReaderConnection
from briefing.serve.crypto import server_options
from briefing.serve.hostkey import load_or_create_host_key
from briefing.serve.keys import AuthorizedKeys, UsersError, check_permissions
from briefing.serve.limits import FailureLimiter, RateLimiter
from briefing.serve.log import ServerLog
from briefing.serve.policy import SessionSlots

__all__ = ["BriefingServer", "ServeConfig", "ServeError", "run", "serve_until_signalled"]


def _keys_signature(path: Path) -> tuple[int, ...] | None:
    """Changes whenever the keys file is rewritten, chmod-ed or chown-ed, or its folder is
    (the link's folder and the real one, if it is a symlink)."""
    try:
        st, folder, real = path.stat(), path.parent.stat(), path.resolve().parent.stat()
    except (OSError, RuntimeError):
        return None
    return (
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
        folder.st_mode,
        folder.st_uid,
        real.st_ino,
        real.st_mode,
        real.st_uid,
    )


def _read_keys(path: Path) -> tuple[AuthorizedKeys, str | None]:
    """The keys file, and what is wrong with it (then it grants nothing). No logging here:
    this runs in a worker thread."""
    problem = check_permissions(path)
    if problem:
        return AuthorizedKeys(), f"no logins: {problem}"
    try:
        return AuthorizedKeys.load(path), None
    except UsersError as error:
        return AuthorizedKeys(), str(error)


class BriefingServer:
    """The listener and everything it tracks. :meth:`start`, then :meth:`stop`."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        size = config.ban_table_size
        self.limiter: FailureLimiter[tuple[str, str]] = FailureLimiter(
            config.max_failures, config.failure_window, config.ban_seconds, max_entries=size
        )
        self.address_limiter: FailureLimiter[str] = FailureLimiter(
            config.max_address_failures,
            config.failure_window,
            config.ban_seconds,
            max_entries=size,
        )
        self.rate: RateLimiter[str] = RateLimiter(
            config.connection_rate, config.connection_window, max_entries=size
        )
        self._preauth: dict[ReaderConnection, None] = {}  # oldest first
        self._preauth_by_address: dict[str, int] = {}
        self.slots = SessionSlots(config.max_sessions, config.max_sessions_per_user)
        self.connections: set[ReaderConnection] = set()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.stopping = False
        self.host_key: asyncssh.SSHKey | None = None
        self.port = 0
        self.log: ServerLog | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._keys = AuthorizedKeys()
        self._keys_signature: tuple[int, ...] | None = None
        self._keys_problem: str | None = None
        self._keys_lock = asyncio.Lock()
        self._recheck: asyncio.Task[Any] | None = None

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint() if self.host_key else "-"

    def authorized_keys(self) -> AuthorizedKeys:
        """The keys file as it is now: re-read whenever it (or its folder) changed."""
        signature = _keys_signature(self.config.keys_file)
        if signature != self._keys_signature:
            self._apply_keys(signature, *_read_keys(self.config.keys_file))
        return self._keys

    async def current_keys(self) -> AuthorizedKeys:
        """:meth:`authorized_keys`, parsed in a worker thread: the file may be long."""
        signature = _keys_signature(self.config.keys_file)
        if signature == self._keys_signature:
            return self._keys
        async with self._keys_lock:
            signature = _keys_signature(self.config.keys_file)
            if signature != self._keys_signature:
                read = await asyncio.to_thread(_read_keys, self.config.keys_file)
                self._apply_keys(signature, *read)
        return self._keys

    def _apply_keys(
        self, signature: tuple[int, ...] | None, keys: AuthorizedKeys, problem: str | None
    ) -> None:
        """Take a freshly read keys file, and say in the log what is wrong with it."""
        self._keys_signature = signature
        self._keys = keys
        path = self.config.keys_file
        if problem and problem.startswith("no logins: ") and problem == self._keys_problem:
            return  # said already
        self._keys_problem = problem
        if self.log is None:
            return
        if problem:
            self.log.write("warning", message=problem)
            return
        for entry in keys.ignored():
            self.log.write(
                "warning", message=f"{path.name} line {entry.line_number}: {entry.problem}"
            )

    # admission before key exchange
    def admit(self, connection: ReaderConnection) -> str | None:
        """Why a new connection is dropped before key exchange, or ``None`` to let it in.

        An address banned after failed logins as many users, over the rate of
        new connections, or with too many connections not yet logged in is
        dropped. Past ``max_startups`` unauthenticated connections overall,
        the oldest of them is dropped to make room: a login that works takes
        well under a second, so only connections that hold a slot without
        logging in lose it.
        """
        config = self.config
        address = connection.address
        if self.address_limiter.banned_for(address):
            return "address banned after failed logins"
        if not self.rate.allow(address):
            return "too many new connections from the address"
        if self._preauth_by_address.get(address, 0) >= config.max_startups_per_address:
            return "too many connections not logged in from the address"
        while len(self._preauth) >= max(config.max_startups, 1):
            oldest = next(iter(self._preauth))
            self.forget(oldest)
            oldest.events.add("refused: dropped for a newer connection (too many not logged in)")
            oldest.disconnect("briefing: the server is busy; try again")
        self._preauth[connection] = None
        self._preauth_by_address[address] = self._preauth_by_address.get(address, 0) + 1
        return None

    def logged_in(self, connection: ReaderConnection) -> None:
        self.forget(connection)

    def forget(self, connection: ReaderConnection) -> None:
        """No longer count ``connection`` as waiting to log in."""
        if connection in self._preauth:
            del self._preauth[connection]
            count = self._preauth_by_address.get(connection.address, 0) - 1
            if count > 0:
                self._preauth_by_address[connection.address] = count
            else:
                self._preauth_by_address.pop(connection.address, None)

    @property
    def unauthenticated(self) -> int:
        """Connections not yet logged in (what ``max_startups`` caps)."""
        return len(self._preauth)

    async def _recheck_keys(self) -> None:
        """End the connections whose key was removed (or moved to another user) meanwhile."""
        while not self.stopping:
            await asyncio.sleep(self.config.recheck_interval)
            keys = await self.current_keys()
            for connection in list(self.connections):
                if not connection.ending and not connection.still_authorised(keys):
                    connection.end_all("key revoked")

    async def start(self) -> None:
        config = self.config
        problem = check_permissions(config.keys_file)
        if problem:
            raise ServeError(problem)
        self.host_key = load_or_create_host_key(config.paths.host_key)
        self.log = ServerLog(
            config.paths.server_log, config.echo, config.log_max_bytes, config.log_keep
        )
        keys = self.authorized_keys()
        try:
            self._acceptor = await asyncssh.create_server(
                lambda: ReaderConnection(self),
                config.host,
                config.port,
                server_host_keys=[self.host_key],
                encoding=None,
                line_editor=False,  # the reader gets every byte, unechoed
                allow_pty=True,
                agent_forwarding=False,
                x11_forwarding=False,
                allow_scp=False,
                sftp_factory=None,
                gss_host=None,
                kbdint_auth=False,
                password_auth=False,
                # Ours ends a slow login with a message; asyncssh's is the backstop.
                login_timeout=config.login_timeout + 5 if config.login_timeout > 0 else 0,
                keepalive_interval=config.keepalive_interval,
                keepalive_count_max=config.keepalive_count_max,
                **server_options(),  # modern algorithms only: see briefing.serve.crypto
            )
        except OSError as error:
            self.log.close()
            raise ServeError(
                f"cannot listen on {config.host}:{config.port}: {error.strerror or error}"
            ) from error
        self.port = self._acceptor.get_port()
        users = sorted(keys.users())
        self.log.write(
            "start",
            listen=f"{config.host}:{self.port}",
            host_key=self.fingerprint,
            users=",".join(users) or "-",
            authorized_keys=config.keys_file,
        )
        if not users:
            self.log.write(
                "warning", message="no users yet: add one with: briefing users add NAME KEY.pub"
            )
        if config.recheck_interval > 0:
            self._recheck = self.spawn(self._recheck_keys())

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as a task the server tracks, and whose error it reports."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self.report_error(getattr(task.get_coro(), "__qualname__", task.get_name()), error)

    def report_error(self, what: str, error: BaseException) -> None:
        """An error nobody expected: a line in the log, and its traceback on stderr."""
        if self.log is not None:
            self.log.write("error", what=what, error=f"{type(error).__name__}: {error}")
        traceback.print_exception(error, file=sys.stderr)

    def log_connection(self, connection: ReaderConnection) -> None:
        if self.log is None:
            return
        size = "-"
        if connection.sizes is not None:
            first, last = connection.sizes
            size = first if first == last else f"{first}->{last}"
        self.log.write(
            "connection",
            user=connection.user or "-",
            login=(connection.login or "-")[:32],
            key=connection.fingerprint,
            addr=connection.peer,
            term=connection.term,
            size=size,
            duration=f"{time.monotonic() - connection.started:.1f}s",
            outcome=str(connection.events) or "no session",
        )

    async def stop(self) -> None:
        """End every session (its child first), close every connection, stop listening."""
        self.stopping = True
        if self._recheck is not None:
            self._recheck.cancel()
        if self._acceptor is not None:
            self._acceptor.close()
        sessions = [s for c in list(self.connections) for s in c.sessions]
        for session in sessions:
            session.end("server shutdown")
        waiting = [asyncio.ensure_future(s.done.wait()) for s in sessions if s.started]
        if waiting:
            await asyncio.wait(waiting, timeout=self.config.kill_grace + 6)
        await asyncio.sleep(0.05)  # let the exit statuses and messages go out
        connections = list(self.connections)
        for connection in connections:
            connection.disconnect("briefing: the server is shutting down")
        if connections:
            await asyncio.wait(
                [asyncio.ensure_future(c.closed.wait()) for c in connections], timeout=5
            )
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=self.config.kill_grace + 6)
        if self._acceptor is not None:
            try:
                await asyncio.wait_for(self._acceptor.wait_closed(), 5)
            except TimeoutError:
                if self.log is not None:
                    self.log.write("warning", message="the listener did not close within 5 s")
        if self.log is not None:
            self.log.write("stop", listen=f"{self.config.host}:{self.port}")
            self.log.close()
            self.log = None


async def serve_until_signalled(config: ServeConfig) -> int:
    server = BriefingServer(config)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(signum)
        await server.stop()
    return 0


def run(config: ServeConfig) -> int:
    """``briefing serve``: run until SIGINT/SIGTERM/SIGHUP, then end every session."""
    return asyncio.run(serve_until_signalled(config))
