"""Bringing briefings into the store: from files, folders and the bundle.

Shared by the CLI and the reader, so both import the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.core.ingest import IngestError, load_file, parse_briefing
from briefing.core.model import Briefing
from briefing.core.paths import bundled_content
from briefing.store.facade import ImportResult, Store


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    refused: list[IngestError] = field(default_factory=list)


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[IngestError]]:
    """Expand folders into their ``.md`` files; report paths that do not exist."""
    files: list[Path] = []
    missing: list[IngestError] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(IngestError(str(path), "no such file or folder"))
    return files, missing


def import_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    on_parsed: Callable[[Path], None] | None = None,
) -> ImportReport:
    """Parse every file first, then write all good ones in one store operation.

    A refused file never reaches the store; if every file is refused, the
    data files are not touched at all.
    """
    files, refused = collect_files(paths)
    report = ImportReport(refused=refused)
    parsed: dict[str, tuple[Briefing, str]] = {}
    for path in files:
        try:
            briefing = load_file(path)
        except IngestError as error:
            report.refused.append(error)
        else:
            if briefing.slug in parsed:
                other = parsed[briefing.slug][1]
                report.refused.append(
                    IngestError(str(path), f"same slug {briefing.slug!r} as {other}")
                )
            else:
                parsed[briefing.slug] = (briefing, str(path.resolve()))
        if on_parsed is not None:
            on_parsed(path)
    if parsed:
        report.results = store.import_briefings(parsed.values())
    return report


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
