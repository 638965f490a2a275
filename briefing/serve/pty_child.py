"""One session's child process, on a pseudo-terminal of its own or on pipes.

Textual owns its process's stdin and SIGWINCH, so every reader runs in a
process of its own; this module is the server's side of that process: it
moves bytes, follows the SSH channel's flow control, sizes the pty and ends
the process (and its process group) when the session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

#: What a terminal needs to be itself again after its program was killed:
#: main screen, cursor, no mouse reporting, no bracketed paste, no focus
#: events, default keyboard protocol, default colours.
TERMINAL_RESET = (
    b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
    b"\x1b[?2004l\x1b[?1004l\x1b[<u\x1b[0m"
)
READ_CHUNK = 65536
MAX_PENDING_INPUT = 1 << 20

Size = tuple[int, int, int, int]  # columns, rows, pixel width, pixel height, as SSH sends it


def _take_terminal() -> None:  # pragma: no cover - runs in the child, before exec
    """Make the pty (already on fd 0, after setsid) the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _clamp(value: int, low: int) -> int:
    return max(low, min(int(value), 65535))


def _winsize(size: Size) -> bytes:
    """``struct winsize`` for TIOCSWINSZ: rows, columns, then pixels."""
    cols, rows, xpixel, ypixel = size
    return struct.pack(
        "HHHH", _clamp(rows, 1), _clamp(cols, 1), _clamp(xpixel, 0), _clamp(ypixel, 0)
    )


def _open_pty(size: Size) -> tuple[int, int]:
    """A new pty, (master, slave), already of the client's size."""
    master, slave = os.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, _winsize(size))
    except OSError:
        os.close(master)
        os.close(slave)
        raise
    return master, slave


class Child:
    """One child process, on a pty of its own or on pipes.

    ``on_output(data, is_stderr)`` receives what it prints; :meth:`pause` and
    :meth:`resume` follow the SSH channel's flow control. ``spawn`` runs the
    task that reads the pipes, so that an error there reaches the server's log.
    """

    def __init__(
        self,
        on_output: Callable[[bytes, bool], None],
        spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
    ) -> None:
        self.on_output = on_output
        self._spawn = spawn
        self.proc: asyncio.subprocess.Process | None = None
        self.master: int | None = None
        self._loop = asyncio.get_running_loop()
        self._output_done = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._reading = False
        self._pending = bytearray()
        self._pipes: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    @property
    def input_pending(self) -> bool:
        """Input the pty has not taken yet (the client's reading is paused meanwhile)."""
        return bool(self._pending)

    async def start(
        self, argv: list[str], env: dict[str, str], cwd: Path, size: Size | None
    ) -> None:
        """Start ``argv`` on a new pty of ``size``; with no size, on pipes, stdin empty."""
        pty = _open_pty(size) if size is not None else None
        if pty is None:
            stdio: dict[str, Any] = {
                "stdin": asyncio.subprocess.DEVNULL,
                "stdout": asyncio.subprocess.PIPE,
                "stderr": asyncio.subprocess.PIPE,
            }
        else:
            stdio = {
                "stdin": pty[1],
                "stdout": pty[1],
                "stderr": pty[1],
                "preexec_fn": _take_terminal,
            }
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *argv, env=env, cwd=cwd, start_new_session=True, **stdio
            )
        except BaseException:
            if pty is not None:
                os.close(pty[0])
            raise
        finally:
            if pty is not None:
                os.close(pty[1])
        if pty is None:
            assert self.proc.stdout is not None and self.proc.stderr is not None
            self._pipes = self._spawn(self._pump_pipes(self.proc.stdout, self.proc.stderr))
            return
        os.set_blocking(pty[0], False)
        self.master = pty[0]
        self.resume()

    # pipe side
    async def _pump_pipes(self, stdout: asyncio.StreamReader, stderr: asyncio.StreamReader) -> None:
        """Both pipes to the client until both end; an error in one ends both."""
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._pump(stdout, False))
                group.create_task(self._pump(stderr, True))
        finally:
            self._output_done.set()

    async def _pump(self, stream: asyncio.StreamReader, is_stderr: bool) -> None:
        while data := await stream.read(READ_CHUNK):
            await self._writable.wait()
            self.on_output(data, is_stderr)

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
            except OSError:  # the child is gone: its input goes nowhere
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
        except OSError:  # the child is gone: drop what it will never read
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            self._loop.remove_writer(self.master)

    def resize(self, size: Size) -> None:
        if self.master is None or not self.running:
            return
        with contextlib.suppress(OSError):  # the pty is going away with the child
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, _winsize(size))
        self.signal(signal.SIGWINCH, group=False)

    def signal(self, signum: int, *, group: bool = True) -> None:
        if not self.running or self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):  # exited meanwhile
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
            # SIGKILL cannot be refused: the wait ends as soon as the kernel reaps it.
            await asyncio.shield(self.proc.wait())

    def close(self) -> None:
        self._stop_reading()
        if self._pipes is not None:
            self._pipes.cancel()
        if self.master is not None:
            if self._pending:
                self._loop.remove_writer(self.master)
                self._pending.clear()
            os.close(self.master)
            self.master = None
        self._output_done.set()
