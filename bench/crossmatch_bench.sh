#!/usr/bin/env bash
# Times `mwclass crossmatch` on a synthetic 66,000-source X-ray field against a
# synthetic 3,000,000-row Gaia-like catalog over ~50 deg^2 (about 1.7 catalog
# sources per 10" search circle), on one core (issue 15). Not a test.
#   bash bench/crossmatch_bench.sh [build/mwclass] [scratch dir]
# Prints the wall and CPU time of the command and its split into reading,
# indexing + matching and writing.
set -euo pipefail
MWCLASS=${1:-build/mwclass}
DIR=${2:-$(mktemp -d "${TMPDIR:-/tmp}/mwclass-xmatch-bench-XXXXXX")}
N_X=${N_X:-66000}
N_CAT=${N_CAT:-3000000}
mkdir -p "$DIR"
/usr/bin/python3 - "$DIR" "$N_X" "$N_CAT" <<'PYEOF'
import sys, numpy as np
d, nx, nc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(15)
def sky(n):  # uniform on the sphere inside RA 170..190, Dec -62..-57
    ra = rng.uniform(170, 190, n)
    s = rng.uniform(np.sin(np.radians(-62)), np.sin(np.radians(-57)), n)
    return ra, np.degrees(np.arcsin(s))
ra, dec = sky(nc)
e = rng.uniform(0.02, 0.5, nc)
g = rng.uniform(12, 21, nc)
with open(f"{d}/gaia.csv", "w") as f:
    f.write("RA_ICRS,DE_ICRS,e_RA_ICRS,e_DE_ICRS,Gmag,e_Gmag,BPmag,e_BPmag,RPmag,e_RPmag,Plx,e_Plx,epsi\n")
    np.savetxt(f, np.column_stack([ra, dec, e, e * 1.1, g, g * 1e-3, g + 0.5, g * 2e-3, g - 0.6,
                                   g * 2e-3, rng.normal(0.5, 0.5, nc), e, e * 2]),
               fmt=["%.10f", "%.10f"] + ["%.5g"] * 11, delimiter=",")
# Half the X-ray sources sit near a catalog source (a true counterpart), half anywhere.
xra, xdec = sky(nx)
k = rng.choice(nc, nx // 2, replace=False)
xra[: nx // 2] = ra[k] + rng.normal(0, 0.5 / 3600, nx // 2) / np.cos(np.radians(dec[k]))
xdec[: nx // 2] = dec[k] + rng.normal(0, 0.5 / 3600, nx // 2)
with open(f"{d}/master.csv", "w") as f:
    f.write("CSCv2_name,CSCv2_RA,CSCv2_DEC,CSCv2_PU,Fs,e_Fs,Fm,e_Fm,Fh,e_Fh\n")
    for i in range(nx):
        f.write(f"SIM{i:06d},{xra[i]:.8f},{xdec[i]:.8f},{rng.uniform(0.7, 3):.2f},1e-14,1e-15,1e-14,1e-15,1e-14,1e-15\n")
PYEOF
echo "== $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $MWCLASS crossmatch --xray $DIR/master.csv --catalog gaia=$DIR/gaia.csv --out $DIR/field.csv"
# CPU time (user + sys) is what the process itself used: on a shared machine the
# wall time also counts the time other processes held the core.
TIMEFORMAT='crossmatch: wall %R s, user %U s, sys %S s (one core)'
time (OMP_NUM_THREADS=1 taskset -c 0 "$MWCLASS" crossmatch --xray "$DIR/master.csv" \
  --catalog "gaia=$DIR/gaia.csv" --out "$DIR/field.csv" 2> "$DIR/crossmatch.log")
grep -E "rows indexed|counterparts used|X-ray sources|wrote" "$DIR/crossmatch.log"
