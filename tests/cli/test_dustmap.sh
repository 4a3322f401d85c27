#!/usr/bin/env bash
# Dust maps (issue 16): a field with RA/Dec and no E(B-V) column classified end to end
# with E(B-V) from a small SFD-format Lambert pair (--dust-map DIR) and from a small
# HEALPix map (--dust-map FILE); /sources/ebv equals the lookup x scale computed
# independently here (astropy's ICRS -> Galactic, the SFD closed-form projection with
# bilinear interpolation and edge clamping, HEALPix ring geometry); the field_mean and
# position modes; the provenance records the files, checksums and scale; a missing map
# is one message naming the expected files and the config key.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
"$PY" -c "import astropy.io.fits, numpy" 2>/dev/null || skip "/usr/bin/python3 has no astropy (python3-astropy)"
FAST=$(fast_config)

"$MWCLASS" simulate --n-td 800 --n-field 24 --seed 3 --out-td "$WORK/td.csv" --out-field "$WORK/f_sim.csv" > /dev/null
mkdir -p "$WORK/sfd"
# The field without its ebv column, its sources spread over both Galactic hemispheres
# (poles, plane, map edges); the SFD-format pair (L = 16: 32 x 32 pixels) and a RING
# HEALPix map (NSIDE 4, value = colatitude of the pixel's ring / 1000) as FITS files.
"$PY" - "$WORK" <<'EOF'
import csv, math, sys
import numpy as np
from astropy.io import fits
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/f_sim.csv")))
cols = [c for c in rows[0].keys() if c != "ebv"]
pos = [(266.40499, -28.93617), (192.85948, 27.12825), (12.85948, -27.12825), (0.0, 0.0), (83.63, 22.01),
       (10.68, 41.27), (201.4, -43.0), (150.0, 60.0), (300.0, -60.0), (45.0, 89.0), (120.0, -89.0), (275.0, 5.0)]
for i, r in enumerate(rows):
    ra, dec = pos[i % len(pos)]
    r["CSCv2_RA"], r["CSCv2_DEC"] = repr(ra + 0.37 * (i // len(pos))), repr(dec)
with open(f"{w}/field.csv", "w", newline="") as f:
    out = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
    out.writeheader()
    out.writerows(rows)
L = 16
cdelt = 180 / math.pi * math.sqrt(2) / L
for n, name, a, bx, by in [(1, "ngp", 0.02, 0.003, 0.001), (-1, "sgp", 0.3, 0.002, 0.004)]:
    y, x = np.mgrid[0:2 * L, 0:2 * L].astype(float)
    h = fits.Header()
    for k, v in [("CTYPE1", "GLON-ZEA"), ("CTYPE2", "GLAT-ZEA"), ("CRPIX1", L + 0.5), ("CRPIX2", L + 0.5),
                 ("CRVAL1", 90.0 * n), ("CRVAL2", 90.0 * n), ("CDELT1", -n * cdelt), ("CDELT2", n * cdelt),
                 ("LONPOLE", 180.0), ("LAM_NSGP", n), ("LAM_SCAL", L)]:
        h[k] = v
    fits.PrimaryHDU((a + bx * x + by * y).astype(np.float32), h).writeto(f"{w}/sfd/SFD_dust_4096_{name}.fits")
ns = 4
theta = []
for i in range(1, 4 * ns):  # RING order: ring i has 4 min(i, ns, 4 ns - i) pixels
    z = 1 - i * i / (3 * ns * ns) if i < ns else (4 / 3 - 2 * i / (3 * ns) if i <= 3 * ns else
                                                -(1 - (4 * ns - i) ** 2 / (3 * ns * ns)))
    theta += [math.degrees(math.acos(z))] * (4 * min(i, ns, 4 * ns - i))
assert len(theta) == 12 * ns * ns
hp = fits.BinTableHDU.from_columns([fits.Column(name="EBV", format="E", array=np.array(theta) / 1000)])
for k, v in [("PIXTYPE", "HEALPIX"), ("ORDERING", "RING"), ("NSIDE", ns), ("COORDSYS", "G"), ("INDXSCHM", "IMPLICIT")]:
    hp.header[k] = v
hp.writeto(f"{w}/healpix.fits")
from astropy.table import Table
Table.read(f"{w}/field.csv", format="ascii.csv").write(f"{w}/field.fits")  # the same field as a FITS table
EOF
grep -q "^CSCv2_name,CSCv2_RA,CSCv2_DEC,Fs" "$WORK/field.csv"

# Without a map the field cannot be classified with reddening on.
set +e; "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 2 \
  --out "$WORK/none.h5" > /dev/null 2> "$WORK/err.txt"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q -- "--dust-map PATH" "$WORK/err.txt" || { echo "FAIL: no-E(B-V) message"; cat "$WORK/err.txt"; exit 1; }

run() {  # run OUT args...
  local out=$1; shift
  "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 2 --out "$WORK/$out" \
    "$@" > "$WORK/$out.log" 2>&1 || { echo "FAIL: classify $*"; cat "$WORK/$out.log"; exit 1; }
}
run sfd.h5 --dust-map "$WORK/sfd"
run sfd_near.h5 --dust-map "$WORK/sfd" --set reddening.dust_map_interpolation=nearest
run hp.h5 --dust-map "$WORK/healpix.fits" --set reddening.dust_map_scale=1
run mean.h5 --dust-map "$WORK/sfd" --set reddening.ebv_source=field_mean
"$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/field.fits" --mc 2 --out "$WORK/sfd_fits.h5" \
  --dust-map "$WORK/sfd" > "$WORK/fits.log" 2>&1 || { echo "FAIL: classify a FITS field"; cat "$WORK/fits.log"; exit 1; }
run pos.h5 --dust-map "$WORK/sfd" --set "reddening.ebv_position=[150.0, 60.0]" --set reddening.ebv_source=position

"$PY" - "$WORK" <<'EOF'
import math, sys
import h5py, numpy as np
from astropy.coordinates import SkyCoord
import astropy.units as u
w = sys.argv[1]
L = 16
def sfd(l, b, nearest=False):
    n = 1 if b >= 0 else -1
    a, bx, by = (0.02, 0.003, 0.001) if n > 0 else (0.3, 0.002, 0.004)
    r = L * math.sqrt(1 - n * math.sin(math.radians(b)))
    x = min(max(L - 0.5 + r * math.cos(math.radians(l)), 0), 2 * L - 1)
    y = min(max(L - 0.5 - n * r * math.sin(math.radians(l)), 0), 2 * L - 1)
    if nearest:
        if min(abs(x % 1 - 0.5), abs(y % 1 - 0.5)) < 1e-6: return math.nan  # a tie (e.g. the pole): either pixel
        x, y = math.floor(x + 0.5), math.floor(y + 0.5)
    return a + bx * x + by * y  # bilinear of a linear image is the image's function
ns = 4
first, last = math.degrees(math.acos(1 - 1 / (3 * ns * ns))), 180 - math.degrees(math.acos(1 - 1 / (3 * ns * ns)))
def healpix(l, b):  # value = ring colatitude: linear in theta between rings, ring value in the caps
    return min(max(90 - b, first), last) / 1000
def check(name, expect, tol, source, files):
    with h5py.File(f"{w}/{name}", "r") as f:
        ra, dec, ebv = f["/sources/ra"][:], f["/sources/dec"][:], f["/sources/ebv"][:]
        g = SkyCoord(ra=ra * u.deg, dec=dec * u.deg, frame="icrs").galactic
        want = np.array([expect(l, b, ra_, dec_) for l, b, ra_, dec_ in zip(g.l.deg, g.b.deg, ra, dec)])
        tie = np.isnan(want)
        assert tie.sum() <= 4
        err = np.max(np.abs(ebv - want)[~tie])
        assert err < tol, f"{name}: max |ebv - expected| = {err}\n{ebv}\n{want}"
        assert f.attrs["ebv_source"] == source, f.attrs["ebv_source"]
        for fn in files: assert fn in f.attrs["dust_map"], f.attrs["dust_map"]
        assert "fnv1a64:" in f.attrs["dust_map"]
        print(f"{name}: {len(ebv)} sources, max |ebv - lookup x scale| = {err:.2e}; {f.attrs['dust_map']}")
        return ebv, g
sfd_files = ["SFD_dust_4096_ngp.fits", "SFD_dust_4096_sgp.fits"]
ebv, g = check("sfd.h5", lambda l, b, *_: 0.86 * sfd(l, b), 1e-6, "map", sfd_files + ["scale 0.86"])
assert (g.b.deg > 0).any() and (g.b.deg < 0).any()
with h5py.File(f"{w}/sfd.h5", "r") as a, h5py.File(f"{w}/sfd_fits.h5", "r") as b:  # FITS field = CSV field
    for k in ("ebv", "P", "class_index"):
        assert np.array_equal(a["/sources/" + k][:], b["/sources/" + k][:]), k
check("sfd_near.h5", lambda l, b, *_: 0.86 * sfd(l, b, True), 1e-6, "map", sfd_files)
check("hp.h5", lambda l, b, *_: healpix(l, b), 1e-6, "map", ["healpix.fits", "scale 1"])
m = np.mean(ebv)
check("mean.h5", lambda *_: m, 1e-9, "field_mean", sfd_files)
p = SkyCoord(ra=150 * u.deg, dec=60 * u.deg, frame="icrs").galactic
check("pos.h5", lambda *_: 0.86 * sfd(p.l.deg, p.b.deg), 1e-6, "position", sfd_files)
EOF

# A missing map: one message naming the expected files and the config key, exit 2, no output.
mkdir -p "$WORK/empty"
set +e; "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/field.csv" --mc 2 \
  --dust-map "$WORK/empty" --out "$WORK/missing.h5" > /dev/null 2> "$WORK/err.txt"; rc=$?; set -e
[ $rc -eq 2 ] || { echo "FAIL: exit $rc for a missing map"; cat "$WORK/err.txt"; exit 1; }
for want in SFD_dust_4096_ngp.fits SFD_dust_4096_sgp.fits "\[reddening\] dust_map"; do
  grep -q "$want" "$WORK/err.txt" || { echo "FAIL: message lacks $want"; cat "$WORK/err.txt"; exit 1; }
done
[ "$(grep -c error "$WORK/err.txt")" -eq 1 ] && [ ! -e "$WORK/missing.h5" ]
# loocv: the left-out training sources' E(B-V) from the map (each at its own E(B-V)).
"$MWCLASS" loocv --config "$FAST" --td "$WORK/td.csv" --subset every:200 --mc 0 --dust-map "$WORK/sfd" \
  --out "$WORK/loocv.h5" > "$WORK/loocv.log" 2>&1 || { echo "FAIL: loocv"; cat "$WORK/loocv.log"; exit 1; }
"$PY" - "$WORK" <<'PYEOF'
import sys, h5py, numpy as np
w = sys.argv[1]
with h5py.File(f"{w}/loocv.h5", "r") as f:
    assert f.attrs["ebv_source"] == "map" and "SFD_dust_4096_ngp.fits" in f.attrs["dust_map"]
    ebv = f["/sources/ebv"][:]
    assert np.all(np.isfinite(ebv)) and np.all(ebv > 0), ebv
    import csv
    column = {r["CSCv2_name"]: float(r["ebv"] or "nan") for r in csv.DictReader(open(f"{w}/td.csv"))}
    names = [n.decode() if isinstance(n, bytes) else n for n in f["/sources/name"][:]]
    assert not np.allclose(ebv, [column[n] for n in names]), "loocv used the catalog column"
    print(f"loocv: {len(ebv)} left-out sources, E(B-V) from the map {ebv.min():.4f} .. {ebv.max():.4f}")
PYEOF

# A source without RA/Dec cannot be looked up: one message naming it.
"$PY" -c "
import csv, sys
rows = list(csv.reader(open('$WORK/field.csv')))
rows[3][1] = ''
csv.writer(open('$WORK/nopos.csv', 'w', newline='')).writerows(rows)"
set +e; "$MWCLASS" classify --config "$FAST" --td "$WORK/td.csv" --field "$WORK/nopos.csv" --mc 2 \
  --dust-map "$WORK/sfd" --out "$WORK/nopos.h5" > /dev/null 2> "$WORK/err.txt"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "data row 3) has no RA/Dec" "$WORK/err.txt" && [ ! -e "$WORK/nopos.h5" ] \
  || { echo "FAIL: no-RA/Dec message"; cat "$WORK/err.txt"; exit 1; }

# aggregate and crossmatch add the ebv column from the map (IC 2395 from ../shared/data, if present).
IC="$MWCLASS_SHARED_DATA/fields/IC2395/per.csv"
if [ -f "$IC" ]; then
  "$MWCLASS" aggregate --detections "$IC" --dust-map "$WORK/sfd" --out "$WORK/ic_master.csv" 2> "$WORK/agg.log"
  "$MWCLASS" crossmatch --xray "$WORK/ic_master.csv" --dust-map "$WORK/healpix.fits" \
    --set reddening.dust_map_scale=1 --out "$WORK/ic_field.csv" 2> "$WORK/cm.log"
  grep -q "from the dust map" "$WORK/agg.log" && grep -q "from the dust map" "$WORK/cm.log"
  "$PY" - "$WORK" <<'PYEOF'
import csv, math, sys
from astropy.coordinates import SkyCoord
import astropy.units as u
w = sys.argv[1]
for name, want in (("ic_master.csv", "sfd"), ("ic_field.csv", "healpix")):
    rows = list(csv.DictReader(open(f"{w}/{name}")))
    assert rows and "ebv" in rows[0], name
    for r in rows:
        g = SkyCoord(ra=float(r["CSCv2_RA"]) * u.deg, dec=float(r["CSCv2_DEC"]) * u.deg, frame="icrs").galactic
        l, b = g.l.deg, g.b.deg
        if want == "sfd":
            n, L = (1, 16) if b >= 0 else (-1, 16)
            a, bx, by = (0.02, 0.003, 0.001) if n > 0 else (0.3, 0.002, 0.004)
            rr = L * math.sqrt(1 - n * math.sin(math.radians(b)))
            x = min(max(L - 0.5 + rr * math.cos(math.radians(l)), 0), 2 * L - 1)
            y = min(max(L - 0.5 - n * rr * math.sin(math.radians(l)), 0), 2 * L - 1)
            e = 0.86 * (a + bx * x + by * y)
        else:
            t1 = math.degrees(math.acos(1 - 1 / 48))
            e = min(max(90 - b, t1), 180 - t1) / 1000
        assert abs(float(r["ebv"]) - e) < 1e-6, (name, r["CSCv2_name"], r["ebv"], e)
    print(f"{name}: {len(rows)} rows, ebv = map lookup x scale")
PYEOF
else
  echo "note: $IC absent, aggregate/crossmatch --dust-map not tested"
fi
echo "dust map tests passed"
