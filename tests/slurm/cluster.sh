#!/usr/bin/env bash
# A throw-away one-node Slurm cluster (munged + slurmctld + slurmd) on this machine,
# with every file under one directory. Needs root and Debian's slurm-wlm and munge.
#
#   source tests/slurm/cluster.sh; cluster_up DIR; ...; cluster_down DIR   (from a script)
#   bash tests/slurm/cluster.sh up DIR      # by hand; prints the SLURM_CONF to export
#   bash tests/slurm/cluster.sh down DIR
#
# cluster_up exports SLURM_CONF; sbatch, squeue, scontrol then talk to this cluster.

CLUSTER_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A free TCP port (two calls may race with other programs; good enough for a test).
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cluster_logs() {
  local dir=$1 f
  for f in "$dir"/log/*.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 40 lines)"
    tail -n 40 "$f"
  done
}

# cluster_up DIR [TIMEOUT_SECONDS]: start the daemons, wait until the node is idle.
cluster_up() {
  local dir=$1 timeout=${2:-60}
  mkdir -p "$dir"/{munge,state,spool,run,log}
  chmod 700 "$dir/munge"
  # munged refuses a key or socket directory that others can write to; as root
  # --force accepts running as root.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" || { cluster_logs "$dir"; return 1; }

  local mem_kb
  mem_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  local host ctld_port slurmd_port
  host=$(hostname -s)
  ctld_port=$(free_port); slurmd_port=$(free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
  sed -e "s|@DIR@|$dir|g" -e "s|@HOST@|$host|g" -e "s|@CPUS@|$(nproc)|g" \
      -e "s|@MEM_MB@|$((mem_kb * 9 / 10 / 1024))|g" \
      -e "s|@CTLD_PORT@|$ctld_port|g" -e "s|@SLURMD_PORT@|$slurmd_port|g" \
      "$CLUSTER_HERE/slurm.conf.in" > "$dir/slurm.conf"
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || { cluster_logs "$dir"; return 1; }
  slurmd -f "$SLURM_CONF" || { cluster_logs "$dir"; return 1; }

  local t0=$SECONDS state=""
  while [ $((SECONDS - t0)) -lt "$timeout" ]; do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && { echo "slurm: node $host idle after $((SECONDS - t0)) s"; return 0; }
    sleep 1
  done
  echo "slurm: node $host not idle after $timeout s (state: '${state:-no answer}')"
  sinfo -N -l 2>&1 || true
  cluster_logs "$dir"
  return 1
}

# cluster_down DIR: stop the daemons this directory's pid files name, and wait for them.
cluster_down() {
  local dir=$1 name pid i
  for name in slurmd slurmctld munged; do
    [ -f "$dir/run/$name.pid" ] || continue
    pid=$(cat "$dir/run/$name.pid")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || continue
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    up)   cluster_up "${2:?directory}"; echo "export SLURM_CONF=$SLURM_CONF" ;;
    down) cluster_down "${2:?directory}" ;;
    *)    echo "usage: $0 up|down DIR"; exit 2 ;;
  esac
fi
