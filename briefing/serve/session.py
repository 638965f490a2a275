"""One SSH session channel: the reader, an allowed command, or a refusal.

The session collects the client's requests (pty, environment, shell, exec,
subsystem), decides with :mod:`briefing.serve.policy` whether to serve them,
runs the child (:mod:`briefing.serve.pty_child`) and ends it: when the client
goes, on the idle timeout, or when the server ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any

import asyncssh

from briefing.serve.policy import (
    MAX_COMMAND_BYTES,
    NO_PTY,
    Refusal,
    child_environment,
    clamp_size,
    env_request_allowed,
    exec_command,
    shorten,
)
from briefing.serve.pty_child import TERMINAL_RESET, Child, Size
from briefing.serve.roles import Owner


class _Channel(asyncssh.SSHServerChannel):  # type: ignore[type-arg]
    """Refuse agent and X11 forwarding here, so that the refusal is logged and told;
    keep only allowlisted, short environment requests.

    (The server also runs with forwarding disabled, so if asyncssh ever renames
    these handlers, the requests are still refused, only not logged.)
    """

    def _process_env_request(self, packet: Any) -> bool:
        name = packet.get_string()
        value = packet.get_string()
        packet.check_end()
        if not env_request_allowed(name, value):
            session = getattr(self, "_session", None)
            if isinstance(session, ReaderSession):
                session.connection.events.add("refused: environment request")
            return False
        self._env[name] = value
        return True

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


def _usable_size(size: Size) -> tuple[Size, bool]:
    """The size the child gets (see :func:`clamp_size`), and whether it was clamped."""
    cols, rows, xpixel, ypixel = size
    usable = clamp_size(cols, rows)
    clamped = usable != (cols if cols > 0 else 80, rows if rows > 0 else 24)
    return (*usable, min(max(xpixel, 0), 65535), min(max(ypixel, 0), 65535)), clamped


class ReaderSession(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session channel: the reader, an allowed command, or a refusal."""

    def __init__(self, connection: Owner) -> None:
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
        if not self.connection.pty_allowed:
            self.connection.events.add("refused: pty (the key is restricted)")
            notice = "briefing: this key may not open a terminal (restrict/no-pty)."
            if notice not in self.notices:
                self.notices.append(notice)
            return False
        self.term_type = term_type[:64]  # clean_term() judges it before the child sees it
        self.size = self._clamped(term_size)
        return True

    def _clamped(self, size: Size) -> Size:
        usable, clamped = _usable_size(size)
        if clamped:
            self.connection.events.add(
                f"pty size clamped from {size[0]}x{size[1]} to {usable[0]}x{usable[1]}"
            )
        return usable

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        if self.size is None:
            return
        self.size = self._clamped((width, height, pixwidth, pixheight))
        self.connection.saw_size(self.size)
        if self.child is not None:
            self.child.resize(self.size)

    def shell_requested(self) -> bool:
        self.kind = "shell"
        return True

    def exec_requested(self, command: str) -> bool:
        # A long command is not kept, let alone parsed: it is refused when the session starts.
        self.kind, self.command = "exec", command
        size = len(command.encode("utf-8", "surrogatepass"))  # linear, unlike parsing
        if size > MAX_COMMAND_BYTES:
            self.kind, self.command = "too long", str(size)
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
        self.connection.session_started(self)
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
        """What to run, or :class:`Refusal`. Runs in a worker thread: it parses client text."""
        if self.kind == "too long":
            raise Refusal(
                f"briefing: the command is too long ({self.command} bytes; at most"
                f" {MAX_COMMAND_BYTES}).",
                f"refused: exec of {self.command} bytes",
            )
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
            args = await asyncio.to_thread(self._plan)
            if self.server.stopping:
                raise Refusal("briefing: the server is shutting down.", "refused: shutting down")
            keys = await self.server.current_keys()
            if not self.connection.still_authorised(keys):
                raise Refusal(
                    "briefing: your key is no longer authorised on this server.",
                    "refused: key revoked",
                )
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
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
            home.chmod(0o700)  # the user's notes: nobody else's to read, even if made earlier
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
        if self.end_reason == "key revoked":
            return "session closed: your key is no longer authorised on this server."
        if self.end_reason == "time limit":
            limit = self.server.config.max_session_time
            return f"session closed after the maximum session time ({limit:g} s)."
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
