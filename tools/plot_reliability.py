#!/usr/bin/python3
"""Reliability diagram of P and P_field against the true classes (issue 19).

Top-label reliability: sources binned by their highest probability (10 equal-width
bins); per bin the fraction whose argmax is the true class, against the mean highest
probability. A calibrated classifier lies on the diagonal. Each result file (with
/sources/P_field: `mwclass classify --set calibration.field_prior=...`) is paired with a
truth CSV (columns name, True_Class), e.g. those of tools/validate_field_prior.py; the
sources of all pairs are pooled.

Example:
  tools/plot_reliability.py --pair run.h5 truth.csv [--pair ...] --out reliability.png
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402


def load(h5_path, truth_path):
    import numpy as np
    with mh.Results(h5_path, need_report=False) as r:
        f = r.f
        if "P_field" not in f["sources"]:
            raise mh.InputError(f"{h5_path} has no /sources/P_field: classify with "
                                "--set calibration.field_prior=estimate (or given)")
        classes = mh.decode(f["classes"][()])
        names = mh.decode(f["sources/name"][()])
        P, Q = f["sources/P"][()], f["sources/P_field"][()]
    if not os.path.exists(truth_path):
        raise mh.InputError(f"{truth_path}: no such file")
    with open(truth_path, newline="") as fh:
        truth = {row["name"]: row["True_Class"] for row in csv.DictReader(fh)}
    try:
        y = np.array([classes.index(truth[n]) for n in names])
    except (KeyError, ValueError) as e:
        raise mh.InputError(f"{truth_path}: no known true class for source {e}")
    return P, Q, y


def reliability(P, y, bins=10):
    import numpy as np
    conf, correct = P.max(axis=1), (P.argmax(axis=1) == y)
    idx = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    x, acc, n = [], [], []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            x.append(conf[sel].mean())
            acc.append(correct[sel].mean())
            n.append(int(sel.sum()))
    ece = sum(k * abs(a - c) for k, a, c in zip(n, acc, x)) / len(y)
    return x, acc, n, ece


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pair", nargs=2, action="append", metavar=("RESULTS_H5", "TRUTH_CSV"), required=True)
    ap.add_argument("--out", required=True, help="PNG file")
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    import numpy as np
    parts = [load(h, t) for h, t in args.pair]
    P = np.concatenate([p[0] for p in parts])
    Q = np.concatenate([p[1] for p in parts])
    y = np.concatenate([p[2] for p in parts])
    plt = mh.import_pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5.2))
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="calibrated")
    for probs, label, marker in ((P, "P (raw)", "o"), (Q, "P_field", "s")):
        x, acc, n, ece = reliability(probs, y)
        ax.plot(x, acc, marker=marker, label=f"{label}: ECE {ece:.3f}")
    ax.set_xlabel("mean highest probability in bin")
    ax.set_ylabel("fraction correct (argmax = true class)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(args.title or f"{len(y)} sources, {len(parts)} file(s)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    mh.run(main)
