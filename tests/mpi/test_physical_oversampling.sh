#!/usr/bin/env bash
# [oversampling] method = "physical" (issue 19): bit-identical for -np 1 and -np 3 and for
# 2 threads, in classify (several E(B-V) bins) and loocv; different from SMOTE and from
# no oversampling; the resolved config records the method.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 120 --seed 5 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv"
common=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 2 --seed 11 --quiet)
phys=("${common[@]}" --set oversampling.method=physical)
mpirun_n 1 "$MWCLASS" "${phys[@]}" --out "$WORK/np1.h5"
mpirun_n 3 "$MWCLASS" "${phys[@]}" --out "$WORK/np3.h5"
"$MWCLASS" "${phys[@]}" --threads 2 --out "$WORK/t2.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/np3.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/t2.h5"
"$PY" - "$WORK/np1.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1])
cfg = f.attrs["config"] if "config" in f.attrs else f["provenance/config"][()]
cfg = cfg.decode() if isinstance(cfg, bytes) else str(cfg)
import re
assert re.search(r"method = ['\"]physical", cfg), "the resolved config does not record the method"
PY
for other in smote none; do
  "$MWCLASS" "${common[@]}" --set oversampling.method=$other --out "$WORK/$other.h5"
  if "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/$other.h5" > /dev/null; then
    echo "FAIL: physical oversampling gave the same result as method = $other"; exit 1
  fi
done
loo=(loocv --config "$CFG" --td "$WORK/td.csv" --subset every:30 --mc 1 --seed 3 --no-reddening --quiet
     --set oversampling.method=physical)
mpirun_n 1 "$MWCLASS" "${loo[@]}" --out "$WORK/loo1.h5"
mpirun_n 2 "$MWCLASS" "${loo[@]}" --out "$WORK/loo2.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/loo1.h5" "$WORK/loo2.h5"
echo "PASS"
