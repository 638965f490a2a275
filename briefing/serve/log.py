"""``ssh/server.log``: the server's audit trail, one line per connection or event."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from briefing.core.safetext import described
from briefing.serve.keys import make_private_folder


def _field(value: object) -> str:
    """One value of a log line: controls, bidi overrides and line breaks shown, never obeyed
    (the one rule of :mod:`briefing.core.safetext`), so a line cannot be forged or hidden."""
    text = described(str(value)).replace("\n", "\u240a").replace("\t", "\u2409")
    if not text:
        return "-"
    if re.search(r'[\s"=]', text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _line(event: str, fields: Mapping[str, object]) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return " ".join([stamp, event, *(f"{name}={_field(value)}" for name, value in fields.items())])


class ServerLog:
    """Lines with a UTC timestamp, appended to ``ssh/server.log`` and echoed on stderr.

    It is the audit trail, so a line is never lost without a word: when the
    file fails, that is said once on stderr and the lines go there instead;
    when stderr fails, that is said once in the file and echoing stops.

    Past ``max_bytes`` the file is rotated: ``server.log`` becomes
    ``server.log.1``, ``.1`` becomes ``.2`` and so on; the oldest past
    ``keep`` is deleted, so the log never holds more than about
    ``(keep + 1) * max_bytes``, however busy (or attacked) the server is.
    """

    def __init__(
        self, path: Path, echo: bool, max_bytes: int = 10 * 1024 * 1024, keep: int = 5
    ) -> None:
        make_private_folder(path.parent)
        self.path = path
        self.max_bytes = max_bytes
        self.keep = max(keep, 0)
        self._fd = self._open()
        self._size = os.fstat(self._fd).st_size
        self.echo = echo
        self._file_failed = False

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def _append(self, line: str) -> None:
        """One unbuffered write per line: nothing half-written is kept to retry later."""
        data = (line + "\n").encode("utf-8")
        os.write(self._fd, data)
        self._size += len(data)
        if self.max_bytes > 0 and self._size >= self.max_bytes:
            self._rotate()

    def _rotate(self) -> None:
        """``server.log`` -> ``.1`` -> ... -> ``.keep``; a new, empty ``server.log``."""
        os.close(self._fd)
        try:
            name = self.path.name
            if self.keep == 0:
                self.path.unlink(missing_ok=True)
            else:
                for number in range(self.keep - 1, 0, -1):
                    older = self.path.with_name(f"{name}.{number}")
                    if older.exists():
                        older.replace(self.path.with_name(f"{name}.{number + 1}"))
                self.path.replace(self.path.with_name(f"{name}.1"))
        finally:
            self._fd = self._open()
            self._size = os.fstat(self._fd).st_size

    def write(self, event: str, **fields: object) -> None:
        line = _line(event, fields)
        try:
            self._append(line)
        except OSError as error:
            if not self._file_failed:
                self._file_failed = True
                reason = f"cannot write {self.path} ({error.strerror or error})"
                self._echo(_line("warning", {"message": f"{reason}; log lines go to stderr"}))
            self._echo(line)
            return
        if self.echo:
            self._echo(line)

    def _echo(self, line: str) -> None:
        try:
            print(line, file=sys.stderr, flush=True)
        except OSError as error:
            self.echo = False
            reason = f"cannot write to stderr ({error.strerror or error})"
            self._append(_line("warning", {"message": f"{reason}; echo stopped"}))

    def close(self) -> None:
        os.close(self._fd)
