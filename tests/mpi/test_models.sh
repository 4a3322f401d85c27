#!/usr/bin/env bash
# The gradient boosting and naive Bayes learners inside the MC ensemble:
# bit-identical results for -np 1 and -np 3 (oversubscribed) and 2 threads,
# different from the forest's, and a different seed changes them.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)
sed -i 's/^n_rounds = 100 /n_rounds = 15 /' "$CFG"
grep -q '^n_rounds = 15 ' "$CFG"
"$MWCLASS" simulate --n-td 600 --n-field 120 --seed 6 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv"
common=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 2 --quiet)
"$MWCLASS" "${common[@]}" --seed 3 --out "$WORK/rf.h5"
for model in nb gbdt; do
  args=("${common[@]}" --model "$model" --seed 3)
  mpirun_n 1 "$MWCLASS" "${args[@]}" --out "$WORK/${model}_np1.h5"
  mpirun_n 3 "$MWCLASS" "${args[@]}" --out "$WORK/${model}_np3.h5"
  "$MWCLASS" "${args[@]}" --threads 2 --out "$WORK/${model}_t2.h5"
  "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/${model}_np1.h5" "$WORK/${model}_np3.h5"
  "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/${model}_np1.h5" "$WORK/${model}_t2.h5"
  stored=$("$PY" -c "import h5py; print(\"model = '$model'\" in h5py.File('$WORK/${model}_np1.h5').attrs['config'])")
  [ "$stored" = True ] || { echo "FAIL: the stored config does not say model = $model"; exit 1; }
  if "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/rf.h5" "$WORK/${model}_np1.h5" > /dev/null; then
    echo "FAIL: --model $model gave the forest's result"; exit 1
  fi
  "$MWCLASS" "${common[@]}" --model "$model" --seed 4 --out "$WORK/${model}_seed4.h5"
  if "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/${model}_np1.h5" "$WORK/${model}_seed4.h5" > /dev/null; then
    echo "FAIL: --model $model: a different seed gave identical results"; exit 1
  fi
  # Sanity: the model classifies the simulated field better than chance.
  "$PY" - "$WORK/${model}_np1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1])
p = f['sources/P'][()]
assert np.allclose(p.sum(axis=1), 1.0), "probabilities do not sum to 1"
assert len(set(f['sources/class_index'][()])) >= 3, "everything predicted as one or two classes"
PY
  echo "$model: np1 = np3 = 2 threads"
done
echo "PASS"
