#!/usr/bin/env bash
# No header or source of a lower module includes a higher module's header
# (module order in check_includes.py and README "Layout"); the check itself
# must catch a planted violation.
source "$(dirname "$0")/../tools/common.sh"
python3 "$SRC/tests/structure/check_includes.py" "$SRC"
mkdir -p "$WORK/tree/src/core" "$WORK/tree/src/output" "$WORK/tree/include/mwclass/core"
echo '#include "mwclass/output/hdf5_results.hpp"' > "$WORK/tree/include/mwclass/core/bad.hpp"
if python3 "$SRC/tests/structure/check_includes.py" "$WORK/tree" > "$WORK/planted.txt"; then
  echo "FAIL: a planted core -> output include was not reported"; exit 1
fi
grep -q "module 'core' includes" "$WORK/planted.txt"
echo "PASS: planted violation reported"
