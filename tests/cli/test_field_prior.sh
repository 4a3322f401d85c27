#!/usr/bin/env bash
# Issue 19: [calibration] field priors and --split-uncertainty end to end: the default
# datasets are unchanged, the new ones are written, exported to CSV and FITS, and bad
# priors are refused with one message.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 800 --n-field 150 --seed 5 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv"
run=(classify --config "$CFG" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 3 --seed 2 --no-reddening --quiet)
"$MWCLASS" "${run[@]}" --out "$WORK/base.h5"
"$MWCLASS" "${run[@]}" --split-uncertainty --set calibration.field_prior=estimate --out "$WORK/em.h5"
"$MWCLASS" "${run[@]}" --set 'calibration.given_prior=[0.3, 0.05, 0.05, 0.05, 0.2, 0.05, 0.05, 0.25]' \
  --set calibration.field_prior=given --out "$WORK/given.h5"
"$PY" - "$WORK" <<'PYEOF'
import sys, h5py, numpy as np
w = sys.argv[1]
base, em, given = (h5py.File(f"{w}/{n}.h5", "r") for n in ("base", "em", "given"))
for k in ("P", "e_P", "CT", "class_index"):
    assert np.array_equal(base["sources"][k][()], em["sources"][k][()]), k
assert "P_field" not in base["sources"] and "calibration" not in base and "iterations" not in em
assert em["calibration"].attrs["method"] == "estimate" and em["calibration"].attrs["converged"] == 1
pi = em["calibration/field_prior"][()]
assert abs(pi.sum() - 1) < 1e-9
# The EM's fixed point: the mean of P_field's iterations' re-weighting is close to pi (mean of means).
assert np.abs(em["sources/P_field"][()].mean(axis=0) - pi).max() < 0.05, (em["sources/P_field"][()].mean(axis=0), pi)
g = given["calibration/field_prior"][()]
assert np.allclose(g, [0.3, 0.05, 0.05, 0.05, 0.2, 0.05, 0.05, 0.25]), g
assert not np.array_equal(given["sources/P_field"][()], given["sources/P"][()])
e, m, d = (em["sources"][k][()] for k in ("e_P", "e_P_meas", "e_P_model"))
ok = m > 0
assert np.allclose(m[ok] ** 2 + d[ok] ** 2, e[ok] ** 2), "the parts do not add up"
print("h5 checks passed")
PYEOF
"$MWCLASS" export "$WORK/em.h5" --csv "$WORK/em.csv" --fits "$WORK/em.fits"
head -1 "$WORK/em.csv" | tr ',' '\n' > "$WORK/cols.txt"
for c in P_field_AGN e_P_field_YSO Class_field CT_field confident_field e_P_meas_AGN e_P_model_NS; do
  grep -qx "$c" "$WORK/cols.txt" || { echo "FAIL: CSV lacks column $c"; exit 1; }
done
expect_error "calibration.given_prior has 2 values" "$MWCLASS" "${run[@]}" --set 'calibration.given_prior=[0.5, 0.5]' --out "$WORK/x.h5"
expect_error "calibration.given_prior sums to 0.9" "$MWCLASS" "${run[@]}" \
  --set 'calibration.given_prior=[0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]' --out "$WORK/x.h5"
expect_error "needs given_prior" "$MWCLASS" "${run[@]}" --set calibration.field_prior=given --out "$WORK/x.h5"
echo "PASS"
