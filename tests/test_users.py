"""The SSH server's authorized_keys: who is who, and ``briefing users add|list|rm``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from briefing.cli import main
from briefing.core.paths import Paths
from briefing.serve.keys import (
    AuthorizedKeys,
    UsersError,
    add_user,
    check_permissions,
    list_lines,
    parse_line,
    parse_options,
    remove_user,
)
from tests.helpers.ssh import NEEDS_OPENSSH
from tests.helpers.ssh import rsa_keys as rsa_keys_fixture

rsa_keys = rsa_keys_fixture  # a shared fixture, by name


def make_key(folder: Path, name: str, comment: str | None = None) -> Path:
    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment or f"{name}@laptop")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(key.export_private_key())
    public = folder / f"{name}.pub"
    public.write_bytes(key.export_public_key())
    return public


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def keys_file(data_dir: Path) -> Path:
    return Paths(data_dir).authorized_keys


def test_add_writes_an_openssh_line_naming_the_user(tmp_path: Path, keys_file: Path) -> None:
    public = make_key(tmp_path / "k", "alice")
    entry = add_user(keys_file, "alice", public)
    line = keys_file.read_text().strip()
    assert line.startswith('environment="BRIEFING_USER=alice" ssh-ed25519 AAAA')
    assert line.endswith("alice@laptop")
    assert entry.user == "alice" and entry.fingerprint.startswith("SHA256:")
    # private to the server's user, written atomically (no temp file left over)
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_file.parent.stat().st_mode) == 0o700
    assert not list(keys_file.parent.glob("*.tmp"))
    assert AuthorizedKeys.load(keys_file).user_for(asyncssh.read_public_key(public)) == "alice"


def test_the_comment_never_decides_the_user(tmp_path: Path, keys_file: Path) -> None:
    public = make_key(tmp_path / "k", "alice", comment="bob")
    add_user(keys_file, "alice", public)
    keys = AuthorizedKeys.load(keys_file)
    assert keys.user_for(asyncssh.read_public_key(public)) == "alice"
    assert list(keys.users()) == ["alice"]


def test_a_user_may_have_several_keys_but_a_key_only_one_user(
    tmp_path: Path, keys_file: Path
) -> None:
    first, second = make_key(tmp_path / "a", "one"), make_key(tmp_path / "b", "two")
    add_user(keys_file, "alice", first)
    add_user(keys_file, "alice", second)
    with pytest.raises(UsersError, match="already registered for 'alice'"):
        add_user(keys_file, "bob", first)
    assert len(AuthorizedKeys.load(keys_file).users()["alice"]) == 2


@pytest.mark.parametrize("name", ["../evil", "", "a b", "x" * 40, ".."])
def test_bad_user_names_are_refused(tmp_path: Path, keys_file: Path, name: str) -> None:
    public = make_key(tmp_path / "k", "alice")
    with pytest.raises(UsersError, match="invalid user name"):
        add_user(keys_file, name, public)
    assert not keys_file.exists()


def test_private_keys_garbage_and_several_keys_are_refused(tmp_path: Path, keys_file: Path) -> None:
    public = make_key(tmp_path / "k", "alice")
    with pytest.raises(UsersError, match="private key"):
        add_user(keys_file, "alice", tmp_path / "k" / "alice")
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("hello world\n")
    with pytest.raises(UsersError, match="not an SSH public key"):
        add_user(keys_file, "alice", garbage)
    two = tmp_path / "two.pub"
    two.write_text(public.read_text() + make_key(tmp_path / "k2", "bob").read_text())
    with pytest.raises(UsersError, match="holds 2 keys"):
        add_user(keys_file, "alice", two)
    with pytest.raises(UsersError, match="cannot read"):
        add_user(keys_file, "alice", tmp_path / "missing.pub")
    assert not keys_file.exists()


def test_remove_drops_every_key_of_the_user_and_keeps_other_lines(
    tmp_path: Path, keys_file: Path
) -> None:
    keys_file.parent.mkdir(parents=True)
    keys_file.write_text("# kept comment\n")
    add_user(keys_file, "alice", make_key(tmp_path / "a", "a1"))
    add_user(keys_file, "bob", make_key(tmp_path / "b", "b1"))
    add_user(keys_file, "alice", make_key(tmp_path / "c", "a2"))
    removed = remove_user(keys_file, "alice")
    assert [e.user for e in removed] == ["alice", "alice"]
    text = keys_file.read_text()
    assert text.startswith("# kept comment\n") and "BRIEFING_USER=bob" in text
    assert "BRIEFING_USER=alice" not in text
    with pytest.raises(UsersError, match="no keys for 'alice'"):
        remove_user(keys_file, "alice")


def test_options_are_parsed_like_openssh() -> None:
    assert parse_options('restrict,environment="BRIEFING_USER=a,b",from="x \\"y\\""') == [
        ("restrict", None),
        ("environment", "BRIEFING_USER=a,b"),
        ("from", 'x "y"'),
    ]


def test_lines_the_server_cannot_honour_grant_nothing(tmp_path: Path) -> None:
    public = make_key(tmp_path / "k", "alice").read_text().strip()
    good = parse_line(f'restrict,pty,environment="BRIEFING_USER=alice" {public}')
    assert good is not None and good.usable and good.user == "alice"
    cases = {
        public: "no environment",
        f'from="10.0.0.0/8",environment="BRIEFING_USER=alice" {public}': "option 'from'",
        f'command="sh",environment="BRIEFING_USER=alice" {public}': "option 'command'",
        f'environment="BRIEFING_USER=../x" {public}': "invalid user name",
        f'environment="BRIEFING_USER=a",environment="BRIEFING_USER=b" {public}': "more than one",
        'environment="BRIEFING_USER=alice" ssh-ed25519 bm90IGEga2V5': "not a public key",
        'environment="BRIEFING_USER=alice ssh-ed25519 AAAA': "not a public key",
    }
    for line, problem in cases.items():
        entry = parse_line(line)
        assert entry is not None and not entry.usable, line
        assert entry.problem is not None and problem in entry.problem, (line, entry.problem)
    assert parse_line("   ") is None and parse_line("# comment") is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("options", "pty"),
    [
        ("", True),
        ("restrict,", False),
        ("no-pty,", False),
        ("restrict,pty,", True),
        ("pty,restrict,", False),
    ],
)
def test_restrict_and_no_pty_take_the_terminal_away(
    tmp_path: Path, options: str, pty: bool
) -> None:
    public = make_key(tmp_path / "k", "alice").read_text().strip()
    entry = parse_line(f'{options}environment="BRIEFING_USER=alice" {public}')
    assert entry is not None and entry.usable and entry.pty is pty


@pytest.mark.system
@NEEDS_OPENSSH
def test_weak_keys_are_refused_at_add_and_in_the_file(
    keys_file: Path, rsa_keys: dict[int, Path]
) -> None:
    weak = Path(f"{rsa_keys[1024]}.pub")
    with pytest.raises(UsersError, match="RSA key of 1024 bits is too weak"):
        add_user(keys_file, "alice", weak)
    assert not keys_file.exists()
    entry = parse_line(f'environment="BRIEFING_USER=alice" {weak.read_text().strip()}')
    assert entry is not None and not entry.usable and "1024 bits" in (entry.problem or "")
    dss = asyncssh.generate_private_key("ssh-dss").export_public_key().decode()
    entry = parse_line(f'environment="BRIEFING_USER=alice" {dss.strip()}')
    assert (
        entry is not None
        and not entry.usable
        and "ssh-dss keys are not accepted" in (entry.problem or "")
    )
    strong = add_user(keys_file, "alice", f"{rsa_keys[3072]}.pub")
    assert strong.usable and strong.algorithm == "ssh-rsa"


@pytest.mark.unit
def test_a_symlinked_keys_file_is_judged_by_the_real_file(tmp_path: Path, keys_file: Path) -> None:
    add_user(keys_file, "alice", make_key(tmp_path / "a", "alice"))
    open_folder = tmp_path / "shared"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    real = open_folder / "authorized_keys"
    real.write_bytes(keys_file.read_bytes())
    real.chmod(0o600)
    keys_file.unlink()
    keys_file.symlink_to(real)
    problem = check_permissions(keys_file) or ""
    assert f"{open_folder} is writable by group or others" in problem
    open_folder.chmod(0o700)
    assert check_permissions(keys_file) is None
    keys_file.parent.chmod(0o777)  # whoever writes here can re-point the link
    assert f"{keys_file.parent} is writable" in (check_permissions(keys_file) or "")


def test_list_shows_users_and_ignored_lines(tmp_path: Path, keys_file: Path) -> None:
    assert "No users yet" in list_lines(keys_file)[0]
    add_user(keys_file, "bob", make_key(tmp_path / "b", "bob"))
    add_user(keys_file, "alice", make_key(tmp_path / "a", "alice"))
    with keys_file.open("a") as handle:
        handle.write(make_key(tmp_path / "c", "carol").read_text())
    lines = list_lines(keys_file)
    assert lines[0].startswith("alice  ssh-ed25519  SHA256:") and lines[0].endswith("alice@laptop")
    assert lines[1].startswith("bob ")
    assert lines[2] == 'ignored: authorized_keys line 3: no environment="BRIEFING_USER=NAME" option'


def test_group_writable_file_is_not_trusted(tmp_path: Path, keys_file: Path) -> None:
    add_user(keys_file, "alice", make_key(tmp_path / "a", "alice"))
    assert check_permissions(keys_file) is None
    keys_file.chmod(0o620)
    assert "writable by group or others" in (check_permissions(keys_file) or "")


def test_a_folder_others_can_write_is_not_trusted(tmp_path: Path, keys_file: Path) -> None:
    add_user(keys_file, "alice", make_key(tmp_path / "a", "alice"))
    keys_file.parent.chmod(0o770)
    problem = check_permissions(keys_file) or ""
    assert f"{keys_file.parent} is writable by group or others" in problem
    assert "chmod 700" in problem


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root")
def test_a_file_or_folder_of_another_user_is_not_trusted(tmp_path: Path, keys_file: Path) -> None:
    add_user(keys_file, "alice", make_key(tmp_path / "a", "alice"))
    os.chown(keys_file, 65534, -1)
    assert "belongs to another user (uid 65534)" in (check_permissions(keys_file) or "")
    os.chown(keys_file, 0, -1)  # root's own, as OpenSSH allows
    assert check_permissions(keys_file) is None
    os.chown(keys_file.parent, 65534, -1)
    problem = check_permissions(keys_file) or ""
    assert f"{keys_file.parent} belongs to another user (uid 65534)" in problem


def test_every_rewrite_leaves_the_file_private(tmp_path: Path, keys_file: Path) -> None:
    add_user(keys_file, "alice", make_key(tmp_path / "a", "alice"))
    keys_file.chmod(0o644)  # an operator's editor, say
    add_user(keys_file, "bob", make_key(tmp_path / "b", "bob"))
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    keys_file.chmod(0o644)
    remove_user(keys_file, "bob")
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600


def test_users_commands_need_no_reader_and_write_no_library(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFING_USER", "../not a reader name")
    code, out, err = run(capsys, "users", "list")
    assert code == 0 and "No users yet" in out, err
    assert not data_dir.exists()  # not even the library: nothing written at all
    code, _, err = run(capsys, "list")  # a reader's command still refuses the name
    assert code == 2 and "invalid user name" in err


def test_users_commands_through_the_cli(
    tmp_path: Path, keys_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = make_key(tmp_path / "k", "alice")
    code, out, err = run(capsys, "users", "add", "alice", str(public))
    assert code == 0 and out.startswith("added alice: ssh-ed25519 SHA256:"), err
    code, out, _ = run(capsys, "users", "list")
    assert code == 0 and out.startswith("alice  ssh-ed25519")
    code, _, err = run(capsys, "users", "add", "bob", str(public))
    assert code == 1 and "already registered for 'alice'" in err
    code, _, err = run(capsys, "users", "add", "../x", str(public))
    assert code == 1 and "invalid user name" in err
    code, out, _ = run(capsys, "users", "rm", "alice")
    assert code == 0 and "removed 1 key of alice" in out
    code, _, err = run(capsys, "users", "rm", "alice")
    assert code == 1 and "no keys for 'alice'" in err
    other = tmp_path / "other_keys"
    code, _, _ = run(capsys, "users", "--authorized-keys", str(other), "add", "bob", str(public))
    assert code == 0 and "BRIEFING_USER=bob" in other.read_text()


def test_users_add_reads_a_key_from_stdin(tmp_path: Path, data_dir: Path) -> None:
    public = make_key(tmp_path / "k", "alice")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefing",
            "--data-dir",
            str(data_dir),
            "users",
            "add",
            "alice",
            "-",
        ],
        input=public.read_text(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "BRIEFING_USER=alice" in Paths(data_dir).authorized_keys.read_text()
