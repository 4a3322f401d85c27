#!/usr/bin/env python3
"""Fixed vs adaptive E(B-V) bins (issue 18): per-source agreement of two mwclass classify results.

    /usr/bin/python3 bench/compare_binning.py REF.h5 OTHER.h5 [--windows 0:2,9:11,29:31]

For the sources of both files (matched by name): the fraction with the same class, |dP| =
|P_other(c) - P_ref(c)| of the class c that REF predicts (mean, median, 95th percentile),
the confident fraction (CT >= 2) of each, and the number of fits (items x MC iterations).
Run it on two seeds of the fixed scheme for the yardstick (the seed noise), then on
fixed vs adaptive. --windows repeats the numbers per E(B-V) range of the REF sources.
"""
import argparse
import sys

import numpy as np

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "tools"))
from mwclass_h5 import InputError, decode, open_h5, run  # noqa: E402


def load(path):
    with open_h5(path) as f:
        s = f["sources"]
        return {
            "names": decode(s["name"][:]),
            "P": s["P"][:],
            "confident": s["confident"][:].astype(bool),
            "ebv": s["ebv"][:],
            "fits": int(np.sum(f["items/mc_iterations"][:])),
            "items": len(f["items/id"][:]),
        }


def stats(ref, other, mask):
    c_ref = ref["P"][mask].argmax(axis=1)
    c_other = other["P"][mask].argmax(axis=1)
    rows = np.arange(len(c_ref))
    dp = np.abs(other["P"][mask][rows, c_ref] - ref["P"][mask][rows, c_ref])
    return {
        "n": int(mask.sum()),
        "agree": float(np.mean(c_ref == c_other)),
        "dP_mean": float(dp.mean()),
        "dP_median": float(np.median(dp)),
        "dP_p95": float(np.quantile(dp, 0.95)),
        "conf_ref": float(ref["confident"][mask].mean()),
        "conf_other": float(other["confident"][mask].mean()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref")
    ap.add_argument("other")
    ap.add_argument("--windows", default="", help="E(B-V) ranges lo:hi,lo:hi of the REF sources")
    a = ap.parse_args()
    ref, other = load(a.ref), load(a.other)
    index = {n: i for i, n in enumerate(other["names"])}
    missing = [n for n in ref["names"] if n not in index]
    if missing:
        raise InputError(f"{a.other}: {len(missing)} sources of {a.ref} are absent (first: {missing[0]})")
    order = np.array([index[n] for n in ref["names"]])
    other = {k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in other.items()}
    print(f"# {a.ref} vs {a.other}: items {ref['items']} vs {other['items']}, fits {ref['fits']} vs {other['fits']}")
    print("# range        n      agree  |dP|mean  median   p95    confident ref / other")
    ranges = [("all", np.ones(len(ref["names"]), bool))]
    for w in filter(None, a.windows.split(",")):
        lo, hi = (float(x) for x in w.split(":"))
        ranges.append((w, (ref["ebv"] >= lo) & (ref["ebv"] < hi)))
    for label, mask in ranges:
        if not mask.any():
            continue
        s = stats(ref, other, mask)
        print(f"{label:<10} {s['n']:>7} {s['agree']:>8.4f} {s['dP_mean']:>8.4f} {s['dP_median']:>8.4f} "
              f"{s['dP_p95']:>7.4f}   {s['conf_ref']:.4f} / {s['conf_other']:.4f}")


if __name__ == "__main__":
    run(main)
