#!/usr/bin/python3
"""Which uncertainty dominates: the measurement/model split of e_P across a field (issue 19).

Reads /sources/e_P_meas and /sources/e_P_model (`mwclass classify --split-uncertainty`) and
draws, for each source's predicted class, left: the histogram of log10(e_P_meas / e_P_model)
(right of 0: the source's own measurement errors dominate, a better observation would help;
left: the model's spread dominates); right: e_P_meas against e_P_model.

Example:
  mwclass classify --td td.csv --field field.csv --out run.h5 --mc 100 --split-uncertainty
  tools/plot_uncertainty_split.py run.h5 --out uncertainty_split.png
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", help="mwclass results file written with --split-uncertainty")
    ap.add_argument("--out", required=True, help="PNG file")
    args = ap.parse_args()
    import numpy as np
    with mh.Results(args.results, need_report=False) as r:
        f = r.f
        if "e_P_meas" not in f["sources"]:
            raise mh.InputError(f"{args.results} has no /sources/e_P_meas: classify with --split-uncertainty")
        P, meas, model = f["sources/P"][()], f["sources/e_P_meas"][()], f["sources/e_P_model"][()]
    k = P.argmax(axis=1)
    i = np.arange(len(k))
    m, d = meas[i, k], model[i, k]
    floor = 1e-4  # a clipped (0) part is drawn at this ratio floor
    ratio = np.log10(np.maximum(m, floor) / np.maximum(d, floor))
    plt = mh.import_pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4.3))
    a.hist(ratio, bins=40, color="tab:blue")
    a.axvline(0, color="0.3", lw=1, ls="--")
    a.set_xlabel("log10(e_P_meas / e_P_model), predicted class")
    a.set_ylabel("sources")
    a.set_title(f"measurement dominates for {np.mean(m > d):.0%} of {len(k)} sources")
    b.scatter(d, m, s=6, alpha=0.5)
    top = max(float(np.max(m)), float(np.max(d)), 1e-3) * 1.05
    b.plot([0, top], [0, top], color="0.5", lw=1, ls="--")
    b.set_xlim(0, top)
    b.set_ylim(0, top)
    b.set_xlabel("e_P_model")
    b.set_ylabel("e_P_meas")
    b.set_title(f"median e_P_meas {np.median(m):.3f}, e_P_model {np.median(d):.3f}")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    mh.run(main)
