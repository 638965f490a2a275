"""One client connection: its admission, authentication, sessions, timers and log line.

Before key exchange the server may drop it (a banned address, too many new
or unauthenticated connections: see :meth:`BriefingServer.admit`). After
login it lives while it has a started session, or until the idle timeout
with none (a channel opened but never started counts as none), the
maximum session time, or the revocation of its key.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Coroutine
from typing import Any

import asyncssh

from briefing.core.rules import counted
from briefing.serve.crypto import key_problem, signature_algorithm, signature_allowed
from briefing.serve.keys import AuthorizedKeys
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
        self.key_data: bytes | None = None  # the public key that logged in
        self.pty_allowed = True  # False for a ``restrict``/``no-pty`` key
        self._candidate: tuple[str, str, bytes, bool] | None = None
        self.started = time.monotonic()
        self.events = Events()
        self.term = "-"
        #: The terminal size first seen and last seen, for the log line.
        self.sizes: tuple[str, str] | None = None
        self.auth_began = False
        self.dropped = False  # before key exchange
        self.banned = False
        self.ending = False
        self.rejected = 0
        self._told = False
        self.sessions: set[ReaderSession] = set()  # channels open
        self.unfinished: set[ReaderSession] = set()  # started, child not yet ended
        self._idle: asyncio.TimerHandle | None = None
        self._login: asyncio.TimerHandle | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._weak_told = False
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
        reason = self.server.admit(self)
        if reason is not None:
            # Before asyncssh sends its version: no key exchange, nothing to compute.
            self.dropped = True
            self.events.add(f"dropped before key exchange: {reason}")
            conn.abort()
            return
        self._check_signatures(conn)
        timeout = self.server.config.login_timeout
        if timeout > 0:
            self._login = asyncio.get_running_loop().call_later(timeout, self._login_expired)

    def _login_expired(self) -> None:
        if self.user is None:
            self.events.add("refused: login timeout")
            self.disconnect(
                f"briefing: login timed out after {self.server.config.login_timeout:g} s"
            )

    def _check_signatures(self, conn: asyncssh.SSHServerConnection) -> None:
        """Refuse SHA-1 (``ssh-rsa``) and other unlisted login signatures.

        asyncssh's ``signature_algs`` only sets what the server advertises; it
        verifies any signature the key type can make. So the connection's
        check is wrapped: the signature blob names its algorithm first.
        """
        original = conn.validate_public_key

        async def checked(username: str, key_data: bytes, msg: bytes, signature: bytes) -> bool:
            if msg and not signature_allowed(signature):
                algorithm = shorten(signature_algorithm(signature), 40)
                self.events.add(f"refused: {algorithm} signature")
                if not self._weak_told:
                    self._weak_told = True
                    self._banner(
                        f"briefing: {algorithm} signatures (SHA-1) are not accepted;"
                        " use rsa-sha2-256/512 (OpenSSH 7.2 or later) or an ed25519 key."
                    )
                return False
            return await original(username, key_data, msg, signature)

        setattr(conn, "validate_public_key", checked)  # noqa: B010 - an instance override

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.server.forget(self)
        self._cancel_idle()
        for timer in (self._login, self._deadline):
            if timer is not None:
                timer.cancel()
        if self.dropped:
            self._log()
            return
        if self.user is None:
            if self.auth_began and not self.banned:
                self._count_failure()
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

    def _count_failure(self) -> None:
        config = self.server.config
        if self.server.limiter.failed((self.address, self.login or "")):
            self.events.add(
                f"{self.address} banned for {shorten(self.login or '', 32)}"
                f" for {config.ban_seconds:g}s after repeated failed logins"
            )
        if self.server.address_limiter.failed(self.address):
            self.events.add(
                f"address banned for {config.ban_seconds:g}s after failed logins as many users"
            )

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
        left = self.server.limiter.banned_for((self.address, username))
        if left:
            self.banned = True
            message = (
                f"briefing: too many failed logins as {shorten(username, 32)} from"
                f" {self.address}; try again in {math.ceil(left)} s."
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

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        entry = (await self.server.current_keys()).entry_for(key)
        fingerprint = key.get_fingerprint()
        if entry is not None and entry.user == username:
            self._candidate = (entry.user, fingerprint, key.public_data, entry.pty)
            return True
        self.rejected += 1
        self.fingerprint = fingerprint  # the last key refused, for the log
        if not self._told:
            self._told = True
            name = shorten(username, 32)
            weak = key_problem(key)
            self._banner(
                f"briefing: {weak}."
                if weak
                else f"briefing: key {fingerprint} is not authorised for {name} on this server.\r\n"
                f"Ask the operator to run: briefing users add {name} YOUR_KEY.pub"
            )
        if self.rejected >= self.server.config.max_auth_tries:
            self.events.add(f"refused: {counted(self.rejected, 'key')} tried")
            raise asyncssh.PermissionDenied("briefing: too many authentication attempts")
        return False

    def auth_completed(self) -> None:
        assert self._candidate is not None
        self.user, self.fingerprint, self.key_data, self.pty_allowed = self._candidate
        self.server.logged_in(self)
        if self._login is not None:
            self._login.cancel()
        self._arm_idle()
        limit = self.server.config.max_session_time
        if limit > 0:
            self._deadline = asyncio.get_running_loop().call_later(limit, self._time_up)

    def still_authorised(self, keys: AuthorizedKeys) -> bool:
        """Whether the key that logged in still grants this user, as the keys file is now."""
        if self.user is None or self.key_data is None:
            return True  # not logged in: nothing granted yet
        entry = keys.entry_for_data(self.key_data)
        return entry is not None and entry.user == self.user

    def _time_up(self) -> None:
        self.end_all("time limit")

    def end_all(self, reason: str) -> None:
        """End every session (told why), then the connection: revocation, time limit."""
        if self.ending:
            return
        self.ending = True
        self.events.add(f"ended: {reason}")
        for session in list(self.sessions):
            session.end(reason)
        self.server.spawn(self._disconnect_when_done(reason))

    async def _disconnect_when_done(self, reason: str) -> None:
        running = [asyncio.ensure_future(s.done.wait()) for s in self.unfinished]
        if running:
            await asyncio.wait(running, timeout=self.server.config.kill_grace + 6)
        await asyncio.sleep(0.05)  # let the exit statuses and messages go out
        if reason == "key revoked":
            self.disconnect("briefing: your key is no longer authorised on this server")
        else:
            self.disconnect("briefing: the maximum session time is over")

    # sessions
    def session_requested(self) -> Any:
        if self.conn is None or self.user is None or self.ending:
            return False
        if len(self.sessions) >= self.server.config.max_channels:
            self.events.add("refused: too many channels")
            raise asyncssh.ChannelOpenError(
                asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                f"briefing: at most {counted(self.server.config.max_channels, 'session')}"
                " on one connection",
            )
        session = ReaderSession(self)
        self.sessions.add(session)  # counted now: several opens may be in flight at once
        chan = self.conn.create_server_channel(encoding=None)
        chan.__class__ = _Channel
        return chan, session

    def session_opened(self, session: ReaderSession) -> None:
        self.sessions.add(session)

    def session_started(self, session: ReaderSession) -> None:
        self._cancel_idle()

    def session_closed(self, session: ReaderSession) -> None:
        self.sessions.discard(session)
        if self._idle is None:  # closing an unstarted channel must not restart the clock
            self._arm_idle()

    def _busy(self) -> bool:
        return any(session.started for session in self.sessions)

    def _arm_idle(self) -> None:
        """A connection with no started session is ended after the idle timeout.

        A channel opened but never started (no shell, exec or subsystem)
        does not count: it runs nothing and would hold the connection forever.
        """
        self._cancel_idle()
        timeout = self.server.config.idle_timeout
        if timeout > 0 and not self._busy():
            self._idle = asyncio.get_running_loop().call_later(timeout, self._idle_expired)

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _idle_expired(self) -> None:
        self._idle = None
        if not self._busy():
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
