#include <doctest/doctest.h>

#include "mwclass/core/error.hpp"
#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/ensemble/binning.hpp"

#include <algorithm>
#include <cmath>

using namespace mwclass;

namespace {
catalog::Catalog field_with(std::vector<double> ebv) {
  catalog::Catalog c;
  c.path = "field.csv";
  for (std::size_t i = 0; i < ebv.size(); ++i) c.names.push_back("s" + std::to_string(i));
  c.ebv = std::move(ebv);
  return c;
}
}  // namespace

TEST_CASE("sources are binned by floor(E(B-V) / 0.025), bin value = mean E(B-V)") {
  const Config config = Config::defaults();
  const auto field = field_with({0.3, 0.01, 0.024, 0.31, 0.025, 1.0});
  const auto bins = ensemble::make_bins(field, config);
  REQUIRE(bins.size() == 4);
  CHECK(bins[0].id == 0);
  CHECK(bins[0].rows == std::vector<std::uint64_t>{1, 2});
  CHECK(bins[0].ebv == doctest::Approx(0.017));
  CHECK(bins[1].id == 1);  // 0.025 is the lower edge of bin 1
  CHECK(bins[2].id == 12); // 0.3 / 0.025 is 11.999999999999998 in floating point
  CHECK(bins[2].rows == std::vector<std::uint64_t>{0, 3});
  CHECK(bins[2].ebv == doctest::Approx(0.305));
  CHECK(bins[3].id == 40);
}

TEST_CASE("without reddening all sources form one bin at E(B-V) = 0") {
  Config config = Config::defaults();
  config.reddening.enabled = false;
  auto field = field_with({kMissing, 0.5});
  CHECK_NOTHROW(ensemble::resolve_field_ebv(field, config, {}));
  const auto bins = ensemble::make_bins(field, config);
  REQUIRE(bins.size() == 1);
  CHECK(bins[0].ebv == 0.0);
  CHECK(bins[0].rows.size() == 2);
}

TEST_CASE("missing E(B-V) with reddening on is an error unless --ebv is given") {
  const Config config = Config::defaults();
  auto field = field_with({0.1, kMissing});
  CHECK_THROWS_WITH_AS(ensemble::resolve_field_ebv(field, config, {}),
                       doctest::Contains("source 's1' (data row 2) has no E(B-V)"), Error);
  ensemble::resolve_field_ebv(field, config, {0.2});
  CHECK(field.ebv == std::vector<double>{0.2, 0.2});
  CHECK_THROWS_AS(ensemble::resolve_field_ebv(field, config, {-0.1}), Error);
}

// ------------------------------------------------------- adaptive bins (issue 18) --

namespace {

catalog::Catalog simulated_training(const Config& config) {
  catalog::SimulationParams p;
  p.n_sources = 600;
  p.seed = 5;
  return catalog::simulate_catalog(config, p);
}

// Sources spread over E(B-V) 0-40, denser at low E(B-V) (a cell every ~0.05 mag).
catalog::Catalog spread_field() {
  std::vector<double> ebv;
  for (int i = 0; i < 800; ++i) ebv.push_back(40.0 * std::pow(i / 800.0, 2.0));
  return field_with(ebv);
}

Config adaptive(double tau) {
  Config c = Config::defaults();
  c.reddening.binning = "adaptive";
  c.reddening.adaptive_tolerance = tau;
  return c;
}

}  // namespace

TEST_CASE("adaptive bins: monotone edges on bin_width cells, every source in exactly one bin within its edges") {
  const Config config = adaptive(0.5);
  const auto td = simulated_training(config);
  const auto field = spread_field();
  const auto bins = ensemble::make_bins(field, config, &td);
  const auto fixed = ensemble::make_bins(field, Config::defaults());
  MESSAGE(bins.size(), " adaptive bins, ", fixed.size(), " fixed");
  REQUIRE(bins.size() > 3);
  CHECK(bins.size() < fixed.size() / 2);
  std::vector<int> seen(field.size(), 0);
  for (std::size_t b = 0; b < bins.size(); ++b) {
    const auto& bin = bins[b];
    CHECK(bin.ebv_lo == doctest::Approx(bin.id * 0.025));
    CHECK(bin.ebv_hi > bin.ebv_lo);
    if (b > 0) CHECK(bin.ebv_lo >= bins[b - 1].ebv_hi - 1e-12);
    double sum = 0;
    for (auto r : bin.rows) {
      ++seen[r];
      CHECK(field.ebv[r] >= bin.ebv_lo - 1e-9);
      CHECK(field.ebv[r] < bin.ebv_hi + 1e-9);
      sum += field.ebv[r];
    }
    CHECK(bin.ebv == doctest::Approx(sum / static_cast<double>(bin.rows.size())));
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}

TEST_CASE("adaptive bins: the tolerance holds inside every bin and adding the next cell would break it") {
  const double tau = 0.5;
  const Config config = adaptive(tau);
  const auto td = simulated_training(config);
  const auto field = spread_field();
  const auto bins = ensemble::make_bins(field, config, &td);
  const ensemble::AdaptiveCriterion criterion(td, config);
  CHECK(criterion.reddened_sources() > 100);
  for (std::size_t b = 0; b < bins.size(); ++b) {
    CHECK(criterion.statistic(bins[b].ebv_lo, bins[b].ebv_hi) <= tau);
    if (b + 1 < bins.size()) {
      const int next_cell = ensemble::ebv_cell(field.ebv[bins[b + 1].rows.front()], 0.025);
      CHECK(criterion.statistic(bins[b].ebv_lo, (next_cell + 1) * 0.025) > tau);
    }
  }
  // The statistic grows with the bin and vanishes for an empty one.
  CHECK(criterion.statistic(1.0, 1.0) == 0.0);
  CHECK(criterion.statistic(1.0, 1.1) <= criterion.statistic(1.0, 1.5));
  // At high E(B-V) the reddened AGN hardly change any more: wider bins there.
  CHECK(bins.back().ebv_hi - bins.back().ebv_lo > 10 * (bins.front().ebv_hi - bins.front().ebv_lo));
}

TEST_CASE("adaptive bins: a tiny tolerance gives the fixed bins; a larger one fewer; the edges ignore the seed") {
  const auto field = spread_field();
  Config config = adaptive(1e-6);
  const auto td = simulated_training(config);
  const auto fixed = ensemble::make_bins(field, Config::defaults());
  const auto tiny = ensemble::make_bins(field, config, &td);
  REQUIRE(tiny.size() == fixed.size());
  for (std::size_t b = 0; b < fixed.size(); ++b) {
    CHECK(tiny[b].id == fixed[b].id);
    CHECK(tiny[b].rows == fixed[b].rows);
    CHECK(tiny[b].ebv == fixed[b].ebv);
  }
  config.reddening.adaptive_tolerance = 0.25;
  const auto quarter = ensemble::make_bins(field, config, &td);
  config.reddening.adaptive_tolerance = 1.0;
  const auto one = ensemble::make_bins(field, config, &td);
  CHECK(one.size() < quarter.size());
  config.seed = 999;
  const auto other_seed = ensemble::make_bins(field, config, &td);
  REQUIRE(other_seed.size() == one.size());
  for (std::size_t b = 0; b < one.size(); ++b) CHECK(other_seed[b].rows == one[b].rows);
  CHECK_THROWS_WITH_AS(ensemble::make_bins(field, config), doctest::Contains("needs the training catalog"), Error);
}

TEST_CASE("fixed bins carry their edges; describe_bin_edges gives the same edges from a result") {
  const Config config = Config::defaults();
  const auto field = field_with({0.3, 0.01, 0.024, 0.31, 0.025, 1.0});
  const auto bins = ensemble::make_bins(field, config);
  ensemble::ClassificationResult result;
  result.ebv = field.ebv;
  result.item_of_source.assign(field.size(), 0);
  for (const auto& b : bins) {
    CHECK(b.ebv_lo == doctest::Approx(b.id * 0.025));
    CHECK(b.ebv_hi == doctest::Approx((b.id + 1) * 0.025));
    result.items.push_back(b.id);
    for (auto r : b.rows) result.item_of_source[r] = b.id;
  }
  ensemble::describe_bin_edges(result, config);
  REQUIRE(result.item_ebv_lo.size() == bins.size());
  for (std::size_t b = 0; b < bins.size(); ++b) {
    CHECK(result.item_ebv_lo[b] == doctest::Approx(bins[b].ebv_lo));
    CHECK(result.item_ebv_hi[b] == doctest::Approx(bins[b].ebv_hi));
  }
}
