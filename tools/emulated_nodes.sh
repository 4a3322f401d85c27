#!/usr/bin/env bash
# Two "nodes" on this machine: two network namespaces joined by a veth pair, each with its
# own private address and, for every command run in it, its own hostname (a UTS namespace).
# They share the file system (like a cluster's shared file system) and the CPUs. Needs root
# (CAP_NET_ADMIN, CAP_SYS_ADMIN), iproute2 (ip) and util-linux (nsenter, unshare).
#
#   source tools/emulated_nodes.sh                 (from a script)
#   nodes_up DIR        create the namespaces; writes DIR/nodes (address netns hostname)
#   node_exec N CMD...  run CMD on node N (0 or 1): in its namespace, with its hostname
#                       (nodes_up sets NODES_FILE, the DIR/nodes these functions read)
#   nodes_down DIR      delete the namespaces (and the veth pair with them)
#   mpirun_nodes DIR MPIRUN-ARGS...  mpirun on node 0 across both nodes (see mpirun_command)
#
#   bash tools/emulated_nodes.sh up DIR | down DIR | exec DIR N CMD...   (by hand)
#
# The subnet (NODES_SUBNET, default 10.213.0) lives only inside the two namespaces, so several
# pairs can exist at once; the namespace names carry a random suffix. Nothing else on the
# machine (its own interfaces, /etc/hosts) is touched.

NODES_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODES_SUBNET=${NODES_SUBNET:-10.213.0}

# nodes_up DIR: the namespaces, the link, loopback up in each; DIR/nodes describes them.
nodes_up() {
  local dir=$1 tag i
  mkdir -p "$dir"
  tag=mw$$$RANDOM
  : > "$dir/nodes"
  for i in 0 1; do
    ip netns add "$tag-n$i" || return 1
    echo "$NODES_SUBNET.$((i + 1)) $tag-n$i node$i" >> "$dir/nodes"
  done
  # The veth ends are created inside the namespaces: no name is ever used on the host.
  ip link add veth0 netns "$tag-n0" type veth peer name veth0 netns "$tag-n1" || return 1
  for i in 0 1; do
    ip -n "$tag-n$i" addr add "$NODES_SUBNET.$((i + 1))/24" dev veth0 || return 1
    ip -n "$tag-n$i" link set lo up || return 1
    ip -n "$tag-n$i" link set veth0 up || return 1
  done
  NODES_FILE="$dir/nodes"
}

# node_field N COLUMN: the address (1), namespace (2) or hostname (3) of node N.
node_field() { awk -v n="$(($1 + 1))" -v c="$2" 'NR == n { print $c }' "$NODES_FILE"; }

# node_command N: NODE_CMD=(the prefix that runs a command on node N). Each link of it execs
# the next, so a command started with it in the background has the command's own pid in $!.
# nsenter enters only the network namespace; `ip netns exec` would also mount a fresh /sys,
# without the cgroup file systems that slurmd needs.
node_command() {
  NODE_CMD=(nsenter --net="/run/netns/$(node_field "$1" 2)" unshare --uts
            sh -c 'hostname "$0" && exec "$@"' "$(node_field "$1" 3)")
}
node_exec() { node_command "$1"; shift; "${NODE_CMD[@]}" "$@"; }

# Bytes sent over node N's end of the link (to show that traffic went between the nodes);
# here `ip netns exec`, as its fresh /sys shows that namespace's interfaces.
node_tx_bytes() { ip netns exec "$(node_field "$1" 2)" cat /sys/class/net/veth0/statistics/tx_bytes; }

nodes_down() {
  local dir=$1 ns
  [ -f "$dir/nodes" ] || return 0
  for ns in $(awk '{ print $2 }' "$dir/nodes"); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -f "$dir/nodes"
  return 0
}

# mpirun_command DIR: MPIRUN_CMD=(mpirun started on node 0, across both nodes): Open MPI
# starts its daemon on node 1 through tools/netns_rsh.sh (in place of ssh), and the ranks talk
# TCP over the veth link only (the ob1 PML with the tcp BTL between nodes, vader shared memory
# within a node). Give the hosts by address: --host ADDR0:SLOTS,ADDR1:SLOTS.
mpirun_command() {
  local dir=$1
  NODES_FILE="$dir/nodes"
  node_command 0
  MPIRUN_CMD=("${NODE_CMD[@]}" "${MPIEXEC:-mpirun}"
              --mca plm rsh --mca plm_rsh_agent "$NODES_HERE/netns_rsh.sh $dir/nodes"
              --mca pml ob1 --mca btl self,vader,tcp
              --mca btl_tcp_if_include "$NODES_SUBNET.0/24" --mca oob_tcp_if_include "$NODES_SUBNET.0/24")
}
# mpirun_nodes DIR MPIRUN-ARGS...
mpirun_nodes() { mpirun_command "$1"; shift; "${MPIRUN_CMD[@]}" "$@"; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    up)   nodes_up "${2:?directory}"; cat "$NODES_FILE" ;;
    down) nodes_down "${2:?directory}" ;;
    exec) NODES_FILE="${2:?directory}/nodes"; shift 2; node_exec "$@" ;;
    *)    sed -n '2,18p' "$0"; exit 2 ;;
  esac
fi
