"""Looking after the data and the tool: ``doctor``, ``config``, ``completion``, ``man``.

``config``, ``completion`` and ``man`` read no data: they work with no data dir and no
$HOME. ``doctor`` is the one interactive command (which backup to restore from).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from briefing import clidocs
from briefing.core.config import config_path, describe, load_config
from briefing.core.rules import counted
from briefing.subcommands.common import EXIT_FAILURE, EXIT_OK, Context, Failure, Output

if TYPE_CHECKING:
    from briefing.store.doctor import Verdict
    from briefing.store.facade import DataFile


def doctor(context: Context, args: argparse.Namespace) -> int:
    """``doctor``: one line per data file; ``--restore`` from backups; ``--reindex``."""
    from briefing.store import doctor

    store = context.store
    if args.reindex:
        import sqlite3

        try:
            store.sync_search(rebuild=True)
        except sqlite3.Error as error:
            raise Failure(f"{store.paths.search_index}: cannot rebuild ({error})") from error
        context.out(f"Search index rebuilt: {counted(len(store.listings()), 'briefing')}.")
        return EXIT_OK
    verdicts = doctor.check(store)
    if not verdicts:
        context.out(f"No data files yet in {store.paths.root}.")
        return EXIT_OK
    for verdict in verdicts:
        if verdict.status == "ok":
            context.out(f"ok   {verdict.file.path}")
        elif verdict.status == "unreadable":
            context.out(f"BAD  {verdict.problem} (not damage: never restored; fix the cause)")
        else:
            context.out(f"BAD  {verdict.problem}")
    bad = [v for v in verdicts if v.restorable]
    others = [v for v in verdicts if v.status in ("newer", "unreadable")]
    unplaced = _placement(context, verdicts, args.restore)
    if not bad:
        if not others and not unplaced:
            count = len(verdicts)
            said = f"All {count} data files are" if count > 1 else "The data file is"
            context.out(f"{said} good.")
        return EXIT_FAILURE if others or unplaced else EXIT_OK
    if not args.restore:
        context.out("Run 'briefing doctor --restore' to restore from the newest good backup.")
        return EXIT_FAILURE
    failed = 0
    for verdict in bad:
        backup = _choose_backup(context, verdict.file, args.yes)
        if backup is None:
            failed += 1
            continue
        done = doctor.restore(verdict.file, backup, doctor.damaged_folder(store))
        context.out(f"restored {verdict.file.path} from {backup}")
        context.out(f"  the damaged file is kept as {done.kept_aside}")
        if verdict.file.kind == "notes":
            context.out(
                f"  {counted(done.notes_from_backup, 'note')} from the backup,"
                f" {done.notes_salvaged} salvaged from the damaged file"
            )
    return EXIT_FAILURE if failed or others else EXIT_OK


def _placement(context: Context, verdicts: list[Verdict], repair: bool) -> int:
    """Notes not on the text they were made on: say so; with ``repair`` (``--restore``),
    finish the interrupted import's re-anchoring. How many files are still not right."""
    from briefing.store import doctor

    store = context.store
    unplaced = 0
    for verdict in verdicts:
        if verdict.status != "ok" or verdict.file.kind != "notes":
            continue
        placement = doctor.check_placement(store, verdict.file)
        if placement is None or not (placement.waiting or placement.wrong):
            continue
        path = verdict.file.path
        if placement.waiting:
            waiting = placement.waiting
            context.out(
                f"WAIT {path}: {counted(waiting, 'note')} {'is' if waiting == 1 else 'are'}"
                f" still on an older revision of {placement.slug!r}"
                " (an import was interrupted; its text is kept)"
            )
        for problem in placement.wrong:
            context.out(f"BAD  {path}: note {problem}")
        if repair:
            moved, orphaned = doctor.finish_moving(store, placement.slug)
            context.out(
                f"re-anchored the notes on {placement.slug!r}: {moved} moved, {orphaned} orphaned"
            )
        else:
            unplaced += 1
    if unplaced:
        context.out("Run 'briefing doctor --restore' to move them onto the current text.")
    return unplaced


def _choose_backup(context: Context, data_file: DataFile, yes: bool) -> Path | None:
    """The backup to restore from: the newest good one with ``--yes``, else the user's pick
    from a list showing each backup's age and note count. ``None``: leave the file."""
    from briefing.store import doctor

    candidates = doctor.backup_candidates(data_file)
    good = [c for c in candidates if c.good]
    if not good:
        print(f"no good backup for {data_file.path}; left as it is", file=sys.stderr)
        return None
    if yes:
        return good[0].path
    if not sys.stdin.isatty():
        raise Failure("not asking without a terminal; add --yes to restore")
    notes = data_file.kind == "notes"
    context.out(f"Backups of {data_file.path}, newest first:")
    for number, candidate in enumerate(good, start=1):
        context.out(f"  {number}) {candidate.describe(notes=notes)}")
    for candidate in candidates:
        if not candidate.good:
            context.out(f"  -  {candidate.describe(notes=notes)}")
    if notes:
        context.out(
            f"  {counted(doctor.salvageable(data_file), 'note')} can be salvaged from the"
            " damaged file;"
            " they are merged with the backup you choose."
        )
    answer = input(f"Restore from which backup? [1-{len(good)}, Enter: 1, n: skip] ")
    answer = answer.strip().lower() or "1"
    if answer.isdigit() and 1 <= int(answer) <= len(good):
        return good[int(answer) - 1].path
    context.out(f"skipped {data_file.path}")
    return None


def config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``config path``: the config file's path; ``config show`` (or ``config``): every setting."""
    output = Output(sys.stdout.isatty())
    if args.config_command == "path":
        output.out(str(config_path()))
        return EXIT_OK
    for line in describe(load_config()):
        output.out(line)
    return EXIT_OK


def completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``completion bash|zsh|fish``: the script, generated from the parser."""
    sys.stdout.write(clidocs.completion(parser, args.shell))
    return EXIT_OK


def man(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``man``: the manual page in roff, generated from the parser."""
    sys.stdout.write(clidocs.man_page(parser))
    return EXIT_OK
