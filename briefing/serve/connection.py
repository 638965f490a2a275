"""One client connection: its authentication, its sessions, its idle timer and its log line."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Coroutine
from typing import Any

import asyncssh

from briefing.serve.policy import Events, shorten
from briefing.serve.pty_child import Size
from briefing.serve.roles import Hub
from briefing.serve.session import ReaderSession, _Channel


class ReaderConnection(asyncssh.SSHServer):
    """One client connection: authentication, its sessions, and its log line."""

    def __init__(self, server: Hub) -> None:
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
