#!/usr/bin/python3
"""Compare LOOCV runs of bench_iteration / sklearn_iteration.py (issue 5).

Each input is one or more files of "loocv_source INDEX TRUE PREDICTED P_0 ... P_{K-1}"
lines (a run split over processes: give all its parts joined with '+').

  compare_loocv.py [--common] [--per-class] NAME=file[+file...] NAME=file ...

--common scores every run on the sources all runs share (e.g. when one run left out
only every 4th source); --per-class adds each run's recall and mean true-class
probability per class.

Prints, per run: sources, accuracy, balanced accuracy, macro-F1, MCC (multi-class,
Gorodkin) from the predicted classes; then for every pair of runs on the sources they
share: agreement of the predicted class, mean |P_a - P_b| over all classes, and the
paired difference of the true-class probability, mean +- standard error and z (a
systematic shift between two runs shows as |z| >> 2; the pair of two seeds of one
implementation gives the noise to compare with).
"""
import itertools
import sys

import numpy as np


def read_run(spec):
    rows = {}
    for path in spec.split("+"):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if not parts or parts[0] != "loocv_source":
                    continue
                if len(parts) < 5:
                    sys.exit(f"{path}: line without probabilities: {line.strip()}")
                rows[int(parts[1])] = (int(parts[2]), int(parts[3]),
                                       np.array([float(v) for v in parts[4:]]))
    if not rows:
        sys.exit(f"{spec}: no loocv_source lines")
    return rows


def metrics(truth, pred, k):
    cm = np.zeros((k, k))
    for t, p in zip(truth, pred):
        cm[t, p] += 1
    n = cm.sum()
    acc = np.trace(cm) / n
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    present = support > 0
    recall = np.divide(np.diag(cm), support, out=np.zeros(k), where=support > 0)
    precision = np.divide(np.diag(cm), predicted, out=np.zeros(k), where=predicted > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(k),
                   where=(precision + recall) > 0)
    c = np.trace(cm)
    cov_ytyp = c * n - support @ predicted
    cov_ypyp = n * n - predicted @ predicted
    cov_ytyt = n * n - support @ support
    mcc = cov_ytyp / np.sqrt(cov_ytyt * cov_ypyp) if cov_ytyt * cov_ypyp > 0 else 0.0
    return acc, recall[present].mean(), f1[present].mean(), mcc


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = {}
    args = [a for a in sys.argv[1:] if a not in ("--common", "--per-class")]
    for arg in args:
        name, _, spec = arg.partition("=")
        if not spec:
            sys.exit(f"argument {arg!r}: expected NAME=file[+file...]")
        runs[name] = read_run(spec)
    if "--common" in sys.argv[1:]:
        common = set.intersection(*(set(r) for r in runs.values()))
        runs = {name: {i: r[i] for i in common} for name, r in runs.items()}
    print(f"{'run':<22} {'sources':>7} {'accuracy':>9} {'bal.acc':>8} {'macro-F1':>9} {'MCC':>7}")
    for name, rows in runs.items():
        idx = sorted(rows)
        k = len(rows[idx[0]][2])
        truth = [rows[i][0] for i in idx]
        pred = [rows[i][1] for i in idx]
        acc, bal, f1, mcc = metrics(truth, pred, k)
        print(f"{name:<22} {len(idx):>7} {acc:>9.4f} {bal:>8.4f} {f1:>9.4f} {mcc:>7.4f}")
    if "--per-class" in sys.argv[1:]:
        print("\nper class: recall / mean probability of the true class (n sources)")
        for name, rows in runs.items():
            idx = sorted(rows)
            truth = np.array([rows[i][0] for i in idx])
            pred = np.array([rows[i][1] for i in idx])
            p_true = np.array([rows[i][2][rows[i][0]] for i in idx])
            cells = [f"{(pred[truth == c] == c).mean():.3f}/{p_true[truth == c].mean():.3f}"
                     f" ({(truth == c).sum()})" for c in sorted(set(truth))]
            print(f"{name:<22} " + "  ".join(cells))
    print()
    print(f"{'pair':<34} {'shared':>6} {'agree':>7} {'a_only':>6} {'b_only':>6} {'z_acc':>6} "
          f"{'mean|dP|':>9} {'dP_true':>9} {'+-se':>8} {'z':>6}")
    for (a, ra), (b, rb) in itertools.combinations(runs.items(), 2):
        shared = sorted(set(ra) & set(rb))
        if not shared:
            continue
        agree = np.mean([ra[i][1] == rb[i][1] for i in shared])
        a_only = sum(ra[i][1] == ra[i][0] and rb[i][1] != rb[i][0] for i in shared)
        b_only = sum(rb[i][1] == rb[i][0] and ra[i][1] != ra[i][0] for i in shared)
        z_acc = (a_only - b_only) / np.sqrt(a_only + b_only) if a_only + b_only > 0 else 0.0
        pa = np.array([ra[i][2] for i in shared])
        pb = np.array([rb[i][2] for i in shared])
        truth = np.array([ra[i][0] for i in shared])
        d_true = pa[np.arange(len(shared)), truth] - pb[np.arange(len(shared)), truth]
        se = d_true.std(ddof=1) / np.sqrt(len(shared))
        z = d_true.mean() / se if se > 0 else 0.0
        print(f"{a + ' vs ' + b:<34} {len(shared):>6} {agree:>7.4f} {a_only:>6} {b_only:>6} "
              f"{z_acc:>6.2f} {np.abs(pa - pb).mean():>9.5f} {d_true.mean():>9.5f} {se:>8.5f} {z:>6.2f}")


if __name__ == "__main__":
    main()
