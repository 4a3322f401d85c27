#!/usr/bin/env bash
# Scaling benchmark (issue 4; not a test): a simulated catalog shaped like the
# paper's good CSC sample (66,369 sources; the simulator's E(B-V) distribution
# gives very uneven bins) classified at reduced MC with 1 and 2 ranks, side by
# side in one run. Reports MC iterations per second (bin-iterations: one forest
# fit each), parallel efficiency, idle fraction and peak memory per rank, and
# the projection for the full job. This sky has 121 bins, not the real ~2,000: for the
# full-catalog job use bench/fullsky.sh (`simulate --sky csc`, issue 18).
#   usage: bash bench/scaling.sh [BUILD_DIR] [N_FIELD] [MC]
set -euo pipefail
BUILD=${1:-build}; N_FIELD=${2:-66369}; MC=${3:-1}
MW="$BUILD/mwclass"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
"$MW" simulate --n-td 2941 --n-field "$N_FIELD" --seed 7 --out-td "$W/td.csv" --out-field "$W/field.csv" > /dev/null
run() {  # ranks -> prints "seconds bins"
  local np=$1
  local t0=$(date +%s.%N)
  mpirun --oversubscribe -np "$np" "$MW" classify --td "$W/td.csv" --field "$W/field.csv" --mc "$MC" \
    --out "$W/np$np.h5" 2> "$W/np$np.log" > /dev/null
  local t1=$(date +%s.%N)
  /usr/bin/python3 -c "print($t1 - $t0)"
}
t1=$(run 1); t2=$(run 2)
bins=$(/usr/bin/python3 -c "import h5py; print(len(h5py.File('$W/np1.h5')['items/id']))")
/usr/bin/python3 "$(dirname "$0")/../tests/tools/compare_h5.py" "$W/np1.h5" "$W/np2.h5" | tail -1
echo "catalog: $N_FIELD field sources in $bins E(B-V) bins, MC = $MC, training set 2941"
for np in 1 2; do grep "rank " "$W/np$np.log" | sed "s/^/  -np $np: /"; done
/usr/bin/python3 - "$t1" "$t2" "$bins" "$MC" <<'PYEOF'
import sys
t1, t2, bins, mc = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r1, r2 = bins * mc / t1, bins * mc / t2
print(f"-np 1: {t1:.1f} s, {r1:.2f} MC iterations/s")
print(f"-np 2: {t2:.1f} s, {r2:.2f} MC iterations/s; speed-up {t1/t2:.2f}, parallel efficiency {t1/t2/2:.2f}")
# Projection: the full job is ~2000 bins x 1000 iterations = 2e6 forest fits;
# time = fits / (per-core rate x cores x efficiency), per-core rate = r1.
eff = t1 / t2 / 2
for cores in (40, 800):
    hours = 2000 * 1000 / (r1 * cores * eff) / 3600
    print(f"projected full job (2000 bins x 1000 MC) on {cores} cores: {hours:.1f} h "
          f"(= 2e6 / ({r1:.2f}/s x {cores} x {eff:.2f}))")
PYEOF
