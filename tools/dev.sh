#!/usr/bin/env bash
# One entry point for a fresh Debian machine (root, Debian's package registry):
#   bash tools/dev.sh demo   install what is missing, build, simulate catalogs and
#                            classify them with `mpirun -np 2 mwclass classify`
#   bash tools/dev.sh test   install what is missing, build, run the whole test suite
#   bash tools/dev.sh build  install what is missing and build only
# BUILD_DIR (default: build) and JOBS (default: nproc) can be set in the environment.
# `test` then builds and runs the suite again under ASan + UBSan (CMakePresets.json preset
# asan, in build-asan; docs/robustness.md); MWCLASS_SKIP_ASAN=1 skips that for local use.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

# xgboost (the command-line tool) is unused but needed: Debian's libxgboost-dev 1.7.4
# CMake config also imports /usr/bin/xgboost and fails find_package without it.
PACKAGES=(build-essential cmake pkg-config libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools
          libeigen3-dev libcli11-dev libfmt-dev doctest-dev libtomlplusplus-dev
          libxgboost-dev xgboost libboost-math-dev libhealpix-cxx-dev libnlopt-cxx-dev
          libcfitsio-dev python3-h5py python3-numpy python3-matplotlib python3-astropy)
PACKAGES+=(zlib1g-dev)  # the FITS header checks before CFITSIO opens a file (src/catalog/fits.cpp)
PACKAGES+=(wcslib-dev)  # dust maps: the SFD images' WCS (src/physics/dust_map.cpp)
PACKAGES+=(iproute2)    # two emulated nodes: ip netns (tests/mpi/test_two_nodes.sh, tests/slurm/test_slurm_two_nodes.sh)
# Fuzzing (tools/fuzz.sh, tests/fuzz): clang's libFuzzer and sanitizer runtimes, and clang's
# OpenMP (find_package(OpenMP) when the project is configured with clang).
PACKAGES+=(clang libclang-rt-14-dev libomp-14-dev)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  install_packages
  echo "== building in $BUILD_DIR"
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} > "$BUILD_DIR.configure.log" 2>&1 ||
    { cat "$BUILD_DIR.configure.log"; exit 1; }
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# Open MPI refuses to run as root unless told; tests oversubscribe the 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

case "${1:-}" in
  build) build ;;
  test)
    build
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${TEST_JOBS:-1}"
    if [ "${MWCLASS_SKIP_ASAN:-0}" != 1 ]; then
      echo "== the suite under ASan + UBSan (preset asan, build-asan; MWCLASS_SKIP_ASAN=1 skips)"
      cmake --preset asan > build-asan.configure.log 2>&1 || { cat build-asan.configure.log; exit 1; }
      cmake --build --preset asan -j "$JOBS"
      ctest --preset asan -j "${ASAN_TEST_JOBS:-2}"
    fi
    ;;
  demo)
    build
    mkdir -p out
    "$BUILD_DIR/mwclass" simulate --n-td 3000 --n-field 2000 --seed 1 \
      --out-td out/demo_td.csv --out-field out/demo_field.csv
    mpirun -np 2 "$BUILD_DIR/mwclass" classify --config configs/muwclass_cscv2.toml \
      --td out/demo_td.csv --field out/demo_field.csv --mc "${MC:-3}" --out out/demo_results.h5
    "$BUILD_DIR/mwclass" export out/demo_results.h5 --csv out/demo_results.csv
    echo "CSV export: out/demo_results.csv"
    ;;
  *)
    sed -n '2,9p' "$0"; exit 2 ;;
esac
