#!/usr/bin/env bash
# The paper's real training set as both training set and field, reddening on
# with E(B-V) = 0.3 from a column filled here, under mpirun -np 2: a valid
# HDF5 result that h5py reads, one bin, probabilities that sum to one, and a
# classification that agrees with the labels it was trained on.
source "$(dirname "$0")/../tools/common.sh"
TD="$MWCLASS_SHARED_DATA/cscv2_td_yang2022.csv"
[ -f "$TD" ] || skip "the real training set $TD is absent (it lives in ../shared/data beside the repository)"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"

python3 - "$TD" "$WORK/field.csv" <<'PYEOF'
import csv, sys
with open(sys.argv[1]) as f:
    r = csv.DictReader(f); header = list(r.fieldnames) + ["ebv"]; rows = list(r)
for row in rows:
    row["ebv"] = "0.3"
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=header, lineterminator="\n"); w.writeheader(); w.writerows(rows)
PYEOF

mpirun_n 2 "$MWCLASS" classify --config "$SRC/configs/muwclass_cscv2.toml" --td "$TD" \
  --field "$WORK/field.csv" --mc 2 --out "$WORK/real.h5"
"$MWCLASS" export "$WORK/real.h5" --csv "$WORK/real.csv"

"$PY" - "$WORK/real.h5" "$WORK/real.csv" <<'PYEOF'
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["complete"] == 1
assert f.attrs["ranks"] == 2 and f.attrs["mc_iterations"] == 2
P = f["sources/P"][()]
assert P.shape == (2941, 8), P.shape
assert np.allclose(P.sum(axis=1), 1.0)
assert list(f["items/id"][()]) == [12] and abs(f["items/ebv"][0] - 0.3) < 1e-12   # floor(0.3/0.025)
assert (f["sources/e_P"][()] >= 0).all()
assert (f["sources/P_q02275"][()] <= f["sources/P_median"][()] + 1e-12).all()
names = [c.decode() for c in f["classes"][()]]
pred = [c.decode() for c in f["sources/class"][()]]
truth = [r["True_Class"] for r in csv.DictReader(open(sys.argv[2].replace("real.csv", "field.csv")))]
acc = np.mean([p == t for p, t in zip(pred, truth)])
print(f"classes {names}; training-set accuracy {acc:.3f}; confident {int(f['sources/confident'][()].sum())}")
assert acc > 0.9, acc
exported = list(csv.DictReader(open(sys.argv[2])))
assert len(exported) == 2941 and "P_AGN" in exported[0] and "CT" in exported[0]
PYEOF
echo PASS
