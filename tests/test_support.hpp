#pragma once
// Helpers shared by unit tests: where the reference data lives, and a
// scratch directory per test.
#include <cstdio>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

namespace mwclass::testing {

// Path of a file in ../shared/data, or "" (with a printed reason) when absent.
inline std::string shared_data(const std::string& name) {
  const std::filesystem::path p = std::filesystem::path(MWCLASS_SHARED_DATA) / name;
  if (!std::filesystem::exists(p)) {
    std::printf("SKIP: reference file %s is absent (expected beside the repository in ../shared/data)\n",
                p.c_str());
    return "";
  }
  return p.string();
}

// A purely relative tolerance. doctest::Approx alone adds an absolute term of
// epsilon x 1, which makes it meaningless for fluxes (~1e-14) or cross-sections.
inline doctest::Approx rel(double value, double epsilon = 1e-12) {
  return doctest::Approx(value).epsilon(epsilon).scale(0);
}

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("mwclass-test-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace mwclass::testing
