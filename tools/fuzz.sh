#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (-DMWCLASS_FUZZ=ON: libFuzzer + ASan +
# UBSan) in $FUZZ_BUILD_DIR (default build-fuzz) and runs each for SECONDS (default 60).
#   bash tools/fuzz.sh [SECONDS] [TARGET...]     targets: csv config detections fits (default all)
# Each run starts from the committed seeds (tests/fuzz/corpus/<target>, never modified) plus
# what earlier runs found ($FUZZ_BUILD_DIR/corpus/<target>); a crash leaves its input in
# $FUZZ_BUILD_DIR/crashes/<target>/ and makes the script exit 1 after all targets ran.
# To turn a crash into a regression test, copy the input to tests/fuzz/regressions/<target>/
# (ctest fuzz.<target> replays it in every build), then fix the reader.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv config detections fits)
dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}

echo "== building the fuzz targets in $dir (clang)"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DMWCLASS_FUZZ=ON > "$dir.configure.log" 2>&1 ||
  { cat "$dir.configure.log"; exit 1; }
cmake --build "$dir" -j "$jobs" --target "${targets[@]/#/fuzz_}"

# Leaks are findings too (libFuzzer's default); UBSan stops at the first report.
# allocator_may_return_null: CFITSIO sizes some callocs from header values and checks for NULL
# (MEMORY_ALLOCATION, which we report as an Error); ASan would abort on the request instead.
# A huge `new` in our code still fails: it throws std::bad_alloc, which is not an mwclass::Error.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$dir/corpus/$t" "$dir/crashes/$t"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$dir/crashes/$t/")
  [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
  # A FITS file is at least two 2880-byte blocks; the seeds are up to five.
  [ "$t" = fits ] && args+=(-max_len=16384)
  [ "$t" != fits ] && args+=(-max_len=8192)
  echo "== fuzz_$t for ${seconds}s"
  if ! "$dir/tests/fuzz/fuzz_$t" "${args[@]}" "$dir/corpus/$t" "tests/fuzz/corpus/$t" 2> "$dir/fuzz_$t.log"; then
    tail -n 60 "$dir/fuzz_$t.log"
    failed+=("$t")
  fi
  grep -E '^#[0-9]+.*(DONE|INITED)|^stat::' "$dir/fuzz_$t.log" | tail -n 8 || true
  echo "   corpus: $(ls "$dir/corpus/$t" | wc -l) new inputs; log $dir/fuzz_$t.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs in $dir/crashes/)"
  exit 1
fi
echo "fuzz: ${targets[*]} ran ${seconds}s each without a crash"
