"""Bringing briefings into the store: from files, folders, URLs, stdin and the bundle.

Shared by the CLI and the reader, so both import the same way. Every input is read
here (a file, a URL fetched with a timeout and a size cap, stdin), turned into the
canonical briefing Markdown by :mod:`core.formats`, then parsed by :mod:`core.ingest`.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from briefing.core.ingest import MAX_FILE_BYTES, IngestError, parse_briefing
from briefing.core.model import Briefing
from briefing.core.paths import bundled_content
from briefing.core.rules import slugify
from briefing.store.facade import ImportResult, Store

# Every command imports this module (ensure_library), only an import converts a source:
# the formats (and their patterns) load when something is imported, not at each start.
if TYPE_CHECKING:
    from briefing.core.formats import Kind, Options
    from briefing.store.searchfile import SectionRow

#: What a folder import picks up, and what a file may be.
SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
#: Seconds to wait for a web server to answer (connect, and each read).
FETCH_TIMEOUT = 15.0
STDIN = "-"


@dataclass
class ImportReport:
    """What an import did: a result per briefing written, a refusal per input refused,
    and each revised briefing's section titles as they were before (old key -> title),
    so that a renamed section can be told from notes that moved."""

    results: list[ImportResult] = field(default_factory=list)
    refused: list[IngestError] = field(default_factory=list)
    sections_before: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Input:
    """One thing to import: a file, a URL or stdin, by the name the user gave it."""

    label: str  # as typed: a path, a URL or "-"
    path: Path | None = None

    @property
    def is_url(self) -> bool:
        return self.label.startswith(("http://", "https://"))


def collect_inputs(items: Iterable[str | Path]) -> tuple[list[Input], list[IngestError]]:
    """Expand folders into their importable files; report paths that do not exist."""
    found: list[Input] = []
    missing: list[IngestError] = []
    for item in items:
        label = str(item)
        if isinstance(item, str) and (label == STDIN or label.startswith(("http://", "https://"))):
            found.append(Input(label))
            continue
        path = Path(item)
        if path.is_dir():
            found.extend(
                Input(str(p), p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        elif path.is_file():
            found.append(Input(label, path))
        else:
            missing.append(IngestError(label, "no such file or folder"))
    return found, missing


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[IngestError]]:
    """The files among :func:`collect_inputs` (folders expanded)."""
    inputs, missing = collect_inputs(paths)
    return [i.path for i in inputs if i.path is not None], missing


def read_input(item: Input, stdin: BinaryIO | None = None) -> tuple[bytes, str, dict[str, str]]:
    """The raw bytes of an input, the name to guess its format by, and facts it carries."""
    if item.is_url:
        from briefing.store.fetching import fetch

        data, content_type = fetch(item.label, timeout=FETCH_TIMEOUT, limit=MAX_FILE_BYTES)
        return data, "page.html" if "html" in content_type else "page", {"url": item.label}
    if item.path is None:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise IngestError("stdin", "input is over the 5 MB limit")
        return data, "", {"date": _dt.date.today().isoformat()}
    path = item.path
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(item.label, f"file is {size / 1e6:.1f} MB, over the 5 MB limit")
        data = path.read_bytes()
        modified = _dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError as error:
        raise IngestError(item.label, f"cannot read file ({error.strerror or error})") from error
    if len(data) > MAX_FILE_BYTES:  # grew between stat and read
        raise IngestError(item.label, "file is over the 5 MB limit")
    return data, path.name, {"date": modified}


def decode(data: bytes, kind: Kind, origin: str) -> str:
    """Bytes as text. Binary data is refused; so are Markdown and text that are not UTF-8
    (a page that is not UTF-8 is read as Windows-1252, the web's usual fallback)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if b"\x00" in data[:8192]:
            raise IngestError(origin, "binary data, not text (is it a document?)") from None
        if kind == "html":
            return data.decode("cp1252", errors="replace")
        raise IngestError(origin, f"not UTF-8 (invalid byte at offset {error.start})") from error


def load_input(
    item: Input,
    options: Options | None = None,
    stdin: BinaryIO | None = None,
) -> tuple[Briefing, str]:
    """One input as a briefing and the canonical Markdown it was parsed from (``options``:
    how sources are converted, the defaults when ``None``)."""
    from briefing.core.formats import Options, kind_for, to_markdown

    origin = "stdin" if item.label == STDIN else item.label
    data, name, facts = read_input(item, stdin)
    kind = kind_for(name, data)
    if item.is_url and kind != "html":
        kind = "html" if kind_for("", data) == "html" or name == "page.html" else kind
    if kind == "markdown":
        facts.pop("date", None)  # a note's date is what it says, not when it was saved
    text = decode(data, kind, origin)
    options = Options() if options is None else options
    markdown = to_markdown(text, kind, name=name, origin=origin, options=options, facts=facts)
    slug = _name_slug(item)
    briefing = parse_briefing(markdown, slug=slug or _UNNAMED, origin=origin)
    if briefing.slug == _UNNAMED:  # no front matter slug either: the title names it
        briefing = _with_slug(briefing, slugify(briefing.title, fallback="briefing"))
    return briefing, markdown


#: File names that say nothing about the article (a saved page's ``index.html``): such
#: a file's slug comes from its title, as stdin's and a URL's do.
GENERIC_NAMES = frozenset(
    {
        "index",
        "page",
        "article",
        "download",
        "default",
        "document",
        "untitled",
        "file",
        "story",
        "post",
        "print",
        "view",
        "content",
        "main",
        "home",
        "text",
        "entry",
        "news",
        "export",
        "saved",
    }
)
_UNNAMED = "0-unnamed-input-0"


def _name_slug(item: Input) -> str:
    """The slug an input's file name gives it, or "" when the title should name it."""
    if item.path is None:
        return ""
    slug = slugify(item.path.stem, fallback="")
    if slug in GENERIC_NAMES or slug.replace("-", "").isdigit():
        return ""
    return slug


def _default_slug(item: Input, briefing: Briefing) -> str:
    return _name_slug(item) or slugify(briefing.title, fallback="briefing")


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


@dataclass(frozen=True)
class Stored:
    """What an import checks its inputs against: each stored briefing's title and
    origin by slug, and the slugs by origin and by title (made once per import, looked
    up per input)."""

    titles: dict[str, str]
    by_origin: dict[str, str]
    by_title: dict[str, list[str]]
    origins: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, stored: dict[str, tuple[str, str]]) -> Stored:
        """From each stored briefing's (title, origin) by slug."""
        by_title: dict[str, list[str]] = {}
        for slug, (title, _) in stored.items():
            by_title.setdefault(_title_key(title), []).append(slug)
        return cls(
            {slug: title for slug, (title, _) in stored.items()},
            {origin: slug for slug, (_, origin) in stored.items() if origin not in ("", STDIN)},
            by_title,
            {slug: origin for slug, (_, origin) in stored.items()},
        )

    def other_origin(self, slug: str, where: str) -> str | None:
        """The origin ``slug`` was stored from when it is a file or URL other than
        ``where``; None when there is nothing to compare (stdin on either side, or a
        briefing shipped with the package, which the user may well re-import)."""
        origin = self.origins.get(slug, "")
        unknown = origin in ("", STDIN) or origin.startswith("bundled:")
        if where == STDIN or unknown or origin == where:
            return None
        return origin


def place(
    item: Input,
    briefing: Briefing,
    where: str,
    stored: Stored,
    *,
    chosen: str | None = None,
) -> Briefing | IngestError:
    """``briefing`` under the slug it is imported as, or the refusal that keeps a
    different article from replacing a stored one (and its notes moving onto it).

    ``stored``: the stored briefings' titles and origins; ``where``: this input's
    origin; ``chosen``: the user's ``--slug``. The rule, in order: a slug the user
    chose (``--slug``, or ``slug:`` in the front matter) is used as it is; an input
    from the same file or URL as a stored briefing revises it; otherwise its slug comes
    from its file name, or from its title (stdin, a URL, ``index.html``: then the
    stored briefing with that title is the one). A stored briefing under that slug is
    revised only when there is no origin to compare (stdin on either side); one with
    another title, or from another file or URL, makes the input refused.
    """
    if chosen is not None:
        return _with_slug(briefing, slugify(chosen, fallback="briefing"))
    if briefing.slug != _default_slug(item, briefing):
        return briefing  # a front matter slug: the user's choice
    if where != STDIN and where in stored.by_origin:
        return _with_slug(briefing, stored.by_origin[where])
    title = _title_key(briefing.title)
    if not _name_slug(item):
        same = stored.by_title.get(title, [])
        if len(same) == 1:
            briefing = _with_slug(briefing, same[0])
        if len(same) > 1:
            names = ", ".join(same)
            return IngestError(
                item.label,
                f"its title “{briefing.title}” is the title of {len(same)} stored briefings "
                f"({names}); give --slug NAME to say which one it revises, or a new name",
            )
    old = stored.titles.get(briefing.slug)
    elsewhere = stored.other_origin(briefing.slug, where) if old is not None else None
    if (
        old is not None
        and _title_key(old) == title
        and elsewhere is not None
        and not _front_matter_chooses(item, briefing.slug)
    ):
        return IngestError(
            item.label,
            f"“{old}” is already stored from {elsewhere} as {briefing.slug}; to update "
            f"it from this {'URL' if item.is_url else 'file'} give --slug {briefing.slug}, "
            "or another --slug to keep both",
        )
    if old is not None and _title_key(old) != title:
        return IngestError(
            item.label,
            f"'{briefing.slug}' already holds “{old}”, a different article from "
            f"“{briefing.title}”; nothing changed. Give --slug NAME to import it under "
            f"another name (or --slug {briefing.slug} to replace it)",
        )
    return briefing


def _front_matter_chooses(item: Input, slug: str) -> bool:
    """Whether the file's own front matter says ``slug: <slug>`` (as ``show --markdown``
    writes it), which is the user's choice even when the file's name says the same.
    Read again only here, for an input about to be refused."""
    if item.path is None:
        return False
    try:
        with item.path.open("rb") as stream:
            head = stream.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return False
    lines = head.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (x.strip() for x in lines[1:]):
        return False
    end = next(i for i, x in enumerate(lines[1:], 1) if x.strip() == "---")
    from briefing.core.ingest import safe_load_yaml

    try:
        meta = safe_load_yaml("\n".join(lines[1:end]))
    except Exception:  # bad YAML: the parse already said so, or it is not front matter
        return False
    chosen = meta.get("slug") if isinstance(meta, dict) else None
    return chosen is not None and slugify(str(chosen), fallback="briefing") == slug


def _with_slug(briefing: Briefing, slug: str) -> Briefing:
    from dataclasses import replace

    return replace(briefing, slug=slug)


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    on_parsed: Callable[[Input], None] | None = None,
    options: Options | None = None,
    stdin: BinaryIO | None = None,
    slug: str | None = None,
) -> ImportReport:
    """Read and parse every input first, then write all good ones in one store operation.

    Each input is placed by :func:`place` (``slug``: the user's choice, for one input):
    one that would replace a different article is refused.

    A refused input never reaches the store; if every one is refused, the data files
    are not touched at all. Many files are parsed in worker processes, one per core
    (:func:`parsed_inputs`); the store is written by this process alone.
    """
    inputs, refused = collect_inputs(paths)
    report = ImportReport(refused=refused)
    if slug is not None and len(inputs) + len(refused) != 1:
        raise ValueError("a chosen slug is for one input")
    parsed: dict[str, tuple[Briefing, str]] = {}
    search_rows: dict[str, list[SectionRow]] = {}
    listed = store.listings() if store.exists() else []
    origins = store.origins() if listed else {}
    stored = Stored.of({b.slug: (b.title, origins.get(b.slug, "")) for b in listed})
    for item, outcome in parsed_inputs(inputs, options, stdin, search_rows=search_rows):
        where = str(item.path.resolve()) if item.path is not None else item.label
        if isinstance(outcome, Briefing):
            first = outcome.slug
            outcome = place(item, outcome, where, stored, chosen=slug)
            if isinstance(outcome, Briefing) and outcome.slug != first:
                search_rows.pop(first, None)  # prepared under the other slug
        if isinstance(outcome, IngestError):
            report.refused.append(outcome)
        elif outcome.slug in parsed:
            other = parsed[outcome.slug][1]
            report.refused.append(IngestError(item.label, f"same slug {outcome.slug!r} as {other}"))
        else:
            parsed[outcome.slug] = (outcome, where)
        if on_parsed is not None:
            on_parsed(item)
    if parsed:
        report.sections_before = {
            b.slug: {s.key: s.title for s in b.sections} for b in listed if b.slug in parsed
        }
        report.results = store.import_briefings(parsed.values(), search_rows=search_rows)
    return report


#: From this many files on, an import parses them in worker processes.
PARALLEL_FROM = 16


def parsed_inputs(
    inputs: list[Input],
    options: Options | None = None,
    stdin: BinaryIO | None = None,
    *,
    search_rows: dict[str, list[SectionRow]] | None = None,
) -> Iterator[tuple[Input, Briefing | IngestError]]:
    """Each input with its briefing or its refusal, in the order given.

    Parsing is most of a big import's time and needs nothing but the file, so from
    :data:`PARALLEL_FROM` files on they are parsed by forked workers, one per core
    this process may use; URLs and stdin are read here. The result is the same
    either way. A worker also prepares each briefing for the search index
    (:func:`.searchfile.prepare`): given ``search_rows``, they are put there by slug.
    """
    import multiprocessing  # here: every command imports this module, few import folders

    files = [item for item in inputs if item.path is not None]
    workers = min(len(files) // (PARALLEL_FROM // 2), _cores())
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for item in inputs:
            yield item, _outcome(item, options, stdin)
        return
    # fork: a worker starts with what this process has loaded (no re-import of the
    # package, whose __main__ runs the command line) and parses exactly as it would.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_ignore_interrupts) as pool:
        jobs = ((item, options) for item in files)
        done = pool.imap(_parse_job, jobs, chunksize=8)
        for item in inputs:
            if item.path is None:
                yield item, _outcome(item, options, stdin)
            else:
                outcome, rows = _as_outcome(next(done))
                if search_rows is not None and rows is not None and isinstance(outcome, Briefing):
                    search_rows[outcome.slug] = rows
                yield item, outcome


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _ignore_interrupts() -> None:
    """Ctrl+C stops the import in the parent, which ends the workers."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcome(
    item: Input, options: Options | None, stdin: BinaryIO | None
) -> Briefing | IngestError:
    try:
        return load_input(item, options, stdin)[0]
    except IngestError as error:
        return error


def _parse_job(
    job: tuple[Input, Options | None],
) -> tuple[Briefing, list[SectionRow]] | tuple[str, str]:
    """In a worker: one file's briefing and its search rows, or its refusal as
    (origin, reason), which pickles where the exception would not."""
    from briefing.store.searchfile import prepare

    outcome = _outcome(job[0], job[1], None)
    if isinstance(outcome, IngestError):
        return outcome.origin, outcome.reason
    return outcome, prepare(outcome)


def _as_outcome(
    result: tuple[Briefing, list[SectionRow]] | tuple[str, str],
) -> tuple[Briefing | IngestError, list[SectionRow] | None]:
    first, second = result
    if isinstance(first, Briefing):
        return first, second  # type: ignore[return-value]
    return IngestError(first, second), None  # type: ignore[arg-type]


def bundled_briefings() -> list[Briefing]:
    """The briefings shipped in the package. A bad one is a packaging bug: let it raise."""
    found = []
    for entry in sorted(bundled_content().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            slug = entry.name.removesuffix(".md")
            found.append(parse_briefing(entry.read_text("utf-8"), slug=slug, origin=entry.name))
    return found


def ensure_library(store: Store) -> list[ImportResult]:
    """On the very first run, import the bundled briefings."""
    if store.exists():
        return []
    return store.import_briefings((b, f"bundled:{b.slug}") for b in bundled_briefings())
