"""The server's own key: an ed25519 key made on first start and kept private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh

from briefing.serve.config import ServeError
from briefing.serve.keys import make_private_folder
from briefing.store.atomic import locked, write_atomic


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The server's ed25519 key: made on first start (``write_atomic``: 0600), then reused."""
    make_private_folder(path.parent)
    with locked(path):
        if not path.exists():
            key = asyncssh.generate_private_key("ssh-ed25519", comment="briefing host key")
            write_atomic(path, key.export_private_key())
            return key
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ServeError(f"host key {path} is not a regular file")
    if st.st_uid != os.geteuid():
        raise ServeError(f"host key {path} belongs to another user (uid {st.st_uid})")
    if st.st_mode & 0o077:
        raise ServeError(
            f"host key {path} is accessible by group or others (mode"
            f" {stat.S_IMODE(st.st_mode):o}); refusing to start. Run: chmod 600 {path}"
        )
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError) as error:
        raise ServeError(f"cannot read host key {path}: {error}") from error
