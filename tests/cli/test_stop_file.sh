#!/usr/bin/env bash
# A stop request as a file ($MWCLASS_STOP_FILE, what slurm/*.sbatch use): it
# works whenever it comes — before the ranks have started (where a signal would
# be lost or kill a rank) or mid-run — and stops the run as a signal does:
# exit 75, finished items kept, --resume finishes bit-identical.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "needs /usr/bin/python3 with h5py (python3-h5py)"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 300 --seed 21 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
args=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --seed 3 --quiet)
"$MWCLASS" "${args[@]}" --mc 4 --out "$WORK/ref.h5"

run() {  # run EXPECTED_RC command...
  local want=$1; shift
  set +e; "$@" > "$WORK/log.txt" 2>&1; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { echo "FAIL: exit $rc (want $want): $*"; cat "$WORK/log.txt"; exit 1; }
}

# 1. The file exists before the run starts (the request came before mpirun): one rank and two.
for np in 1 2; do
  out="$WORK/early$np.h5"
  touch "$WORK/stop"
  MWCLASS_STOP_FILE="$WORK/stop" run 75 mpirun_n "$np" -x MWCLASS_STOP_FILE "$MWCLASS" "${args[@]}" --mc 4 --out "$out"
  grep -q "stopped by a signal with 0 of" "$WORK/log.txt" || { echo "FAIL: no stop message"; cat "$WORK/log.txt"; exit 1; }
  [ ! -e "$out" ] || { echo "FAIL: a stopped run wrote $out"; exit 1; }
  rm "$WORK/stop"
  MWCLASS_STOP_FILE="$WORK/stop" run 0 mpirun_n "$np" "$MWCLASS" "${args[@]}" --mc 4 --out "$out" --resume
  "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/ref.h5" "$out"
done

# 2. Without the file (or without the variable) nothing changes: the run above finished.
# 3. The file appears mid-run: the run stops at the next item, keeps what is done.
out="$WORK/mid.h5"
MWCLASS_STOP_FILE="$WORK/stop" "$MWCLASS" "${args[@]}" --mc 12 --out "$out" > "$WORK/mid.log" 2>&1 & pid=$!
for _ in $(seq 600); do [ -n "$(ls "$out.checkpoint" 2>/dev/null | grep '^item-')" ] && break; sleep 0.05; done
touch "$WORK/stop"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 75 ] || { echo "FAIL: mid-run stop exit $rc (want 75)"; cat "$WORK/mid.log"; exit 1; }
grep "stopped by a signal with" "$WORK/mid.log"
rm "$WORK/stop"
"$MWCLASS" "${args[@]}" --mc 12 --out "$WORK/ref12.h5"
run 0 "$MWCLASS" "${args[@]}" --mc 12 --out "$out" --resume
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/ref12.h5" "$out"
echo "PASS: stop file before start (1 and 2 ranks) and mid-run; resumes bit-identical"
