"""Who may read over SSH: the server's ``authorized_keys`` file.

The file is in OpenSSH ``authorized_keys`` format, one public key a line.
A key belongs to the user named by its ``environment="BRIEFING_USER=NAME"``
option::

    environment="BRIEFING_USER=alice" ssh-ed25519 AAAAC3Nza... alice@laptop

The option is explicit on purpose: a key's comment is free text (often
``user@host`` of wherever the key was made) and must never decide who a
reader is. ``briefing users add|list|rm`` keep the file; an operator may also
edit it by hand. The server re-reads it when it changes, so adding or removing
a user needs no restart; a removed key's open sessions are ended, with a
message, at their next session start or the server's next periodic check.

The server trusts the file only as OpenSSH's ``StrictModes`` would: owned by
the server's user (or root), and neither it nor its folder writable by group
or others; otherwise nobody logs in. It fails closed line by line too: a line
it cannot read, without the option, with an invalid user name, with a
certificate, with a weak key (RSA under 2048 bits, DSA; see
:mod:`briefing.serve.crypto`) or with any option it cannot honour (``from=``,
``command=``, ``expiry-time=``...) grants nothing, and ``briefing users list``
says why. ``restrict`` and ``no-pty`` are honoured as in OpenSSH: such a key
gets no terminal (only the exec commands), unless ``restrict`` is followed
by ``pty``.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from briefing.core.paths import USER_ENV, BadUserName, Paths, validate_user
from briefing.serve.crypto import key_problem
from briefing.store.atomic import locked, write_atomic

#: Options that only take away what the server never grants anyway, so a line
#: carrying them is still honoured. Every other option makes the line inert.
HARMLESS_OPTIONS = frozenset(
    {
        "restrict",
        "pty",
        "no-pty",
        "no-port-forwarding",
        "no-agent-forwarding",
        "no-x11-forwarding",
        "no-user-rc",
    }
)

_KEY_TYPE = re.compile(r"^(?:ssh-|ecdsa-|sk-)[A-Za-z0-9@.+-]+$")
_COMMENT_JUNK = re.compile(r"[\x00-\x1f\x7f]")


class UsersError(Exception):
    """A users command that could not be done; the file is unchanged."""


@dataclass(frozen=True)
class KeyEntry:
    """One key line of the file."""

    line_number: int
    line: str
    user: str | None = None
    key: asyncssh.SSHKey | None = field(default=None, compare=False)
    problem: str | None = None  # why the server ignores this line
    pty: bool = True  # False with ``restrict`` (without a later ``pty``) or ``no-pty``

    @property
    def usable(self) -> bool:
        return self.problem is None and self.user is not None and self.key is not None

    @property
    def fingerprint(self) -> str:
        return self.key.get_fingerprint() if self.key is not None else "-"

    @property
    def algorithm(self) -> str:
        return self.key.get_algorithm() if self.key is not None else "-"

    @property
    def comment(self) -> str:
        if self.key is None:
            return ""
        return _COMMENT_JUNK.sub("?", self.key.get_comment() or "")


def _split_token(text: str) -> tuple[str, str]:
    """The first whitespace-delimited token (quotes may hold spaces), and the rest."""
    quoted = False
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char in " \t" and not quoted:
            return text[:index], text[index:].strip()
    if quoted:
        raise ValueError("unbalanced quotes in the options")
    return text, ""


def parse_options(text: str) -> list[tuple[str, str | None]]:
    """``a,b="x,y",c`` -> ``[("a", None), ("b", "x,y"), ("c", None)]``."""
    options: list[tuple[str, str | None]] = []
    name, value, in_value, quoted, escaped = "", None, False, False, False
    buffer = ""
    for char in text + ",":
        if quoted:
            if escaped:
                buffer += char
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            else:
                buffer += char
        elif char == '"' and in_value and not buffer:
            quoted = True
        elif char == "=" and not in_value:
            name, buffer, in_value = buffer, "", True
        elif char == ",":
            if in_value:
                value = buffer
            else:
                name, value = buffer, None
            if not name:
                raise ValueError("empty option")
            options.append((name.lower(), value))
            name, value, buffer, in_value = "", None, "", False
        else:
            buffer += char
    if quoted:
        raise ValueError("unbalanced quotes in the options")
    return options


def parse_line(line: str, line_number: int = 0) -> KeyEntry | None:
    """A key line as the server sees it; ``None`` for blank lines and comments."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    try:
        first, rest = _split_token(text)
        options: list[tuple[str, str | None]] = []
        if not _KEY_TYPE.match(first):
            options = parse_options(first)
            first, rest = _split_token(rest)
        key_text = f"{first} {rest}".strip()
        key = asyncssh.import_public_key(key_text)
    except (ValueError, asyncssh.KeyImportError) as error:
        return KeyEntry(line_number, line, problem=f"not a public key line ({error})")
    if "-cert-" in first:
        return KeyEntry(line_number, line, key=key, problem="certificates are not supported")
    weak = key_problem(key)
    if weak:
        return KeyEntry(line_number, line, key=key, problem=weak)
    users = []
    for name, value in options:
        if name == "environment" and value is not None and value.startswith(f"{USER_ENV}="):
            users.append(value.split("=", 1)[1])
        elif name not in HARMLESS_OPTIONS:
            return KeyEntry(
                line_number,
                line,
                key=key,
                problem=f"option {name!r} is not supported (the server cannot enforce it)",
            )
    if not users:
        return KeyEntry(
            line_number, line, key=key, problem=f'no environment="{USER_ENV}=NAME" option'
        )
    if len(users) > 1:
        return KeyEntry(line_number, line, key=key, problem=f"more than one {USER_ENV}")
    try:
        user = validate_user(users[0])
    except BadUserName as error:
        return KeyEntry(line_number, line, key=key, problem=str(error))
    return KeyEntry(line_number, line, user=user, key=key, pty=_pty_allowed(options))


def _pty_allowed(options: list[tuple[str, str | None]]) -> bool:
    """OpenSSH's reading: ``restrict`` takes the pty away, a ``pty`` after it gives it back."""
    allowed = True
    for name, _value in options:
        if name in {"restrict", "no-pty"}:
            allowed = False
        elif name == "pty":
            allowed = True
    return allowed


def format_line(user: str, key: asyncssh.SSHKey) -> str:
    public = key.export_public_key("openssh").decode("ascii").strip()
    return f'environment="{USER_ENV}={validate_user(user)}" {public}'


class AuthorizedKeys:
    """The parsed file: every line kept, so rewriting it loses nothing."""

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self.lines = [line.rstrip("\r\n") for line in lines]
        self.entries = [
            entry
            for number, line in enumerate(self.lines, start=1)
            if (entry := parse_line(line, number)) is not None
        ]
        self._by_key: dict[bytes, KeyEntry] = {}
        for entry in self.entries:
            if entry.usable and entry.key is not None and entry.user is not None:
                # The first line for a key wins, as in OpenSSH.
                self._by_key.setdefault(entry.key.public_data, entry)

    @classmethod
    def load(cls, path: Path) -> AuthorizedKeys:
        try:
            text = path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return cls()
        except OSError as error:
            raise UsersError(f"cannot read {path}: {error.strerror or error}") from error
        return cls(text.splitlines())

    def user_for(self, key: asyncssh.SSHKey) -> str | None:
        entry = self._by_key.get(key.public_data)
        return entry.user if entry is not None else None

    def entry_for(self, key: asyncssh.SSHKey) -> KeyEntry | None:
        """The usable line that grants this key, if any."""
        return self._by_key.get(key.public_data)

    def entry_for_data(self, public_data: bytes) -> KeyEntry | None:
        """:meth:`entry_for` by the key's wire form (what a connection keeps)."""
        return self._by_key.get(public_data)

    def users(self) -> dict[str, list[KeyEntry]]:
        found: dict[str, list[KeyEntry]] = {}
        for entry in self.entries:
            if entry.usable and entry.user is not None:
                found.setdefault(entry.user, []).append(entry)
        return found

    def ignored(self) -> list[KeyEntry]:
        return [entry for entry in self.entries if not entry.usable]

    def dump(self) -> bytes:
        return "".join(f"{line}\n" for line in self.lines).encode("utf-8")


def keys_file(paths: Paths, override: Path | None = None) -> Path:
    """The keys file: ``--authorized-keys`` if given, else the data dir's."""
    return override or paths.authorized_keys


def make_private_folder(folder: Path) -> None:
    """The folder of the host key, the keys file and the log: the server's user's alone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def check_permissions(path: Path) -> str | None:
    """Why the server must not trust this file, or ``None``.

    As OpenSSH's ``StrictModes``: whoever can change the file or its folder
    (another user, or anyone through group or other write bits) could let
    themselves in as any reader. A symlink is followed: the real file and
    its folder are checked, and so is the folder holding the link (whoever
    can write there can point the link elsewhere).
    """
    try:
        real = path.resolve(strict=True)
        st = real.stat()
    except FileNotFoundError:
        return None
    except (OSError, RuntimeError) as error:  # a symlink loop, a folder we may not enter
        return f"cannot check {path}: {getattr(error, 'strerror', None) or error}"
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a regular file"
    folders = [real.parent]
    if path.absolute().parent != real.parent:
        folders.append(path.absolute().parent)
    return _unsafe(real, st, "chmod 600") or next(
        (problem for folder in folders if (problem := _unsafe(folder, folder.stat(), "chmod 700"))),
        None,
    )


def _unsafe(path: Path, st: os.stat_result, fix: str) -> str | None:
    if st.st_uid not in (os.geteuid(), 0):
        return (
            f"{path} belongs to another user (uid {st.st_uid}), not to the server's"
            f" (uid {os.geteuid()}) or root; run: chown {os.geteuid()} {path}"
        )
    if st.st_mode & 0o022:
        return (
            f"{path} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o});"
            f" run: {fix} {path}"
        )
    return None


def read_public_key(source: str | Path) -> asyncssh.SSHKey:
    """One public key from a file (``-``: standard input), in any format asyncssh reads."""
    try:
        if str(source) == "-":
            data = sys.stdin.read()
        else:
            data = Path(source).expanduser().read_text("utf-8", errors="replace")
    except OSError as error:
        raise UsersError(f"cannot read {source}: {error.strerror or error}") from error
    if "PRIVATE KEY" in data:
        raise UsersError(f"{source} holds a private key; give the public key (the .pub file)")
    lines = [line for line in data.splitlines() if line.strip() and not line.startswith("#")]
    if len(lines) > 1 and all(_KEY_TYPE.match(line.split()[0]) for line in lines):
        raise UsersError(f"{source} holds {len(lines)} keys; give one key per 'users add'")
    try:
        key = asyncssh.import_public_key(data)
    except (ValueError, asyncssh.KeyImportError) as error:
        raise UsersError(f"{source} is not an SSH public key ({error})") from error
    if "-cert-" in key.get_algorithm():
        raise UsersError("certificates are not supported; give the plain public key")
    weak = key_problem(key)
    if weak:
        raise UsersError(f"{source}: {weak}")
    return key


def _lock(path: Path) -> AbstractContextManager[None]:
    """The keys file's lock, its folder made private first."""
    make_private_folder(path.parent)
    return locked(path)


def _user_name(name: str) -> str:
    try:
        return validate_user(name)
    except BadUserName as error:
        raise UsersError(str(error)) from error


def add_user(path: Path, name: str, source: str | Path) -> KeyEntry:
    """Register a public key for user ``name``; a user may have several keys."""
    name = _user_name(name)
    key = read_public_key(source)
    with _lock(path):
        keys = AuthorizedKeys.load(path)
        owner = keys.user_for(key)
        if owner is not None:
            raise UsersError(
                f"this key ({key.get_fingerprint()}) is already registered for {owner!r}"
            )
        line = format_line(name, key)
        write_atomic(path, AuthorizedKeys([*keys.lines, line]).dump())
    entry = parse_line(line, len(keys.lines) + 1)
    assert entry is not None and entry.usable
    return entry


def remove_user(path: Path, name: str) -> list[KeyEntry]:
    """Remove every key of user ``name``. Their notes stay in the data dir."""
    name = _user_name(name)
    with _lock(path):
        keys = AuthorizedKeys.load(path)
        removed = [entry for entry in keys.entries if entry.user == name]
        if not removed:
            raise UsersError(f"no keys for {name!r} in {path}")
        gone = {entry.line_number for entry in removed}
        kept = [line for number, line in enumerate(keys.lines, start=1) if number not in gone]
        write_atomic(path, AuthorizedKeys(kept).dump())
    return removed


def list_lines(path: Path) -> list[str]:
    """The table ``briefing users list`` prints."""
    keys = AuthorizedKeys.load(path)
    users = keys.users()
    if not users and not keys.ignored():
        return [f"No users yet. Add one with: briefing users add NAME KEY.pub  ({path})"]
    rows = [
        (user, entry.algorithm, entry.fingerprint, entry.comment)
        for user in sorted(users)
        for entry in users[user]
    ]
    out = []
    if rows:
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            out.append(
                "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
            )
    for entry in keys.ignored():
        out.append(f"ignored: {path.name} line {entry.line_number}: {entry.problem}")
    return [line.rstrip() for line in out]
