#!/usr/bin/env python3
# Paired bootstrap of score differences between evaluation runs (loocv/cv) of the same
# sources (issue 19): each resample of the sources is applied to every file, so the
# interval is that of the difference, not of each score.
#   /usr/bin/python3 tools/paired_bootstrap.py base.h5 other.h5 [...]   (1000 resamples, seed 1)
import sys, h5py, numpy as np
def load(p):
    f = h5py.File(p)
    s = f["sources"]
    return s["true_class_index"][:], s["class_index"][:], s["P"][:]
def macro_f1(t, q, C):
    f1 = []
    for c in range(C):
        tp = np.sum((t == c) & (q == c)); fp = np.sum((t != c) & (q == c)); fn = np.sum((t == c) & (q != c))
        if tp + fp + fn == 0: continue
        f1.append(2 * tp / (2 * tp + fp + fn))
    return np.mean(f1)
base = load(sys.argv[1]); C = base[2].shape[1]; n = len(base[0])
rng = np.random.default_rng(1); idx = [rng.integers(0, n, n) for _ in range(1000)]
def scores(r, i):
    t, q, P = r[0][i], r[1][i], r[2][i]
    onehot = np.eye(C)[t]
    return np.array([np.mean(t == q), macro_f1(t, q, C), np.mean(np.sum((P - onehot) ** 2, 1)),
                     -np.mean(np.log(np.clip(P[np.arange(len(t)), t], 1e-15, 1)))])
for p in sys.argv[2:]:
    o = load(p); assert (o[0] == base[0]).all()
    d = scores(o, np.arange(n)) - scores(base, np.arange(n))
    b = np.array([scores(o, i) - scores(base, i) for i in idx])
    lo, hi = np.percentile(b, [2.5, 97.5], axis=0)
    print(p, " ".join(f"{k}: {d[j]:+.4f} [{lo[j]:+.4f}, {hi[j]:+.4f}]" for j, k in enumerate(["accuracy", "macro_f1", "brier", "log_loss"])))
