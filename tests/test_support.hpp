#pragma once
// Helpers shared by unit tests: where the reference data lives, and a
// scratch directory per test.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "mwclass/core/error.hpp"

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

// A whole file's bytes ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The names in a directory (to see that no temporary file was left behind).
inline std::vector<std::string> listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

// The message of the mwclass::Error that `f` throws ("" and a failed check if none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const mwclass::Error& e) {
    return e.what();
  }
  FAIL_CHECK("no mwclass::Error thrown");
  return "";
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace mwclass::testing
