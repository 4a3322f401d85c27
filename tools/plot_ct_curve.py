#!/usr/bin/python3
"""Performance versus the confidence threshold CT (Yang et al. 2022, Fig. 6).

Reads /report/ct_curve, written by `mwclass report FILE`: for each CT threshold
(0 ... 5) the scores of the sources with CT >= threshold. Plots the accuracy,
balanced accuracy, macro-F1 and Matthews correlation coefficient (solid lines),
and the completeness and balanced completeness, i.e. the fraction of all sources
(resp. the mean over classes of the fraction of each class) that pass the cut
(dashed lines). A vertical line marks the report's ct_threshold.

Example:
  mwclass report loocv.h5
  tools/plot_ct_curve.py loocv.h5 --out ct.png
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402

# column -> (legend label, colour, line style, marker)
CURVES = [
    ("accuracy", "Accuracy", "#1f77b4", "-", "o"),
    ("balanced_accuracy", "Balanced accuracy", "#ff7f0e", "-", "s"),
    ("macro_f1", "Macro F1", "#2ca02c", "-", "^"),
    ("mcc", "MCC", "#d62728", "-", "D"),
    ("completeness", "Completeness", "#555555", "--", None),
    ("balanced_completeness", "Balanced completeness", "#9467bd", "--", None),
]


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mh.add_common_args(p)
    p.add_argument("--title", default=None, help="figure title (default: from the file)")
    p.add_argument("--auc", action="store_true", help="also plot the macro-averaged ROC AUC")
    a = p.parse_args()
    mh.check_out(a.out)
    plt = mh.import_pyplot()
    import numpy as np

    with mh.Results(a.results) as r:
        curve = np.asarray(r.report("ct_curve"), dtype=float)
        cols = r.report_columns("ct_curve_columns")
        thr = r.ct_threshold
        kind = r.kind
        base = os.path.basename(a.results)
    if curve.ndim != 2 or curve.shape[1] != len(cols) or curve.shape[0] == 0:
        raise mh.InputError(f"{a.results}: /report/ct_curve has shape {curve.shape}, expected "
                            f"(T, {len(cols)}) with T >= 1 (columns {', '.join(cols)})")
    idx = {c: i for i, c in enumerate(cols)}
    x = curve[:, 0]
    curves = list(CURVES)
    if a.auc:
        curves.insert(4, ("macro_auc", "Macro ROC AUC", "#8c564b", "-", "v"))

    fig, ax = plt.subplots(figsize=(7.5, 5.8), constrained_layout=True)
    every = max(1, len(x) // 12)
    plotted = 0
    for col, label, colour, ls, marker in curves:
        if col not in idx:
            continue
        y = curve[:, idx[col]]
        if not np.isfinite(y).any():
            print(f"note: /report/ct_curve has no values of {col}; not plotted", file=sys.stderr)
            continue
        ax.plot(x, y, ls=ls, color=colour, lw=2.0 if ls == "-" else 1.8, label=label,
                marker=marker, markevery=every, markersize=5)
        plotted += 1
    if plotted == 0:
        raise mh.InputError(f"{a.results}: /report/ct_curve has none of the columns "
                            f"{', '.join(c[0] for c in curves)}")
    ax.set_xlim(x.min(), x.max() if x.max() > x.min() else x.min() + 1)
    lo = 0.0
    ymin = np.nanmin([np.nanmin(curve[:, idx[c[0]]]) for c in curves
                      if c[0] in idx and np.isfinite(curve[:, idx[c[0]]]).any()])
    if ymin < 0:  # the MCC can be negative
        lo = max(-1.0, np.floor(ymin * 10) / 10)
    ax.set_ylim(lo, 1.02)
    ax.set_xlabel("Confidence threshold CT (sources with CT ≥ threshold)")
    ax.set_ylabel("Score / fraction of sources")
    ax.grid(True, alpha=0.3)
    if thr is not None:
        ax.axvline(thr, color="black", lw=1.2, ls=":", zorder=0)
        ax.annotate(f"adopted threshold\nCT = {thr:g}", xy=(thr, 0.03),
                    xycoords=("data", "axes fraction"), xytext=(5, 0),
                    textcoords="offset points", ha="left", va="bottom", fontsize=9.5,
                    bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none", alpha=0.85))
    # Number of sources on a top axis, at a few thresholds.
    if "n" in idx:
        n = curve[:, idx["n"]]
        top = ax.secondary_xaxis("top")
        ticks = np.unique(np.round(np.linspace(x.min(), x.max(), 6), 6))
        top.set_xticks(ticks)
        labels = []
        for t in ticks:
            k = int(np.argmin(np.abs(x - t)))
            labels.append(f"{n[k]:.0f}" if np.isfinite(n[k]) else "")
        top.set_xticklabels(labels)
        top.set_xlabel("Number of sources above the threshold", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False, ncol=3)
    title = a.title
    if title is None:
        what = {"loocv": "LOOCV", "cv": "k-fold CV", "classify": "classification"}.get(kind, kind)
        title = f"Performance versus CT threshold ({what}, {base})" if what else \
            f"Performance versus CT threshold ({base})"
    ax.set_title(title)
    mh.save(fig, a.out, a.dpi)


if __name__ == "__main__":
    mh.run(main)
