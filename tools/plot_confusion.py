#!/usr/bin/python3
"""Confusion matrices of an mwclass evaluation run (Yang et al. 2022, Fig. 8).

Draws four panels from the /report group that `mwclass report FILE` writes:

  top row     all sources
  bottom row  confident sources (CT >= the report's ct_threshold)
  left        normalized by true class: each row sums to 1, the diagonal is the recall
  right       normalized by predicted class: each column sums to 1, the diagonal is the precision

Each cell shows the fraction (2 decimals) and, underneath, the number of sources.

Example:
  mwclass loocv --td td.csv --out loocv.h5 --mc 100
  mwclass report loocv.h5
  tools/plot_confusion.py loocv.h5 --out confusion.png
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402


def normalize(counts, axis):
    import numpy as np
    sums = counts.sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sums > 0, counts / np.where(sums > 0, sums, 1), np.nan)


def draw_panel(ax, plt, counts, frac, classes, title, cmap, show_ylabels=True):
    import numpy as np
    C = len(classes)
    masked = np.ma.masked_invalid(frac)
    im = ax.imshow(masked, cmap=cmap, vmin=0.0, vmax=1.0, aspect="equal")
    ax.set_facecolor("#e8e8e8")  # rows/columns without any source
    ax.set_xticks(range(C))
    ax.set_yticks(range(C))
    ax.set_xticklabels(classes, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticklabels(classes if show_ylabels else [])
    ax.set_xlabel("Predicted class")
    if show_ylabels:
        ax.set_ylabel("True class")
    ax.set_xticks(np.arange(-0.5, C, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, C, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    big = 10 if C <= 8 else 8
    small = 7.5 if C <= 8 else 6.5
    for i in range(C):
        for j in range(C):
            n = counts[i, j]
            v = frac[i, j]
            if not np.isfinite(v):
                continue
            dark = v > 0.55
            colour = "white" if dark else "black"
            if n == 0:
                continue  # empty cells stay blank, as in the paper
            ax.text(j, i - 0.13, f"{v:.2f}" if v >= 0.005 else "<0.01", ha="center", va="center", fontsize=big,
                    color=colour, fontweight="bold" if i == j else "normal")
            ax.text(j, i + 0.24, f"({n:.0f})", ha="center", va="center", fontsize=small,
                    color=colour)
    ax.set_title(title, fontsize=11.5)
    return im


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mh.add_common_args(p)
    p.add_argument("--cmap", default="Blues", help="matplotlib colour map (default: %(default)s)")
    p.add_argument("--title", default=None, help="overall figure title (default: from the file)")
    a = p.parse_args()
    mh.check_out(a.out)
    plt = mh.import_pyplot()
    import numpy as np

    with mh.Results(a.results) as r:
        classes = r.classes
        C = len(classes)
        cm_all = np.asarray(r.report("confusion_all"), dtype=float)
        cm_conf = np.asarray(r.report("confusion_confident"), dtype=float)
        for name, m in (("confusion_all", cm_all), ("confusion_confident", cm_conf)):
            if m.shape != (C, C):
                raise mh.InputError(f"{a.results}: /report/{name} has shape {m.shape}, "
                                    f"expected ({C}, {C}) for {C} classes")
        summary = r.summary()
        rep_mean = r.report("repeat_summary_mean", required=False)
        rep_std = r.report("repeat_summary_std", required=False)
        rep_n = r.report("repeat_summary", required=False)
        sum_cols = r.report_columns("summary_columns")
        thr = r.ct_threshold
        kind = r.kind
        base = os.path.basename(a.results)

    n_all = cm_all.sum()
    n_conf = cm_conf.sum()
    thr_txt = f"CT ≥ {thr:g}" if thr is not None else "confident"

    def metric(col, row):
        v = summary.get(col, (np.nan, np.nan))[row]
        return v if np.isfinite(v) else np.nan

    comp = metric("completeness", 1)
    bcomp = metric("balanced_completeness", 1)
    if not np.isfinite(comp) and n_all > 0:
        comp = n_conf / n_all
    comp_txt = f"completeness {comp:.1%}" if np.isfinite(comp) else ""
    if np.isfinite(bcomp):
        comp_txt += f", balanced {bcomp:.1%}"

    rows = [
        (cm_all, f"All sources (N = {n_all:.0f})"),
        (cm_conf, f"Confident sources, {thr_txt} (N = {n_conf:.0f})\n{comp_txt}"),
    ]
    cols = [
        (1, "normalized by true class (recall)"),
        (0, "normalized by predicted class (precision)"),
    ]
    size = 0.75 * C + 1.6
    fig, axes = plt.subplots(2, 2, figsize=(2 * size + 1.0, 2 * size + 1.2),
                             constrained_layout=True)
    im = None
    for i, (cm, rtitle) in enumerate(rows):
        for j, (axis, ctitle) in enumerate(cols):
            frac = normalize(cm, axis)
            diag = np.diag(frac)
            key = "recall" if axis == 1 else "precision"
            mean_txt = ""
            if np.isfinite(diag).any():
                mean_txt = f"; mean {key} {np.nanmean(diag):.2f}"
            im = draw_panel(axes[i, j], plt, cm, frac, classes,
                            f"{rtitle}\n{ctitle}{mean_txt}", a.cmap, show_ylabels=True)
    cb = fig.colorbar(im, ax=axes, shrink=0.6, pad=0.02, aspect=30)
    cb.set_label("Fraction of sources (counts in parentheses)")
    title = a.title
    if title is None:
        what = {"loocv": "leave-one-out cross-validation", "cv": "k-fold cross-validation",
                "classify": "classification"}.get(kind, kind or "evaluation")
        title = f"Confusion matrices: {what} ({base})"
        if rep_mean is not None and rep_std is not None and len(rep_mean) == len(sum_cols):
            k = {c: i for i, c in enumerate(sum_cols)}
            parts = [f"{lab} {rep_mean[k[c]]:.3f} ± {rep_std[k[c]]:.3f}"
                     for c, lab in (("accuracy", "accuracy"),
                                    ("balanced_accuracy", "balanced accuracy"),
                                    ("macro_f1", "macro F1"), ("mcc", "MCC")) if c in k]
            nrep = f"{len(rep_n)} repeats" if rep_n is not None else "repeats"
            title += f"\nmean ± std over {nrep} (all sources): " + ", ".join(parts)
    fig.suptitle(title, fontsize=13)
    fig.text(0.5, -0.01, "Bold: diagonal. Blank cells: no source; grey rows/columns: no source of "
             "that true class (left) or predicted class (right).", ha="center", va="top",
             fontsize=9, color="#555555")
    mh.save(fig, a.out, a.dpi)


if __name__ == "__main__":
    mh.run(main)
