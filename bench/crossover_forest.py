#!/usr/bin/python3
"""Fit scikit-learn's RandomForestClassifier on the exact training matrices of an
mwclass LOOCV (issue 5): tells the forest from the steps before it.

  bench_iteration --td TD.csv --loocv-stride 1 --loocv-m M --loocv-export DIR > mw.txt
  crossover_forest.py DIR [--stride S --offset O] > cross.txt

Each DIR/loocv_INDEX_M.bin (layout: bench/bench_iteration.cpp) holds the SMOTE'd
training matrix with -100 flags, its labels, the left-out source's row and the
mwclass forest's probabilities for it. Prints one line per file:
  cross INDEX M mw P_0..P_{K-1} sk P_0..P_{K-1}
the sklearn forest (100 trees, defaults as bench/sklearn_iteration.py) seeded by
(INDEX, M).
"""
import argparse
import glob
import os
import re

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def read(path):
    with open(path, "rb") as f:
        rows, cols = np.frombuffer(f.read(16), dtype="<i8")
        x = np.frombuffer(f.read(8 * rows * cols), dtype="<f8").reshape(rows, cols)
        y = np.frombuffer(f.read(4 * rows), dtype="<i4")
        test = np.frombuffer(f.read(8 * cols), dtype="<f8").reshape(1, cols)
        proba = np.frombuffer(f.read(), dtype="<f8")
    return x, y, test, proba


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--stride", type=int, default=1)
    ap.add_argument("--offset", type=int, default=0)
    a = ap.parse_args()
    files = []
    for p in glob.glob(os.path.join(a.dir, "loocv_*_*.bin")):
        i, m = map(int, re.search(r"loocv_(\d+)_(\d+)\.bin$", p).groups())
        files.append((i, m, p))
    files.sort()
    for i, m, p in files[a.offset::a.stride]:
        x, y, test, mw = read(p)
        rf = RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=1000 * i + m)
        rf.fit(x, y)
        sk = np.zeros(len(mw))
        sk[rf.classes_] = rf.predict_proba(test)[0]
        print(f"cross {i} {m} mw " + " ".join(f"{v:.6f}" for v in mw) + " sk " +
              " ".join(f"{v:.6f}" for v in sk), flush=True)


if __name__ == "__main__":
    main()
