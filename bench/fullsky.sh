#!/usr/bin/env bash
# Full-catalog benchmark (issue 18; not a test): the CSC-like 66,369-source sky of
# `mwclass simulate --sky csc` (E(B-V) 0-50, ~2,000 occupied 0.025-mag bins),
# classified at reduced MC for fixed / adaptive E(B-V) bins x exact / binned
# (--max-bins 64) forests at 1 and 2 ranks. Reports per case the bins of the whole
# field, the fits run (bins x MC), fits per second per core, the parallel
# efficiency 1 -> 2 ranks and the peak memory of every rank, and projects the
# paper's job (1,000 MC) in node-hours on a 40-core node:
#   node-hours = bins(whole field) x 1000 / (fits/s/core at 1 rank x 40 x efficiency) / 3600.
# The fixed scheme's 2,000 bins x MC fits are too many for this machine, so it
# classifies the sources of every STRIDE-th occupied fixed bin (the cost of a fit
# does not depend on which bin it is; prediction is a few % of it); adaptive bins
# classify the whole field.
#   usage: bash bench/fullsky.sh [BUILD_DIR] [MC] [STRIDE] [TD]
#   e.g.   bash bench/fullsky.sh build 2 20 ../shared/data/cscv2_td_yang2022.csv
set -euo pipefail
BUILD=${1:-build}; MC=${2:-2}; STRIDE=${3:-20}; TD=${4:-}
MW="$BUILD/mwclass"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
W=${BENCH_DIR:-$(mktemp -d)}; [ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$W"' EXIT
"$MW" simulate --sky csc --n-td 2941 --seed 7 --out-td "$W/td_sim.csv" --out-field "$W/field.csv" > /dev/null
[ -n "$TD" ] || TD="$W/td_sim.csv"
# Every STRIDE-th occupied fixed bin (floor(E(B-V) / 0.025) as mwclass bins).
/usr/bin/python3 - "$W/field.csv" "$W/field_sub.csv" "$STRIDE" <<'PYEOF'
import csv, math, sys
src, dst, stride = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = list(csv.DictReader(open(src, newline="")))
cells = sorted({math.floor(float(r["ebv"]) / 0.025 + 1e-9) for r in rows})
keep = set(cells[::stride])
with open(dst, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(r for r in rows if math.floor(float(r["ebv"]) / 0.025 + 1e-9) in keep)
print(f"field: {len(rows)} sources in {len(cells)} occupied fixed bins; every {stride}th bin: "
      f"{len(keep)} bins", file=sys.stderr)
PYEOF
items() { /usr/bin/python3 -c "import h5py; print(len(h5py.File('$1')['items/id']))"; }
whole_field_bins() {  # the bins of the whole field: printed by classify before any fit; then stopped
  "$MW" classify --td "$TD" --field "$W/field.csv" --mc 1 "$@" --out "$W/count.h5" 2> "$W/count.log" > /dev/null &
  local pid=$!
  until grep -q "E(B-V) bin(s)" "$W/count.log" 2> /dev/null || ! kill -0 $pid 2> /dev/null; do sleep 0.2; done
  kill $pid 2> /dev/null || true; wait $pid 2> /dev/null || true
  rm -rf "$W/count.h5.checkpoint"
  sed -n 's/.* in \([0-9]*\) E(B-V) bin(s).*/\1/p' "$W/count.log" | head -1
}
ADAPT=(--set reddening.binning=adaptive --set reddening.adaptive_tolerance=${TAU:-0.5})
printf "%-9s %-7s %3s %6s %6s %8s %9s %11s %s\n" binning forest np bins fits wall_s fits/s/core efficiency "peak MB per rank"
for binning in fixed adaptive; do
  if [ $binning = fixed ]; then field="$W/field_sub.csv"; extra=(); all=$(whole_field_bins)
  else field="$W/field.csv"; extra=("${ADAPT[@]}"); all=$(whole_field_bins "${ADAPT[@]}"); fi
  for forest in exact binned; do
    fo=(); [ $forest = binned ] && fo=(--max-bins 64)
    declare -A rate=()
    for np in 1 2; do
      t0=$(date +%s.%N)
      mpirun -np $np "$MW" classify --td "$TD" --field "$field" --mc "$MC" --threads 1 "${extra[@]}" "${fo[@]}" \
        --out "$W/$binning.$forest.np$np.h5" 2> "$W/$binning.$forest.np$np.log" > /dev/null
      t1=$(date +%s.%N)
      n=$(items "$W/$binning.$forest.np$np.h5")
      mem=$(sed -n 's/.*peak memory \([0-9]*\) MB/\1/p' "$W/$binning.$forest.np$np.log" | paste -sd/)
      read -r wall r <<< "$(/usr/bin/python3 -c "w = $t1 - $t0; print(f'{w:.1f}', $n * $MC / w / $np)")"
      rate[$np]=$r
      eff=$(/usr/bin/python3 -c "print(f'{${rate[2]:-0}/${rate[1]}:.2f}' if $np == 2 else '-')")
      printf "%-9s %-7s %3s %6s %6s %8s %9.2f %11s %s\n" $binning $forest $np "$n" $((n * MC)) "$wall" "$r" "$eff" "$mem"
    done
    /usr/bin/python3 -c "
bins, r1, eff = $all, ${rate[1]}, ${rate[2]} / ${rate[1]}
h = bins * 1000 / (r1 * 40 * eff) / 3600
print(f'  -> paper job, $binning/$forest: {bins} bins x 1000 MC / ({r1:.2f} fits/s/core x 40 x {eff:.2f}) = {h:.2f} node-hours')"
  done
done
