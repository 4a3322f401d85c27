#!/usr/bin/env bash
# From the archive to classes (issue 15): aggregate -> crossmatch -> classify on the
# 3FGL J1306.4-6043 field (five counterpart extracts) and on IC 2395 (no extracts:
# crossmatch passes the X-ray table through); the raw tab-separated CSC CLI form gives
# the same master table as the pandas re-save; --labels builds a training table;
# bad inputs stop with one message, exit 2 and no output file. The archive keys are
# keys of the one configuration: a classify config may carry them, --set reaches them.
source "$(dirname "$0")/../tools/common.sh"
TD="$MWCLASS_SHARED_DATA/cscv2_td_yang2022.csv"
F3="$MWCLASS_SHARED_DATA/fields/3FGLJ1306.4-6043"
IC="$MWCLASS_SHARED_DATA/fields/IC2395"
[ -f "$TD" ] || skip "the real training set $TD is absent (../shared/data beside the repository)"
[ -f "$F3/per.csv" ] && [ -f "$IC/per.csv" ] || skip "the fields in $MWCLASS_SHARED_DATA/fields are absent"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
FAST=$(fast_config)
ALL="$WORK/all.toml"   # the classify config and every archive key in one file
cat "$FAST" "$SRC/configs/archive.toml" > "$ALL"


# --- 3FGL J1306.4-6043: the three commands ----------------------------------
"$MWCLASS" aggregate --detections "$F3/per.csv" --config "$ALL" --out "$WORK/f3_master.csv" 2> "$WORK/agg.log"
grep -q "sources written  *16" "$WORK/agg.log"
cats=()
for c in gaia 2mass allwise catwise unwise; do cats+=(--catalog "$c=$F3/$c.csv"); done
"$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" "${cats[@]}" --config "$ALL" --out "$WORK/f3_field.csv" 2> "$WORK/cm.log"
grep -q "gaia: counterparts used (flag >= 0)  *13" "$WORK/cm.log"
"$MWCLASS" classify --config "$ALL" --td "$TD" --field "$WORK/f3_field.csv" --mc 2 --ebv 0.5 \
  --out "$WORK/f3.h5" > "$WORK/classify.log"
"$PY" - "$WORK/f3.h5" 16 <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["complete"] == 1
P = f["sources/P"][()]
assert P.shape == (int(sys.argv[2]), 8), P.shape
assert np.allclose(P.sum(axis=1), 1.0)
PYEOF
ls "$WORK" | grep -q tmp- && { echo "FAIL: temporary file left"; exit 1; }

# --- the archive keys in the central configuration ------------------------------
"$MWCLASS" config --keys > "$WORK/keys.txt"
grep -q '^aggregate.max_theta  *number  *10 .*\[> 0, arcmin\]' "$WORK/keys.txt"
grep -q "^crossmatch.gaia.ra  *string  *'RA_ICRS' " "$WORK/keys.txt"
grep -q '^selection.max_pu ' "$WORK/keys.txt"
"$MWCLASS" config > "$WORK/defaults.toml"
grep -q '^ *\[crossmatch.unwise\]' "$WORK/defaults.toml"
# --set is the key in a file: the same master table; and the key takes effect.
printf '[aggregate]\nmax_theta = 5.0\n' > "$WORK/theta.toml"
"$MWCLASS" aggregate --detections "$F3/per.csv" --config "$WORK/theta.toml" --out "$WORK/theta_file.csv" 2> "$WORK/theta.log"
"$MWCLASS" aggregate --detections "$F3/per.csv" --set aggregate.max_theta=5 --out "$WORK/theta_set.csv" 2> /dev/null
cmp "$WORK/theta_file.csv" "$WORK/theta_set.csv"
grep -q "theta > 5" "$WORK/theta.log"
! cmp -s "$WORK/theta_set.csv" "$WORK/f3_master.csv" || { echo "FAIL: max_theta=5 changed nothing"; exit 1; }
"$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" "${cats[@]}" --set crossmatch.pu_factor=2 \
  --set crossmatch.gaia.ra=RAdeg --out "$WORK/bad_ra.csv" 2> "$WORK/err.txt" && { echo "FAIL: gaia.ra ignored"; exit 1; }
grep -q "RAdeg" "$WORK/err.txt"

# --- IC 2395: no counterpart extracts ------------------------------------------
"$MWCLASS" aggregate --detections "$IC/per.csv" --out "$WORK/ic_master.csv" 2> "$WORK/ic.log"
grep -q "duplicate detections collapsed.* 204" "$WORK/ic.log"
"$MWCLASS" crossmatch --xray "$WORK/ic_master.csv" --out "$WORK/ic_field.csv" 2> /dev/null
n_ic=$(($(wc -l < "$WORK/ic_field.csv") - 1))
"$MWCLASS" classify --config "$FAST" --td "$TD" --field "$WORK/ic_field.csv" --mc 2 --ebv 0.1 \
  --out "$WORK/ic.h5" > /dev/null
"$PY" - "$WORK/ic.h5" "$n_ic" <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f["sources/P"].shape[0] == int(sys.argv[2]) and f.attrs["complete"] == 1
PYEOF

# --- the raw CSC CLI form (TSV, '#' comments, repeated names) = the pandas form ---
"$PY" - "$F3/per.csv" "$WORK/raw.tsv" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
header = [h[:-2] if h.endswith(".1") else h for h in rows[0]]
assert len(set(header)) < len(header)          # names repeat, as the CLI writes them
with open(sys.argv[2], "w") as out:
    out.write("# Chandra Source Catalog 2.0 command-line output (written by the test)\n")
    out.write("#   columns: see the CSC documentation\n")
    out.write("\t".join(header) + "\n")
    for r in rows[1:]:
        out.write("\t".join(c if c.strip() else "        " for c in r) + "\n")
PYEOF
"$MWCLASS" aggregate --detections "$WORK/raw.tsv" --out "$WORK/raw_master.csv" 2> /dev/null
cmp "$WORK/raw_master.csv" "$WORK/f3_master.csv"

# --- --labels: a training table from per-detection data ------------------------
"$PY" - "$WORK/ic_master.csv" "$WORK/labels.csv" <<'PYEOF'
import csv, sys
names = [r["CSCv2_name"] for r in csv.DictReader(open(sys.argv[1]))]
with open(sys.argv[2], "w") as f:
    f.write("CSCv2_name,True_Class\n")
    for i, n in enumerate(names[:60]):
        f.write(f"{n},{'YSO' if i % 2 else 'LM-STAR'}\n")
PYEOF
"$MWCLASS" crossmatch --xray "$WORK/ic_master.csv" --labels "$WORK/labels.csv" \
  --out "$WORK/ic_td.csv" 2> "$WORK/labels.log"
grep -q "no label in .* 40" "$WORK/labels.log"
[ $(($(wc -l < "$WORK/ic_td.csv") - 1)) -eq 60 ]
head -1 "$WORK/ic_td.csv" | grep -q "True_Class$"

# --- bad inputs: one message, exit 2, nothing written ---------------------------
printf 'name,ra\nA,1\n' > "$WORK/short.csv"
expect_error "short.csv: missing column 'dec'" \
  "$MWCLASS" aggregate --detections "$WORK/short.csv" --out "$WORK/bad1.csv"
sed '2s/,0.79,/,zero,/' "$F3/per.csv" > "$WORK/badnum.csv"
expect_error "line 2, column 'err_ellipse_r0': 'zero' is not a number" \
  "$MWCLASS" aggregate --detections "$WORK/badnum.csv" --out "$WORK/bad2.csv"
printf '[aggregate]\nmax_theta = 10\nmax_tehta = 8\n' > "$WORK/bad.toml"
expect_error "bad.toml: \[aggregate\] max_tehta: unknown key" \
  "$MWCLASS" aggregate --detections "$F3/per.csv" --config "$WORK/bad.toml" --out "$WORK/bad3.csv"
expect_error "\[crossmatch\] sdss: unknown key" \
  "$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" --set crossmatch.sdss.ra=x --out "$WORK/bad9.csv"
expect_error "crossmatch.search_radius must be > 0 (got 0)" \
  "$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" --set crossmatch.search_radius=0 --out "$WORK/bad9.csv"
expect_error "unknown catalog 'sdss'" \
  "$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" --catalog "sdss=$F3/gaia.csv" --out "$WORK/bad4.csv"
expect_error "expected NAME=FILE" \
  "$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" --catalog "gaia" --out "$WORK/bad5.csv"
expect_error "without position columns 'RA_ICRS'" \
  "$MWCLASS" crossmatch --xray "$WORK/f3_master.csv" --catalog "gaia=$F3/2mass.csv" --out "$WORK/bad6.csv"
: > "$WORK/per.fits"
expect_error "not a FITS file" \
  "$MWCLASS" aggregate --detections "$WORK/per.fits" --out "$WORK/bad7.csv"
sed '3s/^\(2CXO[^,]*\),[^,]*,/\1,,/' "$WORK/f3_master.csv" > "$WORK/nopos.csv"
expect_error "nopos.csv: line 3: X-ray source without a position" \
  "$MWCLASS" crossmatch --xray "$WORK/nopos.csv" --out "$WORK/bad8.csv"
for i in 1 2 3 4 5 6 7 8 9; do [ ! -e "$WORK/bad$i.csv" ] || { echo "FAIL: bad$i.csv written"; exit 1; }; done
ls "$WORK" | grep -q "tmp-" && { echo "FAIL: temporary file left"; exit 1; }
echo PASS
