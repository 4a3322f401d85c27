#!/bin/bash
# Interleaved A/B of two bench_iteration binaries (e.g. two commits' builds) on
# one core: ROUNDS rounds, each running A then B for 2 repeats, then medians
# per stage and the paired B/A ratios (median, inter-quartile range, ratio of
# the 10th percentiles). On a shared, noisy machine the paired ratio is the
# number to read; the proba fingerprints show whether the output changed.
#
#   bash bench/ab_iteration.sh A_BIN B_BIN [ROUNDS] [bench_iteration args...]
#   e.g. bash bench/ab_iteration.sh /tmp/old/bench_iteration build-perf/bench/bench_iteration 10 --max-bins 64
# Env: TD (default ../shared/data/cscv2_td_yang2022.csv), CORE (default 0).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,10p "$0"; exit 2; }
A=$1; B=$2; ROUNDS=${3:-10}; shift 2; [ $# -gt 0 ] && shift
TD=${TD:-../shared/data/cscv2_td_yang2022.csv}
[ -f "$TD" ] || { echo "ab_iteration: training set $TD not found (set TD=...)" >&2; exit 2; }
for bin in "$A" "$B"; do [ -x "$bin" ] || { echo "ab_iteration: $bin is not an executable" >&2; exit 2; }; done
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for _ in $(seq "$ROUNDS"); do
  for side in A B; do
    bin=$A; [ "$side" = B ] && bin=$B
    taskset -c "${CORE:-0}" "$bin" --td "$TD" --repeats 2 "$@" | grep '^repeat' | sed "s/^/$side /"
  done
done > "$OUT"
/usr/bin/python3 - "$OUT" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    w = line.split()
    runs.setdefault(w[0], []).append(dict(zip(w[3::2], w[4::2])))
stages = ("fit", "predict", "total")
for side, rs in runs.items():
    med = " ".join(f"{k} {st.median(float(r[k]) for r in rs):.4f}" for k in stages)
    fps = ",".join(sorted({r["proba_fingerprint"][:8] for r in rs}))
    print(f"{side}: n={len(rs)} median [s] {med}  fingerprints {fps}")
a, b = runs["A"], runs["B"]
n = min(len(a), len(b))
for k in stages:
    ratio = sorted(float(b[i][k]) / float(a[i][k]) for i in range(n))
    p10 = [sorted(float(r[k]) for r in side)[len(side) // 10] for side in (a, b)]
    print(f"B/A {k}: paired median {st.median(ratio):.3f} (IQR {ratio[n // 4]:.3f}-{ratio[3 * n // 4]:.3f}), "
          f"10th percentiles {p10[1] / p10[0]:.3f}")
PY
