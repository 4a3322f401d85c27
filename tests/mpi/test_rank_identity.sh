#!/usr/bin/env bash
# Results are bit-identical for -np 1 and -np 3 (oversubscribed), and for 2 threads.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 150 --seed 5 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv"
common=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 2 --quiet)
args=("${common[@]}" --seed 11)
mpirun_n 1 "$MWCLASS" "${args[@]}" --out "$WORK/np1.h5"
mpirun_n 3 "$MWCLASS" "${args[@]}" --out "$WORK/np3.h5"
"$MWCLASS" "${args[@]}" --threads 2 --out "$WORK/t2.h5"
nbins=$("$PY" -c "import h5py; print(len(h5py.File('$WORK/np1.h5')['items/id']))")
echo "bins: $nbins"
[ "$nbins" -ge 3 ] || { echo "FAIL: expected several E(B-V) bins, got $nbins"; exit 1; }
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/np3.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/t2.h5"
ranks=$("$PY" -c "import h5py; print(h5py.File('$WORK/np3.h5').attrs['ranks'])")
[ "$ranks" = 3 ] || { echo "FAIL: provenance says $ranks ranks"; exit 1; }
# Field prior (EM) and the uncertainty split (issue 19): also identical for -np 1 and -np 3.
cal=("${args[@]}" --split-uncertainty --set calibration.field_prior=estimate)
mpirun_n 1 "$MWCLASS" "${cal[@]}" --out "$WORK/cal1.h5"
mpirun_n 3 "$MWCLASS" "${cal[@]}" --out "$WORK/cal3.h5"
"$PY" -c "import h5py; f = h5py.File('$WORK/cal1.h5'); [f[k] for k in ('sources/P_field', 'sources/e_P_meas', 'calibration/field_prior')]"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/cal1.h5" "$WORK/cal3.h5"
# A different seed must change the result (the comparison can fail).
"$MWCLASS" "${common[@]}" --seed 12 --out "$WORK/seed12.h5"
if "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/seed12.h5" > /dev/null; then
  echo "FAIL: a different seed gave identical results"; exit 1
fi
echo "PASS"
