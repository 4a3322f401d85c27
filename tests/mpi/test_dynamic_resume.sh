#!/usr/bin/env bash
# Dynamic scheduling and checkpoint/resume: -np 1, 2, 3 and 4 (oversubscribed)
# give bit-identical files on a catalog with uneven E(B-V) bins; a run killed
# with SIGKILL at a random moment, or stopped by a signal (exit 75), and then
# resumed gives the same file; a resume with another config is refused.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 400 --seed 21 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
args=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 8 --seed 4 --quiet)
compare() { "$PY" "$SRC/tests/tools/compare_h5.py" "$1" "$2"; }

mpirun_n 1 "$MWCLASS" "${args[@]}" --out "$WORK/np1.h5"
"$PY" - "$WORK/np1.h5" <<'PYEOF'
import sys, h5py, numpy as np
n = h5py.File(sys.argv[1])["items/n_sources"][()]
print(f"{len(n)} bins; largest {n.max()} sources, median {int(np.median(n))}")
assert len(n) >= 10 and n.max() >= 10 * np.median(n), "bins should be uneven"
PYEOF
for np in 2 3 4; do
  mpirun_n $np "$MWCLASS" "${args[@]}" --out "$WORK/np$np.h5"
  compare "$WORK/np1.h5" "$WORK/np$np.h5"
done

# Waits (bounded) until a run has checkpointed its first item, then a random
# extra 0-0.4 s: the interruption lands mid-run, at a random point.
wait_for_first_item() {
  for _ in $(seq 200); do
    ls "$1" 2>/dev/null | grep -q '^item-' && break
    sleep 0.05
  done
  sleep "0.$(( RANDOM % 5 ))"
}

# SIGKILL of the whole job at a random moment, then --resume.
# (mpirun itself in the background, not a shell function: $! must be mpirun)
"${MPIEXEC:-mpirun}" --oversubscribe -np 2 "$MWCLASS" "${args[@]}" --out "$WORK/killed.h5" & pid=$!
wait_for_first_item "$WORK/killed.h5.checkpoint"
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
sleep 1
pgrep -f "$WORK/killed.h5" > /dev/null && { echo "FAIL: ranks survived the kill of mpirun"; pkill -KILL -f "$WORK/killed.h5"; exit 1; }
[ -e "$WORK/killed.h5" ] && { echo "FAIL: a killed run left a final file"; exit 1; }
n_items=$(ls "$WORK/killed.h5.checkpoint" 2>/dev/null | grep -c '^item-' || true)
echo "killed with $n_items finished items checkpointed"
mpirun_n 2 "$MWCLASS" "${args[@]}" --out "$WORK/killed.h5" --resume
compare "$WORK/np1.h5" "$WORK/killed.h5"
[ ! -e "$WORK/killed.h5.checkpoint" ] || { echo "FAIL: checkpoint left after completion"; exit 1; }

# A signal (what Slurm sends before the time limit; mpirun forwards SIGUSR1)
# stops the run cleanly with exit code 75; --resume finishes it.
"${MPIEXEC:-mpirun}" --oversubscribe -np 3 "$MWCLASS" "${args[@]}" --out "$WORK/stopped.h5" & pid=$!
wait_for_first_item "$WORK/stopped.h5.checkpoint"
kill -USR1 "$pid"
set +e; wait "$pid"; code=$?; set -e
echo "stopped run exit code: $code"
if [ "$code" -eq 75 ]; then
  [ -d "$WORK/stopped.h5.checkpoint" ] || { echo "FAIL: no checkpoint after a clean stop"; exit 1; }
  [ ! -e "$WORK/stopped.h5" ] || { echo "FAIL: an interrupted run wrote the final file"; exit 1; }
  # without --resume the checkpoint is protected
  set +e; "$MWCLASS" "${args[@]}" --out "$WORK/stopped.h5" 2> "$WORK/err.txt"; c=$?; set -e
  [ "$c" -eq 2 ] && grep -q "add --resume to continue" "$WORK/err.txt" || { echo "FAIL: checkpoint not protected"; cat "$WORK/err.txt"; exit 1; }
  # a different configuration is refused
  set +e; "$MWCLASS" "${args[@]/--seed/--seed}" --out "$WORK/stopped.h5" --resume --no-reddening 2> "$WORK/err2.txt"; c=$?; set -e
  [ "$c" -eq 2 ] && grep -q "cannot resume from" "$WORK/err2.txt" || { echo "FAIL: changed config not refused"; cat "$WORK/err2.txt"; exit 1; }
  mpirun_n 2 "$MWCLASS" "${args[@]}" --out "$WORK/stopped.h5" --resume
elif [ "$code" -ne 0 ]; then
  echo "FAIL: a stop signal gave exit code $code (expected 75, or 0 if the run had already finished)"; exit 1
fi
compare "$WORK/np1.h5" "$WORK/stopped.h5"
echo PASS
