"""Score re-anchoring on real revision histories: briefing now, before (legacy), and a baseline.

    python benchmarks/anchoring/run.py                 # every pair, all three anchorers
    python benchmarks/anchoring/run.py --only rust     # one document
    python benchmarks/anchoring/run.py --anchorers current --limit 10 --failures 20

Sources (see build.py): jlevy/the-art-of-command-line README.md, donnemartin/system-design-primer
README.md, getify/You-Dont-Know-JS "types & grammar/ch4.md", rust-lang/book
src/ch02-00-guessing-game-tutorial.md. Each cell is correct / wrong place / wrongly orphaned
(for "should orphan" rows: orphaned / attached somewhere / -). "current" is also given the old
revision's texts, as re-import gives them (the store keeps the revision notes are on); the
Hypothesis-style baseline uses them only for the old position in the whole document. ms per
note includes everything the anchorer does for a briefing's notes, as a re-import would; CPU
time is given too, as wall time swings with the machine's load.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.anchoring import baseline, legacy
from benchmarks.anchoring.cases import Case, Pair, load_pairs, parts
from briefing.core import anchoring
from briefing.core.model import Annotation, Briefing

Result = tuple[str, str, int, int]  # status, section, start, end
Anchorer = Callable[[Pair], list[Result]]


def trimmed(note: Annotation, context: int) -> Annotation:
    """The note as an anchorer keeping ``context`` characters either side would have made it."""
    anchor = note.anchor
    return note.with_changes(
        anchor=replace(anchor, prefix=anchor.prefix[-context:], suffix=anchor.suffix[:context])
    )


def _via(function: Callable[[Annotation, Briefing], Annotation], context: int) -> Anchorer:
    def run(pair: Pair) -> list[Result]:
        out = []
        for case in pair.cases:
            new = function(trimmed(case.note, context), pair.new)
            out.append((new.status, new.section, new.start, new.end))
        return out

    return run


def _current(pair: Pair) -> list[Result]:
    """briefing now, given the old revision's texts as re-import gives them (it keeps them)."""
    before = dict(parts(pair.old))
    out = []
    for case in pair.cases:
        note = trimmed(case.note, anchoring.CONTEXT)
        new = anchoring.reanchor_in_briefing(note, pair.new, before)
        out.append((new.status, new.section, new.start, new.end))
    return out


def _baseline(pair: Pair) -> list[Result]:
    document = baseline.Document(pair.new)
    return [baseline.reanchor(trimmed(case.note, 32), pair.old, document) for case in pair.cases]


ANCHORERS: dict[str, Anchorer] = {
    "before": _via(legacy.reanchor_in_briefing, legacy.CONTEXT),
    "hypothesis": _baseline,
    "current": _current,
}


def verdict(case: Case, result: Result) -> str:
    status, key, start, end = result
    if case.expected is None:
        return "correct" if status == "orphaned" else "wrong"
    if status == "orphaned":
        return "orphaned"
    e_key, e_start, e_end = case.expected
    if key != e_key:
        return "wrong"
    if case.unchanged:
        return "correct" if (start, end) == (e_start, e_end) else "wrong"
    overlap = max(0, min(end, e_end) - max(start, e_start))
    union = max(end, e_end) - min(start, e_start)
    return "correct" if overlap / union >= 0.5 else "wrong"


def groups(case: Case) -> list[str]:
    if case.expected is None:
        return ["all", "should orphan"]
    where = "moved section" if case.moved else "same section"
    what = "unchanged" if case.unchanged else "edited"
    return ["all", f"{what}, {where}", "edited, any section" if what == "edited" else "unchanged"]


ROWS = [
    "all",
    "unchanged, same section",
    "unchanged, moved section",
    "edited, same section",
    "edited, moved section",
    "edited, any section",
    "should orphan",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="documents whose name contains this")
    parser.add_argument("--limit", type=int, help="pairs per document")
    parser.add_argument("--anchorers", default=",".join(ANCHORERS))
    parser.add_argument("--failures", type=int, default=0, help="print this many failures")
    args = parser.parse_args()
    names = args.anchorers.split(",")
    started = time.perf_counter()
    pairs = load_pairs(args.limit, args.only)
    cases = [case for pair in pairs for case in pair.cases]
    took = time.perf_counter() - started
    print(f"{len(pairs)} pairs, {len(cases)} notes (labelled in {took:.0f} s)")
    tallies: dict[str, dict[str, Counter[str]]] = {n: defaultdict(Counter) for n in names}
    seconds: dict[str, float] = dict.fromkeys(names, 0.0)
    cpu_seconds: dict[str, float] = dict.fromkeys(names, 0.0)
    failures: dict[str, list[tuple[Case, Result, str]]] = {n: [] for n in names}
    for name in names:
        for pair in pairs:
            tick, cpu = time.perf_counter(), time.process_time()
            results = ANCHORERS[name](pair)
            seconds[name] += time.perf_counter() - tick
            cpu_seconds[name] += time.process_time() - cpu
            for case, result in zip(pair.cases, results, strict=True):
                outcome = verdict(case, result)
                for group in groups(case):
                    tallies[name][group][outcome] += 1
                if outcome != "correct":
                    failures[name].append((case, result, outcome))
    width = 26
    print(f"{'':{width}}" + "".join(f"{n:>26}" for n in names))
    for row in ROWS:
        line = f"{row:{width}}"
        for name in names:
            tally = tallies[name][row]
            total = sum(tally.values())
            if not total:
                line += f"{'-':>26}"
                continue
            cell = (
                "/".join(f"{tally[k] / total:.3f}" for k in ("correct", "wrong", "orphaned"))
                + f" ({total})"
            )
            line += f"{cell:>26}"
        print(line)
    for label, spent in (("ms per note (wall)", seconds), ("ms per note (CPU)", cpu_seconds)):
        cells = "".join(f"{1000 * spent[n] / max(1, len(cases)):>26.2f}" for n in names)
        print(f"{label:{width}}{cells}")
    for name in names:
        for case, result, outcome in failures[name][: args.failures]:
            print(
                f"\n[{name}] {outcome} {case.doc}#{case.pair} {case.kind} "
                f"unchanged={case.unchanged} moved={case.moved}"
            )
            print(f"  note  {case.note.section}: {case.note.quote[:300]!r}")
            print(f"  ctx   {case.note.anchor.prefix!r} ... {case.note.anchor.suffix!r}")
            print(f"  want  {case.expected}")
            if case.expected:
                key, s, e = case.expected
                new_text = dict((k, t) for k, t in _parts(case, pairs))[key]
                print(f"        {new_text[s:e][:300]!r}")
            print(f"  got   {result[:4]}")
            if result[0] == "anchored":
                new_text = dict(_parts(case, pairs)).get(result[1], "")
                print(f"        {new_text[result[2] : result[3]][:300]!r}")


def _parts(case: Case, pairs: list[Pair]) -> list[tuple[str, str]]:
    pair = next(p for p in pairs if p.doc == case.doc and p.index == case.pair)
    return parts(pair.new)


if __name__ == "__main__":
    main()
