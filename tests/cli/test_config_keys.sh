#!/usr/bin/env bash
# `mwclass config --keys` lists every key; `--set section.key=value` on a
# compute command gives the same result as the key in a config file, and a
# bad --set is one clear message with exit 2.
source "$(dirname "$0")/../tools/common.sh"
have_h5py || skip "/usr/bin/python3 has no h5py (apt-get install python3-h5py)"
"$MWCLASS" config --keys > "$WORK/keys.txt"
grep -q '^classifier.forest.n_trees  *integer  *100 ' "$WORK/keys.txt"
grep -q '^reddening.bin_width .*\[> 0, mag\]' "$WORK/keys.txt"
"$MWCLASS" config --set classifier.forest.n_trees=7 > "$WORK/set.toml"
grep -q '^ *n_trees = 7$' "$WORK/set.toml"
CFG=$(fast_config)   # n_trees = 20 in a file
"$MWCLASS" simulate --n-td 800 --n-field 40 --seed 5 --out-td "$WORK/td.csv" --out-field "$WORK/f.csv"
common=(classify --td "$WORK/td.csv" --field "$WORK/f.csv" --mc 2 --quiet)
"$MWCLASS" "${common[@]}" --config "$CFG" --out "$WORK/file.h5"
"$MWCLASS" "${common[@]}" --set classifier.forest.n_trees=20 --out "$WORK/set.h5"
"$PY" "$SRC/tests/tools/compare_h5.py" "$WORK/file.h5" "$WORK/set.h5"
set +e
"$MWCLASS" "${common[@]}" --set classifier.forest.n_tree=20 --out "$WORK/bad.h5" 2> "$WORK/err.txt"; code=$?
set -e
[ "$code" = 2 ] || { echo "FAIL: bad --set exit $code"; cat "$WORK/err.txt"; exit 1; }
grep -q "unknown key" "$WORK/err.txt"
[ ! -e "$WORK/bad.h5" ] || { echo "FAIL: output written after a bad --set"; exit 1; }
echo "PASS"
