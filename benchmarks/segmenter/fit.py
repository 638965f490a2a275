"""Fit the segmenter's model (briefing/core/segmenter_model.py), run by hand.

    python benchmarks/segmenter/fit.py           # fit on every document, write the model
    python benchmarks/segmenter/fit.py --cv 10   # cross-validated Pk only; writes nothing

The model has two parts, both learnt from the benchmark's documents (run.py):

* cue words: for each stemmed content word, the log-odds that a unit opening with it
  (or holding it) starts a section, kept when the word was seen at least ``MIN_COUNT``
  times (add-one smoothing);
* a logistic regression (numpy, gradient descent on standardised features, L2) over
  every gap's features, the cue evidence among them. While it is fitted, a document's own
  cue evidence is read from cue words counted without that document, as it will be for
  a new text.

The model ships fitted on every document, so scoring it on them (run.py's first figures)
is in-sample. ``--cv K`` (run.py prints it too) is the honest figure: it refits the whole
model K times, each time on all but one K-th of the documents (``run.fold``), and scores
that K-th with the full segmenter, flags and all.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path
from statistics import mean

import numpy as np
from run import Document, documents, equal, fold, pk

from briefing.core.sections import FEATURES, Model, cue_views, gap_features, segment

#: A cue word is kept when seen at least this often in the fitting documents.
MIN_COUNT = 10
#: ... in at least this many documents (not one project's own name, used throughout it).
MIN_DOCS = 3
#: L2 penalty and steps of the logistic fit.
L2 = 0.001
STEPS = 3000
OUT = Path(__file__).resolve().parents[2] / "briefing" / "core" / "segmenter_model.py"


class CueCounts:
    """How often each word opens (or sits in) a unit that starts a section, per document."""

    def __init__(self, docs: list[Document]) -> None:
        self.per: list[list[tuple[Counter[str], Counter[str], int, int]]] = []
        for _, units, truth in docs:
            starts = set(truth)
            views = cue_views(units)
            counts = []
            for part in (0, 1):
                pos: Counter[str] = Counter()
                neg: Counter[str] = Counter()
                for g, view in enumerate(views, start=1):
                    (pos if g in starts else neg).update(view[part])
                counts.append((pos, neg, len(starts - {0}), len(views) - len(starts - {0})))
            self.per.append(counts)

    def tables(self, without: int | None = None) -> tuple[dict[str, float], dict[str, float]]:
        """The two cue tables (opening, unit) from every document but ``without``."""
        out = []
        for part in (0, 1):
            pos: Counter[str] = Counter()
            neg: Counter[str] = Counter()
            docs: Counter[str] = Counter()
            n_pos = n_neg = 0
            for number, doc in enumerate(self.per):
                if number == without:
                    continue
                pos.update(doc[part][0])
                neg.update(doc[part][1])
                docs.update(doc[part][0].keys() | doc[part][1].keys())
                n_pos += doc[part][2]
                n_neg += doc[part][3]
            table = {}
            for word in pos.keys() | neg.keys():
                if pos[word] + neg[word] >= MIN_COUNT and docs[word] >= MIN_DOCS:
                    table[word] = math.log((pos[word] + 1) / (n_pos + 2)) - math.log(
                        (neg[word] + 1) / (n_neg + 2)
                    )
            out.append(table)
        return out[0], out[1]


def _logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights (bias first) of an L2 logistic regression, in the features' own units."""
    mu, sd = x.mean(0), x.std(0)
    mu[0], sd[0] = 0.0, 1.0
    sd[sd == 0] = 1.0
    z = (x - mu) / sd
    w = np.zeros(x.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-z @ w))
        w -= (z.T @ (p - y) / len(y)) + L2 * np.r_[0.0, w[1:]]
    out = w / sd
    out[0] = w[0] - float((w[1:] * mu[1:] / sd[1:]).sum())
    return out


def fit(docs: list[Document]) -> Model:
    """The model fitted on ``docs``."""
    counts = CueCounts(docs)
    rows, labels = [], []
    for number, (_, units, truth) in enumerate(docs):
        opening, unit = counts.tables(without=number)
        own = Model({}, opening, unit)
        starts = set(truth)
        for g, features in enumerate(gap_features(units, own), start=1):
            rows.append([features[name] for name in FEATURES])
            labels.append(1.0 if g in starts else 0.0)
    w = _logistic(np.array(rows), np.array(labels))
    opening, unit = counts.tables()
    return Model(dict(zip(FEATURES, (round(float(v), 3) for v in w), strict=True)), opening, unit)


def cross_validate(docs: list[Document], folds: int) -> None:
    """Refit on all folds but one, score that one; print the mean Pk over all documents."""
    folds_of = [fold(name, folds) for name, _, _ in docs]
    auto, told, base = [], [], []
    for k in range(folds):
        model = fit([d for d, f in zip(docs, folds_of, strict=True) if f != k])
        for (_, units, truth), f in zip(docs, folds_of, strict=True):
            if f == k:
                auto.append(pk(truth, segment(units, model=model), len(units)))
                told.append(pk(truth, segment(units, len(truth), model=model), len(units)))
                base.append(pk(truth, equal(len(units), len(truth)), len(units)))
    print(f"held out, {folds}-fold cross-validation: {len(docs)} documents, each scored by")
    print("a model fitted without it")
    print(f"  Pk segmenter (no flags)     {mean(auto):.3f}")
    print(f"  Pk segmenter (true N given) {mean(told):.3f}")
    print(f"  Pk equal baseline (true N)  {mean(base):.3f}")
    better = sum(a < b for a, b in zip(auto, base, strict=True))
    print(f"  segmenter better than the baseline on {better} of {len(docs)} documents")


def _table(table: dict[str, float]) -> str:
    lines = [""]
    for word, value in sorted(table.items()):
        item = f"{word} {value:.2f}"
        if len(lines[-1]) + len(item) > 90:
            lines.append("")
        lines[-1] = f"{lines[-1]} {item}".strip()
    return '"""\n' + "\n".join(lines) + '\n"""'


def write(model: Model, docs: int) -> None:
    """Write ``model`` as the module the segmenter imports."""
    weights = "\n".join(f'    "{k}": {v},' for k, v in model.weights.items())
    OUT.write_text(
        f'''"""The segmenter's fitted model: written by benchmarks/segmenter/fit.py, not by hand.

Fitted on the benchmark's {docs} documents (benchmarks/segmenter/run.py). Logistic weights of
:data:`briefing.core.sections.FEATURES`, and cue words (stemmed) with the log-odds that
a unit opening with them (``OPENING_CUES``) or holding them (``UNIT_CUES``) starts a
section. A data module: long only because of its tables.
"""

from __future__ import annotations

WEIGHTS = {{
{weights}
}}


def _parse(table: str) -> dict[str, float]:
    words = table.split()
    return {{w: float(v) for w, v in zip(words[0::2], words[1::2], strict=True)}}


OPENING_CUES = _parse(
    {_table(dict(model.opening))}
)
UNIT_CUES = _parse(
    {_table(dict(model.unit))}
)
''',
        "utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation only")
    args = parser.parse_args()
    docs = documents()
    if args.cv:
        cross_validate(docs, args.cv)
        return
    model = fit(docs)
    write(model, len(docs))
    print(f"fitted on {len(docs)} documents; wrote {OUT}")
    print(f"{len(model.opening)} opening cue words, {len(model.unit)} unit cue words")


if __name__ == "__main__":
    main()
