"""Fit the segmenter's gap weights (briefing.core.sections.WEIGHTS), run by hand.

A plain logistic regression (numpy, batch gradient descent, L2) on the gaps of the
benchmark's even-numbered documents; the odd-numbered ones stay held out, and run.py
reports Pk on both halves. Prints the weights to paste into sections.py.

    python benchmarks/segmenter/fit.py
"""

from __future__ import annotations

import numpy as np
from run import documents

from briefing.core.sections import FEATURES, gap_features


def main() -> None:
    rows, labels = [], []
    for number, (_, units, truth) in enumerate(documents()):
        if number % 2:
            continue
        starts = set(truth)
        for g, features in enumerate(gap_features(units), start=1):
            rows.append([features[name] for name in FEATURES])
            labels.append(1.0 if g in starts else 0.0)
    x = np.array(rows)
    y = np.array(labels)
    w = np.zeros(x.shape[1])
    for _ in range(20000):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) / len(y) + 0.001 * np.r_[0, w[1:]]
        w -= 0.5 * grad
    print(f"{len(y)} gaps, {int(y.sum())} breaks")
    print("WEIGHTS = {")
    for name, value in zip(FEATURES, w, strict=True):
        print(f'    "{name}": {value:.3f},')
    print("}")


if __name__ == "__main__":
    main()
