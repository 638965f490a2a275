"""The export use case: choose the notes, render them, write them where they belong.

The CLI (``briefing export``) parses flags and prints; the choosing of briefings and
notes, the renderer (Markdown, JSON or a Jinja2 template), and the writing rules
(never over someone else's file without ``--force``; an unchanged export leaves the
file alone; a vault folder gets one file per briefing) live here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.core import export
from briefing.core.export import ExportItem
from briefing.core.rules import counted, now_iso
from briefing.store.atomic import AlreadyExists, WriteRefused, write_document
from briefing.store.facade import Store

Render = Callable[[Sequence[ExportItem]], str]


class ExportFailed(Exception):
    """An export that could not be made or written; one line for the user."""


@dataclass(frozen=True)
class Selection:
    """Which notes: named briefings (or every one with notes) and the filters."""

    slugs: Sequence[str] = ()
    tags: Collection[str] = ()
    section: str | None = None
    since: str | None = None

    @property
    def filtered(self) -> bool:
        """Whether some notes are left out (a tag, section or date asked for)."""
        return bool(self.tags) or self.section is not None or self.since is not None


def select(store: Store, chosen: Selection) -> list[ExportItem]:
    """The briefings asked for (unknown slug or section: an error) with their notes."""
    if chosen.slugs:
        briefings = [store.get(slug) for slug in chosen.slugs]
    else:
        counts = store.note_counts()
        briefings = [store.get(b.slug) for b in store.listings() if counts.get(b.slug)]
    # A section by its key or its title, in each briefing (the same title may have a
    # different key in another); an unknown one is an error.
    keys = {
        b.slug: store.section(b.slug, chosen.section).key if chosen.section else None
        for b in briefings
    }
    return [
        ExportItem(
            b,
            tuple(
                export.filter_annotations(
                    store.annotations(b.slug),
                    tags=chosen.tags,
                    section=keys[b.slug],
                    since=chosen.since,
                )
            ),
        )
        for b in briefings
    ]


def renderer(
    fmt: str, template: Path | None, *, environ: Mapping[str, str], version: str
) -> Render:
    """Items -> the document: JSON, Markdown, or ``template`` (Jinja2) when given.
    ``exported:`` is ``$SOURCE_DATE_EPOCH`` when set, else now."""
    try:
        stamp = export.export_time(environ, now_iso())
    except ValueError as error:
        raise ExportFailed(str(error)) from None
    if template is None:
        plain = export.export_json if fmt == "json" else export.export_markdown
        return lambda items: plain(items, exported_at=stamp, version=version)
    from briefing.core.template import TemplateFailed, TemplateUnavailable, render_template

    try:
        source = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ExportFailed(f"cannot read template {template}: {reason}") from None

    def render(items: Sequence[ExportItem]) -> str:
        try:
            return render_template(
                source, items, exported_at=stamp, version=version, name=str(template)
            )
        except (TemplateUnavailable, TemplateFailed) as error:
            raise ExportFailed(str(error)) from None

    return render


@dataclass(frozen=True)
class Target:
    """One file an export writes, the items it holds, and whether an earlier export of
    ours there may be replaced without ``--force`` (a vault folder's file)."""

    path: Path
    items: Sequence[ExportItem]
    ours: bool


def targets(
    items: Sequence[ExportItem],
    fmt: str,
    *,
    output: str | Path | None,
    folder: Path | None,
    filtered: bool = False,
) -> list[Target]:
    """``output`` holding every item, or else one file per briefing in ``folder`` (a
    vault), named by its slug and the format's suffix. An ``output`` that is a folder,
    or ends in ``/`` (a folder to make), is such a folder. A ``filtered`` export
    (some notes left out) never replaces an earlier export without ``--force``."""
    named = str(output) if output is not None else ""
    if output is not None and not named.endswith(("/", os.sep)) and not Path(output).is_dir():
        return [Target(Path(output), items, False)]
    where = Path(output) if output is not None else folder or Path()
    suffix = ".json" if fmt == "json" else ".md"
    return [Target(where / f"{item.briefing.slug}{suffix}", [item], not filtered) for item in items]


def _left_out(path: Path, text: str) -> int:
    """How many notes the export at ``path`` holds that ``text`` does not (0 when the
    file cannot be read or is not an export)."""
    try:
        old = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return 0
    return len(export.note_ids(old) - export.note_ids(text))


def write(path: Path, text: str, *, force: bool, ours: bool = False) -> bool:
    """Write ``text`` to ``path``; False when the file already held the same export.
    ``ours``: an earlier export there (front matter ``tool: briefing``) may be replaced
    without ``force``, as in a vault folder that export keeps up to date."""

    def unchanged(old: str) -> bool:
        return export.same_export(old, text)

    try:
        overwrite = force or (ours and path.is_file() and export.is_export(path.read_bytes()))
        return write_document(path, text, overwrite=overwrite, unchanged=unchanged)
    except AlreadyExists as error:
        dropped = _left_out(path, text)
        lose = f" and holds {counted(dropped, 'note')} this export leaves out" if dropped else ""
        raise ExportFailed(f"{error}{lose}; use --force to overwrite it") from None
    except WriteRefused as error:
        raise ExportFailed(str(error)) from None
    except OSError as error:
        raise ExportFailed(f"cannot read {path}: {error.strerror or error}") from None
