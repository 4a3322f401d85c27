#!/usr/bin/env bash
# Issue 17: hostile inputs, table-driven. Every case of hostile_cases.tsv (next to this
# script) is made from small valid inputs written here (mwclass simulate, a hand-written
# 4XMM per-detection table and Gaia extract), then run. A refused case must exit with
# its status, name the file/line/column or option and give its message, once, and leave
# the output directory as it was (no --out file, no *.tmp* leftover, an existing output
# byte-identical). An accepted case must write a valid output. docs/input-validation.md
# must list every case with the message seen here (hostile_doc_table.py), so that the doc
# and the table cannot drift apart.
source "$(dirname "$0")/../tools/common.sh"
TABLE="$SRC/tests/cli/hostile_cases.tsv"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
"$PY" -c "import astropy.io.fits" 2>/dev/null || skip "/usr/bin/python3 has no astropy (apt-get install python3-astropy)"

W="$WORK/in"
mkdir -p "$W" "$WORK/cases"
CFG=$(fast_config)
sed -i 's/^n_trees = 20/n_trees = 5/' "$CFG"
grep -q '^n_trees = 5' "$CFG"
TD="$W/td.csv" FIELD="$W/field.csv" DET="$W/det.csv" XRAY="$W/xray.csv" GAIA="$W/gaia.csv"
"$MWCLASS" simulate --n-td 600 --n-field 20 --seed 3 --out-td "$TD" --out-field "$FIELD" > /dev/null
# A 4XMM per-detection table (6 sources x 2 detections), an X-ray master table and a Gaia extract.
"$PY" - "$W" <<'PYEOF'
import sys
w = sys.argv[1]
head = "IAUNAME,SC_RA,SC_DEC,SC_POSERR,SC_DET_ML," + ",".join(f"EP_{n}_FLUX,EP_{n}_FLUX_ERR" for n in range(2, 6))
rows = [f"4XMM J1000{i:02d}.0+100000,{150 + i * 0.01:.5f},10.0,0.8,{20 + i}," +
        ",".join(f"{(1 + (i + d + n) % 4) * 1e-15:.3e},{(2 + n) * 1e-16:.3e}" for n in range(4))
        for i in range(6) for d in range(2)]
open(f"{w}/det.csv", "w").write(head + "\n" + "\n".join(rows) + "\n")
open(f"{w}/xray.csv", "w").write("CSCv2_name,CSCv2_RA,CSCv2_DEC,CSCv2_PU\n" + "".join(
    f"2CXO J1000{i:02d}.0+100000,{150 + i * 0.01:.5f},10.0,1.0\n" for i in range(5)))
open(f"{w}/gaia.csv", "w").write("RA_ICRS,DE_ICRS,e_RA_ICRS,e_DE_ICRS,Gmag,e_Gmag\n" + "".join(
    f"{150 + i * 0.01 + 0.00005:.6f},10.00002,0.1,0.1,{15 + i},0.01\n" for i in range(5)))
PYEOF
PLAIN="$WORK/plain.h5"
"$MWCLASS" classify --config "$CFG" --mc 1 --quiet --td "$TD" --field "$FIELD" --out "$PLAIN"

# --- helpers of the table's make column ----------------------------------------
# edit IN OUT CODE: CODE changes `rows` (a list of dicts) and `header` of a CSV file.
edit() {
  "$PY" - "$@" <<'PYEOF'
import csv, sys
src, dst, code = sys.argv[1:]
with open(src, newline="") as f:
    r = csv.DictReader(f); header = list(r.fieldnames); rows = list(r)
exec(code)
with open(dst, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=header, lineterminator="\n"); w.writeheader(); w.writerows(rows)
PYEOF
}
# raw IN OUT CODE: CODE changes `data`, the file's bytes.
raw() {
  "$PY" - "$@" <<'PYEOF'
import sys
src, dst, code = sys.argv[1:]
data = open(src, "rb").read()
exec(code)
open(dst, "wb").write(data)
PYEOF
}
# fits IN OUT CODE: the CSV as a FITS binary table (astropy.io.fits), CODE changing `t`,
# a dict of numpy columns (numbers as float64 with NaN for empty cells, else strings).
fits() {
  "$PY" - "$@" <<'PYEOF'
import csv, sys, warnings
import numpy as np
from astropy.io import fits as pyfits
warnings.simplefilter("ignore")
src, dst, code = sys.argv[1:]
with open(src, newline="") as f:
    rows = list(csv.reader(f))
def column(cells):
    try:
        return np.array([float(c) if c.strip() else np.nan for c in cells])
    except ValueError:
        return np.array(cells)
t = {name: column([r[k] for r in rows[1:]]) for k, name in enumerate(rows[0])}
exec(code)
width = lambda v: max([1] + [len(x) for x in v])
cols = [pyfits.Column(name=k, format="D" if v.dtype.kind == "f" else f"{width(v)}A", array=v) for k, v in t.items()]
pyfits.BinTableHDU.from_columns(cols).writeto(dst, overwrite=True)
PYEOF
}
# one_member IN OUT: the training set with a single HMXB.
one_member() { edit "$1" "$2" "
first = [i for i, r in enumerate(rows) if r['True_Class'] == 'HMXB'][0]
rows = [r for i, r in enumerate(rows) if r['True_Class'] != 'HMXB' or i == first]"; }

# The output directory, file by file with checksums: a refused case must leave it unchanged.
snapshot() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r f; do
     if [ -f "$f" ]; then sha256sum "$f"; else echo "$f/"; fi
   done)
}

check_valid_h5() {
  "$PY" - "$1" <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["complete"] == 1, "not marked complete"
    P = f["sources/P"][()]
    assert P.shape[0] > 0 and np.all(np.isfinite(P)), "no or non-finite probabilities"
    assert np.max(np.abs(P.sum(axis=1) - 1)) < 1e-12, "probabilities do not sum to 1"
PYEOF
}

# run_case FIELDS...: one case in its own output directory $O (the make and command
# columns see $O, $OUT, $CSVOUT and the prefixes $C, $CLASSIFY, $CFGRUN); writes
# cases/<name>.result (PASS/FAIL line) and cases/<name>.seen (what the user saw).
run_case() {
  local name=$1 kind=$2 make=$3 cmd=$4 want=$5 where=$6 msg=$7
  local R="$WORK/cases/$name" O="$WORK/cases/$name.out"
  local OUT="$O/out.h5" CSVOUT="$O/out.csv"
  local C="classify --config $CFG --mc 1 --quiet --out $OUT"
  local CLASSIFY="classify --mc 1 --quiet"
  local CFGRUN="classify --mc 1 --quiet --td $TD --field $FIELD --out $OUT --config"
  local err="$R.stderr" rc before seen
  result() { echo "$1" > "$R.result"; }
  mkdir -p "$O"
  if [ "$make" != "-" ] && ! eval "$make" > "$R.make" 2>&1; then
    result "FAIL $name: making the input failed: $(cat "$R.make")"; return
  fi
  before=$(snapshot "$O")
  eval "set -- $cmd"
  set +e
  "$MWCLASS" "$@" > "$R.stdout" 2> "$err"
  rc=$?
  set -e
  if [ "$rc" -ne "$want" ]; then result "FAIL $name: exit $rc, expected $want: $(head -c 400 "$err")"; return; fi
  if [ "$msg" != "-" ] && ! grep -qF -- "$msg" "$err"; then
    result "FAIL $name: the message lacks '$msg': $(head -c 400 "$err")"; return
  fi
  if [ "$want" -ne 0 ]; then
    if [ "$(grep -cF -- "$where" "$err")" -ne 1 ]; then
      result "FAIL $name: not one message naming '$where': $(head -c 400 "$err")"; return
    fi
    if [ "$(grep -c 'error:' "$err")" -gt 1 ] || [ "$(wc -c < "$err")" -gt 4000 ]; then
      result "FAIL $name: more than one short message: $(head -c 400 "$err")"; return
    fi
    if [ "$(snapshot "$O")" != "$before" ]; then
      result "FAIL $name: the output directory changed: $(ls -a "$O" | tr '\n' ' ')"; return
    fi
  else
    if ls -a "$O" | grep -q 'tmp'; then result "FAIL $name: a temporary file is left: $(ls -a "$O")"; return; fi
    case "$where" in
      same) "$PY" "$SRC/tests/tools/compare_h5.py" "$PLAIN" "$OUT" > "$R.check" 2>&1 ||
              { result "FAIL $name: results differ from the plain input's: $(head -c 400 "$R.check")"; return; } ;;
      valid) check_valid_h5 "$OUT" > "$R.check" 2>&1 ||
               { result "FAIL $name: no valid results file: $(tail -n 1 "$R.check")"; return; } ;;
      csv) [ -s "$CSVOUT" ] || { result "FAIL $name: no table written"; return; } ;;
      *) result "FAIL $name: unknown check '$where' for an accepted case"; return ;;
    esac
  fi
  result "PASS $name"
  # What the user saw, for the table in docs/input-validation.md (HOSTILE_RECORD=FILE keeps it).
  seen=$(grep -m1 -F -- "$([ "$want" -ne 0 ] && echo "$where" || echo "${msg#-}")" "$err" || true)
  [ "$msg" = "-" ] && [ "$want" -eq 0 ] && seen=""
  seen=${seen//$W\//}
  printf '%s\t%s\t%s\n' "$name" "$rc" "${seen//$O\//}" > "$R.seen"
}

# The cases run four at a time (each mwclass start waits ~0.5 s in MPI_Init, not on the CPU).
names=()
while IFS=$'\t' read -r name kind make cmd want where msg; do
  case "$name" in "#"* | name | "") continue ;; esac
  names+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "${HOSTILE_JOBS:-4}" ]; do wait -n || true; done
  run_case "$name" "$kind" "$make" "$cmd" "$want" "$where" "$msg" &
done < "$TABLE"
wait

passed=0 failed=0
: > "$WORK/seen.tsv"
for n in "${names[@]}"; do
  line=$(cat "$WORK/cases/$n.result" 2>/dev/null || echo "FAIL $n: no result (the case crashed)")
  echo "$line"
  case "$line" in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
  [ ! -f "$WORK/cases/$n.seen" ] || cat "$WORK/cases/$n.seen" >> "$WORK/seen.tsv"
done
fail_case() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# The doc lists every case with the message seen here (and the table is not trivially small).
[ -z "${HOSTILE_RECORD:-}" ] || cp "$WORK/seen.tsv" "$HOSTILE_RECORD"
if [ "$failed" -eq 0 ] && ! "$PY" "$SRC/tests/cli/hostile_doc_table.py" "$WORK/seen.tsv"; then
  fail_case "docs" "docs/input-validation.md does not list every case with its message (diff above)"
fi
[ "${#names[@]}" -ge 40 ] || fail_case "table" "only ${#names[@]} cases"
echo "$passed of ${#names[@]} cases passed, $failed failure(s)"
[ "$failed" -eq 0 ]
