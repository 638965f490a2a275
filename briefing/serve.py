"""``briefing serve``: the reader over SSH, one child process per session.

Each interactive session runs ``python -m briefing --data-dir DATA --user
USER`` on a pseudo-terminal of its own: Textual owns its process's stdin and
SIGWINCH, so one app per process. The server only moves bytes between the
SSH channel and the pty, sizes the pty (``TIOCSWINSZ``, then ``SIGWINCH``)
and ends the child when the session ends.

Who gets in
    Public keys only. ``ssh/authorized_keys`` in the data dir (see
    :mod:`briefing.users`) maps each key to a user name; the login name must
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
    key fingerprint, address, TERM, size, duration and outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import json
import math
import os
import re
import shlex
import shutil
import signal
import stat
import struct
import sys
import termios
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
from filelock import FileLock

from briefing.atomic import write_atomic
from briefing.paths import Paths
from briefing.users import AuthorizedKeys, UsersError, check_permissions

EXEC_COMMANDS = "export [SLUG], list, search QUERY"
NO_PTY = (
    "briefing: the reader needs a terminal: connect with 'ssh -t', or run one of: " + EXEC_COMMANDS
)
#: What a terminal needs to be itself again after its program was killed:
#: main screen, cursor, no mouse reporting, no bracketed paste, no focus
#: events, default keyboard protocol, default colours.
TERMINAL_RESET = (
    b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
    b"\x1b[?2004l\x1b[?1004l\x1b[<u\x1b[0m"
)
READ_CHUNK = 65536
MAX_PENDING_INPUT = 1 << 20


class ServeError(Exception):
    """The server cannot start; ``str()`` says why and what to do."""


@dataclass
class ServeConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 2222
    authorized_keys: Path | None = None
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
        return self.authorized_keys or self.paths.authorized_keys


# -- host key ------------------------------------------------------------


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The server's ed25519 key: made on first start (mode 0600), then reused."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with FileLock(str(path.with_name(path.name + ".lock")), timeout=15):
        if not path.exists():
            key = asyncssh.generate_private_key("ssh-ed25519", comment="briefing host key")
            write_atomic(path, key.export_private_key())  # mkstemp: 0600 from the start
            os.chmod(path, 0o600)
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


# -- the child's environment and command --------------------------------

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


class Refusal(Exception):
    """A request the server will not serve: ``message`` for the client, ``outcome`` for the log."""

    def __init__(self, message: str, outcome: str) -> None:
        super().__init__(message)
        self.message = message
        self.outcome = outcome


def cli_has_command(name: str) -> bool:
    """Whether ``briefing NAME`` exists (``search`` is being added separately)."""
    import argparse

    from briefing.cli import build_parser

    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return name in action.choices
    return False


def exec_command(command: str, *, search_available: bool = True) -> list[str]:
    """The briefing arguments for an allowed exec request, or :class:`Refusal`.

    Only ``export [SLUG]``, ``list`` and ``search QUERY``; no options at all,
    since some (``export -o FILE``) would act on the server's files.
    """
    shown = _short(command)
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
        if not search_available:
            raise Refusal(
                "briefing: search is not available on this server yet.",
                f"refused: exec {shown} (no search command)",
            )
        return ["search", " ".join(rest)]
    raise Refusal(
        f"briefing: {shown} is not available over SSH. Commands: {EXEC_COMMANDS};"
        " or connect with a terminal to read.",
        f"refused: exec {shown}",
    )


def _short(text: str, limit: int = 60) -> str:
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


def _field(value: object) -> str:
    text = str(value)
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", "?", text)
    if not text:
        return "-"
    if re.search(r'[\s"=]', text):
        return json.dumps(text, ensure_ascii=False)
    return text


class ServerLog:
    """Lines with a UTC timestamp, appended to ``ssh/server.log`` and echoed on stderr."""

    def __init__(self, path: Path, echo: bool) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._file = os.fdopen(fd, "a", encoding="utf-8", buffering=1)
        self.echo = echo

    def write(self, event: str, **fields: object) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        parts = [stamp, event, *(f"{name}={_field(value)}" for name, value in fields.items())]
        line = " ".join(parts)
        with contextlib.suppress(OSError, ValueError):
            self._file.write(line + "\n")
        if self.echo:
            with contextlib.suppress(OSError, ValueError):
                print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        self._file.close()


# -- the child process ---------------------------------------------------


def _take_terminal() -> None:  # pragma: no cover - runs in the child, before exec
    """Make the pty (already on fd 0, after setsid) the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _clamp(value: int, low: int) -> int:
    return max(low, min(int(value), 65535))


def _winsize(size: tuple[int, int, int, int]) -> bytes:
    """``struct winsize`` for TIOCSWINSZ: rows, columns, then pixels."""
    cols, rows, xpixel, ypixel = size
    return struct.pack(
        "HHHH", _clamp(rows, 1), _clamp(cols, 1), _clamp(xpixel, 0), _clamp(ypixel, 0)
    )


class Child:
    """One child process, on a pty of its own or on pipes.

    ``on_output(data, is_stderr)`` receives what it prints; :meth:`pause` and
    :meth:`resume` follow the SSH channel's flow control.
    """

    def __init__(self, on_output: Callable[[bytes, bool], None]) -> None:
        self.on_output = on_output
        self.proc: asyncio.subprocess.Process | None = None
        self.master: int | None = None
        self._loop = asyncio.get_running_loop()
        self._output_done = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._reading = False
        self._pending = bytearray()
        self._pipes: list[asyncio.Task[None]] = []

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: Path,
        size: tuple[int, int, int, int] | None,
    ) -> None:
        if size is None:
            self.proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
            assert self.proc.stdout is not None and self.proc.stderr is not None
            self._pipes = [
                asyncio.ensure_future(self._pump(self.proc.stdout, False)),
                asyncio.ensure_future(self._pump(self.proc.stderr, True)),
            ]
            self._pipes.append(asyncio.ensure_future(self._pipes_done()))
            return
        master, slave = os.openpty()
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, _winsize(size))
            self.proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_take_terminal,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        self.resume()

    async def _pump(self, stream: asyncio.StreamReader, is_stderr: bool) -> None:
        while data := await stream.read(READ_CHUNK):
            await self._writable.wait()
            self.on_output(data, is_stderr)

    async def _pipes_done(self) -> None:
        await asyncio.gather(*self._pipes[:2], return_exceptions=True)
        self._output_done.set()

    # pty side
    def _readable(self) -> None:
        assert self.master is not None
        try:
            data = os.read(self.master, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError as error:  # EIO: every slave fd is closed, the child is gone
            if error.errno not in (errno.EIO, errno.EBADF):
                raise
            data = b""
        if data:
            self.on_output(data, False)
        else:
            self._stop_reading()
            self._output_done.set()

    def _stop_reading(self) -> None:
        if self._reading and self.master is not None:
            self._loop.remove_reader(self.master)
        self._reading = False

    def pause(self) -> None:
        self._writable.clear()
        self._stop_reading()

    def resume(self) -> None:
        self._writable.set()
        if self.master is not None and not self._reading and not self._output_done.is_set():
            self._loop.add_reader(self.master, self._readable)
            self._reading = True

    def write(self, data: bytes) -> bool:
        """Send input to the pty; ``False`` if too much is already waiting."""
        if self.master is None or self._output_done.is_set():
            return True
        if not self._pending:
            try:
                written = os.write(self.master, data)
            except BlockingIOError:
                written = 0
            except OSError:
                return True
            data = data[written:]
            if not data:
                return True
            self._loop.add_writer(self.master, self._flush)
        self._pending += data
        return len(self._pending) < MAX_PENDING_INPUT

    def _flush(self) -> None:
        assert self.master is not None
        try:
            written = os.write(self.master, self._pending)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            self._loop.remove_writer(self.master)

    def resize(self, size: tuple[int, int, int, int]) -> None:
        if self.master is None or not self.running:
            return
        with contextlib.suppress(OSError):
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, _winsize(size))
        self.signal(signal.SIGWINCH, group=False)

    def signal(self, signum: int, *, group: bool = True) -> None:
        if not self.running or self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(self.proc.pid, signum)  # its own session: pgid == pid
            else:
                os.kill(self.proc.pid, signum)

    async def wait(self) -> int:
        """The exit status, once the child has exited and its output is delivered."""
        assert self.proc is not None
        code = await self.proc.wait()
        # Deliver what it printed last (a reader's terminal restore, the end of
        # an export), waiting for a slow client, but not for a grandchild that
        # keeps the pty or a pipe open: a second with no output and no
        # backpressure ends the wait.
        deadline = self._loop.time() + 30
        while not self._output_done.is_set():
            try:
                await asyncio.wait_for(self._output_done.wait(), 1.0)
            except TimeoutError:
                if self._writable.is_set() or self._loop.time() > deadline:
                    break
        self.close()
        return code if code >= 0 else 128 - code

    async def stop(self, grace: float) -> None:
        """SIGHUP and SIGTERM, then SIGKILL if it is still there after ``grace`` seconds."""
        if not self.running or self.proc is None:
            return
        self.signal(signal.SIGHUP)
        self.signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(self.proc.wait()), grace)
        except TimeoutError:
            self.signal(signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.proc.wait()), 5.0)

    def close(self) -> None:
        self._stop_reading()
        for task in self._pipes:
            task.cancel()
        if self.master is not None:
            if self._pending:
                self._loop.remove_writer(self.master)
                self._pending.clear()
            os.close(self.master)
            self.master = None
        self._output_done.set()


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
        self.events: list[str] = []
        self.term = "-"
        self.sizes: list[str] = []
        self.auth_began = False
        self.banned = False
        self.rejected = 0
        self._told = False
        self.sessions: set[ReaderSession] = set()
        self.all_sessions: list[ReaderSession] = []
        self._idle: asyncio.TimerHandle | None = None
        self._login: asyncio.TimerHandle | None = None
        self.closed = asyncio.Event()

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
            self.events.append("refused: login timeout")
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
                self.events.append(
                    f"address banned for {self.server.config.ban_seconds:g}s"
                    " after repeated failed logins"
                )
            if not any(event.startswith("refused") for event in self.events):
                if exc is not None and "timeout" in str(exc).lower():
                    what = "login timeout"
                else:
                    what = "login failed" if self.auth_began else "closed before login"
                self.events.insert(0, f"refused: {what}")
        elif exc is not None:
            self.events.append(f"connection lost ({exc})")
        running = [s.done.wait() for s in self.all_sessions if s.started and not s.done.is_set()]
        if running:  # log once their children have ended, with their outcomes
            self.server.spawn(self._log_after(running))
        else:
            self._log()

    async def _log_after(self, running: list[Coroutine[Any, Any, Any]]) -> None:
        try:
            await asyncio.wait_for(asyncio.gather(*running), self.server.config.kill_grace + 7)
        except TimeoutError:
            self.events.append("child still running at log time")
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
            self.events.append("refused: address banned")
            self._banner(message)
            raise asyncssh.PermissionDenied(message)
        return True

    def _banner(self, message: str) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
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
            name = _short(username, 32)
            self._banner(
                f"briefing: key {fingerprint} is not authorised for {name} on this server.\r\n"
                f"Ask the operator to run: briefing users add {name} YOUR_KEY.pub"
            )
        if self.rejected >= self.server.config.max_auth_tries:
            self.events.append(f"refused: {self.rejected} keys tried")
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
        self.all_sessions.append(session)
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
            self.events.append("closed: idle with no session")
            self.disconnect(
                f"briefing: closed after {self.server.config.idle_timeout:g} s without a session"
            )

    # forwarding: all refused, with a reason the client shows
    def _forward_refused(self, what: str) -> asyncssh.ChannelOpenError:
        self.events.append(f"refused: {what}")
        return asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
            "briefing: forwarding is disabled on this server",
        )

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> Any:
        raise self._forward_refused(f"port forwarding to {_short(dest_host, 40)}:{dest_port}")

    def server_requested(self, listen_host: str, listen_port: int) -> Any:
        self.events.append(f"refused: remote forwarding {_short(listen_host, 40)}:{listen_port}")
        return False

    def unix_connection_requested(self, dest_path: str) -> Any:
        raise self._forward_refused(f"socket forwarding to {_short(dest_path, 40)}")

    def unix_server_requested(self, listen_path: str) -> Any:
        self.events.append(f"refused: remote socket forwarding {_short(listen_path, 40)}")
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
        self.term_type: str | None = None
        self.size: tuple[int, int, int, int] | None = None
        self.kind = "shell"
        self.command = ""
        self.label = "reader"
        self.child: Child | None = None
        self.notices: list[str] = []
        self.started = False
        self.closed = False
        self.slot = False
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
        if self.term_type is None:
            return
        self.size = _usable_size((width, height, pixwidth, pixheight))
        self.connection.sizes.append(_size_text(self.size))
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
        self.connection.events.append(f"refused: {what}")
        self.notices.append(f"briefing: {what} is disabled on this server.")
        if self.started:
            self._flush_notices()

    def session_started(self) -> None:
        self.started = True
        self._flush_notices()
        self.server.spawn(self._run())

    # while it runs
    def data_received(self, data: bytes, datatype: Any) -> None:
        self.last_input = time.monotonic()
        if self.child is not None and not self.child.write(data) and self.chan is not None:
            self.chan.pause_reading()
            self.server.spawn(self._resume_input())

    async def _resume_input(self) -> None:
        while self.child is not None and self.child._pending and not self.closed:
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
        with contextlib.suppress(OSError, asyncssh.Error):
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
            with contextlib.suppress(OSError, asyncssh.Error):
                self.chan.exit(status)

    def _plan(self) -> list[str]:
        if self.kind == "subsystem":
            raise Refusal(
                f"briefing: the {_short(self.command, 30)} subsystem is not available:"
                " no file transfer (sftp, scp) on this server.",
                f"refused: subsystem {_short(self.command, 30)}",
            )
        if self.kind == "shell":
            if self.term_type is None:
                raise Refusal(NO_PTY, "refused: shell without a pty")
            return []
        args = exec_command(self.command, search_available=self.server.search_available)
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
            self.connection.events.append(refusal.outcome)
            self._say(refusal.message)
            self._exit(1)
            self.done.set()
            return
        self.slot = True
        started = time.monotonic()
        try:
            await self._run_child(args)
        finally:
            self.server.slots.release(self.user)
            self.slot = False
            self._cancel_idle()
            self.done.set()
        duration = time.monotonic() - started
        self.connection.events.append(self._outcome(duration))

    def _outcome(self, duration: float) -> str:
        if self.end_reason:
            return f"{self.label} ended: {self.end_reason} after {duration:.1f}s"
        return f"{self.label} exit {self.exit_status} after {duration:.1f}s"

    async def _run_child(self, args: list[str]) -> None:
        config = self.server.config
        home = config.paths.user_dir(self.user)
        home.mkdir(parents=True, exist_ok=True)
        env = child_environment(
            self.chan.get_environment() if self.chan is not None else {}, self.term_type, home
        )
        argv = [*config.launcher, "--data-dir", str(config.data_dir), "--user", self.user, *args]
        if self.term_type is not None:
            self.connection.term = env["TERM"]
            self.connection.sizes.append(_size_text(self.size or (80, 24, 0, 0)))
        self.child = Child(self._write)
        try:
            await self.child.start(
                argv, env, home, (self.size or (80, 24, 0, 0)) if self.term_type else None
            )
        except OSError as error:
            self.end_reason = f"could not start ({error.strerror or error})"
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


def _usable_size(size: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    cols, rows, xpixel, ypixel = size
    return (cols if cols > 0 else 80, rows if rows > 0 else 24, xpixel, ypixel)


def _size_text(size: tuple[int, int, int, int]) -> str:
    return f"{size[0]}x{size[1]}"


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
        self.search_available = False
        self.host_key: asyncssh.SSHKey | None = None
        self.port = 0
        self.log: ServerLog | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._keys = AuthorizedKeys()
        self._keys_signature: tuple[int, int, int] | None = None
        self._keys_problem: str | None = None

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint() if self.host_key else "-"

    def authorized_keys(self) -> AuthorizedKeys:
        """The keys file as it is now: re-read whenever it changed."""
        path = self.config.keys_file
        try:
            st = path.stat()
            signature: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            signature = None
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
        self.search_available = cli_has_command("search")
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
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def log_connection(self, connection: ReaderConnection) -> None:
        if self.log is None:
            return
        sizes = connection.sizes
        size = "-" if not sizes else sizes[0]
        if sizes and sizes[-1] != sizes[0]:
            size = f"{sizes[0]}->{sizes[-1]}"
        self.log.write(
            "connection",
            user=connection.user or "-",
            login=(connection.login or "-")[:32],
            key=connection.fingerprint,
            addr=connection.peer,
            term=connection.term,
            size=size,
            duration=f"{time.monotonic() - connection.started:.1f}s",
            outcome="; ".join(connection.events) or "no session",
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
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._acceptor.wait_closed(), 5)
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
