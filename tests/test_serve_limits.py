"""``briefing serve`` under attack: bounded resources, revocation, modern crypto only (issue 13).

Each test plays one attack from the red-team pass, with the real OpenSSH client
where it can express it and asyncssh where it cannot (an unstarted channel, a
flood of env requests). Memory is bounded generously (RSS < 150 MB, or a
growth well under what the attack sends); nothing here is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncssh
import pytest
from asyncssh.channel import SSHClientChannel
from asyncssh.packet import String

from briefing.core.paths import SERVED_ENV, Paths
from briefing.serve import session as serve_session
from briefing.serve.config import ServeConfig
from briefing.serve.keys import add_user, remove_user
from briefing.serve.log import ServerLog
from briefing.serve.policy import Refusal, exec_command
from briefing.store.facade import Store
from briefing.store.importing import ensure_library
from tests.helpers import ssh as ssh_helpers
from tests.helpers.ssh import (
    NEEDS_OPENSSH,
    TIMEOUT,
    TITLE,
    RunningServer,
    Screen,
    connect,
    open_fake,
    openssh,
)

pytestmark = [NEEDS_OPENSSH, pytest.mark.system]
keys, library, fake_reader, start_server, rsa_keys = (
    ssh_helpers.keys,
    ssh_helpers.library,
    ssh_helpers.fake_reader,
    ssh_helpers.start_server,
    ssh_helpers.rsa_keys,
)
RSS_BOUND_KB = 150 * 1024


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(child) for child in handle.read().split()]
    return found


def first_bytes(port: int, source: str, keep: list[socket.socket] | None = None) -> bytes:
    """Connect from ``source`` and read what the server says first (b"": dropped unheard)."""
    sock = socket.create_connection(("127.0.0.1", port), TIMEOUT, source_address=(source, 0))
    try:
        data = sock.recv(256)
    except ConnectionResetError:
        data = b""
    if keep is not None and data:
        keep.append(sock)
    else:
        sock.close()
    return data


async def open_unstarted(conn: asyncssh.SSHClientConnection) -> SSHClientChannel[bytes]:
    """A session channel that asks for nothing yet (no pty, shell or exec): asyncssh's
    public API always starts what it opens, so this uses its channel class directly."""
    chan: SSHClientChannel[bytes] = SSHClientChannel(
        conn, asyncio.get_running_loop(), "strict", None, "strict", 2 * 1024 * 1024, 32768
    )
    await chan._open(b"session")
    return chan


def wait_for_log(path: Path, needle: str, timeout: float = TIMEOUT) -> str:
    deadline = time.monotonic() + timeout
    while needle not in (text := path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return text


# -- a real server process, for what only its own RSS can show -----------


class Served:
    """``briefing serve`` as a process of its own, with alice and bob registered."""

    def __init__(self, data: Path, keys: dict[str, Path]) -> None:
        ensure_library(Store(data, "alice"))
        for name in ("alice", "bob"):
            add_user(Paths(data).authorized_keys, name, f"{keys[name]}.pub")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "briefing", "--data-dir", str(data), "serve", "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        match = re.search(r"listen=127\.0\.0\.1:(\d+)", line)
        assert match, line
        self.port = int(match.group(1))
        # Keep reading stderr (the echoed log) so that the server never blocks on it.
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()
        self.log = Paths(data).server_log

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("served"), keys)
    yield server
    server.stop()


# -- 1. terminal size ----------------------------------------------------


async def test_a_huge_terminal_is_clamped_on_request_and_on_every_change(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], fake_reader: tuple[str, ...]
) -> None:
    server = start_server(launcher=fake_reader)
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, _pid = await open_fake(conn, term_size=(65535, 65535))
        await screen.wait_for(r"SIZE 1000x500")
        screen.process.change_terminal_size(20000, 30)
        await screen.wait_for(r"SIZE 1000x30")
        screen.process.stdin.write("q")
        await screen.rest()
    log = await asyncio.to_thread(server.logged, "pty size clamped from 20000x30")
    assert "pty size clamped from 65535x65535 to 1000x500" in log
    assert "pty size clamped from 20000x30 to 1000x30" in log


async def test_a_reader_asked_for_a_huge_terminal_stays_small(
    served: Served, keys: dict[str, Path]
) -> None:
    before = set(children(served.proc.pid))
    async with await connect(served.port, keys["alice"], "alice") as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(65535, 65535))
        screen = Screen(process)

        async def first_frame() -> None:  # a full 1000x500 frame is well over 200 kB
            while len(screen.text) < 200_000:
                chunk = await process.stdout.read(65536)
                assert chunk, screen.text[-500:]
                screen.text += chunk

        async def quiet(seconds: float) -> None:  # until it has drawn all it had to
            with contextlib.suppress(TimeoutError):
                while chunk := await asyncio.wait_for(process.stdout.read(65536), seconds):
                    screen.text += chunk

        await asyncio.wait_for(first_frame(), 90)
        readers = [pid for pid in children(served.proc.pid) if pid not in before]
        assert len(readers) == 1
        await asyncio.wait_for(quiet(0.3), 90)  # let it settle after its first frames
        assert rss_kb(readers[0]) < RSS_BOUND_KB
        process.change_terminal_size(65535, 65535)  # and again on a window change
        await asyncio.wait_for(quiet(0.3), 90)
        assert rss_kb(readers[0]) < RSS_BOUND_KB
    # Leaving the connection ends the reader (tested elsewhere).


# -- 2. long exec commands -----------------------------------------------


def test_exec_commands_over_a_kilobyte_are_refused_unparsed(
    served: Served, keys: dict[str, Path]
) -> None:
    with pytest.raises(Refusal, match="too long"):
        exec_command("search " + "'a" * 600)  # would be a parse error, were it parsed
    with pytest.raises(Refusal, match="too long"):
        exec_command("search " + "é" * 600)  # 600 characters, 1207 bytes
    result = openssh(served.port, keys["alice"], "alice@127.0.0.1", "search " + "a" * 100_000)
    assert result.returncode == 1
    assert "the command is too long (100007 bytes; at most 1024)" in result.stderr
    assert openssh(served.port, keys["bob"], "bob@127.0.0.1", "list").returncode == 0
    assert "refused: exec of 100007 bytes" in served.log.read_text()


async def test_commands_are_parsed_off_the_event_loop(
    start_server: Callable[..., RunningServer],
    keys: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[threading.Thread] = []

    def recording(command: str) -> list[str]:
        threads.append(threading.current_thread())
        return exec_command(command)

    monkeypatch.setattr(serve_session, "exec_command", recording)
    server = start_server()
    async with await connect(server.port, keys["alice"], "alice") as conn:
        assert (await asyncio.wait_for(conn.run("list"), TIMEOUT)).exit_status == 0
    assert threads and all(thread is not server.thread for thread in threads)


# -- 3. environment requests and channels --------------------------------


async def test_env_floods_are_refused_and_channels_capped(
    served: Served, keys: dict[str, Path]
) -> None:
    before = rss_kb(served.proc.pid)
    junk = b"x" * 30_000
    async with await connect(served.port, keys["alice"], "alice") as conn:
        channels = [await open_unstarted(conn) for _ in range(8)]
        for chan in channels[:4]:
            for number in range(400):  # 48 MB of environment in all
                chan._send_request(b"env", String(f"JUNK{number}"), String(junk))
                chan._send_request(b"env", String("LANG"), String(junk))  # allowed name, too long
                if number % 50 == 0:
                    await asyncio.sleep(0)
        with pytest.raises(asyncssh.ChannelOpenError, match="at most 8 sessions"):
            await open_unstarted(conn)
        for chan in channels:
            chan.close()
        await asyncio.sleep(0.2)
        result = await asyncio.wait_for(conn.run("list"), 60)  # room again once they close
        assert result.exit_status == 0
    after = rss_kb(served.proc.pid)
    assert after < RSS_BOUND_KB
    assert after - before < 24 * 1024, (before, after)
    log = await asyncio.to_thread(wait_for_log, served.log, "refused: too many channels")
    assert "refused: environment request (x3200)" in log


# -- 4. idle timer, revocation, session time -----------------------------


async def test_a_channel_never_started_does_not_hold_the_connection(
    start_server: Callable[..., RunningServer], keys: dict[str, Path]
) -> None:
    server = start_server(idle_timeout=0.5)
    conn = await connect(server.port, keys["alice"], "alice")
    await open_unstarted(conn)
    await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
    # Nor does opening and closing such channels over and over restart the clock.
    conn = await connect(server.port, keys["alice"], "alice")
    rounds = 0
    with contextlib.suppress(asyncssh.Error, OSError):
        while rounds < 40:  # 4 s of churn, were the clock restarted each time
            (await open_unstarted(conn)).close()
            rounds += 1
            await asyncio.sleep(0.1)
    assert rounds < 40
    await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
    assert "closed: idle with no session" in await asyncio.to_thread(
        server.logged, "closed: idle with no session"
    )


async def test_a_removed_user_is_refused_a_new_session_on_an_open_connection(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    server = start_server(recheck_interval=0)  # only the check at session start
    async with await connect(server.port, keys["alice"], "alice") as conn:
        remove_user(Paths(library).authorized_keys, "alice")
        result = await asyncio.wait_for(conn.run("search treaty"), TIMEOUT)
    assert result.exit_status == 1
    assert "your key is no longer authorised" in str(result.stderr)
    assert "refused: key revoked" in await asyncio.to_thread(server.logged, "key revoked")


async def test_a_removed_user_loses_the_open_reader_with_a_message(
    start_server: Callable[..., RunningServer],
    keys: dict[str, Path],
    library: Path,
    fake_reader: tuple[str, ...],
) -> None:
    server = start_server(launcher=fake_reader, recheck_interval=0.3)
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, _pid = await open_fake(conn)
        remove_user(Paths(library).authorized_keys, "alice")
        text = await screen.rest()
        await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
    assert screen.process.exit_status == 1
    assert "your key is no longer authorised" in str(await screen.process.stderr.read())
    assert "\x1b[?1049l" in text  # the client's terminal is given back its main screen
    assert "ended: key revoked" in await asyncio.to_thread(server.logged, "ended: key revoked")


async def test_a_session_ends_at_the_maximum_session_time(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], fake_reader: tuple[str, ...]
) -> None:
    server = start_server(launcher=fake_reader, max_session_time=1.0)
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, _pid = await open_fake(conn)
        await screen.rest()
        await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
    stderr = str(await screen.process.stderr.read())
    assert "session closed after the maximum session time (1 s)" in stderr
    assert "ended: time limit" in await asyncio.to_thread(server.logged, "ended: time limit")


def test_the_time_and_startup_limits_are_flags_of_serve(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing import cli
    from briefing.serve import server as serve_server

    seen: list[ServeConfig] = []
    monkeypatch.setattr(serve_server, "run", lambda config: seen.append(config) or 0)
    argv = ["--data-dir", str(data_dir), "serve", "--max-session-time", "60", "--max-startups", "7"]
    assert cli.main(argv) == 0
    assert (seen[0].max_session_time, seen[0].max_startups) == (60.0, 7)
    assert cli.main(["--data-dir", str(data_dir), "serve"]) == 0
    assert (seen[1].max_session_time, seen[1].max_startups) == (28800.0, 64)


# -- 5. before login: caps, rates, bans ----------------------------------


def test_connections_not_logged_in_are_capped_and_a_login_still_works(
    start_server: Callable[..., RunningServer], keys: dict[str, Path]
) -> None:
    server = start_server(max_startups=3, max_startups_per_address=2)
    held: list[socket.socket] = []
    try:
        assert first_bytes(server.port, "127.0.0.1", held).startswith(b"SSH-2.0-")
        assert first_bytes(server.port, "127.0.0.1", held).startswith(b"SSH-2.0-")
        assert first_bytes(server.port, "127.0.0.1") == b""  # a third from one address
        assert first_bytes(server.port, "127.0.0.2", held).startswith(b"SSH-2.0-")
        assert first_bytes(server.port, "127.0.0.3", held).startswith(b"SSH-2.0-")  # oldest goes
        result = openssh(
            server.port, keys["alice"], "alice@127.0.0.1", "list", opts=("-b", "127.0.0.4")
        )
        assert result.returncode == 0, result.stderr
    finally:
        for sock in held:
            sock.close()
    log = server.logged("dropped for a newer connection")
    assert "dropped before key exchange: too many connections not logged in from the address" in log
    assert "dropped for a newer connection (too many not logged in)" in log


def test_new_connections_are_rate_limited_per_address(
    start_server: Callable[..., RunningServer], keys: dict[str, Path]
) -> None:
    server = start_server(connection_rate=3)
    for _ in range(3):
        assert first_bytes(server.port, "127.0.0.5").startswith(b"SSH-2.0-")
    assert first_bytes(server.port, "127.0.0.5") == b""
    assert openssh(server.port, keys["alice"], "alice@127.0.0.1", "list").returncode == 0
    assert "too many new connections from the address" in server.logged("too many new")


def test_the_log_is_rotated_by_size_keeping_n(tmp_path: Path) -> None:
    path = tmp_path / "ssh" / "server.log"
    log = ServerLog(path, echo=False, max_bytes=2000, keep=2)
    for number in range(200):
        log.write("connection", number=number, outcome="refused: login failed")
    log.close()
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["server.log", "server.log.1", "server.log.2"]
    assert all(p.stat().st_size < 2100 for p in path.parent.iterdir())
    assert "number=199 " in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- 6. modern crypto only -----------------------------------------------


async def test_only_modern_algorithms_and_strong_keys_get_in(
    start_server: Callable[..., RunningServer],
    keys: dict[str, Path],
    library: Path,
    rsa_keys: dict[int, Path],
) -> None:
    keys_file = Paths(library).authorized_keys
    add_user(keys_file, "erin", f"{rsa_keys[3072]}.pub")
    weak = Path(f"{rsa_keys[1024]}.pub").read_text().strip()
    with keys_file.open("a") as handle:  # by hand: users add refuses it
        handle.write(f'environment="BRIEFING_USER=frank" {weak}\n')
    server = start_server()
    port = server.port

    def ssh(key: Path, user: str, *opts: str) -> subprocess.CompletedProcess[str]:
        return openssh(port, key, f"{user}@127.0.0.1", "list", opts=opts)

    debug = await asyncio.to_thread(
        openssh, port, keys["alice"], "alice@127.0.0.1", "list", log_level="DEBUG"
    )
    assert debug.returncode == 0
    advertised = re.search(r"server-sig-algs=<([^>]*)>", debug.stderr)
    assert advertised is not None
    assert {"ssh-dss", "ssh-rsa"}.isdisjoint(advertised.group(1).split(","))
    assert "rsa-sha2-256" in advertised.group(1).split(",")
    assert (await asyncio.to_thread(ssh, rsa_keys[3072], "erin")).returncode == 0
    refused = [
        (rsa_keys[3072], "erin", "-o", "PubkeyAcceptedAlgorithms=ssh-rsa"),
        (keys["alice"], "alice", "-o", "KexAlgorithms=diffie-hellman-group14-sha1"),
        (keys["alice"], "alice", "-o", "Ciphers=aes128-cbc"),
        (keys["alice"], "alice", "-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha1"),
        (rsa_keys[1024], "frank"),
    ]
    for key, user, *opts in refused:
        result = await asyncio.to_thread(ssh, key, user, *opts)
        assert result.returncode == 255, (opts, result.stderr)
    # A client that signs with SHA-1 anyway (asyncssh lets us force it): refused by the server.
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(port, rsa_keys[3072], "erin", signature_algs=["ssh-rsa"])
    log = await asyncio.to_thread(server.logged, "refused: 'ssh-rsa' signature")
    assert "refused: 'ssh-rsa' signature" in log


# -- 7. smaller holes ----------------------------------------------------


def test_a_restricted_key_gets_no_terminal_but_may_run_commands(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    keys_file = Paths(library).authorized_keys
    lines = keys_file.read_text().splitlines()
    keys_file.write_text(
        "".join(
            f"restrict,{line}\n" if "BRIEFING_USER=dave" in line else f"{line}\n" for line in lines
        )
    )
    server = start_server()
    shell = openssh(server.port, keys["dave"], "dave@127.0.0.1", opts=("-tt",))
    assert shell.returncode != 0
    assert "PTY allocation request failed" in shell.stderr
    assert openssh(server.port, keys["dave"], "dave@127.0.0.1", "list").returncode == 0
    assert "refused: pty (the key is restricted)" in server.logged("the key is restricted")


def test_the_child_ignores_the_users_folder_and_user_site_and_keeps_it_private(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    home = Paths(library).user_dir("alice")
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o755)
    marker = home / "pwned"
    trap = f"open({str(marker)!r}, 'w').close()\n"
    (home / "briefing").mkdir(exist_ok=True)  # the child's cwd: would shadow the package
    (home / "briefing" / "__init__.py").write_text(trap)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = home / ".local" / "lib" / version / "site-packages"
    site.mkdir(parents=True)
    (site / "usercustomize.py").write_text(trap)
    server = start_server()
    result = openssh(server.port, keys["alice"], "alice@127.0.0.1", "list")
    assert result.returncode == 0, result.stderr
    assert TITLE in result.stdout
    assert not marker.exists()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert "-I" in ServeConfig(library).launcher


@pytest.mark.ui
async def test_the_screenshot_command_is_gone_when_served(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.tui.app import make_app

    app = make_app(store)
    async with app.run_test():
        assert "Screenshot" in [c.title for c in app.get_system_commands(app.screen)]
        monkeypatch.setenv(SERVED_ENV, "1")
        assert "Screenshot" not in [c.title for c in app.get_system_commands(app.screen)]
