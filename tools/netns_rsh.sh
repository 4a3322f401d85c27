#!/bin/sh
# Open MPI's remote shell for the nodes of tools/emulated_nodes.sh, in place of ssh:
#   mpirun --mca plm_rsh_agent "tools/netns_rsh.sh NODES_FILE" ...
# Open MPI calls it as `netns_rsh.sh NODES_FILE [ssh options] HOST COMMAND...`, HOST being an
# address or hostname of NODES_FILE (lines "address netns hostname"). Like ssh it runs the
# command through sh on that node (its network namespace, its hostname) with a fresh
# environment (PATH and HOME only), so nothing reaches the other node except via the network.
set -eu
nodes=$1; shift
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done    # ssh-style options, if any
host=${1:?netns_rsh.sh: no host}; shift
line=$(awk -v h="$host" '$1 == h || $3 == h { print $2, $3; exit }' "$nodes")
[ -n "$line" ] || { echo "netns_rsh.sh: unknown host '$host' (not in $nodes)" >&2; exit 255; }
set -- "${line% *}" "${line#* }" "$*"
exec nsenter --net="/run/netns/$1" unshare --uts env -i PATH="$PATH" HOME="${HOME:-/root}" \
  sh -c 'hostname "$0" && exec sh -c "$1"' "$2" "$3"
