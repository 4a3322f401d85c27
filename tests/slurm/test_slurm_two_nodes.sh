#!/usr/bin/env bash
# Slurm on two emulated nodes (tools/emulated_nodes.sh: network namespaces with their own
# hostnames and addresses on a private veth link): slurmctld and a slurmd on node0, a slurmd on
# node1, one munged (its socket is a file, shared by both). Then, with `sbatch -N 2`:
#  1. srun and mpirun inside the job run one task on each node;
#  2. slurm/classify.sbatch on 2 nodes x 1 rank is bit-identical to a direct one-rank run;
#  3. the same job stopped mid-way by `scancel --batch --signal=USR1` (the time-limit path)
#     requeues itself, resumes from the checkpoint on both nodes and gives the same file.
# Needs root; installs slurm-wlm and munge with apt-get when they are missing (skips when that
# fails) and skips when network namespaces cannot be created. About 1-2 min.
source "$(dirname "$0")/../tools/common.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/cluster.sh"           # cluster_logs, cluster_down (munged)
source "$SRC/tools/emulated_nodes.sh"
[ "$(id -u)" = 0 ] || skip "needs root to create network namespaces and start the Slurm daemons"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
command -v mpirun > /dev/null || skip "no mpirun (apt-get install openmpi-bin)"
command -v ip > /dev/null || skip "no ip command (apt-get install iproute2)"
have_slurm() { command -v sbatch && command -v slurmctld && command -v slurmd && command -v munged; } > /dev/null
if ! have_slurm; then
  echo "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  { timeout 300 apt-get install -y slurm-wlm munge ||
    { timeout 300 apt-get update && timeout 300 apt-get install -y slurm-wlm munge; }; } > "$WORK/apt.log" 2>&1 ||
    { tail -n 5 "$WORK/apt.log"; skip "cannot install slurm-wlm and munge with apt-get (no network?)"; }
  have_slurm || skip "slurm-wlm and munge installed, but sbatch/slurmctld/slurmd/munged are not on PATH"
fi
T0=$SECONDS
MWCLASS=$(readlink -f "$MWCLASS")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
CLUSTER="$WORK/cluster"
unset SLURM_CONF
on0() { "${ON0[@]}" "$@"; }        # Slurm's clients reach slurmctld from node0's network only

cleanup() {
  set +e
  if [ -n "${SLURM_CONF:-}" ]; then
    on0 scancel $(on0 squeue -h -o %i 2> /dev/null) 2> /dev/null
    on0 scontrol shutdown > /dev/null 2>&1    # slurmctld and both slurmd
    for _ in $(seq 50); do pgrep -f "$CLUSTER/slurm.conf" > /dev/null || break; sleep 0.2; done
  fi
  cluster_down "$CLUSTER"                    # munged (and slurmctld, if still there)
  nodes_down "$CLUSTER"                      # and anything left in the namespaces
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  local f
  for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "----- $f"; tail -n 30 "$f"; }; done
  [ -n "${SLURM_CONF:-}" ] && { on0 sinfo -N 2>&1; cluster_logs "$CLUSTER"; }
  exit 1
}
elapsed() { echo "[$((SECONDS - T0)) s]"; }

nodes_up "$CLUSTER" 2> "$WORK/netns.err" || skip "cannot create network namespaces: $(head -n 1 "$WORK/netns.err")"
node_command 0; ON0=("${NODE_CMD[@]}")
H0=$(node_field 0 3) H1=$(node_field 1 3)

# munged on the host: the nodes share the file system, so its socket serves both.
mkdir -p "$CLUSTER"/{munge,state,run,log,spool/"$H0",spool/"$H1"}
chmod 700 "$CLUSTER/munge"
dd if=/dev/urandom of="$CLUSTER/munge/munge.key" bs=1 count=1024 status=none
chmod 400 "$CLUSTER/munge/munge.key"
munged --force --key-file="$CLUSTER/munge/munge.key" --socket="$CLUSTER/munge/munge.socket" \
  --pid-file="$CLUSTER/run/munged.pid" --log-file="$CLUSTER/log/munged.log" \
  --seed-file="$CLUSTER/munge/munged.seed" || fail "munged did not start"
mem_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
sed -e "s|@DIR@|$CLUSTER|g" -e "s|@HOST0@|$H0|g" -e "s|@HOST1@|$H1|g" \
    -e "s|@ADDR0@|$(node_field 0 1)|g" -e "s|@ADDR1@|$(node_field 1 1)|g" -e "s|@CPUS@|$(nproc)|g" \
    -e "s|@MEM_MB@|$((mem_kb * 9 / 20 / 1024))|g" "$HERE/slurm-two-nodes.conf.in" > "$CLUSTER/slurm.conf"
export SLURM_CONF="$CLUSTER/slurm.conf"
on0 slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
node_exec 0 slurmd -f "$SLURM_CONF" -N "$H0" || fail "slurmd on $H0 did not start"
node_exec 1 slurmd -f "$SLURM_CONF" -N "$H1" || fail "slurmd on $H1 did not start"
for _ in $(seq 60); do
  [ "$(on0 sinfo -h -N -o %T 2> /dev/null | sort -u)" = idle ] && break
  sleep 1
done
[ "$(on0 sinfo -h -N -o %T 2> /dev/null | sort -u)" = idle ] || fail "the two nodes are not idle after 60 s"
echo "slurm: $H0 and $H1 idle $(elapsed)"

# Open MPI in the jobs: TCP over the link only (node0's network has nothing else but lo).
submit() {
  OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include="$NODES_SUBNET.0/24" \
    OMPI_MCA_oob_tcp_if_include="$NODES_SUBNET.0/24" on0 sbatch --parsable "$@"
}
job_field() { on0 scontrol show job -o "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# wait_state ID SECONDS STATE...: until the job is in one of the states (bounded).
wait_state() {
  local id=$1 limit=$2 t=$SECONDS state; shift 2
  while :; do
    state=$(job_field "$id" JobState)
    for s in "$@"; do [ "$state" = "$s" ] && return 0; done
    case "$state" in FAILED | TIMEOUT | CANCELLED | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL) fail "job $id: $state" ;; esac
    [ $((SECONDS - t)) -lt "$limit" ] || fail "job $id still $state after $limit s"
    sleep 1
  done
}
expect_done() {
  wait_state "$1" "$2" COMPLETED
  [ "$(job_field "$1" ExitCode)" = 0:0 ] || fail "job $1: exit code $(job_field "$1" ExitCode)"
}
compare() { "$PY" "$SRC/tests/tools/compare_h5.py" "$1" "$2" || fail "$2 differs from $1"; }

# 1. Where the tasks run.
cat > "$WORK/where.sbatch" << 'EOF'
#!/bin/bash
srun sh -c 'echo "srun $SLURM_PROCID $(hostname) $(ip netns identify)"' | sort
mpirun sh -c 'echo "mpirun $OMPI_COMM_WORLD_RANK $(hostname) $(ip netns identify)"' | sort
EOF
id=$(submit -N 2 --ntasks-per-node=1 --time=2 --output="$WORK/where.log" "$WORK/where.sbatch")
expect_done "$id" 60
cat "$WORK/where.log"
for tool in srun mpirun; do
  expected=$(printf '%s\n' "$tool 0 $H0 $(node_field 0 2)" "$tool 1 $H1 $(node_field 1 2)")
  [ "$(grep "^$tool " "$WORK/where.log")" = "$expected" ] || fail "$tool: tasks ran elsewhere; expected:"$'\n'"$expected"
done

# 2. classify.sbatch across the two nodes, against one rank.
cd "$WORK"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 300 --seed 21 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
MC=8
export MWCLASS TD="$WORK/td.csv" FIELD="$WORK/field.csv" CONFIG="$CFG" MC
timeout 300 "${MPIEXEC:-mpirun}" -np 1 "$MWCLASS" classify --config "$CFG" --td "$TD" --field "$FIELD" \
  --mc "$MC" --quiet --out "$WORK/np1.h5"
echo "2. classify.sbatch -N 2 $(elapsed)"
# The limit must exceed the script's warning lead (--signal=B:USR1@300, plus up to 60 s), or
# the warning comes at once; while mpirun is still starting node1's daemon that aborts the run.
LIMIT=--time=15
id=$(OUT="$WORK/job.h5" submit -N 2 --ntasks-per-node=1 "$LIMIT" --output="$WORK/classify.log" \
  "$SRC/slurm/classify.sbatch")
expect_done "$id" 300
grep "^== " "$WORK/classify.log"
grep -q "2 node(s), 2 ranks" "$WORK/classify.log" || fail "the job did not run 2 ranks on 2 nodes"
! grep -q "asking mwclass to stop" "$WORK/classify.log" || fail "the job was asked to stop"
compare "$WORK/np1.h5" "$WORK/job.h5"

# 3. Stopped mid-way (USR1 to the batch script, as before a time limit), requeued, resumed.
echo "3. classify.sbatch -N 2, stopped by USR1 and requeued $(elapsed)"
id=$(OUT="$WORK/cut.h5" MAX_RESTARTS=1 submit -N 2 --ntasks-per-node=1 "$LIMIT" \
  --output="$WORK/cut.log" "$SRC/slurm/classify.sbatch")
for _ in $(seq 600); do
  ls "$WORK/cut.h5.checkpoint" 2> /dev/null | grep -q '^item-' && break
  sleep 0.1
done
on0 scancel --batch --signal=USR1 "$id" || fail "scancel --batch --signal=USR1 $id"
t=$SECONDS
until [ "$(job_field "$id" Restarts)" = 1 ]; do
  [ "$(job_field "$id" JobState)" = COMPLETED ] && fail "job $id completed before the stop request reached it"
  [ $((SECONDS - t)) -lt 120 ] || fail "job $id not requeued after 120 s"
  sleep 1
done
grep -q "mpirun exited with 75" "$WORK/cut.log" || fail "mwclass did not stop with exit code 75"
# (Slurm's requeue may also SIGTERM the script after mpirun has exited: that is harmless.)
[ "$(grep -c "SIGUSR1 (time limit near)" "$WORK/cut.log")" = 1 ] || fail "expected exactly one USR1"
n_saved=$(sed -n 's/.*stopped by a signal with \([0-9]*\) of.*/\1/p' "$WORK/cut.log")
echo "job $id requeued with ${n_saved:-?} finished work items kept $(elapsed)"
expect_done "$id" 300
grep -E "^== |resuming|stopped by a signal" "$WORK/cut.log"
grep -q "resuming: [0-9]* of [0-9]* work items were finished" "$WORK/cut.log" ||
  fail "the requeued start did not resume from the checkpoint"
[ ! -e "$WORK/cut.h5.checkpoint" ] || fail "the checkpoint was left behind"
compare "$WORK/np1.h5" "$WORK/cut.h5"
echo "PASS $(elapsed)"
