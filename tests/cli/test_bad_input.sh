#!/usr/bin/env bash
# Every bad input ends with exit code 2, one clear message naming the file,
# row/line and column (or option), and no result file.
source "$(dirname "$0")/../tools/common.sh"
CFG=$(fast_config)
"$MWCLASS" simulate --n-td 900 --n-field 30 --seed 3 --out-td "$WORK/td.csv" --out-field "$WORK/field.csv" > /dev/null

failures=0
# expect_failure NAME PATTERN -- mwclass arguments...
expect_failure() {
  local name=$1 pattern=$2; shift 3
  rm -f "$WORK/out.h5"
  set +e
  "$MWCLASS" "$@" > "$WORK/stdout" 2> "$WORK/stderr"
  local code=$?
  set -e
  local msg; msg=$(cat "$WORK/stderr" "$WORK/stdout")
  if [ "$code" -ne 2 ]; then
    echo "FAIL [$name]: exit code $code (expected 2); output: $msg"; failures=$((failures + 1)); return
  fi
  if ! grep -qE -- "$pattern" <<< "$msg"; then
    echo "FAIL [$name]: message does not match /$pattern/: $msg"; failures=$((failures + 1)); return
  fi
  if [ -e "$WORK/out.h5" ] || ls "$WORK"/out.h5.* > /dev/null 2>&1; then
    echo "FAIL [$name]: an output file was left behind"; failures=$((failures + 1)); return
  fi
  echo "ok   [$name]: $(head -n1 <<< "$msg")"
}
classify() { echo classify --config "$CFG" --mc 1 --quiet --out "$WORK/out.h5" "$@"; }

# edit_csv IN OUT PYTHON: apply a python statement to `rows` (list of dicts) / `header`.
edit_csv() {
  python3 - "$1" "$2" "$3" <<'PYEOF'
import csv, sys
src, dst, code = sys.argv[1:]
with open(src) as f:
    r = csv.DictReader(f); header = list(r.fieldnames); rows = list(r)
exec(code)
with open(dst, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=header, lineterminator="\n"); w.writeheader(); w.writerows(rows)
PYEOF
}

expect_failure "missing file" "td.*(does not exist|no such file).*nope.csv|nope.csv.*(does not exist|no such file)" -- \
  $(classify --td "$WORK/nope.csv" --field "$WORK/field.csv")

edit_csv "$WORK/td.csv" "$WORK/nocol.csv" "header.remove('e_Fh'); [r.pop('e_Fh') for r in rows]"
expect_failure "missing column" "nocol.csv: missing required column 'e_Fh'" -- \
  $(classify --td "$WORK/nocol.csv" --field "$WORK/field.csv")

edit_csv "$WORK/field.csv" "$WORK/text.csv" "rows[2]['Fm'] = 'bright'"
expect_failure "non-numeric cell" "text.csv: line 4 \(data row 3\), column 'Fm': 'bright' is not a number" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/text.csv")

edit_csv "$WORK/td.csv" "$WORK/nan.csv" "rows[6]['Gmag'] = 'nan'"
expect_failure "NaN cell" "nan.csv: line 8 \(data row 7\), column 'Gmag': non-finite value 'nan'" -- \
  $(classify --td "$WORK/nan.csv" --field "$WORK/field.csv")

edit_csv "$WORK/field.csv" "$WORK/inf.csv" "rows[0]['W1mag'] = 'inf'"
expect_failure "inf cell" "inf.csv: line 2 \(data row 1\), column 'W1mag': non-finite value 'inf'" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/inf.csv")

edit_csv "$WORK/td.csv" "$WORK/negerr.csv" "rows[9]['e_Fs'] = '-1e-15'"
expect_failure "negative uncertainty" "negerr.csv: line 11 \(data row 10\), column 'e_Fs': negative uncertainty" -- \
  $(classify --td "$WORK/negerr.csv" --field "$WORK/field.csv")

edit_csv "$WORK/td.csv" "$WORK/label.csv" "rows[4]['True_Class'] = 'QSO'"
expect_failure "unknown class" "label.csv: line 6 \(data row 5\), column 'True_Class': unknown class 'QSO'" -- \
  $(classify --td "$WORK/label.csv" --field "$WORK/field.csv")

edit_csv "$WORK/td.csv" "$WORK/few.csv" "
keep = []; n = 0
for r in rows:
    if r['True_Class'] == 'HMXB':
        n += 1
        if n > 3: continue
    keep.append(r)
rows = keep"
expect_failure "class too small for SMOTE" "few.csv: class 'HMXB' has 3 member\(s\); SMOTE with k = 4 needs at least 5" -- \
  $(classify --td "$WORK/few.csv" --field "$WORK/field.csv")

head -n 1 "$WORK/field.csv" > "$WORK/empty.csv"
expect_failure "empty field catalog" "empty.csv: the catalog has a header but no sources" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/empty.csv")

expect_failure "unwritable output" "/nonexistent-dir/out.h5" -- \
  classify --config "$CFG" --mc 1 --quiet --td "$WORK/td.csv" --field "$WORK/field.csv" --out /nonexistent-dir/out.h5

edit_csv "$WORK/field.csv" "$WORK/noebv.csv" "header.remove('ebv'); [r.pop('ebv') for r in rows]"
expect_failure "no E(B-V) with reddening on" "noebv.csv: source .* has no E\(B-V\).*--ebv VALUE.*--no-reddening" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/noebv.csv")

expect_failure "bad option value" "--mc must be >= 0" -- \
  classify --config "$CFG" --mc -3 --td "$WORK/td.csv" --field "$WORK/field.csv" --out "$WORK/out.h5"

printf '[monte_carlo]\niteratons = 3\n' > "$WORK/typo.toml"
expect_failure "config typo" "typo.toml: \[monte_carlo\] iteratons: unknown key" -- \
  classify --config "$WORK/typo.toml" --td "$WORK/td.csv" --field "$WORK/field.csv" --out "$WORK/out.h5"

# Issue 17's five findings: what cannot be right is refused, a mere convention accepted.
edit_csv "$WORK/field.csv" "$WORK/pintra.csv" "rows[2]['P_intra'] = '1.7'"
expect_failure "probability above 1" "pintra.csv: line 4 .*column 'P_intra': 1.7 is outside \[0, 1\]" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/pintra.csv")
edit_csv "$WORK/field.csv" "$WORK/mag99.csv" "rows[0]['Gmag'] = '-99'; rows[0]['e_Gmag'] = '0.1'"
expect_failure "sentinel magnitude" "mag99.csv: line 2 .*column 'Gmag': magnitude -99 is a 'no data' code" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/mag99.csv")
edit_csv "$WORK/field.csv" "$WORK/flux300.csv" "rows[1]['Fs'] = '1e300'"
expect_failure "impossible flux" "flux300.csv: line 3 .*column 'Fs': X-ray flux 1e\+300 .* brighter than any X-ray source" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/flux300.csv")
edit_csv "$WORK/field.csv" "$WORK/zeroerr.csv" "rows[0]['e_Fm'] = '0'"
expect_failure "zero uncertainty" "zeroerr.csv: line 2 .*column 'e_Fm': uncertainty 0 beside a measured value" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/zeroerr.csv")
edit_csv "$WORK/td.csv" "$WORK/dupname.csv" "rows[5]['CSCv2_name'] = rows[2]['CSCv2_name']"
expect_failure "duplicate training source" "dupname.csv: line 7: source '.*' is already in the training set at line 4" -- \
  $(classify --td "$WORK/dupname.csv" --field "$WORK/field.csv")
python3 - "$WORK/field.csv" "$WORK/dupcol.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
open(sys.argv[2], "w").write("\n".join([lines[0] + ",Fs"] + [l + ",1e-14" for l in lines[1:]]) + "\n")
PYEOF
expect_failure "duplicate column" "dupcol.csv: column 'Fs' appears twice \(columns [0-9]+ and [0-9]+\)" -- \
  $(classify --td "$WORK/td.csv" --field "$WORK/dupcol.csv")
python3 - "$WORK/field.csv" "$WORK/nul.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
lines[3] = lines[3][:5] + "\0" + lines[3][5:]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PYEOF
expect_failure "NUL byte" "nul.csv, line 4: NUL byte" -- $(classify --td "$WORK/td.csv" --field "$WORK/nul.csv")
# A byte-order mark and CRLF line ends are a convention: the same result as the plain file.
python3 - "$WORK/field.csv" "$WORK/bom.csv" <<'PYEOF'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w", newline="").write("\ufeff" + text.replace("\n", "\r\n"))
PYEOF
"$MWCLASS" classify --config "$CFG" --mc 1 --quiet --td "$WORK/td.csv" --field "$WORK/field.csv" --out "$WORK/plain.h5"
"$MWCLASS" classify --config "$CFG" --mc 1 --quiet --td "$WORK/td.csv" --field "$WORK/bom.csv" --out "$WORK/bom.h5"
if "$PY" -c "import h5py" 2>/dev/null; then
  "$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/plain.h5" "$WORK/bom.h5" > /dev/null ||
    { echo "FAIL [BOM + CRLF]: results differ from the plain file"; failures=$((failures + 1)); }
  echo "ok   [BOM + CRLF]: same results as the plain file"
fi

# The same errors under MPI: every rank exits, rank 0 prints once.
set +e
"${MPIEXEC:-mpirun}" --oversubscribe -np 2 "$MWCLASS" $(classify --td "$WORK/label.csv" --field "$WORK/field.csv") > "$WORK/mpi.out" 2>&1
code=$?
set -e
n=$(grep -c "unknown class 'QSO'" "$WORK/mpi.out" || true)
if [ "$code" -eq 0 ] || [ "$n" -ne 1 ]; then
  echo "FAIL [mpi bad input]: exit $code, message printed $n times"; cat "$WORK/mpi.out"; failures=$((failures + 1))
else
  echo "ok   [mpi bad input]: exit $code, one message"
fi

# A good run still works (the checks above are not failing for a broken setup).
"$MWCLASS" $(classify --td "$WORK/td.csv" --field "$WORK/field.csv") 
[ -s "$WORK/out.h5" ] || { echo "FAIL: good input gave no output"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
