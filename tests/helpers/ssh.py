"""The SSH tests' shared parts: keys, a server in a thread, the OpenSSH and asyncssh clients.

The server starts a small fake reader instead of ``python -m briefing``
(``ServeConfig.launcher``) where a test needs a session that stays open and
reports on itself: it prints its pid, its environment and its terminal size,
and echoes what it reads.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from briefing.core.paths import Paths
from briefing.serve.config import ServeConfig
from briefing.serve.keys import add_user
from briefing.serve.server import BriefingServer
from briefing.store.facade import Store
from briefing.store.importing import ensure_library

TITLE = "The Russia–North Korea Mutual Defence Treaty"
TIMEOUT = 15.0

NEEDS_OPENSSH = pytest.mark.skipif(
    shutil.which("ssh") is None or shutil.which("ssh-keygen") is None,
    reason="needs the OpenSSH client (ssh, ssh-keygen)",
)

FAKE_READER = r"""
import fcntl, json, os, signal, struct, sys, termios, tty

args = sys.argv[1:]
data = args[args.index("--data-dir") + 1]
user = args[args.index("--user") + 1]
command = args[args.index("--user") + 2:]
if os.path.exists(os.path.join(data, "stubborn")):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

def say(text):
    os.write(1, (text + "\r\n").encode())

def size():
    rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, bytes(8)))
    return f"{cols}x{rows}"

say(f"PID {os.getpid()}")
say("ENV " + json.dumps(dict(os.environ), sort_keys=True))
say(f"USER {user} ARGS {json.dumps(command)}")
if os.isatty(0):
    os.close(os.open("/dev/tty", os.O_RDWR))  # fails without a controlling terminal
    tty.setraw(0)
    signal.signal(signal.SIGWINCH, lambda *_: say(f"SIZE {size()}"))
    say(f"SIZE {size()}")
say("READY")
while True:
    chunk = os.read(0, 1024)
    if not chunk or b"q" in chunk:
        break
    say(f"GOT {chunk!r}")
"""


def shared_folder(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder ``make`` fills once per run: under xdist the workers share it (keys cost
    a second each to make), the first one making it under a lock while the others wait."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = factory.mktemp(name)
        make(folder)
        return folder
    root = factory.getbasetemp().parent  # this run's, shared by its workers
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed worker left
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


def _ssh_keygen(path: Path, *options: str) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", *options, "-N", "", "-f", str(path)],
        check=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


KEY_NAMES = ("alice", "bob", "carol", "dave")
RSA_BITS = (1024, 3072)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Private key files made by ssh-keygen: alice and bob get registered, carol never."""

    def make(folder: Path) -> None:
        for name in KEY_NAMES:
            _ssh_keygen(folder / name, "-t", "ed25519", "-C", f"{name}@test")

    folder = shared_folder(tmp_path_factory, "keys", make)
    return {name: folder / name for name in KEY_NAMES}


@pytest.fixture
def library(data_dir: Path, keys: dict[str, Path]) -> Path:
    ensure_library(Store(data_dir, "alice"))
    for name in ("alice", "bob", "dave"):
        add_user(Paths(data_dir).authorized_keys, name, f"{keys[name]}.pub")
    return data_dir


@pytest.fixture
def fake_reader(tmp_path: Path) -> tuple[str, ...]:
    script = tmp_path / "fake_reader.py"
    script.write_text(FAKE_READER)
    return (sys.executable, str(script))


class RunningServer:
    """A BriefingServer on its own event loop in a thread."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = BriefingServer(config)
        self.call(self.server.start())
        self.port = self.server.port

    def call(self, coro: Any, timeout: float = TIMEOUT) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        try:
            if self.server.log is not None:
                self.call(self.server.stop(), 30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

    def log(self) -> str:
        return self.config.paths.server_log.read_text()

    def logged(self, *needles: str, timeout: float = 5.0) -> str:
        """The log, once it says all of ``needles`` (lines are written as connections end)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log()
            if all(needle in log for needle in needles) or time.monotonic() > deadline:
                return log
            time.sleep(0.05)


@pytest.fixture
def start_server(library: Path) -> Iterator[Callable[..., RunningServer]]:
    servers: list[RunningServer] = []

    def start(**overrides: Any) -> RunningServer:
        config = ServeConfig(library, port=0, echo=False, **overrides)
        server = RunningServer(config)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def ssh_argv(port: int, key: Path, *extra: str, log_level: str = "ERROR") -> list[str]:
    return [
        "ssh",
        "-F",
        "/dev/null",
        "-p",
        str(port),
        "-i",
        str(key),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        f"LogLevel={log_level}",
        "-o",
        "ConnectTimeout=10",
        *extra,
    ]


def openssh(
    port: int, key: Path, target: str, *command: str, log_level: str = "ERROR", opts: tuple = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ssh_argv(port, key, *opts, log_level=log_level), target, *command],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


async def connect(port: int, key: Path, user: str, **kwargs: Any) -> asyncssh.SSHClientConnection:
    options = {
        "known_hosts": None,
        "client_keys": [str(key)],
        "agent_path": None,
        "preferred_auth": "publickey",
        **kwargs,
    }
    return await asyncio.wait_for(
        asyncssh.connect("127.0.0.1", port, username=user, **options), TIMEOUT
    )


class Screen:
    """Everything a session printed, read up to what a test waits for."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process
        self.text = ""

    async def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> re.Match[str]:
        async def read() -> re.Match[str]:
            while (match := re.search(pattern, self.text)) is None:
                chunk = await self.process.stdout.read(65536)
                if not chunk:
                    raise EOFError(f"no {pattern!r} before the end:\n{self.text}")
                self.text += chunk
            return match

        return await asyncio.wait_for(read(), timeout)

    async def rest(self, timeout: float = TIMEOUT) -> str:
        async def read() -> str:
            while chunk := await self.process.stdout.read(65536):
                self.text += chunk
            return self.text

        return await asyncio.wait_for(read(), timeout)


async def open_fake(conn: asyncssh.SSHClientConnection, **kwargs: Any) -> tuple[Screen, int]:
    process = await conn.create_process(
        term_type=kwargs.pop("term_type", "xterm-256color"),
        term_size=kwargs.pop("term_size", (100, 30)),
        **kwargs,
    )
    screen = Screen(process)
    pid = int((await screen.wait_for(r"PID (\d+)")).group(1))
    await screen.wait_for("READY")
    return screen, pid


def gone(pid: int, timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(") ")[-1].startswith("Z"):
                    return True  # dead, waiting for its parent to reap it
        except FileNotFoundError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


async def agone(pid: int, timeout: float = 8.0) -> bool:
    return await asyncio.to_thread(gone, pid, timeout)


@pytest.fixture(scope="session")
def rsa_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """RSA keys made by ssh-keygen: 1024 bits (too weak) and 3072 bits; private key paths."""

    def make(folder: Path) -> None:
        for bits in RSA_BITS:
            _ssh_keygen(folder / f"rsa{bits}", "-t", "rsa", "-b", str(bits))

    folder = shared_folder(tmp_path_factory, "rsa", make)
    return {bits: folder / f"rsa{bits}" for bits in RSA_BITS}
