#!/usr/bin/env bash
# Issue 17, a dying rank: in a 3-rank job, a worker (rank 1) or rank 0 itself,
# found by the OMPI_COMM_WORLD_RANK in its environment, is killed with SIGKILL
# mid-run. The job must end within 60 s, exit != 0, with mpirun's message
# naming the dead rank, no rank left running, no results file, and a
# checkpoint whose items are whole: --resume finishes bit-identical to an
# uninterrupted run.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 400 --seed 21 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
args=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 6 --seed 4 --quiet)
mpirun_n 3 "$MWCLASS" "${args[@]}" --out "$WORK/reference.h5"

# The pid of rank $2 of the job writing $1 (not mpirun: it has no rank).
pid_of_rank() {
  local p
  for p in $(pgrep -f -- "--out $1"); do
    tr '\0' '\n' < "/proc/$p/environ" 2> /dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "$p"; return 0; }
  done
  return 1
}

for victim in 1 0; do
  OUT="$WORK/victim$victim.h5"
  "${MPIEXEC:-mpirun}" --oversubscribe -np 3 "$MWCLASS" "${args[@]}" --out "$OUT" 2> "$WORK/mpirun.txt" & job=$!
  for _ in $(seq 600); do  # bounded: until the first item is checkpointed
    ls "$OUT.checkpoint" 2> /dev/null | grep -q '^item-' && break
    sleep 0.05
  done
  pid=$(pid_of_rank "$OUT" "$victim") || { echo "FAIL: no process of rank $victim (the run ended too soon?)"; exit 1; }
  kill -KILL "$pid"
  killed=$(date +%s)
  for _ in $(seq 600); do kill -0 "$job" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "$job" 2> /dev/null; then
    echo "FAIL: the job still runs 60 s after rank $victim was killed"; kill -KILL "$job"; pkill -KILL -f -- "--out $OUT" || true; exit 1
  fi
  set +e; wait "$job"; code=$?; set -e
  seconds=$(( $(date +%s) - killed ))
  [ "$code" -ne 0 ] || { echo "FAIL: exit 0 after rank $victim was killed"; exit 1; }
  grep -q "process rank $victim .*exited on signal 9" "$WORK/mpirun.txt" ||
    { echo "FAIL: the message does not name rank $victim:"; cat "$WORK/mpirun.txt"; exit 1; }
  sleep 0.5
  ! pgrep -f -- "--out $OUT" > /dev/null || { echo "FAIL: ranks survived"; pkill -KILL -f -- "--out $OUT"; exit 1; }
  [ ! -e "$OUT" ] || { echo "FAIL: the dead job left a results file"; exit 1; }
  n=$(ls "$OUT.checkpoint" | grep -c '^item-.*\.bin$' || true)
  [ "$n" -ge 1 ] || { echo "FAIL: no checkpoint item kept"; exit 1; }
  echo "rank $victim killed: the job ended after ${seconds} s with exit $code, $n items kept; mpirun said: $(grep -m1 'exited on signal' "$WORK/mpirun.txt")"
  mpirun_n 3 "$MWCLASS" "${args[@]}" --out "$OUT" --resume
  "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/reference.h5" "$OUT"
  [ ! -e "$OUT.checkpoint" ] && [ ! -e "$OUT.lock" ] || { echo "FAIL: checkpoint or lock left after the resume"; exit 1; }
done
echo PASS
