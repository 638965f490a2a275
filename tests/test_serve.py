"""``briefing serve``: the reader over SSH, tried with the real OpenSSH client and asyncssh.

Most tests run the server in a thread of this process (its own event loop) on
a free loopback port. Where a test needs a session that stays open and
reports on itself, the server starts a small fake reader instead of
``python -m briefing`` (``ServeConfig.launcher``): it prints its pid, its
environment and its terminal size, and echoes what it reads.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import asyncssh
import pytest

from briefing.core import anchoring
from briefing.core.paths import Paths
from briefing.serve import session as serve_session
from briefing.serve.config import ServeError
from briefing.serve.hostkey import load_or_create_host_key
from briefing.serve.keys import add_user, remove_user
from briefing.serve.limits import FailureLimiter, RateLimiter
from briefing.serve.log import ServerLog
from briefing.serve.policy import (
    Events,
    Refusal,
    SessionSlots,
    child_environment,
    exec_command,
    wants_truecolor,
)
from briefing.store.facade import Store
from tests.conftest import SLUG
from tests.helpers import ssh as ssh_helpers
from tests.helpers.ssh import (
    NEEDS_OPENSSH,
    TIMEOUT,
    TITLE,
    RunningServer,
    agone,
    connect,
    gone,
    open_fake,
    openssh,
    ssh_argv,
)

pytestmark = NEEDS_OPENSSH
# The shared fixtures, by name (pytest finds fixtures in the module's namespace).
keys, library, fake_reader, start_server = (
    ssh_helpers.keys,
    ssh_helpers.library,
    ssh_helpers.fake_reader,
    ssh_helpers.start_server,
)


# -- pure parts ----------------------------------------------------------


def test_child_environment_is_an_allowlist(tmp_path: Path) -> None:
    hostile = {
        "PYTHONSTARTUP": "/tmp/x.py",
        "PYTHONPATH": "/tmp/evil",
        "PYTHONINSPECT": "1",
        "TEXTUAL_DRIVER": "evil:Driver",
        "TEXTUAL": "devtools",
        "LD_PRELOAD": "/tmp/x.so",
        "COLUMNS": "5",
        "LINES": "5",
        "BROWSER": "firefox",
        "HOME": "/root",
        "PATH": "/tmp/evil",
        "TERM": "evil",
        "LANG": "de_DE.UTF-8",
        "LC_TIME": "en_GB.UTF-8",
        "LC_ALL": "bad value; rm -rf",
        "NO_COLOR": "1",
        "BRIEFING_SERVED": "0",
    }
    env = child_environment(hostile, "xterm-256color", tmp_path, server_path="/usr/bin:/bin")
    assert set(env) == {
        "TERM",
        "PATH",
        "HOME",
        "BROWSER",
        "PYTHONUTF8",
        "BRIEFING_SERVED",
        "LANG",
        "LC_TIME",
        "NO_COLOR",
    }
    assert env["BRIEFING_SERVED"] == "1"  # a served reader writes only in its own folder
    assert env["TERM"] == "xterm-256color" and env["PATH"] == "/usr/bin:/bin"
    assert env["HOME"] == str(tmp_path) and env["LANG"] == "de_DE.UTF-8"
    assert Path(env["BROWSER"]).name == "true"
    assert child_environment({}, "x\x1b]0;evil", tmp_path)["TERM"] == "xterm"
    assert child_environment({}, None, tmp_path)["TERM"] == "dumb"  # exec without a pty
    assert child_environment({}, None, tmp_path)["LANG"] == "C.UTF-8"


@pytest.mark.parametrize(
    ("term", "colorterm", "truecolor"),
    [
        ("xterm-256color", None, False),
        ("xterm-256color", "truecolor", True),
        ("xterm-256color", "24bit", True),
        ("xterm-direct", None, True),
        ("xterm-kitty", None, True),
        ("screen", None, False),
    ],
)
def test_truecolor_only_when_the_terminal_says_so(
    term: str, colorterm: str | None, truecolor: bool
) -> None:
    assert wants_truecolor(term, colorterm) is truecolor


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("list", ["list"]),
        ("export", ["export"]),
        (f"export {SLUG}", ["export", SLUG]),
        ("search  mutual   defence", ["search", "mutual defence"]),
        ("search 'veto power'", ["search", "veto power"]),
    ],
)
def test_exec_allowlist_accepts(command: str, argv: list[str]) -> None:
    assert exec_command(command) == argv


@pytest.mark.parametrize(
    "command",
    [
        "",
        "bash",
        "rm -rf /",
        "export -o /tmp/x",
        "export --output=/tmp/x",
        "export a b",
        "list --json",
        "search",
        "notes add x",
        "scp -t /tmp",
        "import /etc",
        "doctor --restore --yes",
        "export 'unbalanced",
    ],
)
def test_exec_allowlist_refuses(command: str) -> None:
    with pytest.raises(Refusal) as refused:
        exec_command(command)
    assert refused.value.message.startswith("briefing: ")
    assert refused.value.outcome.startswith("refused: exec")


def test_failed_logins_ban_an_address_for_a_while() -> None:
    now = [0.0]
    limiter = FailureLimiter(3, window=60, ban_seconds=300, clock=lambda: now[0])
    assert not limiter.failed("a") and not limiter.failed("a")
    now[0] = 61  # the first two have aged out of the window
    assert not limiter.failed("a") and not limiter.failed("a")
    assert limiter.failed("a") and limiter.banned_for("a") == 300
    assert limiter.banned_for("b") == 0
    now[0] = 361
    assert limiter.banned_for("a") == 0


def test_ban_and_rate_tables_stay_bounded_whatever_the_addresses() -> None:
    limiter: FailureLimiter[tuple[str, str]] = FailureLimiter(2, 60, 300, max_entries=100)
    for number in range(5000):
        limiter.failed((f"10.0.{number // 250}.{number % 250}", f"user{number}"))
        limiter.failed(("10.9.9.9", f"name{number}"))
    assert len(limiter) <= 200
    rate: RateLimiter[str] = RateLimiter(3, 60, clock=lambda: 0.0, max_entries=100)
    assert [rate.allow("a") for _ in range(4)] == [True, True, True, False]
    for number in range(5000):
        rate.allow(f"address{number}")
    assert len(rate) <= 100


def test_session_slots_count_overall_and_per_user() -> None:
    slots = SessionSlots(total=3, per_user=2)
    assert slots.acquire("alice") is None and slots.acquire("alice") is None
    assert "alice already has 2" in str(slots.acquire("alice"))
    assert slots.acquire("bob") is None
    assert "server is full" in str(slots.acquire("carol"))
    slots.release("alice")
    assert slots.acquire("carol") is None


def test_a_connections_record_stays_small_whatever_the_client_asks() -> None:
    events = Events()
    for _ in range(1000):
        events.add("refused: agent forwarding")
    events.add("refused: login failed", first=True)
    assert str(events) == "refused: login failed; refused: agent forwarding (x1000)"
    assert events.any_refusal()
    for number in range(1000):
        events.add(f"list exit 0 after {number}.0s")
    assert str(events).count("list exit 0") == Events.LIMIT - 2
    assert str(events).endswith(f"; {1000 - Events.LIMIT + 2} more")


# -- host key ------------------------------------------------------------


async def test_host_key_is_made_once_private_and_stable(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    host_key = Paths(library).host_key
    first = start_server()
    assert oct(host_key.stat().st_mode & 0o777) == "0o600"
    async with await connect(first.port, keys["alice"], "alice") as conn:
        seen = conn.get_server_host_key().get_fingerprint()
    first.stop()
    second = start_server()
    async with await connect(second.port, keys["alice"], "alice") as conn:
        assert conn.get_server_host_key().get_fingerprint() == seen
    assert seen == first.server.fingerprint == second.server.fingerprint
    assert asyncssh.read_private_key(host_key).get_algorithm() == "ssh-ed25519"


def test_server_refuses_a_host_key_others_can_read(library: Path) -> None:
    host_key = Paths(library).host_key
    load_or_create_host_key(host_key)
    host_key.chmod(0o640)
    with pytest.raises(ServeError, match="chmod 600"):
        load_or_create_host_key(host_key)
    result = subprocess.run(
        [sys.executable, "-m", "briefing", "--data-dir", str(library), "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "accessible by group or others" in result.stderr and "chmod 600" in result.stderr


# -- the reader, with the real OpenSSH client ---------------------------


def _tmux_screen(tmux: list[str]) -> str:
    return subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", "reader"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout


def _wait_screen(tmux: list[str], *needles: str, timeout: float = TIMEOUT) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux_screen(tmux)
        if all(needle in screen for needle in needles):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needles} not on screen:\n{screen}")


def _wait_settled(tmux: list[str], *needles: str, quiet: float = 0.2) -> str:
    """The screen once it shows ``needles`` and has not changed for ``quiet`` seconds."""
    screen = _wait_screen(tmux, *needles)
    deadline = time.monotonic() + TIMEOUT
    since = time.monotonic()
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen never settled:\n{screen}")
        time.sleep(0.05)
        now = _tmux_screen(tmux)
        if now != screen:
            screen, since = now, time.monotonic()
    return screen


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux to be the client's terminal")
def test_reader_appears_pages_and_reflows_over_openssh(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], tmp_path: Path
) -> None:
    server = start_server()
    tmux = ["tmux", "-S", str(tmp_path / "tmux.sock"), "-f", "/dev/null"]
    ssh = " ".join(ssh_argv(server.port, keys["alice"], "-tt")) + " alice@127.0.0.1"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "reader", "-x", "100", "-y", "30", ssh + "; sleep 60"],
        check=True,
        timeout=TIMEOUT,
    )
    try:
        screen = _wait_settled(tmux, TITLE, "Key points", "Putin and Kim have signed a treaty")
        assert "On Wednesday, 19 June 2024" not in screen  # the lead comes first
        subprocess.run([*tmux, "send-keys", "-t", "reader", "]"], check=True, timeout=TIMEOUT)
        _wait_screen(tmux, "Treaty terms", "On Wednesday, 19 June 2024")
        # The window grows: the pty follows, and the reader lays itself out again.
        subprocess.run(
            [*tmux, "resize-window", "-t", "reader", "-x", "120", "-y", "40"], check=True
        )
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            lines = _tmux_screen(tmux).splitlines()
            if len(lines) >= 40 and "Help" in lines[39] and TITLE in "".join(lines[:5]):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the reader did not reflow to 120x40:\n" + _tmux_screen(tmux))
    finally:
        subprocess.run([*tmux, "kill-server"], timeout=TIMEOUT, check=False)
    line = server.logged("size=100x30->120x40", timeout=TIMEOUT).splitlines()[-1]
    assert "user=alice" in line and "term=" in line and "size=100x30->120x40" in line


# -- per-user data, over exec -------------------------------------------


def test_exec_commands_see_only_the_users_own_notes(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    alice = Store(library, "alice")
    section = alice.get(SLUG).section("treaty-terms")
    assert section is not None
    span = anchoring.find_quote(section.text, "signed a pact on mutual defence assistance")
    assert span is not None
    alice.add_annotation(SLUG, "treaty-terms", *span, note="Alice's private remark", tags=["ssh"])
    server = start_server()

    mine = openssh(server.port, keys["alice"], "alice@127.0.0.1", "export")
    assert mine.returncode == 0, mine.stderr
    assert "Alice's private remark" in mine.stdout and "mutual defence assistance" in mine.stdout
    theirs = openssh(server.port, keys["bob"], "bob@127.0.0.1", "export", SLUG)
    assert theirs.returncode == 0, theirs.stderr
    assert TITLE in theirs.stdout and "Alice's private remark" not in theirs.stdout

    listed = openssh(server.port, keys["alice"], "alice@127.0.0.1", "list")
    assert (
        listed.returncode == 0
        and f"{SLUG}" in listed.stdout
        and "(4 sections, 1 note)" in listed.stdout
    )
    listed = openssh(server.port, keys["bob"], "bob@127.0.0.1", "list")
    assert listed.returncode == 0 and "(4 sections, 0 notes)" in listed.stdout
    # Logging in as someone else with your own key does not work.
    other = openssh(server.port, keys["bob"], "alice@127.0.0.1", "export")
    assert other.returncode == 255 and "Alice's" not in other.stdout


# -- refusals ------------------------------------------------------------


def test_unknown_keys_and_passwords_are_refused(
    start_server: Callable[..., RunningServer], keys: dict[str, Path]
) -> None:
    server = start_server()
    unknown = openssh(server.port, keys["carol"], "carol@127.0.0.1", "list", log_level="INFO")
    assert unknown.returncode == 255 and unknown.stdout == ""
    assert "Permission denied (publickey)" in unknown.stderr
    assert "is not authorised for 'carol'" in unknown.stderr  # the server's banner
    password = openssh(
        server.port,
        keys["alice"],
        "alice@127.0.0.1",
        "list",
        opts=(
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "PreferredAuthentications=password,keyboard-interactive,hostbased",
        ),
    )
    assert password.returncode == 255 and "Permission denied (publickey)" in password.stderr

    async def with_password() -> None:
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, keys["alice"], "alice", client_keys=None, password="x")

    asyncio.run(with_password())
    assert 'outcome="refused: login failed"' in server.logged("login failed")


def test_shell_without_pty_other_commands_and_sftp_are_refused(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], tmp_path: Path
) -> None:
    server = start_server()
    target = "alice@127.0.0.1"
    shell = openssh(server.port, keys["alice"], target, opts=("-T",))
    assert shell.returncode == 1 and "the reader needs a terminal" in shell.stderr
    for command in ("rm -rf /", "sh -c id", "bash", f"export -o {tmp_path / 'x.md'}"):
        result = openssh(server.port, keys["alice"], target, command)
        assert result.returncode == 1 and result.stderr.startswith("briefing: "), command
        assert "export [SLUG], list, search QUERY" in result.stderr
    assert not (tmp_path / "x.md").exists()

    sftp_argv = ssh_argv(server.port, keys["alice"])
    sftp_argv[0], sftp_argv[3] = "sftp", "-P"  # sftp spells the port option -P
    sftp = subprocess.run(
        [*sftp_argv, "-b", "-", target],
        input="ls\n",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert sftp.returncode != 0 and "no file transfer (sftp, scp)" in sftp.stderr
    legacy_scp = openssh(server.port, keys["alice"], target, "scp -f /etc/passwd")
    assert legacy_scp.returncode == 1 and legacy_scp.stdout == ""
    log = server.logged("shell without", "subsystem", "rm -rf")
    assert "refused: shell without a pty" in log and "refused: subsystem 'sftp'" in log
    assert "refused: exec 'rm -rf /'" in log


async def test_forwarding_of_every_kind_is_refused(
    start_server: Callable[..., RunningServer], keys: dict[str, Path]
) -> None:
    server = start_server()
    async with await connect(
        server.port, keys["alice"], "alice", agent_forwarding=True, agent_path="/nonexistent"
    ) as conn:
        with pytest.raises(asyncssh.ChannelOpenError, match="forwarding is disabled"):
            await conn.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", server.port)
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
        result = await asyncio.wait_for(conn.run("list"), TIMEOUT)
        assert result.exit_status == 0 and SLUG in str(result.stdout)
        assert "agent forwarding is disabled" in str(result.stderr)
    remote = await asyncio.to_thread(
        openssh,
        server.port,
        keys["alice"],
        "alice@127.0.0.1",
        "list",
        opts=("-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22"),
    )
    assert remote.returncode == 255 and "forwarding failed" in remote.stderr
    log = await asyncio.to_thread(server.logged, "remote forwarding", "agent forwarding")
    assert "refused: port forwarding to '127.0.0.1'" in log
    assert "refused: remote forwarding" in log and "refused: agent forwarding" in log


# -- sessions: size, environment, limits, idle, ends ---------------------


async def test_window_changes_reach_the_childs_pty(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], fake_reader: tuple[str, ...]
) -> None:
    server = start_server(launcher=fake_reader)
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, _ = await open_fake(conn, term_size=(100, 30))
        assert "SIZE 100x30" in screen.text  # read by the child itself, with TIOCGWINSZ
        screen.process.change_terminal_size(120, 40)
        await screen.wait_for("SIZE 120x40")
        screen.process.stdin.write("q")
        await screen.rest()
    assert "size=100x30->120x40" in await asyncio.to_thread(server.logged, "size=100x30->")


async def test_client_environment_does_not_reach_the_child(
    start_server: Callable[..., RunningServer],
    keys: dict[str, Path],
    fake_reader: tuple[str, ...],
    tmp_path: Path,
) -> None:
    server = start_server(launcher=fake_reader)
    sent = {
        "PYTHONSTARTUP": "/tmp/x.py",
        "PYTHONPATH": "/tmp/evil",
        "TEXTUAL_DRIVER": "evil:Driver",
        "TEXTUAL": "devtools,debug",
        "LD_PRELOAD": "/tmp/evil.so",
        "COLUMNS": "10",
        "LINES": "5",
        "BROWSER": "firefox",
        "LANG": "C.UTF-8",
        "LC_TIME": "C",
    }
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, _ = await open_fake(conn, term_type="xterm-direct", env=sent)
        env = json.loads((await screen.wait_for(r"ENV (\{.*?\})\r*\n")).group(1))
        screen.process.stdin.write("q")
        await screen.rest()
    assert not {name for name in env if name.startswith(("PYTHONS", "PYTHONPATH", "TEXTUAL"))}
    assert "LD_PRELOAD" not in env and "COLUMNS" not in env and "LINES" not in env
    assert env["TERM"] == "xterm-direct" and env["COLORTERM"] == "truecolor"
    assert env["LANG"] == "C.UTF-8" and env["LC_TIME"] == "C"
    assert Path(env["BROWSER"]).name == "true"
    assert env["HOME"] == str(Paths(server.config.data_dir).user_dir("alice"))

    # With the real CLI: a sitecustomize.py on a client-sent PYTHONPATH is never run.
    evil = tmp_path / "evil"
    evil.mkdir()
    marker = tmp_path / "pwned"
    (evil / "sitecustomize.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    real = start_server()
    async with await connect(real.port, keys["alice"], "alice") as conn:
        result = await asyncio.wait_for(
            conn.run("list", env={"PYTHONPATH": str(evil), "PYTHONSTARTUP": str(evil)}), TIMEOUT
        )
    assert result.exit_status == 0 and TITLE in str(result.stdout)
    assert not marker.exists()


async def test_session_limits_overall_and_per_user(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], fake_reader: tuple[str, ...]
) -> None:
    server = start_server(launcher=fake_reader, max_sessions=2, max_sessions_per_user=1)
    async with (
        await connect(server.port, keys["alice"], "alice") as alice,
        await connect(server.port, keys["bob"], "bob") as bob,
        await connect(server.port, keys["dave"], "dave") as dave,
    ):
        first, _ = await open_fake(alice)
        second = await alice.create_process(term_type="xterm", term_size=(80, 24))
        assert "alice already has 1 open session," in str(
            await asyncio.wait_for(second.stderr.read(), TIMEOUT)
        )
        assert (await asyncio.wait_for(second.wait(), TIMEOUT)).exit_status == 1
        await open_fake(bob)
        third = await dave.create_process(term_type="xterm", term_size=(80, 24))
        assert "server is full (2 sessions)" in str(
            await asyncio.wait_for(third.stderr.read(), TIMEOUT)
        )
        # A slot comes back when its session ends.
        first.process.stdin.write("q")
        await first.rest()
        await open_fake(dave)
    log = await asyncio.to_thread(server.logged, "server full", "too many sessions")
    assert "refused: too many sessions for the user" in log and "refused: server full" in log


async def test_idle_sessions_are_ended_with_a_message(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], fake_reader: tuple[str, ...]
) -> None:
    server = start_server(launcher=fake_reader, idle_timeout=1.0)
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, pid = await open_fake(conn)
        for key in "1234567":  # input every 0.2 s keeps it open well past the timeout
            await asyncio.sleep(0.2)
            screen.process.stdin.write(key)
        await screen.wait_for("GOT b'7'")  # still there, 1.4 s or more after it opened
        stderr = await asyncio.wait_for(screen.process.stderr.read(), TIMEOUT)
        assert "session closed after 1 s without input" in stderr
        assert (await asyncio.wait_for(screen.process.wait(), TIMEOUT)).exit_status == 1
        assert await agone(pid)
    log = await asyncio.to_thread(server.logged, "reader ended: idle timeout")
    assert "reader ended: idle timeout" in log


async def test_a_client_that_vanishes_takes_its_child_with_it(
    start_server: Callable[..., RunningServer],
    keys: dict[str, Path],
    fake_reader: tuple[str, ...],
    library: Path,
) -> None:
    (library / "stubborn").write_text("ignore SIGHUP and SIGTERM")
    server = start_server(launcher=fake_reader, kill_grace=0.5)
    conn = await connect(server.port, keys["alice"], "alice")
    _, pid = await open_fake(conn)
    conn.abort()  # no goodbye: the TCP connection just drops
    assert await agone(pid), "the child outlived its client"
    log = await asyncio.to_thread(server.logged, "client disconnected")
    assert "reader ended: client disconnected" in log


async def test_shutdown_ends_every_session_and_tells_the_client(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], fake_reader: tuple[str, ...]
) -> None:
    server = start_server(launcher=fake_reader)
    async with await connect(server.port, keys["alice"], "alice") as conn:
        screen, pid = await open_fake(conn)
        stopping = asyncio.get_running_loop().run_in_executor(None, server.stop)
        stderr = await asyncio.wait_for(screen.process.stderr.read(), TIMEOUT)
        assert "the server is shutting down" in stderr
        await asyncio.wait_for(stopping, TIMEOUT)
        assert await agone(pid)
    assert "stop listen=" in server.log().splitlines()[-1]


async def test_failed_logins_ban_the_name_from_that_address_then_the_address(
    start_server: Callable[..., RunningServer], keys: dict[str, Path]
) -> None:
    server = start_server(max_failures=3, max_address_failures=6)
    for _ in range(3):
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, keys["carol"], "carol")
    with pytest.raises(asyncssh.PermissionDenied, match="too many failed logins as 'carol'"):
        await connect(server.port, keys["carol"], "carol")
    # A noisy neighbour behind the same NAT does not lock out a valid key.
    async with await connect(server.port, keys["alice"], "alice") as conn:
        assert (await asyncio.wait_for(conn.run("list"), TIMEOUT)).exit_status == 0
    for name in ("mallory", "eve", "trent"):  # many names from one address: the address goes
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(server.port, keys["carol"], name)

    def first_bytes() -> bytes:
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            return sock.recv(256)

    assert await asyncio.to_thread(first_bytes) == b""  # not even the SSH version line
    log = await asyncio.to_thread(server.logged, "dropped before key exchange")
    assert "127.0.0.1 banned for 'carol' for 300s" in log
    assert "address banned for 300s after failed logins as many users" in log
    assert "dropped before key exchange: address banned after failed logins" in log


async def test_keys_added_while_running_work_without_a_restart(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    server = start_server()
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, keys["carol"], "carol")
    add_user(Paths(library).authorized_keys, "carol", f"{keys['carol']}.pub")
    async with await connect(server.port, keys["carol"], "carol") as conn:
        result = await asyncio.wait_for(conn.run("list"), TIMEOUT)
    assert result.exit_status == 0


async def test_users_removed_while_running_are_locked_out_without_a_restart(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    server = start_server()
    async with await connect(server.port, keys["bob"], "bob") as conn:
        result = await asyncio.wait_for(conn.run("list"), TIMEOUT)
    assert result.exit_status == 0
    remove_user(Paths(library).authorized_keys, "bob")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, keys["bob"], "bob")
    async with await connect(server.port, keys["alice"], "alice"):
        pass  # the others are still in


async def test_a_keys_file_others_can_write_stops_every_login_until_fixed(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    server = start_server()
    keys_file = Paths(library).authorized_keys
    async with await connect(server.port, keys["alice"], "alice"):
        pass
    keys_file.chmod(0o620)  # the content is the same: only the mode changed
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, keys["alice"], "alice")
    log = await asyncio.to_thread(server.logged, "no logins:")
    assert f"no logins: {keys_file} is writable by group or others (mode 620)" in log
    keys_file.chmod(0o600)
    async with await connect(server.port, keys["alice"], "alice"):
        pass


async def test_a_session_that_cannot_start_tells_the_client_and_the_log(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    users = Paths(library).users
    shutil.rmtree(users, ignore_errors=True)
    users.write_text("not a folder")  # so the reader's home cannot be made
    server = start_server()
    async with await connect(server.port, keys["alice"], "alice") as conn:
        result = await asyncio.wait_for(conn.run("list"), TIMEOUT)
    assert result.exit_status == 1
    assert "the reader could not be started; see the server log" in str(result.stderr)
    log = await asyncio.to_thread(server.logged, "list ended: could not start")
    assert "Not a directory" in log and str(users / "alice") in log


async def test_an_unexpected_error_in_a_session_ends_it_and_is_logged(
    start_server: Callable[..., RunningServer],
    keys: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise RuntimeError("environment exploded")

    monkeypatch.setattr(serve_session, "child_environment", broken)
    server = start_server()
    async with await connect(server.port, keys["alice"], "alice") as conn:
        result = await asyncio.wait_for(conn.run("list"), TIMEOUT)
    assert result.exit_status == 1
    assert "the session failed on the server; see the server log" in str(result.stderr)
    log = await asyncio.to_thread(server.logged, "list ended: failed")
    assert 'error what="list session of alice" error="RuntimeError: environment exploded"' in log
    assert "list ended: failed (RuntimeError: environment exploded)" in log


def test_an_error_in_any_server_task_reaches_the_log(
    start_server: Callable[..., RunningServer],
) -> None:
    server = start_server()

    async def doomed() -> None:
        raise ValueError("nobody awaited me")

    async def run_one() -> None:
        await asyncio.wait([server.server.spawn(doomed())])

    server.call(run_one())
    assert "what=test_an_error_in_any_server_task_reaches_the_log.<locals>.doomed" in server.log()
    assert 'error="ValueError: nobody awaited me"' in server.log()


def test_serve_needs_no_library_the_first_session_makes_it(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    Paths(library).library.unlink()
    server = start_server()
    listed = openssh(server.port, keys["alice"], "alice@127.0.0.1", "list")
    assert listed.returncode == 0 and TITLE in listed.stdout


def test_a_log_file_that_fails_is_said_once_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ssh" / "server.log"
    path.parent.mkdir()
    path.symlink_to("/dev/full")  # every write fails: no space left on device
    log = ServerLog(path, echo=False)
    log.write("connection", user="alice")
    log.write("connection", user="bob")
    log.close()
    err = capsys.readouterr().err
    assert err.count(f"cannot write {path}") == 1
    assert "connection user=alice" in err and "connection user=bob" in err


def test_the_log_has_one_line_per_connection(
    start_server: Callable[..., RunningServer], keys: dict[str, Path], library: Path
) -> None:
    server = start_server()
    assert openssh(server.port, keys["alice"], "alice@127.0.0.1", "list").returncode == 0
    log = server.logged(" connection ")
    (line,) = [line for line in log.splitlines() if " connection " in line]
    fingerprint = asyncssh.read_public_key(f"{keys['alice']}.pub").get_fingerprint()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ connection user=alice ", line)
    for part in (f"key={fingerprint}", "addr=127.0.0.1:", "term=-", "duration=", "list exit 0"):
        assert part in line
    assert oct(Paths(library).server_log.stat().st_mode & 0o777) == "0o600"


def test_sigterm_stops_the_cli_server_and_its_sessions(
    library: Path, keys: dict[str, Path]
) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--data-dir", str(library), "serve", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    client: subprocess.Popen[str] | None = None
    try:
        assert server.stderr is not None
        first = server.stderr.readline()
        port = int(re.search(r"listen=127\.0\.0\.1:(\d+)", first).group(1))  # type: ignore[union-attr]
        client = subprocess.Popen(
            [*ssh_argv(port, keys["alice"], "-tt"), "alice@127.0.0.1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + TIMEOUT
        while not readers_of(library) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert readers_of(library), "the reader never started"
        server.send_signal(signal.SIGTERM)
        assert server.wait(TIMEOUT) == 0
        assert client.wait(TIMEOUT) == 1  # the session's status: ended by the server
        assert client.stderr is not None
        assert "the server is shutting down" in client.stderr.read()
        assert "stop listen=" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
        if client is not None and client.poll() is None:
            client.kill()
    assert readers_of(library) == []


def readers_of(data: Path) -> list[int]:
    """Processes started for this data dir (``--data-dir DATA --user NAME``)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ours = b"--user" in argv and str(data).encode() in argv and entry.name.isdigit()
        if ours and not gone(int(entry.name), timeout=0):
            found.append(int(entry.name))
    return found


def test_a_login_that_takes_too_long_is_cut_off(
    start_server: Callable[..., RunningServer],
) -> None:
    server = start_server(login_timeout=0.3)
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        assert sock.recv(256).startswith(b"SSH-2.0-")
        sock.sendall(b"SSH-2.0-slow_client\r\n")  # then nothing: no key exchange, no login
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert b"login timed out after 0.3 s" in received  # the disconnect message
    assert "refused: login timeout" in server.logged("login timeout")
