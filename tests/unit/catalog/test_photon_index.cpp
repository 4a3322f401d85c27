// [columns] photon_index / photon_index_error (physical oversampling, issue 19).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"

using namespace mwclass;
using namespace mwclass::catalog;

namespace {
// A simulated catalog with two more columns: row i gets `gamma(i)`, `error(i)` (text).
std::string with_gamma(const std::string& path, const Config& config, bool labelled,
                       std::string (*gamma)(std::size_t), std::string (*error)(std::size_t)) {
  SimulationParams p;
  p.n_sources = 20;
  p.seed = 3;
  p.labelled = labelled;
  write_catalog(path, simulate_catalog(config, p), config);
  std::ifstream in(path);
  std::string line, out;
  std::size_t row = 0;
  std::getline(in, line);
  out = line + ",Gamma,e_Gamma\n";
  while (std::getline(in, line)) {
    out += line + "," + gamma(row) + "," + error(row) + "\n";
    ++row;
  }
  std::ofstream(path) << out;
  return path;
}
std::string some_gamma(std::size_t i) { return i == 2 ? "" : std::to_string(1.5 + 0.1 * static_cast<double>(i)); }
std::string some_error(std::size_t i) { return i == 3 ? "" : "0.25"; }
std::string negative_error(std::size_t i) { return i == 5 ? "-0.1" : "0.2"; }
}  // namespace

TEST_CASE("catalog: the photon index columns are read when configured, NaN for an empty cell") {
  Config config = Config::defaults();
  const auto dir = testing::scratch_dir("photon_index");
  const std::string td = with_gamma((dir / "td.csv").string(), config, true, some_gamma, some_error);
  CHECK(read_catalog(td, config, Role::Training).photon_index.empty());  // not configured: not read
  config.columns.photon_index = "Gamma";
  config.columns.photon_index_error = "e_Gamma";
  const Catalog c = read_catalog(td, config, Role::Training);
  REQUIRE(c.photon_index.size() == 20);
  CHECK(c.photon_index[0] == doctest::Approx(1.5));
  CHECK(c.photon_index[4] == doctest::Approx(1.9));
  CHECK(std::isnan(c.photon_index[2]));
  CHECK(c.photon_index_error[0] == 0.25);
  CHECK(std::isnan(c.photon_index_error[3]));
  const Catalog sub = c.subset({4, 0});
  CHECK(sub.photon_index[0] == doctest::Approx(1.9));
  CHECK(sub.photon_index_error[1] == 0.25);

  const std::string bad = with_gamma((dir / "bad.csv").string(), config, true, some_gamma, negative_error);
  CHECK_THROWS_WITH_AS(read_catalog(bad, config, Role::Training), doctest::Contains("negative photon index error"), Error);

  // A training set must have a configured column; a field need not.
  SimulationParams p;
  p.n_sources = 10;
  p.labelled = false;
  const std::string field = (dir / "field.csv").string();
  write_catalog(field, simulate_catalog(config, p), config);
  CHECK(read_catalog(field, config, Role::Field).photon_index.empty());
  p.labelled = true;
  write_catalog(field, simulate_catalog(config, p), config);
  CHECK_THROWS_WITH_AS(read_catalog(field, config, Role::Training), doctest::Contains("[columns] photon_index"), Error);
}
