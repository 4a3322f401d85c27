#!/usr/bin/env python3
"""E(B-V) bin occupancy of a field (issue 18): sources per 0.025-mag bin and how many bins
each binning scheme makes.

    /usr/bin/python3 tools/plot_ebv_bins.py --field field.csv [RESULTS.h5 ...] --out docs/figures/ebv_bins.png

Top: sources per fixed 0.025-mag bin against E(B-V) (log scale), from the field catalog's
E(B-V) column (binned as mwclass does: floor(E(B-V) / 0.025)).
Bottom: the cumulative number of bins below E(B-V): the fixed bins of the field, and of every
classify results file its /items/ebv_lo, labelled with the reddening.binning and
adaptive_tolerance of its stored configuration.
"""
import csv
import argparse
import re

import numpy as np

from mwclass_h5 import InputError, check_out, import_pyplot, open_h5, run, save


def load(path):
    with open_h5(path) as f:
        if "items/ebv_lo" not in f:
            raise InputError(f"{path}: no /items/ebv_lo (not a classify result of issue 18 or later)")
        cfg = f.attrs.get("config", b"")
        cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
        binning = re.search(r"^binning = '(\w+)'", cfg, re.M)
        tau = re.search(r"^adaptive_tolerance = ([0-9.e+-]+)", cfg, re.M)
        label = binning.group(1) if binning else "fixed"
        if label == "adaptive" and tau:
            label += f" (tau {float(tau.group(1)):g})"
        return {"lo": f["items/ebv_lo"][:], "hi": f["items/ebv_hi"][:], "n": f["items/n_sources"][:],
                "label": label}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="*", metavar="FILE", help="classify results files")
    ap.add_argument("--field", required=True, metavar="CSV", help="field catalog with an E(B-V) column")
    ap.add_argument("--ebv-column", default="ebv")
    ap.add_argument("--width", type=float, default=0.025, help="fixed bin width (mag)")
    ap.add_argument("--out", required=True, metavar="PNG")
    ap.add_argument("--dpi", type=int, default=150)
    a = ap.parse_args()
    check_out(a.out)
    try:
        with open(a.field, newline="") as f:
            ebv = np.array([float(row[a.ebv_column]) for row in csv.DictReader(f)])
    except (OSError, KeyError, ValueError) as e:
        raise InputError(f"{a.field}: cannot read column '{a.ebv_column}' ({e})")
    cells, counts = np.unique(np.floor(ebv / a.width + 1e-9).astype(int), return_counts=True)
    fixed = {"lo": cells * a.width, "hi": (cells + 1) * a.width, "n": counts, "label": f"fixed {a.width:g} mag"}
    runs = [fixed] + [load(p) for p in a.results]
    plt = import_pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    top.bar(fixed["lo"], fixed["n"], width=a.width, align="edge", color="tab:blue", lw=0)
    top.set_yscale("log")
    top.set_ylabel(f"sources per {a.width:g}-mag bin")
    top.set_title(f"{len(ebv):,} sources in {len(cells):,} occupied {a.width:g}-mag bins, "
                  f"E(B-V) up to {ebv.max():.1f}")
    for r in runs:
        order = np.argsort(r["lo"])
        x = np.append(r["lo"][order], r["hi"][order][-1])  # the last bin reaches its upper edge
        bottom.step(x, np.append(np.arange(1, len(order) + 1), len(order)), where="post",
                    label=f"{r['label']}: {len(order):,} bins")
    bottom.set_yscale("log")
    bottom.set_xlabel("E(B-V) (mag)")
    bottom.set_ylabel("bins below E(B-V)")
    bottom.legend(loc="lower right")
    save(fig, a.out, a.dpi)


if __name__ == "__main__":
    run(main)
