"""How well the segmenter recovers section breaks that were taken out (run by hand).

Takes real multi-section Markdown documents found on this machine: package READMEs shipped
in installed distributions (the Markdown long description in ``*.dist-info/METADATA``) and
the ``*.md`` files under ``/usr/share/doc`` and ``site-packages``. A document counts when it
has at least ``MIN_SECTIONS`` ``##`` sections and ``MIN_UNITS`` blocks; one per package.

Each document is cut into its top-level blocks (the segmenter's units); every heading is
removed (``##`` and deeper, so no cue is left behind), and the true breaks are where the
``##`` sections began. The text before the first ``##`` counts as a section of its own.

Reported, per unit of text (blocks), as Pk (Beeferman et al. 1999, k = half the mean true
section length; lower is better, 0 is perfect):

* ``segmenter``: with no flags, as ``briefing import`` runs it (it picks the count itself);
* ``segmenter, true N``: told the true number of sections (``--sections N``);
* ``equal baseline``: the true number of sections, of equal sizes.

The shipped model was fitted (benchmarks/segmenter/fit.py) on these same documents, so
its figures are in-sample. The figure to quote is the held-out one printed after them:
10-fold cross-validation, where the whole model is refitted ten times, each time without
one tenth of the documents, and scored on that tenth (``--folds 0`` skips it).

    python benchmarks/segmenter/run.py [--verbose]
"""

from __future__ import annotations

import argparse
import re
import site
import sys
import sysconfig
import zlib
from email.parser import Parser
from pathlib import Path
from statistics import mean

from briefing.core.sections import segment
from briefing.core.units import top_level_blocks

MIN_SECTIONS = 3
MIN_UNITS = 8
MAX_CHARS = 200_000

#: (name, units with the headings taken out, where each true section starts)
Document = tuple[str, list[str], list[int]]


def fold(name: str, folds: int) -> int:
    """Which of ``folds`` cross-validation folds a document is in: a stable hash of its
    name, so a document installed later does not move the others."""
    return zlib.crc32(name.encode()) % folds


def candidate_files() -> list[tuple[str, str]]:
    """(name, markdown) of every document worth trying, one per package, sorted by name."""
    found: dict[str, tuple[str, str]] = {}
    roots = {Path(p) for p in [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]}
    for root in sorted(roots):
        for metadata in sorted(root.glob("*.dist-info/METADATA")):
            text = metadata.read_text("utf-8", errors="replace")
            message = Parser().parsestr(text)
            if "markdown" not in str(message.get("Description-Content-Type", "")):
                continue
            package = re.sub(r"-[^-]*$", "", metadata.parent.name.removesuffix(".dist-info"))
            body = message.get_payload()
            if isinstance(body, str) and package.lower() != "briefing":
                found.setdefault(package.lower(), (f"pypi:{package}", body))
        for path in sorted(root.rglob("*.md")):
            name = f"site:{path.parent.name}/{path.name}"
            found.setdefault(f"site:{path.relative_to(root)}", (name, _read(path)))
    for path in sorted(Path("/usr/share/doc").glob("*/*.md")):
        found.setdefault(f"doc:{path}", (f"doc:{path.parent.name}/{path.name}", _read(path)))
    return [found[key] for key in sorted(found)]


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")[:MAX_CHARS]
    except (OSError, UnicodeDecodeError):
        return ""


def units_and_truth(markdown: str) -> tuple[list[str], list[int]]:
    """The blocks with every heading removed, and where each true ``##`` section starts."""
    units: list[str] = []
    starts: list[int] = []
    for kind, source in top_level_blocks(markdown):
        if kind == "h2":
            if units and (not starts or starts[-1] != len(units)):
                starts.append(len(units))
            continue
        if kind.startswith("h"):
            continue
        units.append(source)
    starts = [0, *[s for s in starts if 0 < s < len(units)]]
    return units, sorted(set(starts))


def labels(starts: list[int], count: int) -> list[int]:
    """The section number of each unit."""
    out = []
    section = -1
    bounds = set(starts)
    for index in range(count):
        if index in bounds:
            section += 1
        out.append(section)
    return out


def pk(truth: list[int], guess: list[int], count: int) -> float:
    """Beeferman's Pk: how often a probe k units wide disagrees about 'same section'."""
    ref, hyp = labels(truth, count), labels(guess, count)
    k = max(1, round(count / len(truth) / 2))
    probes = count - k
    if probes <= 0:
        return 0.0
    wrong = sum((ref[i] == ref[i + k]) != (hyp[i] == hyp[i + k]) for i in range(probes))
    return wrong / probes


def equal(count: int, sections: int) -> list[int]:
    return sorted({round(i * count / sections) for i in range(sections)})


def documents() -> list[Document]:
    """(name, units, true section starts) of every document that qualifies, sorted by name.

    A document whose true sections average under two blocks (a changelog of one-line
    entries) is a list, not a text in sections, and is left out; so is a second copy of
    a document already taken (Debian ships one README in several packages).
    """
    found = []
    seen = set()
    for name, markdown in candidate_files():
        if markdown.count("\n## ") + markdown.startswith("## ") < MIN_SECTIONS:
            continue
        units, truth = units_and_truth(markdown)
        if len(truth) < MIN_SECTIONS or len(units) < MIN_UNITS or len(units) < 2 * len(truth):
            continue
        if "\n\n".join(units) in seen:
            continue
        seen.add("\n\n".join(units))
        found.append((name, units, truth))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per document")
    parser.add_argument("--folds", type=int, default=10, help="cross-validation folds (0: none)")
    args = parser.parse_args()
    rows = []
    for name, units, truth in documents():
        auto = segment(units)
        told = segment(units, sections=len(truth))
        rows.append(
            (
                name,
                len(units),
                len(truth),
                len(auto),
                pk(truth, auto, len(units)),
                pk(truth, told, len(units)),
                pk(truth, equal(len(units), len(truth)), len(units)),
                True,
            )
        )
    if not rows:
        print("no multi-section Markdown documents found", file=sys.stderr)
        return 1
    if args.verbose:
        for name, units, true_n, auto_n, p_auto, p_told, p_equal, _ in rows:
            print(
                f"{name[:40]:<40} units {units:4} sections {true_n:3}/{auto_n:3}"
                f"  Pk {p_auto:.3f} told {p_told:.3f} equal {p_equal:.3f}"
            )
    part = rows
    print(f"shipped model, in-sample: {len(part)} documents, {sum(r[1] for r in part)} blocks")
    true_n, proposed = mean(r[2] for r in part), mean(r[3] for r in part)
    print(f"  mean true sections {true_n:.1f}, proposed {proposed:.1f}")
    print(f"  Pk segmenter (no flags)     {mean(r[4] for r in part):.3f}")
    print(f"  Pk segmenter (true N given) {mean(r[5] for r in part):.3f}")
    print(f"  Pk equal baseline (true N)  {mean(r[6] for r in part):.3f}")
    better = sum(r[4] < r[6] for r in part)
    print(f"  segmenter better than the baseline on {better} of {len(part)} documents")
    if args.folds > 1:
        from fit import cross_validate

        cross_validate(documents(), args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
