#!/usr/bin/python3
"""Validation of the field priors (issue 19): does the EM recover a field's class mix, and
are the re-weighted probabilities P_field better calibrated than the raw P?

For each split seed, the training set is split per class into a held-out pool (--holdout of
every class) and the rest, which trains. From the pool, a "field" of --n-field sources is
drawn with replacement (--distinct: without) at a known class mix (each draw renamed `<name>#k`, so every row is
its own source with its own Monte-Carlo draws) and classified with
`mwclass classify --no-reddening --max-bins 64 --set calibration.field_prior=estimate`, and
again with field_prior = "given" at the mix it was drawn from, each with the default
training prior (equal after SMOTE) and with pi_train = the training split's class fractions, and
with the bias-corrected temperature scaling (`calibration.scaling = "bcts"`) fitted on
`mwclass cv --folds 10` of the training split (pi_train: its class fractions). Printed (markdown): the true vs estimated
mix, and for P, P_field (estimate) and P_field (given) the Brier score, log loss, accuracy
and top-label expected calibration error. The result files, truth tables and a JSON summary
stay in --work for tools/plot_reliability.py.

Example (a few core-minutes):
  /usr/bin/python3 tools/validate_field_prior.py --td ../shared/data/cscv2_td_yang2022.csv \\
      --mwclass build/mwclass --work /tmp/fieldprior --mc 20 --splits 3
Fields of distinct sources, paired per field against the raw P (docs/validation.md):
  /usr/bin/python3 tools/validate_field_prior.py --td ../shared/data/cscv2_td_yang2022.csv \\
      --mwclass build/mwclass --work /tmp/fp_distinct --mc 20 --splits 10 --holdout 0.5 --distinct
"""
import argparse
import csv
import json
import os
import subprocess
import sys

import numpy as np

CLASSES = ["AGN", "CV", "HM-STAR", "HMXB", "LM-STAR", "LMXB", "NS", "YSO"]  # the default config's order

# Yang et al. (2022), Table 5: classifications of the good CSCv2 sample (GCS, S/N > 3).
TABLE5_COUNTS = {"AGN": 33955, "YSO": 11268, "LM-STAR": 2216, "HM-STAR": 1843, "NS": 9159,
                 "LMXB": 6777, "CV": 1104, "HMXB": 47}
# A star-rich mix, far from both the training set's and Table 5's.
STARS = {"LM-STAR": 0.35, "YSO": 0.25, "HM-STAR": 0.15, "AGN": 0.10, "CV": 0.05, "NS": 0.04,
         "LMXB": 0.04, "HMXB": 0.02}


def fractions(d):
    total = float(sum(d.values()))
    return np.array([d[c] / total for c in CLASSES])


# An extragalactic (high-latitude) field: AGN-dominated, a few stars.
EXTRAGALACTIC = {"AGN": 0.80, "LM-STAR": 0.06, "YSO": 0.05, "HM-STAR": 0.02, "CV": 0.02, "NS": 0.02,
                 "LMXB": 0.02, "HMXB": 0.01}
# A Galactic-plane field rich in compact binaries.
PLANE = {"YSO": 0.30, "LM-STAR": 0.15, "AGN": 0.15, "HM-STAR": 0.10, "LMXB": 0.08, "NS": 0.07, "CV": 0.06,
         "HMXB": 0.04}
MIXES = {"table5": fractions(TABLE5_COUNTS), "stars": fractions(STARS),
         "extragalactic": fractions(EXTRAGALACTIC), "plane": fractions(PLANE)}
PRIORS = ("equal", "fractions", "bcts")


def counts_for(mix, n):
    """Largest-remainder rounding of mix * n to integers summing to n."""
    raw = mix * n
    k = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - k))[: n - k.sum()]:
        k[i] += 1
    return k


def brier(P, y):
    onehot = np.zeros_like(P)
    onehot[np.arange(len(y)), y] = 1
    return float(np.mean(np.sum((P - onehot) ** 2, axis=1)))


def log_loss(P, y):
    return float(np.mean(-np.log(np.clip(P[np.arange(len(y)), y], 1e-15, 1))))


def ece(P, y, bins=10):
    """Top-label expected calibration error, equal-width confidence bins."""
    conf = P.max(axis=1)
    correct = (P.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for b in range(bins):
        sel = (conf > edges[b]) & (conf <= edges[b + 1]) if b else (conf <= edges[1])
        if sel.any():
            total += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return float(total)


def read_h5(path):
    import h5py
    with h5py.File(path, "r") as f:
        names = [v.decode() if isinstance(v, bytes) else str(v) for v in f["sources/name"][()]]
        out = {"names": names, "P": f["sources/P"][()], "P_field": f["sources/P_field"][()],
               "prior": f["calibration/field_prior"][()],
               "iterations": int(f["calibration"].attrs["iterations"]),
               "converged": int(f["calibration"].attrs["converged"])}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--td", required=True)
    ap.add_argument("--mwclass", default="build/mwclass")
    ap.add_argument("--config", default="", help="mwclass config (default: built-in)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--mc", type=int, default=20)
    ap.add_argument("--splits", type=int, default=3)
    ap.add_argument("--n-field", type=int, default=1000)
    ap.add_argument("--holdout", type=float, default=0.3)
    ap.add_argument("--distinct", action="store_true",
                    help="draw each field without replacement (every source once; the field is then as large as "
                         "the pools allow at each mix, at most --n-field)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to every mwclass run (e.g. classifier.model=gbdt); repeatable")
    ap.add_argument("--mixes", default="table5,stars", help=f"comma-separated, of {', '.join(MIXES)}")
    ap.add_argument("--priors", default=",".join(PRIORS),
                    help="pi_train variants to run, of equal (default pi_train), fractions (training fractions), "
                         "bcts (scaling fitted on mwclass cv)")
    args = ap.parse_args()
    mixes = args.mixes.split(",")
    priors = tuple(p for p in PRIORS if p in args.priors.split(","))
    for name in mixes:
        if name not in MIXES:
            ap.error(f"--mixes: unknown mix '{name}' (known: {', '.join(MIXES)})")
    if not priors or len(priors) != len(args.priors.split(",")):
        ap.error(f"--priors: give some of {', '.join(PRIORS)}")
    extra = [a for kv in args.set for a in ("--set", kv)]
    os.makedirs(args.work, exist_ok=True)

    with open(args.td, newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        rows = list(reader)
    labels = np.array([CLASSES.index(r["True_Class"]) for r in rows])
    summary = []
    for split in range(args.splits):
        rng = np.random.default_rng(1000 + split)
        pool = []
        for c in range(len(CLASSES)):
            members = rng.permutation(np.flatnonzero(labels == c))
            pool.append(members[: int(np.ceil(args.holdout * len(members)))])
        held = set(np.concatenate(pool).tolist())
        kept = np.array([i for i in range(len(rows)) if i not in held])
        train_mix = np.bincount(labels[kept], minlength=len(CLASSES)) / len(kept)
        train_path = os.path.join(args.work, f"train_s{split}.csv")
        with open(train_path, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=header)
            w.writeheader()
            w.writerows(r for i, r in enumerate(rows) if i not in held)
        # Held-out probabilities of the training split, for the scaling fit.
        cv_path = os.path.join(args.work, f"cv_s{split}.h5")
        if not os.path.exists(cv_path):
            cmd = [args.mwclass, "cv", "--td", train_path, "--out", cv_path, "--folds", "10", "--repeats", "1",
                   "--mc", str(args.mc), "--seed", str(7 + split), "--max-bins", "64", "--threads",
                   str(args.threads), "--quiet"]
            subprocess.run(cmd + (["--config", args.config] if args.config else []) + extra, check=True)
        for mix_name in mixes:
            mix = MIXES[mix_name]
            tag = f"s{split}_{mix_name}"
            n_field = args.n_field
            if args.distinct:  # the largest field the pools hold at this mix
                n_field = min(n_field, int(min(len(pool[c]) / mix[c] for c in range(len(CLASSES)) if mix[c] > 0)))
                while any(k > len(pool[c]) for c, k in enumerate(counts_for(mix, n_field))):
                    n_field -= 1
            k = counts_for(mix, n_field)
            field_rows, truth = [], []
            for c in range(len(CLASSES)):
                for j, i in enumerate(rng.choice(pool[c], size=k[c], replace=not args.distinct)):
                    r = dict(rows[i])
                    r["CSCv2_name"] = f"{r['CSCv2_name']}#{c}.{j}"
                    field_rows.append(r)
                    truth.append(c)
            field_path = os.path.join(args.work, f"field_{tag}.csv")
            with open(field_path, "w", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=header)
                w.writeheader()
                w.writerows(field_rows)
            with open(os.path.join(args.work, f"truth_{tag}.csv"), "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["name", "True_Class"])
                w.writerows((r["CSCv2_name"], CLASSES[c]) for r, c in zip(field_rows, truth))
            y = np.array(truth)
            true_mix = np.bincount(y, minlength=len(CLASSES)) / len(y)
            results = {}
            for mode, prior in ((m, p) for p in priors for m in ("estimate", "given")):
                out = os.path.join(args.work, f"{tag}_{mode}_{prior}.h5")
                cmd = [args.mwclass, "classify", "--td", train_path, "--field", field_path, "--out", out,
                       "--mc", str(args.mc), "--seed", str(7 + split), "--max-bins", "64", "--no-reddening",
                       "--threads", str(args.threads), "--quiet"]
                if args.config:
                    cmd += ["--config", args.config]
                cmd += extra
                if prior == "fractions":  # pi_train = the training set's own class fractions
                    cmd += ["--set", "calibration.training_prior=[" + ", ".join(f"{v:.8f}" for v in train_mix) + "]"]
                if prior == "bcts":  # scaled on the cv output; pi_train = its class fractions
                    cmd += ["--set", "calibration.scaling=bcts", "--set", f"calibration.scaling_from={cv_path}"]
                if mode == "given":  # the mix the field was drawn from (its realisation may lack a class)
                    cmd += ["--set", "calibration.given_prior=[" + ", ".join(f"{v:.8f}" for v in mix) + "]"]
                cmd += ["--set", f"calibration.field_prior={mode}"]
                if not os.path.exists(out):
                    subprocess.run(cmd, check=True)
                results[(mode, prior)] = read_h5(out)
            row = {"split": split, "mix": mix_name, "true_mix": true_mix.tolist(), "n_field": int(len(y))}
            for prior in priors:
                est = results[("estimate", prior)]
                row[f"estimated_mix_{prior}"] = est["prior"].tolist()
                row[f"em_iterations_{prior}"] = est["iterations"]
                row[f"converged_{prior}"] = est["converged"]
            sets = [("raw", results[("estimate", priors[0])]["P"])]  # P is the same in every run
            for mode, prior in results:
                sets.append((f"{mode}_{prior}", results[(mode, prior)]["P_field"]))
            for label, P in sets:
                row[label] = {"brier": brier(P, y), "log_loss": log_loss(P, y),
                              "accuracy": float(np.mean(P.argmax(1) == y)), "ece": ece(P, y)}
            summary.append(row)
            print(json.dumps(row), file=sys.stderr)
    with open(os.path.join(args.work, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)

    # Markdown tables.
    titles = {"equal": "pi_train equal (default)", "fractions": "pi_train = training fractions",
              "bcts": "after BCTS"}
    for mix_name in mixes:
        rs = [r for r in summary if r["mix"] == mix_name]
        t = np.array([r["true_mix"] for r in rs])
        e = {p: np.array([r[f"estimated_mix_{p}"] for r in rs]) for p in priors}
        sizes = sorted({r["n_field"] for r in rs})
        print(f"\nMix `{mix_name}` ({len(rs)} splits, fields of {sizes} sources, mean ± standard deviation over "
              f"splits):\n")
        print("| class | true fraction | " + " | ".join(f"EM estimate, {titles[p]}" for p in priors) + " |")
        print("|---|---|" + "---|" * len(priors))
        for c, name in enumerate(CLASSES):
            print(f"| {name} | {t[:, c].mean():.3f} | " +
                  " | ".join(f"{e[p][:, c].mean():.3f} ± {e[p][:, c].std():.3f}" for p in priors) + " |")
        for p in priors:
            print(f"\npi_train {p}: EM iterations {[r[f'em_iterations_{p}'] for r in rs]}, all converged: "
                  f"{all(r[f'converged_{p}'] for r in rs)}; mean |estimate − true| over classes: "
                  f"{np.abs(e[p] - t).mean():.4f}")
        print("\n| probabilities | Brier score | log loss | accuracy | ECE (top label, 10 bins) |")
        print("|---|---|---|---|---|")
        labels = [("raw", "P (raw)")]
        for p in priors:
            if p == "bcts":
                labels += [("estimate_bcts", "P_field, BCTS then EM"), ("given_bcts", "P_field, BCTS then given mix")]
            else:
                labels += [(f"estimate_{p}", f"P_field, EM, {titles[p]}"),
                           (f"given_{p}", f"P_field, given mix, {titles[p]}")]
        for label, text in labels:
            m = {k: np.array([r[label][k] for r in rs]) for k in ("brier", "log_loss", "accuracy", "ece")}
            print(f"| {text} | " + " | ".join(f"{m[k].mean():.4f} ± {m[k].std():.4f}"
                                             for k in ("brier", "log_loss", "accuracy", "ece")) + " |")
        # Paired against the raw P of the same field: mean difference ± its standard error, and in how
        # many fields the re-weighted probabilities are better.
        print("\n| P_field minus P (paired per field) | Brier: mean ± s.e. | fields better | log loss: mean ± s.e. "
              "| fields better |")
        print("|---|---|---|---|---|")
        for label in (f"{m}_{p}" for p in priors if p == "bcts" or len(priors) == 1 for m in ("estimate", "given")):
            cells = []
            for k in ("brier", "log_loss"):
                d = np.array([r[label][k] - r["raw"][k] for r in rs])
                se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
                cells += [f"{d.mean():+.4f} ± {se:.4f}", f"{int((d < 0).sum())} of {len(d)}"]
            print(f"| {label} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
