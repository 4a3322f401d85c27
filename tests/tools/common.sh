# Shared setup of the shell tests: paths, a scratch directory, a small fast config.
set -euo pipefail
: "${MWCLASS:?run through ctest (MWCLASS is the path of the executable)}"
SRC="${MWCLASS_SOURCE_DIR}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mwclass-$(basename "$0" .sh)-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
PY=/usr/bin/python3

skip() { echo "SKIP: $*"; exit 77; }
have_h5py() { "$PY" -c "import h5py" 2>/dev/null; }

# A config identical to the default but with a 20-tree forest, for fast tests.
fast_config() {
  sed 's/^n_trees = 100/n_trees = 20/' "$SRC/configs/muwclass_cscv2.toml" > "$WORK/fast.toml"
  grep -q '^n_trees = 20' "$WORK/fast.toml"
  echo "$WORK/fast.toml"
}

mpirun_n() {
  local n=$1; shift
  "${MPIEXEC:-mpirun}" --oversubscribe -np "$n" "$@"
}

# expect_error PATTERN command...: the command exits 2 with exactly one error
# message, which matches the (basic) regular expression PATTERN.
expect_error() {
  local want=$1; shift
  set +e
  "$@" > "$WORK/err.out" 2> "$WORK/err.txt"
  local rc=$?
  set -e
  if [ $rc -ne 2 ]; then echo "FAIL: exit $rc (want 2): $*"; cat "$WORK/err.txt"; exit 1; fi
  if ! grep -q -- "$want" "$WORK/err.txt"; then
    echo "FAIL: message lacks '$want': $*"; cat "$WORK/err.txt"; exit 1
  fi
  [ "$(grep -c 'error' "$WORK/err.txt")" -eq 1 ] || { echo "FAIL: not one message"; cat "$WORK/err.txt"; exit 1; }
}
