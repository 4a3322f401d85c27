#!/usr/bin/python3
"""Per-class probability distributions of chosen sources (Yang et al. 2022, Fig. 7).

One panel per source, with the classes on the x axis:
  * if the file has /iterations/P (runs with --keep-iterations): the distribution
    of each class's probability over the Monte-Carlo iterations, as violins (for
    10 or more iterations) with box plots (median, quartiles, 2.275-97.725 %
    whiskers, i.e. +-2 sigma) and, for fewer than 50 iterations, the single
    iterations as dots;
  * otherwise: the mean probability P with its +-1 sigma error bar (e_P), the
    2.275-97.725 % quantile range as a shaded bar and the median as a tick.
The black diamond is the mean P in both cases. The predicted class is drawn in
orange; in evaluation runs (loocv, cv) the true class is marked with a green
triangle and named in the panel title, with the predicted class and CT.

The file needs no /report group; if it has one, its ct_threshold is quoted.

Examples:
  tools/plot_probabilities.py loocv.h5 --first 4 --out probs.png
  tools/plot_probabilities.py results.h5 --source 2CXO_J004231.1+411621 --out src.png
"""
import argparse
import difflib
import math
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402

PRED = "#ff7f0e"
OTHER = "#4c72b0"
TRUE = "#2ca02c"
MAX_PANELS = 30


def pick_sources(names, wanted, first):
    if wanted:
        index = {}
        for i, n in enumerate(names):
            index.setdefault(n, i)
        rows = []
        for w in wanted:
            if w not in index:
                close = difflib.get_close_matches(w, list(index), n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(close)}?" if close else \
                    f" (the file has {len(names)} sources, e.g. {', '.join(names[:3])})"
                raise mh.InputError(f"no source named '{w}' in the file{hint}")
            rows.append(index[w])
        return rows
    if first < 1:
        raise mh.InputError(f"--first {first}: must be >= 1")
    return list(range(min(first, len(names))))


def draw_iterations(ax, np, it, C, colours):
    """it: (M, C) probabilities of one source over the iterations."""
    M = it.shape[0]
    x = np.arange(C)
    if M >= 10:
        varying = [c for c in range(C) if np.ptp(it[:, c]) > 1e-12]
        if varying:
            parts = ax.violinplot([it[:, c] for c in varying], positions=varying, widths=0.8,
                                  showextrema=False)
            for body, c in zip(parts["bodies"], varying):
                body.set_facecolor(colours[c])
                body.set_edgecolor(colours[c])
                body.set_alpha(0.35)
    bp = ax.boxplot([it[:, c] for c in range(C)], positions=x, widths=0.28 if M >= 10 else 0.5,
                    whis=(2.275, 97.725), showfliers=False, patch_artist=True,
                    medianprops=dict(color="black", lw=1.3),
                    whiskerprops=dict(color="#444444", lw=1.0),
                    capprops=dict(color="#444444", lw=1.0))
    for box, c in zip(bp["boxes"], range(C)):
        box.set_facecolor(colours[c])
        box.set_alpha(0.8 if M < 10 else 0.9)
        box.set_edgecolor("#333333")
    if M < 50:
        rng = np.random.default_rng(0)
        for c in range(C):
            jitter = rng.uniform(-0.16, 0.16, M)
            ax.scatter(c + jitter, it[:, c], s=9, color="black", alpha=0.45, lw=0, zorder=4)


def draw_summary(ax, np, P, eP, q_lo, q_hi, med, C, colours):
    x = np.arange(C)
    for c in range(C):
        if q_lo is not None and q_hi is not None and np.isfinite(q_lo[c]) and np.isfinite(q_hi[c]):
            ax.bar(c, q_hi[c] - q_lo[c], bottom=q_lo[c], width=0.5, color=colours[c], alpha=0.35,
                   edgecolor=colours[c], lw=1.0, zorder=2)
        if med is not None and np.isfinite(med[c]):
            ax.plot([c - 0.25, c + 0.25], [med[c], med[c]], color="black", lw=1.3, zorder=3)
    if eP is not None:
        ax.errorbar(x, P, yerr=np.where(np.isfinite(eP), eP, 0), fmt="none", ecolor="black",
                    elinewidth=1.2, capsize=4, zorder=4)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mh.add_common_args(p)
    sel = p.add_mutually_exclusive_group()
    sel.add_argument("--source", action="append", metavar="NAME", default=[],
                     help="source to plot (repeat for several sources)")
    sel.add_argument("--first", type=int, metavar="K", default=None,
                     help="plot the first K sources of the file (default: 4 if no --source)")
    p.add_argument("--ncols", type=int, default=None,
                   help="panels per row (default: 1 for one source, else 2)")
    p.add_argument("--no-iterations", action="store_true",
                   help="ignore /iterations/P: plot mean, e_P and quantiles")
    a = p.parse_args()
    mh.check_out(a.out)
    if a.ncols is not None and a.ncols < 1:
        raise mh.InputError(f"--ncols {a.ncols}: must be >= 1")
    plt = mh.import_pyplot()
    import numpy as np

    with mh.Results(a.results, need_report=False) as r:
        classes = r.classes
        C = len(classes)
        names = r.names()
        rows = pick_sources(names, a.source, 4 if a.first is None else a.first)
        if len(rows) > MAX_PANELS:
            raise mh.InputError(f"{len(rows)} sources asked for; at most {MAX_PANELS} fit on "
                                "one figure")
        P = r.source("P")
        if P is None or P.shape != (len(names), C):
            raise mh.InputError(f"{a.results}: /sources/P is missing or not ({len(names)}, {C})")

        def opt(name):
            v = r.source(name)
            return v if v is not None and v.shape == P.shape else None
        eP, q_lo, q_hi, med = opt("e_P"), opt("P_q02275"), opt("P_q97725"), opt("P_median")
        pred = r.source("class_index")
        if pred is None:
            pred = np.where(np.isfinite(P).all(1), np.nanargmax(np.nan_to_num(P, nan=-1), 1), -1)
        ct = r.source("CT")
        confident = r.source("confident")
        true = r.source("true_class_index")
        thr = r.ct_threshold if "report" in r.f else None
        its = None
        if not a.no_iterations and "iterations" in r.f and "P" in r.f["iterations"]:
            ds = r.f["iterations/P"]
            if ds.ndim == 3 and ds.shape[0] == len(names) and ds.shape[2] == C and ds.shape[1] > 1:
                # read only the chosen sources (h5py needs increasing indices)
                uniq = sorted(set(rows))
                block = ds[uniq, :, :]
                its = {i: block[k] for k, i in enumerate(uniq)}
        base = os.path.basename(a.results)

    n = len(rows)
    ncols = a.ncols or (1 if n == 1 else 2)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    pw, ph = max(5.5, 0.62 * C + 1.3), 3.7
    fig, axes = plt.subplots(nrows, ncols, figsize=(pw * ncols, ph * nrows + 0.5),
                             squeeze=False, constrained_layout=True)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        i = rows[k]
        pi = int(pred[i]) if pred is not None else -1
        colours = [PRED if c == pi else OTHER for c in range(C)]
        if its is not None:
            draw_iterations(ax, np, its[i], C, colours)
        else:
            draw_summary(ax, np, P[i], None if eP is None else eP[i],
                         None if q_lo is None else q_lo[i], None if q_hi is None else q_hi[i],
                         None if med is None else med[i], C, colours)
        ax.scatter(np.arange(C), P[i], marker="D", s=28, color="black", edgecolor="white",
                   lw=0.6, zorder=5)
        ti = int(true[i]) if true is not None else -1
        if 0 <= ti < C:
            ax.scatter([ti], [-0.045], marker="^", s=70, color=TRUE, clip_on=False, zorder=6)
        ax.set_xticks(np.arange(C))
        ax.set_xticklabels(classes, rotation=35, ha="right", rotation_mode="anchor")
        for c, lab in enumerate(ax.get_xticklabels()):
            if c == pi:
                lab.set_color("#c05600")
                lab.set_fontweight("bold")
            elif c == ti:
                lab.set_color(TRUE)
                lab.set_fontweight("bold")
        ax.set_xlim(-0.6, C - 0.4)
        ax.set_ylim(-0.07, 1.03)
        ax.axhline(0, color="#bbbbbb", lw=0.6, zorder=0)
        ax.grid(True, axis="y", alpha=0.3)
        if k % ncols == 0:
            ax.set_ylabel("Probability")
        # Title: name; predicted class, P, CT; true class.
        line2 = []
        if 0 <= pi < C:
            ptxt = f"predicted {classes[pi]} (P = {P[i, pi]:.2f}"
            if eP is not None and np.isfinite(eP[i, pi]):
                ptxt += f" ± {eP[i, pi]:.2f}"
            line2.append(ptxt + ")")
        else:
            line2.append("no predicted class")
        if ct is not None:
            if not np.isfinite(ct[i]):
                ctxt = "CT = n/a"
            else:
                ctxt = f"CT = {ct[i]:.2f}" if abs(ct[i]) < 1000 else f"CT = {ct[i]:.3g}"
            if confident is not None:
                ctxt += " (confident)" if confident[i] else " (not confident)"
            line2.append(ctxt)
        title = f"{names[i]}\n" + ", ".join(line2)
        if 0 <= ti < C:
            verdict = "correct" if ti == pi else "misclassified"
            title += f"\ntrue class {classes[ti]} ({verdict})"
        ax.set_title(title, fontsize=10.5)

    # One legend for the figure.
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Line2D([], [], marker="D", ls="none", color="black", label="mean P"),
               Patch(facecolor=PRED, label="predicted class"),
               Patch(facecolor=OTHER, label="other classes")]
    if its is not None:
        M = next(iter(its.values())).shape[0]
        what = (f"distribution over {M} MC iterations ({'violin, ' if M >= 10 else ''}"
                f"box = quartiles, whiskers = 2.275–97.725 %{', dots = iterations' if M < 50 else ''})")
    else:
        handles.append(Line2D([], [], marker="_", ls="none", color="black", markersize=10,
                              label="median"))
        handles.append(Line2D([], [], color="black", lw=1.2, label="±1σ (e_P)"))
        what = "shaded: 2.275–97.725 % quantiles of the MC iterations"
    if true is not None:
        handles.append(Line2D([], [], marker="^", ls="none", color=TRUE, markersize=8,
                              label="true class"))
    ncol_legend = len(handles) if ncols >= 2 or len(handles) <= 4 else 3
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=ncol_legend, frameon=False, fontsize=9.5)
    sub = f"Class probabilities ({base}); {what}"
    if thr is not None:
        sub += f"; confident: CT ≥ {thr:g}"
    fig.suptitle(textwrap.fill(sub, width=int(10.5 * pw * ncols)), fontsize=11)
    mh.save(fig, a.out, a.dpi)


if __name__ == "__main__":
    mh.run(main)
