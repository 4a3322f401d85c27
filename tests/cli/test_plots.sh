#!/usr/bin/env bash
# The plotting tools (tools/plot_*.py) draw non-trivial PNGs from a small LOOCV
# result with its /report group, and refuse bad input with exit code 2 and a clear message.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
"$PY" -c "import matplotlib, numpy" 2>/dev/null ||
  skip "/usr/bin/python3 has no matplotlib (apt-get install python3-matplotlib)"
TOOLS="$SRC/tools"
CFG=$(fast_config)

"$MWCLASS" simulate --n-td 900 --n-field 10 --seed 3 \
  --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null
"$MWCLASS" loocv --config "$CFG" --td "$WORK/td.csv" --out "$WORK/loo.h5" --mc 3 \
  --subset every:15 --keep-iterations --no-reddening --random-feature --quiet
cp "$WORK/loo.h5" "$WORK/noreport.h5"
cp "$WORK/loo.h5" "$WORK/conv.h5"
"$MWCLASS" report "$WORK/loo.h5" > "$WORK/report.txt"
"$MWCLASS" report --convergence "$WORK/conv.h5" > /dev/null
"$PY" -c "import h5py, sys; sys.exit(0 if 'report' in h5py.File('$WORK/loo.h5', 'r') else 1)" ||
  { echo "FAIL: mwclass report wrote no /report group"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# check_png NAME FILE: exists, > 10 kB, and not a blank canvas.
check_png() {
  local name=$1 png=$2
  if [ ! -s "$png" ]; then fail "[$name] $png was not written"; return; fi
  local size; size=$(stat -c %s "$png")
  if [ "$size" -le 10240 ]; then fail "[$name] $png is only $size bytes"; return; fi
  local stats
  if ! stats=$("$PY" - "$png" <<'PYEOF'
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.image as mi
import numpy as np
a = mi.imread(sys.argv[1])[..., :3]
std = float(a.std())
inked = float((a.min(axis=2) < 0.9).mean())   # pixels that are not (near) white
print(f"{a.shape[1]}x{a.shape[0]} px, pixel std {std:.3f}, inked {inked:.1%}")
sys.exit(0 if std > 0.05 and inked > 0.02 else 1)
PYEOF
  ); then
    fail "[$name] $png looks blank: $stats"; return
  fi
  echo "ok   [$name]: $(basename "$png") ${size} bytes, $stats"
}

# run_plot NAME SCRIPT ARGS...: the script succeeds.
run_plot() {
  local name=$1 script=$2; shift 2
  if ! "$PY" "$TOOLS/$script" "$@" > "$WORK/stdout" 2> "$WORK/stderr"; then
    fail "[$name] $script $* failed: $(cat "$WORK/stderr")"; return 1
  fi
}

# expect_failure NAME PATTERN SCRIPT ARGS...: exit code 2 and a message matching PATTERN.
expect_failure() {
  local name=$1 pattern=$2 script=$3; shift 3
  set +e
  "$PY" "$TOOLS/$script" "$@" > "$WORK/stdout" 2> "$WORK/stderr"
  local code=$?
  set -e
  local msg; msg=$(cat "$WORK/stderr" "$WORK/stdout")
  if [ "$code" -ne 2 ]; then fail "[$name] exit code $code (expected 2); output: $msg"; return; fi
  if ! grep -qE -- "$pattern" <<< "$msg"; then
    fail "[$name] message does not match /$pattern/: $msg"; return
  fi
  if grep -q Traceback <<< "$msg"; then fail "[$name] a Python traceback instead of a message"; return; fi
  echo "ok   [$name]: $(head -n1 <<< "$msg")"
}

F="$WORK/loo.h5"
run_plot confusion plot_confusion.py "$F" --out "$WORK/cm.png" && check_png confusion "$WORK/cm.png"
run_plot ct_curve plot_ct_curve.py "$F" --out "$WORK/ct.png" && check_png ct_curve "$WORK/ct.png"
run_plot importance plot_importance.py "$F" --out "$WORK/imp.png" && check_png importance "$WORK/imp.png"
run_plot importance-h plot_importance.py "$F" --horizontal --top 10 --out "$WORK/imp_h.png" &&
  check_png importance-horizontal "$WORK/imp_h.png"
run_plot probabilities plot_probabilities.py "$F" --first 4 --out "$WORK/probs.png" &&
  check_png probabilities "$WORK/probs.png"
name=$("$PY" -c "import h5py; print(h5py.File('$F', 'r')['sources/name'].asstr()[2])")
run_plot probabilities-named plot_probabilities.py "$F" --source "$name" --no-iterations \
  --out "$WORK/probs_one.png" && check_png probabilities-named "$WORK/probs_one.png"
run_plot convergence plot_convergence.py "$WORK/conv.h5" --out "$WORK/conv.png" &&
  check_png convergence "$WORK/conv.png"
# Set MWCLASS_KEEP_PLOTS=DIR to look at the figures afterwards.
if [ -n "${MWCLASS_KEEP_PLOTS:-}" ]; then
  mkdir -p "$MWCLASS_KEEP_PLOTS" && cp "$WORK"/*.png "$MWCLASS_KEEP_PLOTS"/
fi

# Every script explains itself.
for s in plot_confusion.py plot_ct_curve.py plot_importance.py plot_probabilities.py \
         plot_convergence.py; do
  "$PY" "$TOOLS/$s" --help | grep -q -- "--out" || fail "[$s --help] no --out in the help"
done

# Bad input: one case per script.
expect_failure confusion-no-report 'run `mwclass report .*noreport.h5` first' \
  plot_confusion.py "$WORK/noreport.h5" --out "$WORK/bad.png"
expect_failure ct-curve-missing-file 'nothere.h5: no such file' \
  plot_ct_curve.py "$WORK/nothere.h5" --out "$WORK/bad.png"
expect_failure importance-not-hdf5 'td.csv: not an HDF5 file' \
  plot_importance.py "$WORK/td.csv" --out "$WORK/bad.png"
expect_failure probabilities-unknown-source "no source named 'NO SUCH SOURCE'" \
  plot_probabilities.py "$F" --source "NO SUCH SOURCE" --out "$WORK/bad.png"
expect_failure convergence-not-computed 'mwclass report --convergence' \
  plot_convergence.py "$F" --out "$WORK/bad.png"
[ ! -e "$WORK/bad.png" ] || fail "a figure was written for bad input"

if [ "$failures" -ne 0 ]; then echo "FAIL: $failures check(s) failed"; exit 1; fi
echo "PASS"
