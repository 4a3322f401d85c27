#!/usr/bin/env bash
# slurm/classify.sbatch and slurm/loocv.sbatch on a real one-node Slurm cluster started here
# (munged + slurmctld + slurmd, all state in a temporary directory; see cluster.sh):
#  1. classify.sbatch with `sbatch --wait` (1 rank x 2 threads): a complete HDF5 file,
#     bit-identical to a direct `mpirun -np 2` run;
#  2. loocv.sbatch (2 ranks, every 45th source): the same against a direct run;
#  3. classify.sbatch with --time=1: the warning signal (--signal=B:USR1@10) stops mwclass
#     inside the job, the script requeues the job, the checkpoint exists and no result; the
#     requeued start (given a longer limit) resumes; the result equals an uninterrupted run.
# Needs root; installs slurm-wlm and munge with apt-get when they are missing (skips when
# that fails). About 3-5 min: Slurm checks time limits and signals only every 30 s.
source "$(dirname "$0")/../tools/common.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/cluster.sh"
T0=$SECONDS

[ "$(id -u)" = 0 ] || skip "needs root to start munged, slurmctld and slurmd"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
command -v mpirun > /dev/null || skip "no mpirun (apt-get install openmpi-bin)"
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs, this machine has $(nproc)"
have_slurm() { command -v sbatch && command -v slurmctld && command -v slurmd && command -v munged; } > /dev/null
if ! have_slurm; then
  echo "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  { timeout 300 apt-get install -y slurm-wlm munge ||
    { timeout 300 apt-get update && timeout 300 apt-get install -y slurm-wlm munge; }; } > "$WORK/apt.log" 2>&1 ||
    { tail -n 5 "$WORK/apt.log"; skip "cannot install slurm-wlm and munge with apt-get (no network?)"; }
  have_slurm || skip "slurm-wlm and munge installed, but sbatch/slurmctld/slurmd/munged are not on PATH"
fi
# The time budget (8 min) starts here, after any installation.
DEADLINE=$((SECONDS + 470))
left() { echo $((DEADLINE - SECONDS > 5 ? DEADLINE - SECONDS : 5)); }
MWCLASS=$(readlink -f "$MWCLASS")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1   # for the direct runs (as root)
SBATCH_DIR="$SRC/slurm"
CLUSTER="$WORK/cluster"
unset SLURM_CONF     # never talk to another cluster; cluster_up sets it to ours
ref_pid="" wait_pid=""

cleanup() {
  set +e
  [ -n "$ref_pid" ] && kill -TERM "$ref_pid" 2>/dev/null
  if [ "${SLURM_CONF:-}" = "$CLUSTER/slurm.conf" ]; then   # every job of our cluster is ours
    scancel $(squeue -h -o %i 2>/dev/null) 2>/dev/null
    for _ in $(seq 1 60); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 1; done
  fi
  [ -n "$wait_pid" ] && kill -TERM "$wait_pid" 2>/dev/null
  cluster_down "$CLUSTER"
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  local f
  for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "----- $f"; tail -n 40 "$f"; }; done
  [ -n "${SLURM_CONF:-}" ] && { squeue 2>&1; cluster_logs "$CLUSTER"; }
  exit 1
}
# One field of `scontrol show job` (JobState, ExitCode, Restarts, ...).
job_field() { scontrol show job -o "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
job_finished() {
  case "$(job_field "$1" JobState)" in
    COMPLETED | FAILED | TIMEOUT | CANCELLED | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED) return 0 ;;
    *) return 1 ;;
  esac
}
# wait_finished ID SECONDS: until the job is over (sbatch --wait may return while it is COMPLETING).
wait_finished() {
  local t=$SECONDS
  until job_finished "$1"; do
    [ $((SECONDS - t)) -lt "$2" ] && ! over_budget || fail "job $1 still $(job_field "$1" JobState) after $((SECONDS - t)) s"
    sleep 1
  done
}
expect_done() {   # ID: completed with exit code 0
  wait_finished "$1" 60
  local state code
  state=$(job_field "$1" JobState) code=$(job_field "$1" ExitCode)
  [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || fail "job $1: $state, exit code $code"
}
# check_h5 FILE SOURCES RANKS THREADS MC: a complete file with the expected shapes and provenance.
check_h5() {
  "$PY" - "$@" << 'EOF' || fail "$1: unexpected content"
import sys, h5py
path, n, ranks, threads, mc = sys.argv[1], *map(int, sys.argv[2:])
with h5py.File(path, "r") as f:
    a = f.attrs
    C = len(f["classes"])
    assert a["complete"] == 1, "not complete"
    assert (a["ranks"], a["threads"], a["mc_iterations"]) == (ranks, threads, mc), \
        (a["ranks"], a["threads"], a["mc_iterations"])
    for name in ("P", "e_P", "P_median"):
        assert f["sources/" + name].shape == (n, C), (name, f["sources/" + name].shape)
    assert f["sources/name"].shape == (n,)
    print(f"{path}: complete, {n} sources x {C} classes, {len(f['items/id'])} bins, "
          f"{ranks} rank(s) x {threads} thread(s), MC {mc}")
EOF
}
compare() { "$PY" "$SRC/tests/tools/compare_h5.py" "$1" "$2" || fail "$2 differs from $1"; }
elapsed() { echo "[$((SECONDS - T0)) s]"; }
over_budget() { [ "$SECONDS" -ge "$DEADLINE" ]; }
np2() { timeout "$(left)" "${MPIEXEC:-mpirun}" --oversubscribe -np 2 "$MWCLASS" "$@"; }

cluster_up "$CLUSTER" 60 || fail "the one-node cluster did not come up"
cd "$WORK"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 900 --n-field 400 --seed 3 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv"
export MWCLASS TD="$WORK/td.csv" FIELD="$WORK/field.csv" CONFIG="$CFG"

# 1. classify.sbatch, 1 rank x 2 threads, against a direct run with 2 ranks.
echo "1. classify.sbatch $(elapsed)"
OUT="$WORK/job.h5" MC=3 timeout "$(left)" sbatch --wait --parsable --time=5 --nodes=1 --ntasks-per-node=1 \
  --cpus-per-task=2 --output="$WORK/classify.log" "$SBATCH_DIR/classify.sbatch" > "$WORK/id1" ||
  fail "sbatch --wait classify.sbatch: exit code $?"
expect_done "$(cat "$WORK/id1")"
check_h5 "$WORK/job.h5" 400 1 2 3
[ ! -e "$WORK/job.h5.checkpoint" ] || fail "the checkpoint of a finished run was left behind"
t=$(date +%s.%N)
np2 classify --config "$CFG" --td "$TD" --field "$FIELD" --mc 8 --quiet --out "$WORK/mc8.h5"
seconds_per_mc=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", (b - a) / 8 }')
np2 classify --config "$CFG" --td "$TD" --field "$FIELD" --mc 3 --quiet --out "$WORK/direct.h5"
compare "$WORK/direct.h5" "$WORK/job.h5"

# 2. loocv.sbatch, 2 ranks, every 45th training source left out.
echo "2. loocv.sbatch $(elapsed)"
OUT="$WORK/loocv.h5" MC=2 SUBSET=every:45 timeout "$(left)" sbatch --wait --parsable --time=5 --nodes=1 \
  --ntasks-per-node=2 --cpus-per-task=1 --output="$WORK/loocv.log" "$SBATCH_DIR/loocv.sbatch" > "$WORK/id2" ||
  fail "sbatch --wait loocv.sbatch: exit code $?"
expect_done "$(cat "$WORK/id2")"
check_h5 "$WORK/loocv.h5" 20 2 1 2
np2 loocv --config "$CFG" --td "$TD" --mc 2 --subset every:45 --no-reddening --quiet \
  --out "$WORK/loocv_direct.h5"
compare "$WORK/loocv_direct.h5" "$WORK/loocv.h5"

# 3. A run cut by its time limit. Slurm sends --signal=B:USR1@10 at its first 30-s check at
# least 10 + 30 s before the limit: 20-50 s into a 1-minute job. The workload (~80 s on two
# idle cores, from the timing above) runs alongside the uninterrupted reference, so the first
# start is always cut.
MC_CUT=$(awk -v s="$seconds_per_mc" 'BEGIN { m = int(80 / s); print (m < 20 ? 20 : (m > 400 ? 400 : m)) }')
echo "3. classify.sbatch --time=1 with MC $MC_CUT ($seconds_per_mc s per MC iteration) $(elapsed)"
OUT="$WORK/cut.h5" MC=$MC_CUT MAX_RESTARTS=1 timeout "$(left)" sbatch --wait --parsable --time=1 \
  --signal=B:USR1@10 --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 --output="$WORK/cut.log" \
  "$SBATCH_DIR/classify.sbatch" > "$WORK/id3" &
wait_pid=$!
np2 classify --config "$CFG" --td "$TD" --field "$FIELD" --mc "$MC_CUT" --quiet \
  --out "$WORK/reference.h5" &
ref_pid=$!
for _ in $(seq 1 30); do [ -s "$WORK/id3" ] && break; sleep 1; done
id=$(cat "$WORK/id3"); [ -n "$id" ] || fail "sbatch printed no job id"
t=$SECONDS
until [ "$(job_field "$id" Restarts)" = 1 ]; do
  job_finished "$id" && fail "job $id ended ($(job_field "$id" JobState)) without being requeued"
  [ $((SECONDS - t)) -lt 180 ] && ! over_budget || fail "job $id not requeued after $((SECONDS - t)) s"
  sleep 1
done
echo "job $id requeued $(elapsed)"
grep -q "SIGUSR1 (time limit near)" "$WORK/cut.log" || fail "the log does not show the time-limit signal"
grep -q "mpirun exited with 75" "$WORK/cut.log" || fail "mwclass did not stop with exit code 75"
grep -q "requeueing job $id" "$WORK/cut.log" || fail "the script did not requeue itself"
[ ! -e "$WORK/cut.h5" ] || fail "a result file exists after the cut"
[ -d "$WORK/cut.h5.checkpoint" ] || fail "no checkpoint directory after the cut"
n_saved=$(sed -n 's/.*stopped by a signal with \([0-9]*\) of.*/\1/p' "$WORK/cut.log")
[ "${n_saved:-0}" -ge 1 ] || fail "no work item was finished and kept before the cut"
echo "after the cut: no cut.h5; cut.h5.checkpoint/ holds $n_saved finished work items"
# The requeued start would be cut again after another minute (and be requeued up to
# MAX_RESTARTS times); give it room to finish instead.
scontrol update JobId="$id" TimeLimit=10
wait "$wait_pid" || fail "sbatch --wait for job $id: exit code $?"
wait_pid=""
expect_done "$id"
grep -q "resuming: [0-9]* of [0-9]* work items were finished" "$WORK/cut.log" ||
  fail "the requeued start did not resume from the checkpoint"
[ ! -e "$WORK/cut.h5.checkpoint" ] || fail "the checkpoint was left behind"
wait "$ref_pid" || fail "the reference run failed"
ref_pid=""
echo "job $id finished after $(job_field "$id" Restarts) restart(s) $(elapsed)"
grep -E "^== |resuming|stopped by a signal" "$WORK/cut.log"
check_h5 "$WORK/cut.h5" 400 2 1 "$MC_CUT"
compare "$WORK/reference.h5" "$WORK/cut.h5"
echo "PASS $(elapsed)"
