#!/usr/bin/env bash
# Issue 17, a full disk: a run whose checkpoint or results file does not fit
# on a small tmpfs ends with one message naming the file and "No space left on
# device", exit 2, no results file, no temporary left, the checkpoint items
# saved before intact. The tmpfs is then enlarged step by step and the same
# command run with --resume: each step keeps what fitted, one of them fails
# on the results file itself (the checkpoint complete, the HDF5 file not), and
# the last one finishes bit-identical to an uninterrupted run.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
DISK="$WORK/disk"
mkdir -p "$DISK"
mount -t tmpfs -o size=96k tmpfs "$DISK" 2> "$WORK/mount.txt" ||
  skip "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): $(cat "$WORK/mount.txt")"
trap 'umount "$DISK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 400 --seed 21 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
args=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 3 --seed 4 --quiet)
"$MWCLASS" "${args[@]}" --out "$WORK/reference.h5"
OUT="$DISK/out.h5"
items() { ls "$OUT.checkpoint" 2>/dev/null | grep -c '^item-.*\.bin$' || true; }

# One failed attempt: exit 2, the message, nothing that looks like a result.
# $1: a regular expression for the file the message must name.
check_failure() {
  local code=$1 file=$2
  [ "$code" -eq 2 ] || { echo "FAIL: exit $code (want 2)"; cat "$WORK/err.txt"; exit 1; }
  grep -q "No space left on device" "$WORK/err.txt" || { echo "FAIL: no 'No space left on device'"; cat "$WORK/err.txt"; exit 1; }
  grep -qE "cannot write (results file )?'$file'" "$WORK/err.txt" || { echo "FAIL: the message does not name $file"; cat "$WORK/err.txt"; exit 1; }
  [ ! -e "$OUT" ] || { echo "FAIL: a failed run left $OUT"; exit 1; }
  if find "$DISK" -name '*.tmp-*' | grep -q .; then echo "FAIL: temporary files left:"; find "$DISK" -name '*.tmp-*'; exit 1; fi
  [ ! -e "$OUT.lock" ] || { echo "FAIL: the lock file was left"; exit 1; }
}

# 1. Two ranks, a disk that holds the fingerprint and one or two items.
set +e; mpirun_n 2 "$MWCLASS" "${args[@]}" --out "$OUT" > /dev/null 2> "$WORK/err.txt"; code=$?; set -e
[ "$code" -ne 0 ] || { echo "FAIL: a run on a full disk succeeded"; exit 1; }
check_failure 2 "$OUT\.checkpoint/item-[0-9]+\.bin"
n=$(items)
[ "$n" -ge 1 ] || { echo "FAIL: no item was kept"; ls -la "$OUT.checkpoint"; exit 1; }
echo "2 ranks on a 96 KiB disk: exit $code, $n item(s) kept: $(grep -m1 'error' "$WORK/err.txt" | cut -c1-160)"

# 2. Grow the disk 64 KiB at a time and resume (1 rank: exactly one message).
size=96 results_file_failed=0 done=0
for _ in $(seq 30); do
  size=$((size + 64))
  mount -o remount,size=${size}k "$DISK"
  before=$(items)
  set +e; "$MWCLASS" "${args[@]}" --out "$OUT" --resume > /dev/null 2> "$WORK/err.txt"; code=$?; set -e
  if [ "$code" -eq 0 ]; then done=1; break; fi
  [ "$(grep -c 'error' "$WORK/err.txt")" -eq 1 ] || { echo "FAIL: not one message"; cat "$WORK/err.txt"; exit 1; }
  if grep -q "cannot write results file" "$WORK/err.txt"; then
    check_failure "$code" "$OUT"
    results_file_failed=1
  else
    check_failure "$code" "$OUT\.checkpoint/item-[0-9]+\.bin"
  fi
  after=$(items)
  [ "$after" -ge "$before" ] || { echo "FAIL: items lost ($before -> $after)"; exit 1; }
  echo "${size} KiB: $after items kept; $(cut -c1-140 "$WORK/err.txt")"
done
[ "$done" -eq 1 ] || { echo "FAIL: no resume finished"; exit 1; }
[ "$results_file_failed" -eq 1 ] || { echo "FAIL: never met a full disk while writing the results file"; exit 1; }
echo "${size} KiB: finished"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/reference.h5" "$OUT"
[ ! -e "$OUT.checkpoint" ] && [ ! -e "$OUT.lock" ] || { echo "FAIL: checkpoint or lock left after completion"; exit 1; }
echo PASS
