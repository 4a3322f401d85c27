#!/usr/bin/python3
"""Monte-Carlo convergence of the mean probabilities (Yang et al. 2022, Appendix B).

Reads /report/convergence, written by `mwclass report --convergence FILE` (the run
needs --keep-iterations): for N = 1..M iterations, the mean over sources of
|P_N - P_M| / sigma_M of the predicted class, where P_N is the mean probability
over the first N iterations and P_M, sigma_M those over all M iterations. The
statistic falls to 0 at N = M by construction; the number of iterations is large
enough once it is well below 1 (the mean is then known to a fraction of its spread)
long before N = M.

Example:
  mwclass loocv --td td.csv --out loocv.h5 --mc 300 --keep-iterations
  mwclass report --convergence loocv.h5
  tools/plot_convergence.py loocv.h5 --out convergence.png
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwclass_h5 as mh  # noqa: E402


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mh.add_common_args(p)
    p.add_argument("--level", type=float, default=0.1,
                   help="draw a horizontal reference line at this value (default: %(default)s; "
                        "0 = none)")
    p.add_argument("--linear", action="store_true", help="linear instead of logarithmic N axis (always linear for M < 20)")
    a = p.parse_args()
    mh.check_out(a.out)
    plt = mh.import_pyplot()
    import numpy as np

    with mh.Results(a.results) as r:
        conv = r.report("convergence", required=False)
        base = os.path.basename(a.results)
    if conv is None:
        raise mh.InputError(f"{a.results}: no /report/convergence: run "
                            f"`mwclass report --convergence {a.results}` (the run needs "
                            "--keep-iterations)")
    conv = np.asarray(conv, dtype=float).ravel()
    if conv.size < 2 or not np.isfinite(conv).any():
        raise mh.InputError(f"{a.results}: /report/convergence has {conv.size} values; "
                            "it needs a run with at least 2 MC iterations")
    M = conv.size
    N = np.arange(1, M + 1)

    fig, ax = plt.subplots(figsize=(6.8, 4.6), constrained_layout=True)
    ax.plot(N, conv, color="#1f77b4", lw=2.0, marker="o" if M <= 40 else None, markersize=4,
            label="mean over sources")
    linear = a.linear or M < 20
    if not linear:
        from matplotlib.ticker import FuncFormatter, NullFormatter
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(1, M)
    ax.set_ylim(0, max(1.05 * np.nanmax(conv), a.level * 1.5 if a.level > 0 else 0))
    if a.level > 0:
        ax.axhline(a.level, color="#d62728", ls="--", lw=1.2, label=f"reference level {a.level:g}")
        below = np.nonzero(np.isfinite(conv) & (conv <= a.level))[0]
        # first N from which the statistic stays below the level
        stays = [k for k in below if (conv[k:] <= a.level).all()]
        if stays and stays[0] < M - 1:
            n0 = stays[0] + 1
            ax.axvline(n0, color="#777777", ls=":", lw=1.0)
            left = n0 > (np.sqrt(M) if not linear else M / 2)
            ax.annotate(f"≤ {a.level:g} from N = {n0}", xy=(n0, a.level),
                        xytext=(-6 if left else 6, -6 if left else 8), textcoords="offset points",
                        ha="right" if left else "left", va="top" if left else "bottom",
                        fontsize=10)
    ax.set_xlabel("Number of Monte-Carlo iterations N")
    ax.set_ylabel(r"$\langle\,|\bar P_N - \bar P_M|\,/\,\sigma_M\,\rangle$ (predicted class)")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(loc="upper right")
    ax.set_title(f"MC convergence, M = {M} iterations ({base})")
    mh.save(fig, a.out, a.dpi)


if __name__ == "__main__":
    mh.run(main)
