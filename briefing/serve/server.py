"""``briefing serve``: the reader over SSH, one child process per session.

Each interactive session runs ``python -m briefing --data-dir DATA --user
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
    Login timeout, keepalives, an idle timeout (no input for N seconds ends
    the session, with a message), a cap on concurrent sessions overall and
    per user, and failed logins rate-limited per address (``max_failures``
    within ``failure_window`` seconds bans the address for ``ban_seconds``).

Log
    One line per connection in ``ssh/server.log`` and on stderr: time, user,
    key fingerprint, address, TERM, size, duration and outcome; a line per
    unexpected error, with its traceback on stderr.

What lives where
    The rules (environment, exec allowlist, limits) are in
    :mod:`briefing.serve.policy`, the child process and its pty in
    :mod:`briefing.serve.pty_child`, the keys file in :mod:`briefing.serve.keys`; this
    module is the SSH side: config, host key, log, connections and sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import signal
import stat
import sys
import time
import traceback
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

from briefing.core.paths import Paths
from briefing.serve.keys import (
    AuthorizedKeys,
    UsersError,
    check_permissions,
    keys_file,
    make_private_folder,
)
from briefing.serve.policy import (
    NO_PTY,
    Events,
    FailureLimiter,
    Refusal,
    SessionSlots,
    child_environment,
    exec_command,
    shorten,
)
from briefing.serve.pty_child import TERMINAL_RESET, Child, Size
from briefing.store.atomic import locked, write_atomic


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


# -- host key ------------------------------------------------------------


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The server's ed25519 key: made on first start (``write_atomic``: 0600), then reused."""
    make_private_folder(path.parent)
    with locked(path):
        if not path.exists():
            key = asyncssh.generate_private_key("ssh-ed25519", comment="briefing host key")
            write_atomic(path, key.export_private_key())
            return key
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ServeError(f"host key {path} is not a regular file")
    if st.st_uid != os.geteuid():
        raise ServeError(f"host key {path} belongs to another user (uid {st.st_uid})")
    if st.st_mode & 0o077:
        raise ServeError(
            f"host key {path} is accessible by group or others (mode"
            f" {stat.S_IMODE(st.st_mode):o}); refusing to start. Run: chmod 600 {path}"
        )
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError) as error:
        raise ServeError(f"cannot read host key {path}: {error}") from error


# -- log -----------------------------------------------------------------


def _field(value: object) -> str:
    text = str(value)
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", text)
    if not text:
        return "-"
    if re.search(r'[\s"=]', text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _line(event: str, fields: Mapping[str, object]) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return " ".join([stamp, event, *(f"{name}={_field(value)}" for name, value in fields.items())])


class ServerLog:
    """Lines with a UTC timestamp, appended to ``ssh/server.log`` and echoed on stderr.

    It is the audit trail, so a line is never lost without a word: when the
    file fails, that is said once on stderr and the lines go there instead;
    when stderr fails, that is said once in the file and echoing stops.
    """

    def __init__(self, path: Path, echo: bool) -> None:
        make_private_folder(path.parent)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.echo = echo
        self._file_failed = False

    def _append(self, line: str) -> None:
        """One unbuffered write per line: nothing half-written is kept to retry later."""
        os.write(self._fd, (line + "\n").encode("utf-8"))

    def write(self, event: str, **fields: object) -> None:
        line = _line(event, fields)
        try:
            self._append(line)
        except OSError as error:
            if not self._file_failed:
                self._file_failed = True
                reason = f"cannot write {self.path} ({error.strerror or error})"
                self._echo(_line("warning", {"message": f"{reason}; log lines go to stderr"}))
            self._echo(line)
            return
        if self.echo:
            self._echo(line)

    def _echo(self, line: str) -> None:
        try:
            print(line, file=sys.stderr, flush=True)
        except OSError as error:
            self.echo = False
            reason = f"cannot write to stderr ({error.strerror or error})"
            self._append(_line("warning", {"message": f"{reason}; echo stopped"}))

    def close(self) -> None:
        os.close(self._fd)


# -- SSH -----------------------------------------------------------------


class _Channel(asyncssh.SSHServerChannel):  # type: ignore[type-arg]
    """Refuse agent and X11 forwarding here, so that the refusal is logged and told.

    (The server also runs with both disabled, so if asyncssh ever renames
    these handlers, the requests are still refused, only not logged.)
    """

    def _process_x11_req_request(self, packet: Any) -> bool:
        self._briefing_refused("X11 forwarding")
        return False

    def _process_auth_agent_req_at_openssh_dot_com_request(  # type: ignore[override]
        self, packet: Any
    ) -> bool:
        self._briefing_refused("agent forwarding")
        return False

    def _briefing_refused(self, what: str) -> None:
        session = getattr(self, "_session", None)
        if isinstance(session, ReaderSession):
            session.forwarding_refused(what)


def _usable_size(size: Size) -> Size:
    cols, rows, xpixel, ypixel = size
    return (cols if cols > 0 else 80, rows if rows > 0 else 24, xpixel, ypixel)


class ReaderConnection(asyncssh.SSHServer):
    """One client connection: authentication, its sessions, and its log line."""

    def __init__(self, server: BriefingServer) -> None:
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "-"
        self.peer = "-"
        self.login: str | None = None
        self.user: str | None = None
        self.fingerprint = "-"
        self._candidate: tuple[str, str] | None = None
        self.started = time.monotonic()
        self.events = Events()
        self.term = "-"
        #: The terminal size first seen and last seen, for the log line.
        self.sizes: tuple[str, str] | None = None
        self.auth_began = False
        self.banned = False
        self.rejected = 0
        self._told = False
        self.sessions: set[ReaderSession] = set()  # channels open
        self.unfinished: set[ReaderSession] = set()  # started, child not yet ended
        self._idle: asyncio.TimerHandle | None = None
        self._login: asyncio.TimerHandle | None = None
        self.closed = asyncio.Event()

    def saw_size(self, size: Size) -> None:
        text = f"{size[0]}x{size[1]}"
        self.sizes = (self.sizes[0] if self.sizes else text, text)

    # connection
    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("-", 0)
        self.address = str(peer[0])
        self.peer = f"{peer[0]}:{peer[1]}"
        self.server.connections.add(self)
        timeout = self.server.config.login_timeout
        if timeout > 0:
            self._login = asyncio.get_running_loop().call_later(timeout, self._login_expired)

    def _login_expired(self) -> None:
        if self.user is None:
            self.events.add("refused: login timeout")
            self.disconnect(
                f"briefing: login timed out after {self.server.config.login_timeout:g} s"
            )

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self._cancel_idle()
        if self._login is not None:
            self._login.cancel()
        if self.user is None:
            if self.auth_began and not self.banned and self.server.limiter.failed(self.address):
                self.events.add(
                    f"address banned for {self.server.config.ban_seconds:g}s"
                    " after repeated failed logins"
                )
            if not self.events.any_refusal():
                if exc is not None and "timeout" in str(exc).lower():
                    what = "login timeout"
                else:
                    what = "login failed" if self.auth_began else "closed before login"
                self.events.add(f"refused: {what}", first=True)
        elif exc is not None:
            self.events.add(f"connection lost ({exc})")
        running = [session.done.wait() for session in self.unfinished]
        if running:  # log once their children have ended, with their outcomes
            self.server.spawn(self._log_after(running))
        else:
            self._log()

    async def _log_after(self, running: list[Coroutine[Any, Any, Any]]) -> None:
        try:
            await asyncio.wait_for(asyncio.gather(*running), self.server.config.kill_grace + 7)
        except TimeoutError:
            self.events.add("child still running at log time")
        finally:
            self._log()

    def _log(self) -> None:
        self.server.log_connection(self)
        self.closed.set()

    def disconnect(self, message: str) -> None:
        if self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, message)

    # authentication
    def begin_auth(self, username: str) -> bool:
        self.auth_began = True
        self.login = username
        left = self.server.limiter.banned_for(self.address)
        if left:
            self.banned = True
            message = (
                f"briefing: too many failed logins from {self.address};"
                f" try again in {math.ceil(left)} s."
            )
            self.events.add("refused: address banned")
            self._banner(message)
            raise asyncssh.PermissionDenied(message)
        return True

    def _banner(self, message: str) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):  # the client is gone: nobody to tell
                self.conn.send_auth_banner(message + "\r\n")

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        user = self.server.authorized_keys().user_for(key)
        fingerprint = key.get_fingerprint()
        if user is not None and user == username:
            self._candidate = (user, fingerprint)
            return True
        self.rejected += 1
        self.fingerprint = fingerprint  # the last key refused, for the log
        if not self._told:
            self._told = True
            name = shorten(username, 32)
            self._banner(
                f"briefing: key {fingerprint} is not authorised for {name} on this server.\r\n"
                f"Ask the operator to run: briefing users add {name} YOUR_KEY.pub"
            )
        if self.rejected >= self.server.config.max_auth_tries:
            self.events.add(f"refused: {self.rejected} keys tried")
            raise asyncssh.PermissionDenied("briefing: too many authentication attempts")
        return False

    def auth_completed(self) -> None:
        assert self._candidate is not None
        self.user, self.fingerprint = self._candidate
        if self._login is not None:
            self._login.cancel()
        self._arm_idle()

    # sessions
    def session_requested(self) -> Any:
        if self.conn is None or self.user is None:
            return False
        session = ReaderSession(self)
        chan = self.conn.create_server_channel(encoding=None)
        chan.__class__ = _Channel
        return chan, session

    def session_opened(self, session: ReaderSession) -> None:
        self.sessions.add(session)
        self._cancel_idle()

    def session_closed(self, session: ReaderSession) -> None:
        self.sessions.discard(session)
        if not self.sessions:
            self._arm_idle()

    def _arm_idle(self) -> None:
        """A connection with no session at all is ended after the idle timeout."""
        self._cancel_idle()
        timeout = self.server.config.idle_timeout
        if timeout > 0 and not self.sessions:
            self._idle = asyncio.get_running_loop().call_later(timeout, self._idle_expired)

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _idle_expired(self) -> None:
        if not self.sessions:
            self.events.add("closed: idle with no session")
            self.disconnect(
                f"briefing: closed after {self.server.config.idle_timeout:g} s without a session"
            )

    # forwarding: all refused, with a reason the client shows
    def _forward_refused(self, what: str) -> asyncssh.ChannelOpenError:
        self.events.add(f"refused: {what}")
        return asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
            "briefing: forwarding is disabled on this server",
        )

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> Any:
        raise self._forward_refused(f"port forwarding to {shorten(dest_host, 40)}:{dest_port}")

    def server_requested(self, listen_host: str, listen_port: int) -> Any:
        self.events.add(f"refused: remote forwarding {shorten(listen_host, 40)}:{listen_port}")
        return False

    def unix_connection_requested(self, dest_path: str) -> Any:
        raise self._forward_refused(f"socket forwarding to {shorten(dest_path, 40)}")

    def unix_server_requested(self, listen_path: str) -> Any:
        self.events.add(f"refused: remote socket forwarding {shorten(listen_path, 40)}")
        return False

    def tun_requested(self, unit: int | None) -> Any:
        raise self._forward_refused("tun forwarding")

    def tap_requested(self, unit: int | None) -> Any:
        raise self._forward_refused("tap forwarding")


class ReaderSession(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session channel: the reader, an allowed command, or a refusal."""

    def __init__(self, connection: ReaderConnection) -> None:
        self.connection = connection
        self.server = connection.server
        self.user = connection.user or "-"
        self.chan: asyncssh.SSHServerChannel | None = None  # type: ignore[type-arg]
        self.term_type: str | None = None  # both None without a pty
        self.size: Size | None = None
        self.kind = "shell"
        self.command = ""
        self.label = "reader"
        self.child: Child | None = None
        self.notices: list[str] = []  # for the client, once the session starts
        self.started = False
        self.closed = False
        self.end_reason: str | None = None
        self.exit_status = 1
        self.last_input = time.monotonic()
        self._idle: asyncio.TimerHandle | None = None
        self.done = asyncio.Event()

    # requests, before the session starts
    def connection_made(self, chan: Any) -> None:
        self.chan = chan
        self.connection.session_opened(self)

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Mapping[int, int]
    ) -> bool:
        self.term_type = term_type
        self.size = _usable_size(term_size)
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.size is None:
            return
        self.size = _usable_size((width, height, pixwidth, pixheight))
        self.connection.saw_size(self.size)
        if self.child is not None:
            self.child.resize(self.size)

    def shell_requested(self) -> bool:
        self.kind = "shell"
        return True

    def exec_requested(self, command: str) -> bool:
        self.kind, self.command = "exec", command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.kind, self.command = "subsystem", subsystem
        return True

    def forwarding_refused(self, what: str) -> None:
        self.connection.events.add(f"refused: {what}")
        notice = f"briefing: {what} is disabled on this server."
        if notice not in self.notices:  # the client may ask again and again
            self.notices.append(notice)
        if self.started:
            self._flush_notices()

    def session_started(self) -> None:
        self.started = True
        self.connection.unfinished.add(self)
        self._flush_notices()
        self.server.spawn(self._run())

    # while it runs
    def data_received(self, data: bytes, datatype: Any) -> None:
        self.last_input = time.monotonic()
        if self.child is not None and not self.child.write(data) and self.chan is not None:
            self.chan.pause_reading()
            self.server.spawn(self._resume_input())

    async def _resume_input(self) -> None:
        while self.child is not None and self.child.input_pending and not self.closed:
            await asyncio.sleep(0.05)
        if self.chan is not None and not self.closed:
            self.chan.resume_reading()

    def eof_received(self) -> bool:
        return True  # keep the channel half open: output still flows

    def break_received(self, msec: int) -> bool:
        return False

    def pause_writing(self) -> None:
        if self.child is not None:
            self.child.pause()

    def resume_writing(self) -> None:
        if self.child is not None:
            self.child.resume()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._cancel_idle()
        if self.child is not None:
            self.child.resume()  # nothing to wait for any more: the output is dropped
        if self.child is not None and self.child.running:
            self.end_reason = self.end_reason or "client disconnected"
            self.server.spawn(self.child.stop(self.server.config.kill_grace))
        self.connection.session_closed(self)

    # the work
    def _write(self, data: bytes, is_stderr: bool = False) -> None:
        if self.chan is None or self.closed:
            return
        with contextlib.suppress(OSError, asyncssh.Error):  # the channel closed meanwhile
            if is_stderr:
                self.chan.write_stderr(data)
            else:
                self.chan.write(data)

    def _say(self, message: str) -> None:
        newline = "\r\n" if self.term_type is not None else "\n"
        self._write((message + newline).encode("utf-8"), is_stderr=True)

    def _flush_notices(self) -> None:
        for notice in self.notices:
            self._say(notice)
        self.notices.clear()

    def _exit(self, status: int) -> None:
        if self.chan is not None and not self.closed:
            with contextlib.suppress(OSError, asyncssh.Error):  # the channel closed meanwhile
                self.chan.exit(status)

    def _finished(self) -> None:
        self.done.set()
        self.connection.unfinished.discard(self)

    def _plan(self) -> list[str]:
        if self.kind == "subsystem":
            raise Refusal(
                f"briefing: the {shorten(self.command, 30)} subsystem is not available:"
                " no file transfer (sftp, scp) on this server.",
                f"refused: subsystem {shorten(self.command, 30)}",
            )
        if self.kind == "shell":
            if self.term_type is None:
                raise Refusal(NO_PTY, "refused: shell without a pty")
            return []
        args = exec_command(self.command)
        self.label = args[0]
        return args

    async def _run(self) -> None:
        try:
            args = self._plan()
            if self.server.stopping:
                raise Refusal("briefing: the server is shutting down.", "refused: shutting down")
            refusal = self.server.slots.acquire(self.user)
            if refusal is not None:
                raise refusal
        except Refusal as refusal:
            self.connection.events.add(refusal.outcome)
            self._say(refusal.message)
            self._exit(1)
            self._finished()
            return
        started = time.monotonic()
        try:
            await self._run_child(args)
        except Exception as error:  # a bug or the system: the client must not hang on it
            await self._failed(error)
        finally:
            self.server.slots.release(self.user)
            self._cancel_idle()
            self._finished()
        self.connection.events.add(self._outcome(time.monotonic() - started))

    async def _failed(self, error: Exception) -> None:
        """Log the error, end the child if there is one, tell the client, exit 1."""
        self.end_reason = f"failed ({type(error).__name__}: {error})"
        self.server.report_error(f"{self.label} session of {self.user}", error)
        if self.child is not None:
            await self.child.stop(self.server.config.kill_grace)
            self.child.close()
        self._say("briefing: the session failed on the server; see the server log.")
        self._exit(1)

    def _outcome(self, duration: float) -> str:
        if self.end_reason:
            return f"{self.label} ended: {self.end_reason} after {duration:.1f}s"
        return f"{self.label} exit {self.exit_status} after {duration:.1f}s"

    async def _run_child(self, args: list[str]) -> None:
        config = self.server.config
        home = config.paths.user_dir(self.user)
        env = child_environment(
            self.chan.get_environment() if self.chan is not None else {}, self.term_type, home
        )
        argv = [*config.launcher, "--data-dir", str(config.data_dir), "--user", self.user, *args]
        if self.term_type is not None:
            self.connection.term = env["TERM"]
        if self.size is not None:
            self.connection.saw_size(self.size)
        self.child = Child(self._write, self.server.spawn)
        try:
            home.mkdir(parents=True, exist_ok=True)
            await self.child.start(argv, env, home, self.size)
        except OSError as error:
            self.end_reason = f"could not start ({error})"
            self._say("briefing: the reader could not be started; see the server log.")
            self._exit(1)
            return
        if self.closed or self.server.stopping:  # it ended while the child was starting
            self.end_reason = "client disconnected" if self.closed else "server shutdown"
            await self.child.stop(config.kill_grace)
        if self.term_type is not None and not args:
            self._arm_idle()
        self.exit_status = await self.child.wait()
        if self.end_reason and not self.closed:
            if self.term_type is not None:
                self._write(TERMINAL_RESET)
            self._say(f"briefing: {self._end_message()}")
            self.exit_status = 1  # ended by the server, whatever the child said
        self._exit(self.exit_status)

    def _end_message(self) -> str:
        if self.end_reason == "idle timeout":
            return f"session closed after {self.server.config.idle_timeout:g} s without input."
        if self.end_reason == "server shutdown":
            return "the server is shutting down; session closed."
        return f"session closed ({self.end_reason})."

    def end(self, reason: str) -> None:
        """End the session from the server's side (idle, shutdown); the client is told."""
        if self.child is not None and self.child.running:
            self.end_reason = self.end_reason or reason
            self.server.spawn(self.child.stop(self.server.config.kill_grace))
        elif not self.started and self.chan is not None:
            self._exit(1)

    # idle timeout
    def _arm_idle(self) -> None:
        timeout = self.server.config.idle_timeout
        if timeout > 0:
            left = self.last_input + timeout - time.monotonic()
            self._idle = asyncio.get_running_loop().call_later(max(left, 0.0), self._idle_check)

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _idle_check(self) -> None:
        self._idle = None
        if self.closed or self.child is None or not self.child.running:
            return
        if time.monotonic() - self.last_input >= self.server.config.idle_timeout:
            self.end("idle timeout")
        else:
            self._arm_idle()


def _keys_signature(path: Path) -> tuple[int, ...] | None:
    """Changes whenever the keys file is rewritten, chmod-ed or chown-ed, or its folder is."""
    try:
        st, folder = path.stat(), path.parent.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, folder.st_mode, folder.st_uid)


class BriefingServer:
    """The listener and everything it tracks. :meth:`start`, then :meth:`stop`."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.limiter = FailureLimiter(
            config.max_failures, config.failure_window, config.ban_seconds
        )
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

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint() if self.host_key else "-"

    def authorized_keys(self) -> AuthorizedKeys:
        """The keys file as it is now: re-read whenever it (or its folder) changed."""
        path = self.config.keys_file
        signature = _keys_signature(path)
        if signature == self._keys_signature:
            return self._keys
        self._keys_signature = signature
        problem = check_permissions(path)
        if problem:
            self._keys = AuthorizedKeys()
            if problem != self._keys_problem and self.log:
                self.log.write("warning", message=f"no logins: {problem}")
            self._keys_problem = problem
            return self._keys
        self._keys_problem = None
        try:
            self._keys = AuthorizedKeys.load(path)
        except UsersError as error:
            self._keys = AuthorizedKeys()
            if self.log:
                self.log.write("warning", message=str(error))
            return self._keys
        if self.log:
            for entry in self._keys.ignored():
                self.log.write(
                    "warning", message=f"{path.name} line {entry.line_number}: {entry.problem}"
                )
        return self._keys

    async def start(self) -> None:
        config = self.config
        problem = check_permissions(config.keys_file)
        if problem:
            raise ServeError(problem)
        self.host_key = load_or_create_host_key(config.paths.host_key)
        self.log = ServerLog(config.paths.server_log, config.echo)
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
