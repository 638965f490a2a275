"""The reader over SSH, measured: first frame, memory per session, keystroke latency.

    python benchmarks/bench_ssh.py                 # 50 concurrent sessions
    python benchmarks/bench_ssh.py --sessions 5 --keys 10 --held 0

It starts ``briefing serve`` (the real CLI, in its own process) on a free
loopback port, in a temporary data dir with one registered key per reader,
and measures:

* time from starting ``ssh`` (the OpenSSH client, on a pty of its own) to the
  first frame: the briefing's title and first section on the screen;
* memory per session: RSS and PSS of each reader process (the server's
  children), with every session open;
* with N concurrent sessions (asyncssh clients) each paging through the
  briefing (``]`` to the last section, ``[`` back, space, ``g``, ...), the
  time from a keystroke to the first bytes of the screen update, and to the
  new text arriving; p50 and p95 over every keystroke of every session.
  Each session connects from a loopback address of its own (127.0.1.N), as
  N readers on N machines would;
* with ``--held`` connections (200) opened and held before login, from as
  many addresses and then from one, whether a valid login still gets in and
  how long it takes, how many of the held ones the server kept, and the
  server's RSS while they are held.

It prints a small table. It needs the TUI (``briefing.tui.app``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

# benchmarks/ is on sys.path when this file runs as a script.
from run import PtyProcess, p95

from briefing.core.paths import Paths

TITLE = "The Russia–North Korea Mutual Defence Treaty"
FIRST = "Putin and Kim have signed a treaty"  # Key points, where the reader opens
TREATY = "On Wednesday, 19 June 2024"  # Treaty terms
#: Each key, and the text that shows its screen update has arrived (None:
#: any output). Through the sections and back, paging the long Treaty terms.
PLAN = [
    ("]", TREATY),
    (" ", None),  # page down in Treaty terms
    ("g", TREATY),  # back to its top
    ("]", "The deepening military partnership"),  # Western reaction
    ("]", "Article 51 of the UN Charter"),  # Legal framework
    ("]", "Russia can veto decisions"),  # UN veto
    ("[", "Article 51 of the UN Charter"),
    ("[", "The deepening military partnership"),
    ("[", TREATY),
    ("[", FIRST),
]
ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def visible_text(data: bytes) -> str:
    return ANSI.sub(b"", data).decode("utf-8", errors="replace")


def start_server(data: Path, sessions: int) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "briefing",
            "--data-dir",
            str(data),
            "serve",
            "--port",
            "0",
            "--max-sessions",
            str(sessions + 5),
            "--max-sessions-per-user",
            "5",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    line = server.stderr.readline()
    match = re.search(r"listen=\S+:(\d+)", line)
    if not match:
        server.kill()
        raise SystemExit(f"the server did not start: {line}{server.stderr.read()}")
    # Keep draining its log so that it never blocks on a full pipe.
    threading.Thread(target=server.stderr.read, daemon=True).start()
    return server, int(match.group(1))


def make_users(data: Path, folder: Path, count: int) -> list[tuple[str, Path]]:
    from briefing.serve.keys import add_user

    users = []
    for index in range(count):
        name = f"reader{index + 1:02d}"
        key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
        private = folder / name
        private.write_bytes(key.export_private_key())
        private.chmod(0o600)
        (folder / f"{name}.pub").write_bytes(key.export_public_key())
        add_user(Paths(data).authorized_keys, name, folder / f"{name}.pub")
        users.append((name, private))
    return users


def openssh_first_frame(port: int, user: str, key: Path) -> float:
    """Seconds from starting ssh to the title and first section on its terminal."""
    argv = [
        "ssh", "-F", "/dev/null", "-tt", "-p", str(port), "-i", str(key),
        "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", f"{user}@127.0.0.1",
    ]  # fmt: skip
    client = PtyProcess(argv, {**os.environ, "TERM": "xterm-256color"}, size=(100, 30))
    try:
        client.read_until(TITLE.encode(), timeout=30)
        return client.read_until(FIRST.encode(), timeout=30)
    finally:
        client.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(own CPU, reaped children's CPU) in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / ticks
    children = (int(fields[13]) + int(fields[14])) / ticks
    return own, children


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB."""
    rss = pss = 0
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pss = rss
    return rss, pss


class Session:
    def __init__(self, process: asyncssh.SSHClientProcess) -> None:  # type: ignore[type-arg]
        self.process = process
        self.buffer = b""
        self.arrived = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while chunk := await self.process.stdout.read(65536):
            self.buffer += chunk
            self.arrived.set()

    async def wait_for(self, needle: str, start: int, timeout: float) -> float | None:
        deadline = time.perf_counter() + timeout
        while needle not in visible_text(self.buffer[start:]):
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                return None
        return time.perf_counter()


async def page_through(
    port: int,
    user: str,
    key: Path,
    keys: int,
    pace: float,
    ready: asyncio.Barrier,
    first_bytes: list[float],
    updates: list[float],
) -> None:
    source = f"127.0.1.{int(user.removeprefix('reader')) % 250 + 1}"
    async with asyncssh.connect(
        "127.0.0.1", port, username=user, client_keys=[str(key)], known_hosts=None,
        agent_path=None, preferred_auth="publickey", local_addr=(source, 0),
    ) as conn:  # fmt: skip
        process = await conn.create_process(
            term_type="xterm-256color", term_size=(100, 30), encoding=None
        )
        session = Session(process)
        if await session.wait_for(FIRST, 0, 60) is None:
            raise RuntimeError(f"{user}: no first frame")
        # Everyone pages at once, out of step: the steady state of N readers,
        # not N readers starting up.
        await ready.wait()
        await asyncio.sleep(1.0 + random.random() * 0.25)
        for index in range(keys):
            key_text, expected = PLAN[index % len(PLAN)]
            start = len(session.buffer)
            session.arrived.clear()
            sent = time.perf_counter()
            process.stdin.write(key_text.encode())
            try:
                await asyncio.wait_for(session.arrived.wait(), 10)
                first_bytes.append(time.perf_counter() - sent)
            except TimeoutError:
                first_bytes.append(float("inf"))
            if expected is not None:
                done = await session.wait_for(expected, start, 10)
                updates.append((done - sent) if done else float("inf"))
            await asyncio.sleep(pace * (0.5 + random.random()))  # a reader's pace
        process.stdin.write(b"q")
        process.stdin.write(b"q")
        process.close()


@dataclass
class Measured:
    """What the concurrent sessions gave: samples in seconds, memory in KiB."""

    first_bytes: list[float]
    updates: list[float]
    memory: list[tuple[int, int]]  # (RSS, PSS) of each reader
    server_memory: tuple[int, int]
    server_cpu: float  # cores, while paging
    readers_cpu: float
    errors: list[BaseException]


async def concurrent(
    port: int, users: list[tuple[str, Path]], keys: int, pace: float, server_pid: int
) -> Measured:
    first_bytes: list[float] = []
    updates: list[float] = []
    ready = asyncio.Barrier(len(users))
    tasks = [
        asyncio.ensure_future(
            page_through(port, user, key, keys, pace, ready, first_bytes, updates)
        )
        for user, key in users
    ]
    # Memory, with every session open: sample while they page.
    await asyncio.sleep(3.0)
    memory: list[tuple[int, int]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = children_of(server_pid)
        if len(pids) >= len(users):
            memory = [memory_kib(pid) for pid in pids]
            break
        await asyncio.sleep(0.5)
    server_memory = memory_kib(server_pid)
    cpu_before = cpu_seconds(server_pid)
    started = time.monotonic()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    server_after = cpu_seconds(server_pid)[0]
    # A reader's CPU is counted in the server's figures only once it is reaped.
    await asyncio.sleep(2.0)
    readers_after = cpu_seconds(server_pid)[1]
    return Measured(
        first_bytes=first_bytes,
        updates=updates,
        memory=memory,
        server_memory=server_memory,
        server_cpu=(server_after - cpu_before[0]) / elapsed,
        readers_cpu=(readers_after - cpu_before[1]) / elapsed,
        errors=[r for r in results if isinstance(r, BaseException)],
    )


@dataclass
class Held:
    """A valid login while ``count`` connections are held open before login."""

    count: int
    addresses: int
    answered: int  # got the server's version line (not dropped on arrival)
    kept: int  # still open after the valid login
    login: float  # seconds for the valid login and a ``list``; inf if it failed
    server_rss: int  # KiB, while they are held


async def held_before_login(
    port: int, user: str, key: Path, count: int, addresses: int, server_pid: int
) -> Held:
    """Open ``count`` connections that never log in (from ``addresses`` loopback
    addresses), then log in for real from 127.0.0.1 and run ``list``."""
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    answered = 0
    for index in range(count):
        source = f"127.0.2.{index % addresses + 1}"
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(source, 0)
            )
        except OSError:
            continue
        try:
            line = await asyncio.wait_for(reader.readline(), 5)
        except (TimeoutError, OSError):
            line = b""
        if line.startswith(b"SSH-"):
            answered += 1
            writer.write(b"SSH-2.0-held_open\r\n")  # and then nothing: no key exchange
        held.append((reader, writer))
    server_rss = memory_kib(server_pid)[0]
    started = time.perf_counter()
    try:
        async with asyncssh.connect(
            "127.0.0.1", port, username=user, client_keys=[str(key)], known_hosts=None,
            agent_path=None, preferred_auth="publickey", local_addr=("127.0.0.1", 0),
        ) as conn:  # fmt: skip
            result = await asyncio.wait_for(conn.run("list"), 60)
        login = time.perf_counter() - started if result.exit_status == 0 else float("inf")
    except (OSError, asyncssh.Error, TimeoutError):
        login = float("inf")
    kept = 0
    for reader, writer in held:
        try:
            while await asyncio.wait_for(reader.read(65536), 0.05):
                pass  # a disconnect message, then the end
        except TimeoutError:
            kept += 1  # nothing more: still held open by the server
        except OSError:
            pass
        writer.close()
    return Held(count, addresses, answered, kept, login, server_rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument(
        "--held", type=int, default=200, help="connections held before login (200; 0: skip)"
    )
    parser.add_argument("--keys", type=int, default=20, help="keystrokes per session")
    parser.add_argument("--first-frames", type=int, default=5, help="OpenSSH runs to time")
    parser.add_argument(
        "--pace", type=float, default=0.5, help="mean seconds between a reader's keys (0.5)"
    )
    args = parser.parse_args()
    try:
        import briefing.tui.app  # noqa: F401
    except ImportError as error:
        raise SystemExit(f"needs the TUI (briefing.tui.app): {error}") from error

    with tempfile.TemporaryDirectory(prefix="briefing-bench-ssh-") as temp:
        data, keys_folder = Path(temp) / "data", Path(temp) / "keys"
        keys_folder.mkdir()
        from briefing.store.facade import Store
        from briefing.store.importing import ensure_library

        ensure_library(Store(data, "reader01"))
        users = make_users(data, keys_folder, max(args.sessions, 1))
        server, port = start_server(data, args.sessions)
        try:
            firsts = []
            for index in range(args.first_frames):
                user, key = users[index % len(users)]
                firsts.append(openssh_first_frame(port, user, key))
                time.sleep(0.5)
            measured = asyncio.run(concurrent(port, users, args.keys, args.pace, server.pid))
            helds = []
            if args.held > 0:
                user, key = users[0]
                for addresses in (args.held, 1):
                    time.sleep(1.0)
                    helds.append(
                        asyncio.run(
                            held_before_login(port, user, key, args.held, addresses, server.pid)
                        )
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()

    first_bytes, updates, memory = measured.first_bytes, measured.updates, measured.memory
    server_rss, server_pss = measured.server_memory
    mib = 1024.0
    rows = [
        ("ssh → first frame (OpenSSH, median)", f"{statistics.median(firsts):.2f} s"),
        (f"ssh → first frame (max of {len(firsts)})", f"{max(firsts):.2f} s"),
    ]
    if memory:
        rss = [m[0] / mib for m in memory]
        pss = [m[1] / mib for m in memory]
        rows += [
            (f"reader RSS per session (mean of {len(memory)})", f"{statistics.mean(rss):.1f} MiB"),
            ("reader PSS per session (mean)", f"{statistics.mean(pss):.1f} MiB"),
            ("server RSS / PSS", f"{server_rss / mib:.1f} / {server_pss / mib:.1f} MiB"),
        ]
    finite = [x for x in first_bytes if x != float("inf")]
    done = [x for x in updates if x != float("inf")]
    n = args.sessions
    if finite:
        rows += [
            (
                f"key → first bytes, {n} sessions (p50)",
                f"{statistics.median(finite) * 1000:.0f} ms",
            ),
            (f"key → first bytes, {n} sessions (p95)", f"{p95(finite) * 1000:.0f} ms"),
        ]
    if done:
        rows += [
            ("key → new text shown (p50)", f"{statistics.median(done) * 1000:.0f} ms"),
            ("key → new text shown (p95)", f"{p95(done) * 1000:.0f} ms"),
        ]
    rows.append(
        (
            "CPU while paging: server / readers",
            f"{measured.server_cpu:.2f} / {measured.readers_cpu:.2f} cores (of {os.cpu_count()})",
        )
    )
    for held in helds:
        source = f"{held.addresses} addresses" if held.addresses > 1 else "1 address"
        login = f"{held.login:.2f} s" if held.login != float("inf") else "FAILED"
        rows += [
            (f"{held.count} held before login, from {source}: login + list", login),
            (
                "  answered / still held after the login",
                f"{held.answered} / {held.kept}",
            ),
            ("  server RSS while held", f"{held.server_rss / mib:.1f} MiB"),
        ]
    misses = (len(first_bytes) - len(finite)) + (len(updates) - len(done))
    rows.append(("keystrokes measured / missed", f"{len(first_bytes)} / {misses}"))
    if measured.errors:
        failed = f"{len(measured.errors)}: {measured.errors[0]!r}"
        rows.append(("sessions that failed", failed[:80]))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    failed_login = any(held.login == float("inf") for held in helds)
    return 1 if measured.errors or misses or failed_login else 0


if __name__ == "__main__":
    raise SystemExit(main())
