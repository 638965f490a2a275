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


def data_dir_known(override: str | os.PathLike[str] | None = None) -> bool:
    """Whether :func:`resolve_data_dir` can find a folder: ``--data-dir``,
    ``$BRIEFING_HOME``, ``$XDG_DATA_HOME`` or a home folder."""
    if override or os.environ.get(HOME_ENV) or os.environ.get("XDG_DATA_HOME"):
        return True
    try:
        return str(Path.home()) not in ("", "~")
    except RuntimeError:  # no $HOME and no passwd entry, as in a bare container
        return False


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


# -- where a user's exported files may go -------------------------------------------------

#: The folder exported notes go to: ``~/briefing-notes`` locally, and under ``briefing
#: serve`` the only folder a session may write: ``DATA/users/<user>/briefing-notes``.
NOTES_FOLDER = "briefing-notes"


class PathRefused(ValueError):
    """A path the user typed that may not be written; the message says why, in one line."""


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def default_export_path(paths: Paths, name: str) -> Path:
    """``~/briefing-notes/<name>``, or the data dir's ``exports/<name>`` when home
    cannot be written to: the first save should just work, wherever that is."""
    try:
        folder = Path.home() / NOTES_FOLDER
    except RuntimeError:  # no $HOME and no passwd entry, as in a bare container
        return paths.exports / name
    if _writable(folder) or (not folder.exists() and _writable(folder.parent)):
        return folder / name
    return paths.exports / name


def served_folder(paths: Paths, user: str) -> Path | None:
    """The one folder a ``briefing serve`` session may save into; None when not served.

    A served reader may otherwise write anywhere the server account can, the keys
    file that maps keys to users included.
    """
    if not is_served():
        return None
    return paths.user_dir(user).resolve() / NOTES_FOLDER


def confined_path(raw: str, folder: Path | None) -> Path:
    """The file a user typed, made absolute; inside ``folder`` when one is given.

    Confined, a bare name means a file in the folder; after resolving, no "..", and no
    symlink (the folder's own included) may lead anywhere else. :class:`PathRefused`
    says why a path cannot be used.
    """
    raw = raw.strip()
    if not raw:
        raise PathRefused("Type the path of the file to save to.")
    try:
        path = Path(raw).expanduser()
        if folder is None:
            return path.absolute()
        path = (folder / path).resolve()
    except (RuntimeError, ValueError) as error:  # "~name/" unknown; a NUL in the path
        raise PathRefused(str(error)) from None
    if path.parent != folder:
        raise PathRefused(f"Here notes can only be saved in {folder}/")
    return path
