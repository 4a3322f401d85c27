#include <doctest/doctest.h>

#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/binning.hpp"

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
