#!/usr/bin/env bash
# FITS tables in and out (issue 16): catalogs converted to FITS by astropy classify bit-identically
# to the CSV (HDU by number and by name, column names in another case, units checked);
# `export --fits` is read back by astropy with the CSV's columns and values, the units and the
# provenance; bad FITS inputs give one message each (exit 2); aggregate and crossmatch read
# FITS tables too (on the shared 3FGL J1306.4-6043 field when present).
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
"$PY" -c "import astropy.io.fits" 2>/dev/null || skip "/usr/bin/python3 has no astropy (apt-get install python3-astropy)"
FAST=$(fast_config)


"$MWCLASS" simulate --config "$FAST" --n-td 600 --n-field 70 --seed 3 \
  --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null

# astropy's conversion: the training set into HDU 2 (EXTNAME CATALOG, after an image HDU 1),
# the field with upper-case column names and units on RA and the first flux column.
"$PY" - "$WORK" <<'PYEOF'
import sys
import numpy as np
from astropy.table import Table
from astropy.io import fits
w = sys.argv[1]
td = Table.read(f"{w}/td.csv", format="ascii.csv")
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((2, 2))),
              fits.table_to_hdu(td)]).writeto(f"{w}/td.fits")
with fits.open(f"{w}/td.fits", mode="update") as h:
    h[2].header["EXTNAME"] = "CATALOG"
field = Table.read(f"{w}/field.csv", format="ascii.csv")
# Full 17-digit values (the simulated ones have few digits), so the comparison sees any rounding.
rng = np.random.default_rng(1)
for name in field.colnames:
    if field[name].dtype.kind == "f":
        # (1 - ...) keeps probabilities (P_intra, P_inter) inside [0, 1]
        field[name] = field[name] * (1 - 1e-9 * rng.random(len(field)))
field.write(f"{w}/field.csv", format="ascii.csv", overwrite=True)
for name in field.colnames:
    field.rename_column(name, name.upper())
field["FS"].unit = "erg / (s cm2)"
field["E_FS"].unit = "erg s-1 cm-2"
field["GMAG"].unit = "mag"
field.write(f"{w}/field.fits")
with fits.open(f"{w}/field.fits", mode="update") as h:
    h[1].header["TUNIT2"] = "deg"
# Bad inputs: a vector column where RA is, text where RA is, an image only.
bad = Table.read(f"{w}/field.csv", format="ascii.csv")
ra = bad.colnames[1]
vec = Table(bad)
vec[ra] = np.stack([vec[ra], vec[ra]], axis=1)
vec.write(f"{w}/vector.fits")
txt = Table(bad)
txt[ra] = [str(v) + "d" for v in txt[ra]]
txt.write(f"{w}/text.fits")
fits.PrimaryHDU(np.zeros((3, 3))).writeto(f"{w}/image.fits")
# Units: a flux column in a unit mwclass does not expect.
odd = Table.read(f"{w}/field.csv", format="ascii.csv")
flux = "Fs"
odd[flux].unit = "W / m2"
odd.write(f"{w}/odd_unit.fits")
PYEOF

classify() {  # classify TD FIELD OUT
  "$MWCLASS" classify --config "$FAST" --td "$1" --field "$2" --mc 2 --seed 5 --out "$3" > /dev/null 2> "$3.log" || { cat "$3.log"; exit 1; }
}
classify "$WORK/td.csv" "$WORK/field.csv" "$WORK/csv.h5"
classify "$WORK/td.fits[CATALOG]" "$WORK/field.fits" "$WORK/fits.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/csv.h5" "$WORK/fits.h5"
classify "$WORK/td.fits[2]" "$WORK/field.fits[1]" "$WORK/fits_n.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/csv.h5" "$WORK/fits_n.h5"
! grep -q warning "$WORK/fits.h5.log" || { echo "FAIL: unexpected warning"; cat "$WORK/fits.h5.log"; exit 1; }
classify "$WORK/td.csv" "$WORK/odd_unit.fits" "$WORK/odd.h5"
grep -q "warning: .*odd_unit.fits (HDU 1): column 'Fs' has TUNIT5 = '.*W.*', mwclass expects erg s-1 cm-2" "$WORK/odd.h5.log" ||
  { echo "FAIL: no unit warning"; cat "$WORK/odd.h5.log"; exit 1; }

# export --fits, read back by astropy; the same columns and values as export --csv.
"$MWCLASS" export "$WORK/fits.h5" --csv "$WORK/out.csv" --fits "$WORK/out.fits"
"$PY" - "$WORK/out.fits" "$WORK/out.csv" 70 <<'PYEOF'
import sys, csv, math
from astropy.io import fits
from astropy.table import Table
import astropy.units as u
path, csv_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = Table.read(path, hdu="RESULTS")
assert len(t) == n, len(t)
assert t["ra"].unit == u.deg and t["dec"].unit == u.deg and t["ebv"].unit == u.mag, (t["ra"].unit, t["ebv"].unit)
rows = list(csv.DictReader(open(csv_path)))
assert len(rows) == n
for name in rows[0]:
    assert name in t.colnames, name
    for i, r in enumerate(rows):
        v = t[name][i]
        if isinstance(v, (bytes, str)):
            v = v.decode() if isinstance(v, bytes) else v
            assert v.strip() == r[name], (name, i, v, r[name])
        elif r[name] == "":
            assert math.isnan(float(v)), (name, i, v)
        else:
            assert float(v) == float(r[name]), (name, i, v, r[name])
h = fits.open(path)
hdr = h["RESULTS"].header
assert hdr["MWCVERS"], hdr
assert hdr["MWCSEED"] == "5", hdr["MWCSEED"]
assert "classify" in hdr["MWCCMD"], hdr["MWCCMD"]
assert any(k.startswith("TDISP") for k in hdr), hdr
config = [str(x) for x in h["CONFIG"].data["line"]]
assert any("n_trees = 20" in x for x in config), config[:5]
PYEOF
ls "$WORK" | grep -q "tmp-" && { echo "FAIL: temporary file left"; exit 1; }
expect_error "give --csv OUT.csv and/or --fits OUT.fits" "$MWCLASS" export "$WORK/fits.h5"
expect_error "cannot export FITS '$WORK/no/such/dir/r.fits'" "$MWCLASS" export "$WORK/fits.h5" --fits "$WORK/no/such/dir/r.fits"

# Bad FITS inputs: one message each, exit 2.
RA=$(head -1 "$WORK/field.csv" | cut -d, -f2)
expect_error "column '$RA' is a vector column (2 values per row" \
  "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/vector.fits" --mc 2 --out "$WORK/x.h5"
expect_error "column '$RA' holds text" \
  "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/text.fits" --mc 2 --out "$WORK/x.h5"
expect_error "not a table HDU" \
  "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/image.fits" --mc 2 --out "$WORK/x.h5"
expect_error "field.fits\[NOPE\]" \
  "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/field.fits[NOPE]" --mc 2 --out "$WORK/x.h5"
[ ! -e "$WORK/x.h5" ] || { echo "FAIL: output written on error"; exit 1; }

# aggregate and crossmatch on FITS tables: the same outputs as from the CSV.
F3="$MWCLASS_SHARED_DATA/fields/3FGLJ1306.4-6043"
if [ -f "$F3/per.csv" ] && [ -f "$F3/gaia.csv" ]; then
  "$PY" - "$F3" "$WORK" <<'PYEOF'
import sys
from astropy.table import Table
src, w = sys.argv[1], sys.argv[2]
for name in ("per", "gaia"):
    Table.read(f"{src}/{name}.csv", format="ascii.csv").write(f"{w}/{name}.fits")
PYEOF
  ARCH="$SRC/configs/archive.toml"
  "$MWCLASS" aggregate --detections "$F3/per.csv" --config "$ARCH" --out "$WORK/m_csv.csv" 2> /dev/null
  "$MWCLASS" aggregate --detections "$WORK/per.fits" --config "$ARCH" --out "$WORK/m_fits.csv" 2> /dev/null
  cmp "$WORK/m_csv.csv" "$WORK/m_fits.csv"
  "$MWCLASS" crossmatch --xray "$WORK/m_csv.csv" --catalog "gaia=$F3/gaia.csv" --config "$ARCH" \
    --out "$WORK/x_csv.csv" 2> /dev/null
  "$MWCLASS" crossmatch --xray "$WORK/m_fits.csv" --catalog "gaia=$WORK/gaia.fits" --config "$ARCH" \
    --out "$WORK/x_fits.csv" 2> /dev/null
  cmp "$WORK/x_csv.csv" "$WORK/x_fits.csv"
else
  echo "note: $F3 absent, aggregate/crossmatch on FITS not checked"
fi
echo "PASS"
