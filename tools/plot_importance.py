#!/usr/bin/python3
"""Feature importances of an mwclass run (Yang et al. 2022, Fig. 4).

Reads /report/importance (mean and standard deviation over the Monte-Carlo
iterations and work items of the random forest's impurity-based importance,
normalized to sum to 1 per forest), written by `mwclass report FILE`. Bars are
sorted by the mean, with 1-sigma error bars. If the run had a "random" feature
(`--random-feature`), it is drawn in red and its mean +- sigma is shaded as the
noise floor: features whose mean importance lies below its upper edge (light
blue) are no more informative than noise.

Example:
  mwclass loocv --td td.csv --out loocv.h5 --random-feature
  mwclass report loocv.h5
  tools/plot_importance.py loocv.h5 --out importance.png
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402

NOISE_NAME = "random"


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mh.add_common_args(p)
    p.add_argument("--horizontal", action="store_true",
                   help="one row per feature (features on the y axis), for many features")
    p.add_argument("--top", type=int, default=0, metavar="K",
                   help="show only the K most important features (plus the random one)")
    p.add_argument("--title", default=None, help="figure title (default: from the file)")
    a = p.parse_args()
    mh.check_out(a.out)
    if a.top < 0:
        raise mh.InputError(f"--top {a.top}: must be >= 0")
    plt = mh.import_pyplot()
    import numpy as np

    with mh.Results(a.results) as r:
        features = r.features
        imp = np.asarray(r.report("importance"), dtype=float)
        base = os.path.basename(a.results)
        kind = r.kind
    F = len(features)
    if imp.ndim != 2 or imp.shape != (F, 2):
        raise mh.InputError(f"{a.results}: /report/importance has shape {imp.shape}, "
                            f"expected ({F}, 2) for {F} features (mean, std)")
    mean, std = imp[:, 0], imp[:, 1]
    if F == 0 or not np.isfinite(mean).any():
        raise mh.InputError(f"{a.results}: no feature importances in the file "
                            "(importances were not computed in this run)")

    order = [i for i in np.argsort(-np.where(np.isfinite(mean), mean, -np.inf), kind="stable")]
    noise = features.index(NOISE_NAME) if NOISE_NAME in features else None
    if a.top:
        kept = order[:a.top]
        if noise is not None and noise not in kept:
            kept.append(noise)
        order = [i for i in order if i in kept]
    names = [features[i] for i in order]
    m = mean[order]
    s = np.where(np.isfinite(std[order]), std[order], 0.0)
    n = len(order)

    floor = None
    if noise is not None and np.isfinite(mean[noise]):
        floor = (mean[noise], std[noise] if np.isfinite(std[noise]) else 0.0)
    colours = []
    for i in order:
        if i == noise:
            colours.append("#d62728")
        elif floor is not None and mean[i] <= floor[0] + floor[1]:
            colours.append("#9ecae1")  # within the noise floor
        else:
            colours.append("#2171b5")

    if a.horizontal:
        fig, ax = plt.subplots(figsize=(7.0, 1.2 + 0.27 * n), constrained_layout=True)
        y = np.arange(n)
        ax.barh(y, m, xerr=s, color=colours, edgecolor="black", linewidth=0.4,
                error_kw=dict(ecolor="#333333", lw=1.0, capsize=2.5))
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.invert_yaxis()
        ax.set_xlabel("Feature importance (mean decrease in Gini impurity)")
        ax.set_xlim(0, None)
        ax.grid(True, axis="x", alpha=0.3)
        ax.set_ylim(n - 0.4, -0.6)
        if floor is not None:
            ax.axvspan(max(0.0, floor[0] - floor[1]), floor[0] + floor[1], color="#d62728",
                       alpha=0.16, zorder=3)
            ax.axvline(floor[0], color="#d62728", lw=1.0, ls="--", zorder=3)
    else:
        fig, ax = plt.subplots(figsize=(max(6.5, 1.5 + 0.34 * n), 4.8), constrained_layout=True)
        x = np.arange(n)
        ax.bar(x, m, yerr=s, color=colours, edgecolor="black", linewidth=0.4,
               error_kw=dict(ecolor="#333333", lw=1.0, capsize=2.5))
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=60, ha="right", rotation_mode="anchor")
        ax.set_ylabel("Feature importance\n(mean decrease in Gini impurity)")
        ax.set_ylim(0, None)
        ax.set_xlim(-0.6, n - 0.4)
        ax.grid(True, axis="y", alpha=0.3)
        if floor is not None:
            ax.axhspan(max(0.0, floor[0] - floor[1]), floor[0] + floor[1], color="#d62728",
                       alpha=0.16, zorder=3)
            ax.axhline(floor[0], color="#d62728", lw=1.0, ls="--", zorder=3)
    for lab in (ax.get_yticklabels() if a.horizontal else ax.get_xticklabels()):
        if lab.get_text() == NOISE_NAME:
            lab.set_color("#d62728")
            lab.set_fontweight("bold")
    if floor is not None:
        from matplotlib.patches import Patch
        handles = [Patch(facecolor=c, edgecolor="black", lw=0.4, label=lab)
                   for c, lab in (("#2171b5", "above the noise floor"),
                                  ("#9ecae1", "within the noise floor")) if c in colours]
        handles += [Patch(facecolor="#d62728", alpha=0.25,
                         label="noise floor: random feature, mean ± σ")]
        ax.legend(handles=handles, loc="best" if a.horizontal else "upper right",
                  frameon=True, framealpha=0.9)
    title = a.title
    if title is None:
        what = {"loocv": "LOOCV", "cv": "k-fold CV", "classify": "classification"}.get(kind, kind)
        title = f"Feature importances, mean ± σ ({what + ', ' if what else ''}{base})"
    ax.set_title(title)
    mh.save(fig, a.out, a.dpi)


if __name__ == "__main__":
    mh.run(main)
