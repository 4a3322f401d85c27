#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/sampling/monte_carlo.hpp"
#include "../../test_support.hpp"

using mwclass::testing::rel;

using namespace mwclass;

namespace {
catalog::Catalog one_source() {
  catalog::Catalog c;
  c.names = {"src"};
  c.ra = {1};
  c.dec = {2};
  c.ebv = {0.1};
  c.xray_flux.resize(1, 2);
  c.xray_error.resize(1, 2);
  c.xray_flux << 1e-14, 2e-15;
  c.xray_error << 2e-15, 4e-15;  // second band: error larger than the flux
  c.mag.resize(1, 3);
  c.mag_error.resize(1, 3);
  c.mag << 15.0, 12.0, kMissing;
  c.mag_error << 0.1, kMissing, kMissing;  // second: an upper limit without error
  c.variability.resize(1, 1);
  c.variability << 0.7;
  return c;
}
}  // namespace

TEST_CASE("MC draws: mean, spread scaled by sqrt 2, positive fluxes, limits become missing") {
  const auto c = one_source();
  const double scale = std::sqrt(2.0);
  sampling::Measurements out = sampling::observed(c);
  const int n = 100000;
  double s0 = 0, s0sq = 0, m0 = 0, m0sq = 0;
  int nonpositive = 0;
  for (int i = 0; i < n; ++i) {
    rng::Stream st(3, rng::Purpose::FieldSample, {0, static_cast<std::uint64_t>(i)});
    sampling::sample_row(c, 0, scale, st, out, 0);
    s0 += out.xray_flux(0, 0);
    s0sq += out.xray_flux(0, 0) * out.xray_flux(0, 0);
    if (out.xray_flux(0, 1) <= 0) ++nonpositive;
    m0 += out.mag(0, 0);
    m0sq += out.mag(0, 0) * out.mag(0, 0);
    REQUIRE(std::isnan(out.mag(0, 1)));   // magnitude without an error
    REQUIRE(std::isnan(out.mag(0, 2)));   // missing stays missing
    REQUIRE(out.variability(0, 0) == 0.7);  // not sampled
  }
  const double mean = s0 / n, sd = std::sqrt(s0sq / n - mean * mean);
  CHECK(mean == rel(1e-14, 0.003));   // truncation at 0 is 3.5 sigma away
  CHECK(sd == rel(scale * 2e-15, 0.01));
  CHECK(nonpositive == 0);
  const double mm = m0 / n, msd = std::sqrt(m0sq / n - mm * mm);
  CHECK(mm == rel(15.0, 1e-4));
  CHECK(msd == rel(scale * 0.1, 0.01));
}

TEST_CASE("the deterministic pass keeps magnitudes without errors") {
  const auto c = one_source();
  const auto m = sampling::observed(c);
  CHECK(m.mag(0, 1) == 12.0);
  CHECK(m.xray_flux(0, 1) == 2e-15);
}
