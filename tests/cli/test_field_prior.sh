#!/usr/bin/env bash
# Issue 19: [calibration] field priors, with and without the probability scaling fitted
# on `mwclass cv` output, and --split-uncertainty end to end: the default datasets are
# unchanged, the new ones are written (bit-identical on 1 and 2 ranks), exported to CSV
# and FITS, and bad settings are refused with one message.
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
# Bias-corrected temperature scaling fitted on `mwclass cv` output, then the EM; any --set order.
"$MWCLASS" cv --config "$CFG" --td "$WORK/td.csv" --folds 6 --repeats 2 --mc 2 --seed 2 --quiet --out "$WORK/cv.h5"
scaled=(--set calibration.scaling=bcts --set calibration.field_prior=estimate --set "calibration.scaling_from=$WORK/cv.h5")
"$MWCLASS" "${run[@]}" "${scaled[@]}" --out "$WORK/scaled.h5"
mpirun_n 2 "$MWCLASS" "${run[@]}" "${scaled[@]}" --out "$WORK/scaled_np2.h5"
"$PY" - "$WORK" <<'PYEOF'
import sys, h5py, numpy as np
w = sys.argv[1]
base, em, sc, sc2, cv = (h5py.File(f"{w}/{n}.h5", "r") for n in ("base", "em", "scaled", "scaled_np2", "cv"))
assert np.array_equal(base["sources/P"][()], sc["sources/P"][()])
a = sc["calibration"].attrs
assert a["scaling_from"].endswith("cv.h5") and a["scaling_sources"] == 2 * len(cv["sources/P"]), dict(a)
assert 0.05 < a["scaling_inverse_temperature"] < 20 and a["scaling_log_loss"] <= a["scaling_log_loss_raw"], dict(a)
truth = cv["sources/true_class_index"][()]
frac = np.bincount(truth, minlength=8) / len(truth)
assert np.allclose(sc["calibration/scaling_class_fractions"][()], frac)
assert np.allclose(sc["calibration/training_prior"][()], frac)  # pi_train of the scaled P
assert sc["calibration/scaling_bias"][0] == 0
assert sc.attrs["training_checksum"] == cv.attrs["training_checksum"] == cv.attrs["field_checksum"]
assert sc.attrs["training_checksum"].startswith("fnv1a64:") and len(sc.attrs["training_checksum"]) == 24
assert sc.attrs["field_checksum"] != sc.attrs["training_checksum"]
assert "scaling_from" not in em["calibration"].attrs
assert not np.allclose(sc["sources/P_field"][()], em["sources/P_field"][()])
for k in ("sources/P_field", "sources/e_P_field", "calibration/field_prior", "calibration/scaling_bias"):
    assert np.array_equal(sc[k][()], sc2[k][()]), k  # bit-identical on 1 and 2 ranks
print("scaling checks passed")
PYEOF
expect_error "base.h5: not the output of .mwclass cv" "$MWCLASS" "${run[@]}" --set calibration.field_prior=given \
  --set calibration.scaling=bcts --set "calibration.scaling_from=$WORK/base.h5" \
  --set 'calibration.given_prior=[0.3, 0.05, 0.05, 0.05, 0.2, 0.05, 0.05, 0.25]' --out "$WORK/x.h5"
expect_error "cv.h5: its held-out probabilities come from classifier.model = \"rf\", this run uses \"nb\"" \
  "$MWCLASS" "${run[@]}" "${scaled[@]}" --model nb --out "$WORK/x.h5"
# A cv run on another training set (here: one source fewer) would mis-scale silently: refused.
head -n -1 "$WORK/td.csv" > "$WORK/td_other.csv"
expect_error "cv.h5: its cv run trained on '$WORK/td.csv' (fnv1a64:" "$MWCLASS" classify --config "$CFG" \
  --td "$WORK/td_other.csv" --field "$WORK/field.csv" --mc 3 --seed 2 --no-reddening --quiet "${scaled[@]}" --out "$WORK/x.h5"
expect_error "nothing.h5" "$MWCLASS" "${run[@]}" "${scaled[@]}" --set "calibration.scaling_from=$WORK/nothing.h5" --out "$WORK/x.h5"
expect_error "scaling = \"bcts\" needs field_prior" "$MWCLASS" "${run[@]}" --set calibration.scaling=bcts \
  --set "calibration.scaling_from=$WORK/cv.h5" --out "$WORK/x.h5"
expect_error "needs scaling_from" "$MWCLASS" "${run[@]}" --set calibration.scaling=bcts --set calibration.field_prior=estimate --out "$WORK/x.h5"
[ ! -e "$WORK/x.h5" ] || { echo "FAIL: a refused run left $WORK/x.h5"; exit 1; }
"$MWCLASS" export "$WORK/em.h5" --csv "$WORK/em.csv" --fits "$WORK/em.fits"
head -1 "$WORK/em.csv" | tr ',' '\n' > "$WORK/cols.txt"
for c in P_field_AGN e_P_field_YSO Class_field CT_field confident_field e_P_meas_AGN e_P_model_NS; do
  grep -qx "$c" "$WORK/cols.txt" || { echo "FAIL: CSV lacks column $c"; exit 1; }
done
# FITS: the /calibration group as the CALIBRATION HDU (one row per class, attributes as keywords).
if "$PY" -c "import astropy.io.fits" 2>/dev/null; then
  "$MWCLASS" export "$WORK/scaled.h5" --fits "$WORK/scaled.fits"
  "$MWCLASS" export "$WORK/base.h5" --fits "$WORK/base.fits"
  "$PY" - "$WORK" <<'PYEOF'
import sys, h5py, numpy as np
from astropy.io import fits
w = sys.argv[1]
with fits.open(f"{w}/base.fits") as h:
    assert "CALIBRATION" not in h, "a run without a field prior has no CALIBRATION HDU"
with h5py.File(f"{w}/scaled.h5", "r") as f, fits.open(f"{w}/scaled.fits") as h:
    cal = h["CALIBRATION"]
    assert [c.strip() for c in cal.data["class"]] == [c.decode() for c in f["classes"][()]]
    names = set()
    for name, d in f["calibration"].items():
        assert np.array_equal(cal.data[name], d[()]), name
        names.add(name)
    assert names == {"field_prior", "training_prior", "scaling_bias", "scaling_class_fractions"}, names
    for name, v in f["calibration"].attrs.items():
        got = cal.header[name]
        want = v.decode() if isinstance(v, bytes) else v
        assert got == want, (name, got, want)
    assert len(f["calibration"].attrs) == 11 and f["calibration"].attrs["em_pseudo_count"] == 1.0, dict(f["calibration"].attrs)
    # Provenance keywords of the sources' table: the catalogs' checksums.
    assert h[1].header["MWCTDSUM"] == f.attrs["training_checksum"] and h[1].header["MWCFDSUM"] == f.attrs["field_checksum"]
print("FITS calibration checks passed")
PYEOF
else
  echo "(astropy missing: FITS CALIBRATION HDU not checked)"
fi
expect_error "calibration.given_prior has 2 values" "$MWCLASS" "${run[@]}" --set 'calibration.given_prior=[0.5, 0.5]' --out "$WORK/x.h5"
expect_error "calibration.given_prior sums to 0.9" "$MWCLASS" "${run[@]}" \
  --set 'calibration.given_prior=[0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]' --out "$WORK/x.h5"
expect_error "needs given_prior" "$MWCLASS" "${run[@]}" --set calibration.field_prior=given --out "$WORK/x.h5"
echo "PASS"
