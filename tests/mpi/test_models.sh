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

# The forest's approximate binned mode: as reproducible as the exact one, a
# different result, and recorded in the stored config.
args=("${common[@]}" --seed 3 --max-bins 16)
mpirun_n 1 "$MWCLASS" "${args[@]}" --out "$WORK/rfb_np1.h5"
mpirun_n 3 "$MWCLASS" "${args[@]}" --threads 2 --out "$WORK/rfb_np3.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/rfb_np1.h5" "$WORK/rfb_np3.h5"
if "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/rf.h5" "$WORK/rfb_np1.h5" > /dev/null; then
  echo "FAIL: --max-bins 16 gave the exact forest's result"; exit 1
fi
stored=$("$PY" -c "import h5py; print('max_bins = 16' in h5py.File('$WORK/rfb_np1.h5').attrs['config'])")
[ "$stored" = True ] || { echo "FAIL: the stored config does not say max_bins = 16"; exit 1; }
echo "rf --max-bins 16: np1 = np3 with 2 threads, differs from the exact forest"

# explain: the naive Bayes track of one source ends at the categories' posterior.
name=$("$PY" -c "import h5py; print(h5py.File('$WORK/nb_np1.h5')['sources/name'][0].decode())")
"$MWCLASS" explain "$WORK/nb_np1.h5" --source "$name" > "$WORK/explain.txt"
cat "$WORK/explain.txt"
for step in prior spectrum variability multiwavelength; do
  grep -q "^$step " "$WORK/explain.txt" || { echo "FAIL: explain lacks the step '$step'"; exit 1; }
done
"$MWCLASS" explain "$WORK/nb_np1.h5" --source "$name" --features | grep -q "^  spectrum/HR_ms " ||
  { echo "FAIL: explain --features lacks the feature steps"; exit 1; }
"$PY" - "$WORK/nb_np1.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1])
t = f['track/P'][()]
steps = [s.decode() for s in f['track/steps'][()]]
assert t.shape == (len(f['sources/name']), len(steps), len(f['classes'])), t.shape
assert np.allclose(t.sum(axis=2), 1.0), "track steps do not sum to 1"
assert steps[0] == 'prior' and steps[-1] == 'multiwavelength', steps
PY
# Outlier measure and margin: every model.
"$PY" - "$WORK/nb_np1.h5" "$WORK/gbdt_np1.h5" "$WORK/rf.h5" <<'PY'
import sys, h5py, numpy as np
for name in sys.argv[1:]:
    f = h5py.File(name)
    pct = f['sources/outlier_percentile'][()]
    assert ((pct >= 0) & (pct <= 1)).all(), (name, "outlier percentiles outside [0, 1]")
    assert np.isfinite(f['sources/outlier_score'][()]).all(), (name, "outlier scores not finite")
    assert (f['sources/outlier'][()] == (pct < 0.01)).all(), (name, "outlier flag does not follow the threshold")
    assert (pct < 0.01).mean() < 0.2, (name, "most sources flagged", (pct < 0.01).mean())
    p = f['sources/P'][()]
    assert np.allclose(f['sources/margin'][()], 2 * p.max(axis=1) / p.sum(axis=1) - 1), (name, "margin")
PY
if "$MWCLASS" explain "$WORK/rf.h5" --source "$name" 2> "$WORK/err.txt"; then
  echo "FAIL: explain on a forest result succeeded"; exit 1
fi
grep -q "no probability track" "$WORK/err.txt" || { cat "$WORK/err.txt"; echo "FAIL: unclear explain error"; exit 1; }
"$MWCLASS" explain "$WORK/nb_np1.h5" --source "no such source" 2> "$WORK/err.txt" && exit 1
grep -q "no source named 'no such source'" "$WORK/err.txt" || { cat "$WORK/err.txt"; exit 1; }

# tune-nb writes a config that mwclass reads back, with the weights it reports.
"$MWCLASS" tune-nb --config "$CFG" --td "$WORK/td.csv" --target-class LMXB --folds 3 \
  --evaluations 6 --out "$WORK/tuned.toml" --quiet > "$WORK/tune.txt"
cat "$WORK/tune.txt"
grep -q "^tuned weights: spectrum=" "$WORK/tune.txt" || { echo "FAIL: tune-nb output"; exit 1; }
"$MWCLASS" config --check "$WORK/tuned.toml" > /dev/null
grep -q "^model = 'nb'" "$WORK/tuned.toml" || grep -q "model = 'nb'" "$WORK/tuned.toml" ||
  { echo "FAIL: the tuned config does not select nb"; exit 1; }
"$MWCLASS" tune-nb --td "$WORK/td.csv" --target-class QSO --out "$WORK/bad.toml" 2> "$WORK/err.txt" && exit 1
grep -q "target-class 'QSO' is not one of classifier.classes" "$WORK/err.txt" || { cat "$WORK/err.txt"; exit 1; }
echo "PASS"
