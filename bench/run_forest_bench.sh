#!/bin/bash
# Side-by-side benchmark of one MC iteration (issue 5): mwclass vs scikit-learn
# + imbalanced-learn, and the forest fit vs ranger, each pinned to one core,
# interleaved so that machine noise hits all sides alike.
#
#   bash bench/run_forest_bench.sh [BUILD_DIR] [ROUNDS] [LOOCV_STRIDE]
#     BUILD_DIR     build with -DMWCLASS_BUILD_BENCH=ON   (default build-perf)
#     ROUNDS        interleaved rounds (default 5); each side runs 1 iteration per round
#     LOOCV_STRIDE  LOOCV on every N-th TD source, M = 1 (default 20; 0 skips it)
# Env: TD (default ../shared/data/cscv2_td_yang2022.csv), CORE (default 0),
#      BINS (e.g. 64: also time mwclass's approximate binned mode, --max-bins BINS,
#      in the same rounds; its LOOCV too), SK_NEIGHBOURS (exact | imblearn: the
#      scikit-learn side's SMOTE neighbour search, bench/sklearn_iteration.py; default exact).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-perf}
ROUNDS=${2:-5}
STRIDE=${3:-20}
TD=${TD:-../shared/data/cscv2_td_yang2022.csv}
CORE=${CORE:-0}
BENCH=$BUILD/bench/bench_iteration
PY=/usr/bin/python3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
pin() { taskset -c "$CORE" "$@"; }

"$BENCH" --print-config > "$OUT/config.toml"
"$BENCH" --td "$TD" --repeats 1 --export-train "$OUT/train.csv" > /dev/null
have_ranger=0
Rscript -e 'library(ranger)' > /dev/null 2>&1 && have_ranger=1

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
NPROC=$(nproc --all)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $NPROC cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sklearn: $($PY -c 'import sklearn, imblearn; print(sklearn.__version__, "/ imblearn", imblearn.__version__)'); SMOTE neighbours ${SK_NEIGHBOURS:-exact}"
[ $have_ranger = 1 ] && echo "ranger:  $(Rscript -e 'cat(as.character(packageVersion("ranger")))')"
BINS=${BINS:-}
SKN="--smote-neighbours ${SK_NEIGHBOURS:-exact}"
for r in $(seq "$ROUNDS"); do
  pin "$BENCH" --td "$TD" --repeats 1 --seed $((20220923 + r)) | grep '^repeat' >> "$OUT/mw.txt"
  [ -n "$BINS" ] && pin "$BENCH" --td "$TD" --repeats 1 --seed $((20220923 + r)) --max-bins "$BINS" |
      grep '^repeat' >> "$OUT/mwb.txt"
  pin $PY bench/sklearn_iteration.py --td "$TD" --config "$OUT/config.toml" --repeats 1 \
      --seed $((20220923 + r)) $SKN | grep '^repeat' >> "$OUT/sk.txt"
  if [ $have_ranger = 1 ]; then
    pin Rscript bench/ranger_fit.R "$OUT/train.csv" 1 | grep '^repeat' >> "$OUT/rg.txt"
  fi
  echo "round $r/$ROUNDS done" >&2
done

# median of field $2 (by name) over the lines of file $1
med() { awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' "$1" | sort -g |
        awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
printf '\n%-20s %12s %12s %10s' "median over $ROUNDS [s]" mwclass sklearn "sk/mw"
[ -n "$BINS" ] && printf ' %12s %10s' "mw bins=$BINS" "sk/mw_bins"
echo
for s in sampling_features standardize smote fit predict total; do
  a=$(med "$OUT/mw.txt" $s); b=$(med "$OUT/sk.txt" $s)
  printf '%-20s %12.5f %12.5f %10.1f' "$s" "$a" "$b" "$(echo "$b / $a" | bc -l)"
  if [ -n "$BINS" ]; then
    c=$(med "$OUT/mwb.txt" $s)
    printf ' %12.5f %10.1f' "$c" "$(echo "$b / $c" | bc -l)"
  fi
  echo
done
mwt=$(echo "$(med "$OUT/mw.txt" fit) / 100" | bc -l)
skt=$(echo "$(med "$OUT/sk.txt" fit) / 100" | bc -l)
printf '\nper-tree fit [ms]:   mwclass %.3f   sklearn %.3f' "$(echo "$mwt * 1000" | bc -l)" "$(echo "$skt * 1000" | bc -l)"
if [ $have_ranger = 1 ]; then
  rgt=$(echo "$(med "$OUT/rg.txt" fit) / 100" | bc -l)
  printf '   ranger %.3f   ranger/mwclass %.1f' "$(echo "$rgt * 1000" | bc -l)" "$(echo "$rgt / $mwt" | bc -l)"
fi
echo
echo "per-iteration ratio sklearn/mwclass: $(printf '%.1f' "$(echo "$(med "$OUT/sk.txt" total) / $(med "$OUT/mw.txt" total)" | bc -l)")"
if [ -n "$BINS" ]; then
  mwbt=$(echo "$(med "$OUT/mwb.txt" fit) / 100" | bc -l)
  printf 'binned (max_bins %s): per-tree fit %.3f ms' "$BINS" "$(echo "$mwbt * 1000" | bc -l)"
  [ $have_ranger = 1 ] && printf ', ranger/mwclass %.1f' "$(echo "$rgt / $mwbt" | bc -l)"
  echo "; per-iteration ratio sklearn/mwclass $(printf '%.1f' "$(echo "$(med "$OUT/sk.txt" total) / $(med "$OUT/mwb.txt" total)" | bc -l)")"
fi

if [ "$STRIDE" -gt 0 ]; then
  echo
  echo "LOOCV on every ${STRIDE}th TD source, M = 1 (same steps):"
  pin "$BENCH" --td "$TD" --loocv-stride "$STRIDE" --loocv-m 1 > "$OUT/mw_loocv.txt"
  pin $PY bench/sklearn_iteration.py --td "$TD" --config "$OUT/config.toml" \
      --loocv-stride "$STRIDE" --loocv-m 1 $SKN > "$OUT/sk_loocv.txt"
  echo "  mwclass accuracy $(awk '/loocv_accuracy/ {print $2}' "$OUT/mw_loocv.txt") on $(awk '/loocv_sources/ {print $2}' "$OUT/mw_loocv.txt") sources"
  echo "  sklearn accuracy $(awk '/loocv_accuracy/ {print $2}' "$OUT/sk_loocv.txt") on $(awk '/loocv_sources/ {print $2}' "$OUT/sk_loocv.txt") sources"
  # predicted class of each source: field 4 of "loocv_source INDEX TRUE PREDICTED P..."
  agree() { awk 'NR == FNR {if ($1 == "loocv_source") p[$2] = $4; next}
                 $1 == "loocv_source" && ($2 in p) {n++; s += (p[$2] == $4)} END {printf "%d/%d", s, n}' "$1" "$2"; }
  echo "  agreement mwclass vs sklearn predicted class: $(agree "$OUT/mw_loocv.txt" "$OUT/sk_loocv.txt")"
  if [ -n "$BINS" ]; then
    pin "$BENCH" --td "$TD" --loocv-stride "$STRIDE" --loocv-m 1 --max-bins "$BINS" > "$OUT/mwb_loocv.txt"
    echo "  mwclass max_bins $BINS accuracy $(awk '/loocv_accuracy/ {print $2}' "$OUT/mwb_loocv.txt");" \
         "agreement with sklearn $(agree "$OUT/mwb_loocv.txt" "$OUT/sk_loocv.txt")," \
         "with exact mwclass $(agree "$OUT/mwb_loocv.txt" "$OUT/mw_loocv.txt")"
  fi
fi
