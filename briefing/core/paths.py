"""Every file location of the application, in one place.

Nothing here touches the disk at import time: directories are created by
the store when it first writes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

APP_NAME = "briefing"
HOME_ENV = "BRIEFING_HOME"
USER_ENV = "BRIEFING_USER"
#: Set by ``briefing serve`` for the readers it starts: they run on someone
#: else's machine and may write files only inside the user's own folder.
SERVED_ENV = "BRIEFING_SERVED"

#: A user name becomes a folder name, so it must never reach outside it.
USER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")


class BadUserName(ValueError):
    pass


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``$BRIEFING_HOME``, then the platform's data dir."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def validate_user(name: str) -> str:
    if not USER_NAME.fullmatch(name) or name in {".", ".."}:
        raise BadUserName(
            f"invalid user name {name!r}: use up to 32 letters, digits, '_', '.' or '-'"
        )
    return name


def resolve_user(override: str | None = None) -> str:
    """``--user`` wins, then ``$BRIEFING_USER``, then the login name."""
    name = override or os.environ.get(USER_ENV)
    if not name:
        try:
            import getpass  # only when neither --user nor BRIEFING_USER says

            name = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
            name = "reader"
    return validate_user(name)


def is_served() -> bool:
    return os.environ.get(SERVED_ENV) == "1"


def bundled_content() -> Traversable:
    """The briefings that ship inside the package (see ``package-dir`` in pyproject)."""
    from importlib.resources import files  # only on a first run, or to import the bundle

    return files("briefing.content")


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def library(self) -> Path:
        return self.root / "library.json"

    @property
    def briefings(self) -> Path:
        """One file per briefing: its text, read only when it is opened."""
        return self.root / "briefings"

    def briefing_file(self, slug: str) -> Path:
        return self.briefings / f"{slug}.json"

    @property
    def search_index(self) -> Path:
        """The shared search index of the briefings' text (SQLite), rebuildable."""
        return self.root / "search.sqlite3"

    @property
    def users(self) -> Path:
        return self.root / "users"

    def user_dir(self, user: str) -> Path:
        return self.users / validate_user(user)

    def notes_dir(self, user: str) -> Path:
        return self.user_dir(user) / "notes"

    def notes_file(self, user: str, slug: str) -> Path:
        return self.notes_dir(user) / f"{slug}.json"

    def state_file(self, user: str) -> Path:
        return self.user_dir(user) / "state.json"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def ssh(self) -> Path:
        return self.root / "ssh"

    @property
    def host_key(self) -> Path:
        return self.ssh / "host_key"

    @property
    def authorized_keys(self) -> Path:
        return self.ssh / "authorized_keys"

    @property
    def server_log(self) -> Path:
        return self.ssh / "server.log"
