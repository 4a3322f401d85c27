#!/usr/bin/env bash
# mpirun across two emulated nodes (tools/emulated_nodes.sh: two network namespaces with
# their own hostnames and addresses on a private veth link; Open MPI starts the second node's
# daemon through tools/netns_rsh.sh instead of ssh, the ranks talk TCP over the link):
#  1. the ranks run where asked: two on each node, by hostname and namespace;
#  2. classify with 2 + 2 ranks is bit-identical to one rank, and its traffic crossed the link;
#  3. a run on 1 + 1 ranks killed (SIGKILL of mpirun) mid-way leaves no rank alive on either
#     node; resumed on 2 + 1 ranks it gives the same file;
#  4. a run stopped with SIGUSR1 (what the Slurm scripts forward) stops on both nodes with
#     exit code 75; resumed, it gives the same file.
# Needs root (network namespaces); skips with the reason otherwise.
source "$(dirname "$0")/../tools/common.sh"
source "$SRC/tools/emulated_nodes.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
[ "$(id -u)" = 0 ] || skip "needs root to create network namespaces"
command -v ip > /dev/null || skip "no ip command (apt-get install iproute2)"
command -v nsenter > /dev/null && command -v unshare > /dev/null || skip "no nsenter or unshare (util-linux)"
MWCLASS=$(readlink -f "$MWCLASS")
NODES="$WORK/nodes.d"
trap 'nodes_down "$NODES"; rm -rf "$WORK"' EXIT
nodes_up "$NODES" 2> "$WORK/netns.err" || skip "cannot create network namespaces: $(head -n 1 "$WORK/netns.err")"
node_exec 1 true 2> "$WORK/uts.err" || skip "cannot enter a namespace with its own hostname: $(head -n 1 "$WORK/uts.err")"
A=$(node_field 0 1) B=$(node_field 1 1)
echo "nodes: $(node_field 0 3) = $A ($(node_field 0 2)), $(node_field 1 3) = $B ($(node_field 1 2))"
# In the background, $! must be mpirun itself (not a subshell running a function):
# MPIRUN_CMD is a plain command whose links (ip netns exec, unshare, sh) exec into mpirun.
mpirun_command "$NODES"
on_nodes() { timeout 300 "${MPIRUN_CMD[@]}" "$@"; }
compare() { "$PY" "$SRC/tests/tools/compare_h5.py" "$1" "$2"; }
fail() { echo "FAIL: $*"; exit 1; }

# 1. Placement: ranks 0, 1 on node0 and 2, 3 on node1, each in its node's namespace.
on_nodes --host "$A:2,$B:2" -np 4 \
  sh -c 'echo "$OMPI_COMM_WORLD_RANK $(hostname) $(ip netns identify)"' | sort > "$WORK/where.txt"
cat "$WORK/where.txt"
expected=$(printf '%s\n' "0 $(node_field 0 3) $(node_field 0 2)" "1 $(node_field 0 3) $(node_field 0 2)" \
  "2 $(node_field 1 3) $(node_field 1 2)" "3 $(node_field 1 3) $(node_field 1 2)")
[ "$(cat "$WORK/where.txt")" = "$expected" ] || fail "ranks ran elsewhere; expected:"$'\n'"$expected"

# 2. Bit-identical to one rank.
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 300 --seed 21 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
args=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 4 --seed 4 --quiet)
mpirun_n 1 "$MWCLASS" "${args[@]}" --out "$WORK/np1.h5"
tx0=$(node_tx_bytes 1)
on_nodes --host "$A:2,$B:2" -np 4 "$MWCLASS" "${args[@]}" --out "$WORK/two.h5"
sent=$(($(node_tx_bytes 1) - tx0))
echo "2 + 2 ranks: node1 sent $sent bytes over the link"
# The results of node1's bins alone are several kB; the daemons' own chatter is far less.
[ "$sent" -gt 20000 ] || fail "only $sent bytes crossed the link: did the ranks talk over it?"
compare "$WORK/np1.h5" "$WORK/two.h5"
ranks=$("$PY" -c "import h5py; print(h5py.File('$WORK/two.h5').attrs['ranks'])")
[ "$ranks" = 4 ] || fail "provenance says $ranks ranks"

# Waits (bounded) until a run has checkpointed its first item, then a random extra 0-0.4 s.
wait_for_first_item() {
  for _ in $(seq 400); do
    ls "$1" 2> /dev/null | grep -q '^item-' && break
    sleep 0.05
  done
  sleep "0.$((RANDOM % 5))"
}
n_items() { ls "$1" 2> /dev/null | grep -c '^item-' || true; }

# 3. SIGKILL of mpirun on node0: node1's daemon must take its rank down with it.
"${MPIRUN_CMD[@]}" --host "$A:1,$B:1" -np 2 "$MWCLASS" "${args[@]}" --out "$WORK/killed.h5" & pid=$!
wait_for_first_item "$WORK/killed.h5.checkpoint"
kill -KILL "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
for _ in $(seq 100); do pgrep -f "$WORK/killed.h5" > /dev/null || break; sleep 0.1; done
if pgrep -f "$WORK/killed.h5" > /dev/null; then
  pkill -KILL -f "$WORK/killed.h5"
  fail "ranks survived the kill of mpirun for 10 s"
fi
[ ! -e "$WORK/killed.h5" ] || fail "a killed run left a final file"
echo "killed with $(n_items "$WORK/killed.h5.checkpoint") finished items checkpointed"
on_nodes --host "$A:2,$B:1" -np 3 "$MWCLASS" "${args[@]}" --out "$WORK/killed.h5" --resume 2> "$WORK/resume.err" ||
  { cat "$WORK/resume.err"; fail "the resumed run failed"; }
compare "$WORK/np1.h5" "$WORK/killed.h5"
[ ! -e "$WORK/killed.h5.checkpoint" ] || fail "checkpoint left after completion"

# 4. SIGUSR1 to mpirun reaches the ranks on both nodes: a clean stop (75), then resume.
"${MPIRUN_CMD[@]}" --host "$A:1,$B:1" -np 2 "$MWCLASS" "${args[@]}" --out "$WORK/stopped.h5" & pid=$!
wait_for_first_item "$WORK/stopped.h5.checkpoint"
kill -USR1 "$pid"
set +e; wait "$pid"; code=$?; set -e
echo "stopped run: exit code $code, $(n_items "$WORK/stopped.h5.checkpoint") items checkpointed"
if [ "$code" -eq 75 ]; then
  [ ! -e "$WORK/stopped.h5" ] || fail "an interrupted run wrote the final file"
  on_nodes --host "$A:1,$B:1" -np 2 "$MWCLASS" "${args[@]}" --out "$WORK/stopped.h5" --resume
elif [ "$code" -ne 0 ]; then
  fail "a stop signal gave exit code $code (expected 75, or 0 if the run had already finished)"
fi
compare "$WORK/np1.h5" "$WORK/stopped.h5"
echo PASS
