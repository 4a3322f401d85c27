#!/usr/bin/env bash
# LOOCV and k-fold CV on the real training set: a class-stratified LOOCV subset
# lands in a band around the paper's accuracy, results agree for -np 1 and -np 2,
# cv runs, and too-small classes are refused with a clear message.
source "$(dirname "$0")/../tools/common.sh"
TD="$MWCLASS_SHARED_DATA/cscv2_td_yang2022.csv"
[ -f "$TD" ] || skip "the real training set $TD is absent (it lives in ../shared/data beside the repository)"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)

# 1. Same results for -np 1 and -np 2 (a small subset, fast forest).
small=(loocv --config "$CFG" --td "$TD" --subset every:150 --mc 2 --no-reddening --quiet)
mpirun_n 1 "$MWCLASS" "${small[@]}" --out "$WORK/np1.h5"
mpirun_n 2 "$MWCLASS" "${small[@]}" --out "$WORK/np2.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/np1.h5" "$WORK/np2.h5"

# 2. Accuracy of a 10 % class-stratified subset (294 sources) with the paper's
#    forest and one MC iteration. The paper's LOOCV accuracy is 0.886; for
#    n = 294 the binomial standard error is sqrt(0.886 x 0.114 / 294) = 0.019,
#    so +-3 sigma is [0.83, 0.94]; one MC draw instead of 1,000 adds scatter
#    (measured: docs/validation.md), hence the band [0.80, 0.95].
mpirun_n 2 "$MWCLASS" loocv --td "$TD" --subset class-stratified:0.1 --mc 1 --no-reddening --quiet \
  --out "$WORK/strat.h5"
"$MWCLASS" report "$WORK/strat.h5" > "$WORK/report.txt"
"$PY" - "$WORK/strat.h5" <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
cols = [c.decode() for c in f["report/summary_columns"][()]]
allrow = dict(zip(cols, f["report/summary"][0]))
n, acc = int(allrow["n"]), allrow["accuracy"]
print(f"class-stratified LOOCV: n = {n}, accuracy {acc:.3f}, balanced accuracy {allrow['balanced_accuracy']:.3f}, MCC {allrow['mcc']:.3f}")
assert 280 <= n <= 310, n
assert f["evaluation"].attrs["kind"] == "loocv"
truth = f["sources/true_class_index"][()]
assert len(set(truth)) == 8, "every class is represented"
assert 0.80 <= acc <= 0.95, f"accuracy {acc} outside [0.80, 0.95]"
PYEOF
grep -q "confusion matrix, all sources" "$WORK/report.txt"

# 3. k-fold CV runs and reports per-repeat scores.
"$MWCLASS" cv --config "$CFG" --td "$TD" --folds 5 --repeats 2 --mc 1 --quiet --out "$WORK/cv.h5"
"$MWCLASS" report "$WORK/cv.h5" > "$WORK/cv_report.txt"
grep -q "cv: 2 repeats" "$WORK/cv_report.txt"
"$PY" - "$WORK/cv.h5" <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f["evaluation/repeat_P"].shape == (2, 2941, 8)
rs = f["report/repeat_summary"][()]
assert rs.shape == (2, 8) and (rs[:, 0] == 2941).all()
print("cv accuracy per repeat:", rs[:, 1])
assert (rs[:, 1] > 0.8).all()
PYEOF

# 4. Too-small classes are refused before any compute.
set +e
"$MWCLASS" cv --td "$TD" --folds 30 --repeats 1 --mc 1 --out "$WORK/x.h5" > "$WORK/err.txt" 2>&1; c1=$?
python3 - "$TD" "$WORK/few.csv" <<'PYEOF'
import csv, sys
r = csv.DictReader(open(sys.argv[1])); rows = list(r); n = 0; keep = []
for row in rows:
    if row["True_Class"] == "HMXB":
        n += 1
        if n > 5: continue
    keep.append(row)
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=r.fieldnames, lineterminator="\n")
w.writeheader(); w.writerows(keep)
PYEOF
"$MWCLASS" loocv --td "$WORK/few.csv" --mc 1 --out "$WORK/y.h5" --no-reddening > "$WORK/err2.txt" 2>&1; c2=$?
set -e
cat "$WORK/err.txt" "$WORK/err2.txt"
check() { if ! eval "$1"; then echo "FAIL: $1"; exit 1; fi; }
check '[ "$c1" -eq 2 ]'
check 'grep -q "class .HMXB. has 26 member(s), fewer than --folds 30" "$WORK/err.txt"'
check '[ "$c2" -eq 2 ]'
check 'grep -q "class .HMXB. has 5 member(s); SMOTE with k = 4 needs at least 5 in every training set, but up to 1 of them are held out per work item" "$WORK/err2.txt"'
check '[ ! -e "$WORK/x.h5" ]'
check '[ ! -e "$WORK/y.h5" ]'
echo PASS
