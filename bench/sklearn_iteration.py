#!/usr/bin/python3
"""One MUWCLASS Monte-Carlo iteration with scikit-learn + imbalanced-learn (issue 5).

The reference side of bench/run_forest_bench.sh. It follows the steps of
bench/bench_iteration.cpp (reddening off) with its own NumPy code:
  1. sample the training set within its errors: fluxes ~ N(F, s*sigma) redrawn
     until positive, magnitudes ~ N(m, s*sigma) (missing without an error), s = sqrt 2;
  2. the 29 features of the config (log flux ratios, log F_b, hardness ratios,
     P_intra/P_inter, optical/IR flux ratios, colours; survey limits);
  3. standardize with the training mean and population std (missing ignored);
  4. SMOTE(k_neighbors=4) up to the largest class with missing values filled by
     -1e9, synthetic values below the feature's training minimum set missing;
     neighbours (--smote-neighbours): `exact` (default) a ball tree, whose distances
     are sums of squared differences as in mwclass; `imblearn` imbalanced-learn's
     default brute search, whose |x|^2 - 2xy + |y|^2 distances are rounding noise once
     a row holds a -1e9 fill (|x|^2 ~ 1e18: a row is often not its own nearest
     neighbour, so SMOTE drops another row and may pair a row with itself);
  5. missing -> -100; RandomForestClassifier(n_estimators=100, n_jobs=1);
  6. predict every training source.
The band tables come from the mwclass config (`bench_iteration --print-config`).

  sklearn_iteration.py --td TD.csv --config config.toml [--repeats 7]
  sklearn_iteration.py --td TD.csv --config config.toml --loocv-stride 20 [--loocv-m 1]
                       [--loocv-offset 0] [--loocv-labels LMXB,NS]
  --smote-neighbours exact|imblearn (default exact; see step 4)
Output: "key value" lines, as bench_iteration. A LOOCV prints one line per left-out
source as it finishes, "loocv_source INDEX TRUE PREDICTED P_0 ... P_{K-1}" (mean
probabilities over the M draws), so a long run split over processes (--loocv-offset,
--loocv-stride) or stopped can be joined or resumed from its output.
"""
import argparse
import csv
import math
import sys
import time
import tomllib

import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import NearestNeighbors

NEIGHBOURS = "exact"  # --smote-neighbours


def read_td(path, cfg):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    feats = cfg["features"]

    def col(name):
        return np.array([float(r[name]) if r[name].strip() else math.nan for r in rows])

    td = {
        "xf": np.column_stack([col(b["flux_column"]) for b in feats["xray_bands"]]),
        "xe": np.column_stack([col(b["error_column"]) for b in feats["xray_bands"]]),
        "mag": np.column_stack([col(b["mag_column"]) for b in feats["optical_bands"]]),
        "me": np.column_stack([col(b["error_column"]) for b in feats["optical_bands"]]),
        "var": np.column_stack([col(v) for v in cfg["columns"]["variability"]]),
    }
    classes = cfg["classifier"]["classes"]
    td["y"] = np.array([classes.index(r[cfg["columns"]["label"]]) for r in rows])
    return td


def sample(td, rows, rng, scale):
    xf, xe = td["xf"][rows], td["xe"][rows] * scale
    out = xf.copy()
    todo = ~np.isnan(xf) & (xe > 0)
    while todo.any():
        draw = xf + xe * rng.standard_normal(xf.shape)
        out[todo] = draw[todo]
        todo &= out <= 0
    mag = td["mag"][rows] + td["me"][rows] * scale * rng.standard_normal(td["mag"][rows].shape)
    return out, mag, td["var"][rows]  # NaN error -> NaN magnitude


class Features:
    def __init__(self, cfg):
        f = cfg["features"]
        self.xray = [b["name"] for b in f["xray_bands"]]
        self.optical = [b["name"] for b in f["optical_bands"]]
        self.zp = np.array([b["zero_point_flux"] for b in f["optical_bands"]])
        self.width = np.array([b["effective_width"] for b in f["optical_bands"]])
        self.limit = np.array([b["limit_mag"] for b in f["optical_bands"]])
        self.broad = "F" + f["broad_band_name"]
        self.hrs = f["hardness_ratios"]
        self.colours = f["colours"]
        self.var = cfg["columns"]["variability"]
        self.used = f["used"]

    def build(self, xf, mag, var):
        with np.errstate(divide="ignore", invalid="ignore"):
            fb = xf.sum(axis=1)
            cols = {}
            for b, name in enumerate(self.xray):
                cols["F" + name] = np.log10(xf[:, b] / fb)
            cols[self.broad] = np.log10(fb)
            for v, name in enumerate(self.var):
                cols[name] = var[:, v]
            m = np.where(np.isnan(mag) | (mag >= self.limit), np.nan, mag)
            flux = self.zp * 10.0 ** (-0.4 * m) * self.width
            for b, name in enumerate(self.optical):
                cols[name] = np.log10(flux[:, b] / fb)
            ix = {n: i for i, n in enumerate(self.xray)}
            for h in self.hrs:
                s = lambda names: sum((xf[:, ix[n]] for n in names), np.zeros(len(xf)))
                cols[h["name"]] = (s(h["plus"]) - s(h["minus"])) / s(h["denominator"])
            io = {n: i for i, n in enumerate(self.optical)}
            for c in self.colours:
                cols[c["name"]] = m[:, io[c["blue"]]] - m[:, io[c["red"]]]
        return np.column_stack([cols[u] for u in self.used])


def iteration(td, cfg, feats, train, test, seed, stages):
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    scale = cfg["monte_carlo"]["error_scale"]
    x_train = feats.build(*sample(td, train, rng, scale))
    x_test = feats.build(*sample(td, test, rng, scale))
    t1 = time.perf_counter()
    mean = np.nanmean(x_train, axis=0)
    std = np.nanstd(x_train, axis=0)
    std[~(std > 0)] = 1.0
    mean[np.isnan(mean)] = 0.0
    x_train = (x_train - mean) / std
    x_test = (x_test - mean) / std
    t2 = time.perf_counter()
    y = td["y"][train]
    fmin = np.nanmin(np.where(np.isnan(x_train), np.inf, x_train), axis=0)
    fill = cfg["smote"]["missing_fill"]
    k = cfg["smote"]["k_neighbors"]
    neighbours = k if NEIGHBOURS == "imblearn" else NearestNeighbors(n_neighbors=k + 1,
                                                                   algorithm="ball_tree")
    smote = SMOTE(k_neighbors=neighbours, random_state=int(rng.integers(2**31)))
    xs, ys = smote.fit_resample(np.where(np.isnan(x_train), fill, x_train), y)
    synth = xs[len(y):]
    synth[synth < fmin] = np.nan
    xs[len(y):] = synth
    xs[:len(y)] = x_train
    flag = cfg["classifier"]["missing_flag"]
    xs = np.where(np.isnan(xs), flag, xs)
    x_test = np.where(np.isnan(x_test), flag, x_test)
    t3 = time.perf_counter()
    rf = RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=int(rng.integers(2**31)))
    rf.fit(xs, ys)
    t4 = time.perf_counter()
    p = rf.predict_proba(x_test)
    t5 = time.perf_counter()
    for k, v in zip(("sampling_features", "standardize", "smote", "fit", "predict"),
                    (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
        stages.setdefault(k, []).append(v)
    stages.setdefault("total", []).append(t5 - t0)
    return p, xs.shape


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--td", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20220923)
    ap.add_argument("--loocv-stride", type=int, default=0)
    ap.add_argument("--loocv-m", type=int, default=1)
    ap.add_argument("--loocv-offset", type=int, default=0)
    ap.add_argument("--loocv-labels", default="",
                    help="comma-separated classes: leave out only their sources")
    ap.add_argument("--smote-neighbours", choices=("exact", "imblearn"), default="exact")
    a = ap.parse_args()
    global NEIGHBOURS
    NEIGHBOURS = a.smote_neighbours
    with open(a.config, "rb") as f:
        cfg = tomllib.load(f)
    td = read_td(a.td, cfg)
    feats = Features(cfg)
    n = len(td["y"])
    if a.loocv_stride > 0:
        correct = total = 0
        classes = cfg["classifier"]["classes"]
        wanted = [c for c in a.loocv_labels.split(",") if c]
        for c in wanted:
            if c not in classes:
                ap.error(f"--loocv-labels: unknown class {c!r} (classes: {', '.join(classes)})")
        wanted = [classes.index(c) for c in wanted]
        for left in range(a.loocv_offset, n, a.loocv_stride):
            if wanted and td["y"][left] not in wanted:
                continue
            train = np.array([i for i in range(n) if i != left])
            mean = 0
            for m in range(a.loocv_m):
                p, _ = iteration(td, cfg, feats, train, np.array([left]),
                                 [a.seed, left, m], {})
                mean = mean + p[0] / a.loocv_m
            pred = int(np.argmax(mean))
            print(f"loocv_source {left} {td['y'][left]} {pred} " +
                  " ".join(f"{v:.6f}" for v in mean), flush=True)
            correct += pred == td["y"][left]
            total += 1
        print(f"loocv_sources {total}\nloocv_accuracy {correct / total:.6f}")
        return
    stages = {}
    allrows = np.arange(n)
    for r in range(a.repeats):
        _, shape = iteration(td, cfg, feats, allrows, allrows, [a.seed, r], stages)
        print(f"repeat {r} " + " ".join(f"{k} {v[-1]:.6f}" for k, v in stages.items()) +
              f" train_shape {shape[0]}x{shape[1]}")
        sys.stdout.flush()
    for k, v in stages.items():
        print(f"median_{k} {np.median(v):.6f}")
    print(f"median_fit_per_tree {np.median(stages['fit']) / 100:.8f}")


if __name__ == "__main__":
    main()
