"""Crash-safe file writes for the store.

Stock ``JSONStorage`` rewrites the file in place and truncates afterwards,
so a kill mid-write can leave half a JSON document. Here every write goes
to a temporary file that is fsynced and renamed over the old one, so a
reader (or a restart after SIGKILL) sees the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TEMP_SUFFIX = ".tmp"
LOCK_TIMEOUT = 15.0


class DataError(Exception):
    """Stored data that cannot be used; ``str()`` names the file and the reason."""


class Locked(DataError):
    """Another process held a file's lock for too long."""


class CorruptFile(DataError):
    """A data file that cannot be parsed. The file is left untouched."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


class Unreadable(DataError):
    """A data file the OS will not let us read (permissions, not a regular file).

    Not damage: the bytes may be fine, so it is never "restored" over.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


class WriteFailed(DataError, OSError):
    """The OS refused a write (disk full, read-only, permissions); nothing was changed.

    Still an ``OSError``, so code that catches those keeps working."""


#: How each refusal of the OS is told, by errno.
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ELOOP: "too many symbolic links",
    errno.EIO: "input/output error (a failing disk?)",
}


def cause(error: OSError) -> str:
    """One phrase for why the OS refused: "the disk is full", "permission denied"…"""
    if error.errno in _CAUSES:
        return _CAUSES[error.errno]
    return (error.strerror or str(error)).lower()


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: Path) -> bytes | None:
    """A data file's bytes; ``None`` if there is none.

    Anything but a regular file (a FIFO, /dev/zero, a folder) is refused
    before it is opened, so that a read can never hang or never end.
    """
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable(path, f"{_kind(mode)}, not a regular file; not read")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped meanwhile
                raise Unreadable(path, "not a regular file; not read")
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise Unreadable(path, f"cannot read: {cause(error)}") from error


def read_json(path: Path, *, strict: bool = False) -> dict[str, Any] | None:
    """A TinyDB document, or ``None`` if the file does not exist.

    ``strict`` also refuses duplicate keys (the next write would drop one copy);
    nesting too deep is always refused rather than overflowing the parser.
    """
    raw = read_bytes(path)
    if raw is None:
        return None
    if not raw.strip():
        raise CorruptFile(path, "file is empty")
    from briefing.store.schema import ShapeError, strict_loads

    try:
        data = strict_loads(raw) if strict else json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptFile(path, f"not valid JSON ({error})") from error
    except ShapeError as error:
        raise CorruptFile(path, str(error)) from error
    except RecursionError:
        from briefing.store.schema import TOO_DEEP

        raise CorruptFile(path, TOO_DEEP) from None
    if not isinstance(data, dict):
        raise CorruptFile(path, "not a TinyDB document (top level is not an object)")
    return data


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``<path>.lock``, so that one process at a time reads, changes and rewrites ``path``."""
    # Imported here: only writers lock, and the reader's first frame needs no write.
    from filelock import FileLock, Timeout

    lock_path = Path(f"{path}.lock")
    try:
        mode = os.lstat(lock_path).st_mode
    except FileNotFoundError:
        pass
    except OSError as error:
        raise WriteFailed(f"cannot lock {path}: {cause(error)}") from error
    else:
        if stat.S_ISLNK(mode):  # following it could truncate whatever it points at
            raise WriteFailed(f"{lock_path} is a symbolic link, not a lock file; remove it")
        if not stat.S_ISREG(mode):
            raise WriteFailed(f"{lock_path} is {_kind(mode)}, not a lock file; remove it")
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as error:
        raise Locked(f"{path}: locked by another process for too long") from error
    except OSError as error:
        raise WriteFailed(f"cannot lock {path}: {cause(error)}") from error
    try:
        yield
    finally:
        lock.release()


def write_atomic(
    path: Path, payload: bytes, *, sync_folder: bool = True, mode: int | None = None
) -> None:
    """Write, fsync, rename over, fsync the folder.

    The new file is mkstemp's, so its mode is 0600 whatever the old file's
    was (data files stay private; the SSH keys files rely on it), unless ``mode``
    says otherwise. ``sync_folder=False`` leaves the folder's fsync to the caller,
    who writes many files there and syncs it once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if sync_folder:
        fsync_dir(path.parent)


def stage(path: Path, payload: bytes) -> str:
    """Write ``payload`` to a new temporary file beside ``path`` and fsync it; its name.
    Renaming it over ``path`` is the caller's (an OS refusal is a :class:`WriteFailed`)."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as error:
        raise WriteFailed(f"cannot write {path}: {cause(error)}; it was not changed") from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise WriteFailed(f"cannot write {path}: {cause(error)}; it was not changed") from error
    return name


def write_data(path: Path, payload: bytes, *, sync_folder: bool = True) -> None:
    """:func:`write_atomic` for a data file: an OS refusal becomes one :class:`WriteFailed`
    naming the file and the cause; the old file is left as it was."""
    try:
        write_atomic(path, payload, sync_folder=sync_folder)
    except OSError as error:
        detail = f"{cause(error)} ({error.strerror})" if error.strerror else cause(error)
        raise WriteFailed(f"cannot write {path}: {detail}; it was not changed") from error


#: From this many files on, :func:`write_many` flushes the file system once instead of
#: fsyncing each file (2,000 fsyncs took 12 s here; one syncfs, 1 s).
SYNC_ONCE_FROM = 16


def write_many(files: list[tuple[Path, bytes]]) -> None:
    """Write several data files, each atomically (after a kill, each one is its old or its
    new content), flushing them to disk together: every new content goes to its temporary
    file, then all are made durable at once (one ``syncfs`` of the file system on Linux
    for many files; else an fsync each), then each is renamed over its file. Folders are
    left to the caller's :func:`fsync_dir`. An OS refusal is one :class:`WriteFailed`
    naming the file; files not yet renamed are unchanged."""
    temps: list[tuple[str, Path]] = []
    current = Path()
    try:
        for path, payload in files:
            current = path
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX
            )
            temps.append((name, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
        _make_durable([name for name, _ in temps])
        while temps:
            name, current = temps[0]
            os.replace(name, current)
            temps.pop(0)
    except OSError as error:
        detail = f"{cause(error)} ({error.strerror})" if error.strerror else cause(error)
        raise WriteFailed(f"cannot write {current}: {detail}; it was not changed") from error
    finally:
        for name, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def _make_durable(names: list[str]) -> None:
    """Flush written files to disk: one ``syncfs`` for many (Linux), else each fsynced."""
    if len(names) >= SYNC_ONCE_FROM and _syncfs(names[0]):
        return
    for name in names:
        fsync_path(name)


def _syncfs(name: str) -> bool:
    """``syncfs(2)`` on the file system holding ``name``; False where there is none."""
    try:
        import ctypes  # here: only a big import comes this way

        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(name, os.O_RDONLY)
    try:
        if function(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
    finally:
        os.close(fd)
    return True


class WriteRefused(Exception):
    """A document that was not written; ``str()`` names the file and the reason."""


class AlreadyExists(WriteRefused):
    """The file is there and overwriting it was not asked for."""


def write_document(
    path: Path,
    text: str,
    *,
    overwrite: bool = False,
    unchanged: Callable[[str], bool] | None = None,
) -> bool:
    """Write a file the user asked for (an export), atomically, making its folder.

    Never over an existing file unless ``overwrite``: ``briefing export --force``
    and the reader's export dialog share this, so both refuse the same way. Only a
    regular file or a new path is written: a symlink (dangling or not), FIFO, device
    or socket is refused, even with ``overwrite`` (as root, ``-o /dev/null --force``
    would otherwise replace the device). When ``unchanged(old_text)`` holds for the
    file there, it is left untouched and False returned. Every OS refusal (even a
    folder that may not be searched, where merely asking whether the file exists
    fails) becomes a :class:`WriteRefused`.
    """
    try:
        if path.is_dir():
            raise WriteRefused(f"{path} is a folder")
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISLNK(mode):
            raise WriteRefused(f"{path} is a symbolic link; give the path of a regular file")
        if mode is not None and not stat.S_ISREG(mode):
            raise WriteRefused(f"{path} is not a regular file; not writing to it")
        if mode is not None and unchanged is not None:
            with contextlib.suppress(UnicodeDecodeError):
                if unchanged(path.read_bytes().decode("utf-8")):
                    return False
        if mode is not None and not overwrite:
            raise AlreadyExists(f"{path} exists")
        # A document is the user's: an existing one keeps its mode, a new one gets the
        # mode any new file would (0666 less the umask), readable in a shared vault.
        keep = stat.S_IMODE(mode) if mode is not None else 0o666 & ~current_umask()
        write_atomic(path, text.encode("utf-8"), mode=keep)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise WriteRefused(f"cannot write {path}: {_refusal(path, error)}") from error
    return True


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def _refusal(path: Path, error: Exception) -> str:
    # "File exists" from mkdir would hide the real problem: a file where a folder must be.
    try:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    except (OSError, ValueError):
        blocker = None
    if blocker is not None:
        return f"{blocker} is a file, not a folder"
    return getattr(error, "strerror", None) or str(error)


def fsync_path(path: str | Path) -> None:
    """Flush one file, or a folder's entries (after a rename in it), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: A folder is flushed as any file is: what matters is that its entries reach the disk.
fsync_dir = fsync_path


def remove_stale_temps(path: Path) -> int:
    """Delete temp files a killed writer left behind. Call only under ``path``'s lock."""
    removed = 0
    for stale in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            removed += 1
    return removed
