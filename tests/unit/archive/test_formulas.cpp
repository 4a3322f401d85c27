// The formulas of issue 15 against numbers worked out by hand.
#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include "mwclass/archive/aggregate.hpp"
#include "mwclass/archive/crossmatch.hpp"
#include "../../test_support.hpp"

using namespace mwclass::archive;
using mwclass::testing::rel;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}

TEST_CASE("Fechner moments of mode 2, limits 1 and 4") {
  // s+ = 2, s- = 1: mean = 2 + sqrt(2/pi), var = (1 - 2/pi) + 2.
  const Moments m = fechner_moments(2, 1, 4);
  CHECK(m.mean == rel(2.7978845608028653));
  CHECK(m.sigma == rel(1.5373289262979535));
  // Symmetric limits: the mode itself, sigma = the half width.
  const Moments s = fechner_moments(3.982e-15, 1.327e-15, 6.637e-15);
  CHECK(s.mean == rel(3.982e-15));
  CHECK(s.sigma == rel(2.655e-15));
  CHECK_FALSE(fechner_moments(1, kNaN, 2).valid());
  CHECK_FALSE(fechner_moments(kNaN, 0, 2).valid());
}

TEST_CASE("inverse-variance mean") {
  // (1 +- 1), (3 +- 2): w = 1, 1/4 -> (1 + 3/4) / (5/4) = 1.4, sigma = sqrt(4/5).
  const Moments m = inverse_variance_mean({{1, 1}, {3, 2}, {kNaN, kNaN}});
  CHECK(m.mean == rel(1.4));
  CHECK(m.sigma == rel(std::sqrt(0.8)));
  const Moments one = inverse_variance_mean({{kNaN, 1}, {5, 0.5}});
  CHECK(one.mean == 5);
  CHECK(one.sigma == 0.5);
  CHECK_FALSE(inverse_variance_mean({{kNaN, kNaN}}).valid());
  CHECK_FALSE(inverse_variance_mean({}).valid());
}

TEST_CASE("null-band moments and broad band") {
  const Moments n = null_band_moments(1e-17);
  CHECK(n.mean == rel(7.978845608028655e-18));  // sqrt(2/pi) 1e-17
  CHECK(n.sigma == rel(6.028102749890869e-18));  // sqrt(1 - 2/pi) 1e-17
  const Moments b = broad_band({1, 3}, {2, 4}, {4, 12});
  CHECK(b.mean == 7);
  CHECK(b.sigma == rel(13));  // sqrt(9 + 16 + 144)
  CHECK_FALSE(broad_band({1, 3}, {kNaN, kNaN}, {4, 12}).valid());
}

TEST_CASE("P_inter test vector: chi2 = 5 with one degree of freedom -> 0.975") {
  // mean = (25 x 1 + 6.25 x 2) / 31.25 = 1.2e-14; chi2 = (0.2/0.2)^2 + (0.8/0.4)^2 = 5.
  int dof = 0;
  const double chi2 = constant_chi2({{1.0e-14, 0.2e-14}, {2.0e-14, 0.4e-14}}, dof);
  CHECK(dof == 1);
  CHECK(chi2 == rel(5.0));
  CHECK(chi2_cdf(chi2, dof) == rel(std::erf(std::sqrt(2.5))));  // P(1/2, x/2) = erf(sqrt(x/2))
  CHECK(round_decimals(chi2_cdf(chi2, dof), 3) == 0.975);
  // Two degrees of freedom: P(1, x/2) = 1 - exp(-x/2).
  CHECK(chi2_cdf(3.0, 2) == rel(1 - std::exp(-1.5)));
  CHECK(std::isnan(chi2_cdf(kNaN, 1)));
  constant_chi2({{1, 1}}, dof);
  CHECK(dof == 0);
  CHECK(std::isnan(chi2_cdf(constant_chi2({{1, 1}}, dof), dof)));
}

TEST_CASE("rounding like numpy") {
  CHECK(round_decimals(0.97465, 3) == 0.975);
  CHECK(round_decimals(0.9994, 3) == 0.999);
  CHECK(round_decimals(0.99951, 3) == 1.0);
}

TEST_CASE("XMM band conversion for a power law") {
  // Gamma = 1: F(E1..E2) ~ E2 - E1. s = 0.7/0.5, m = 0.8/1.0, h = 2-4.5 + 2.5/7.5 of 4.5-12.
  XmmBands x{{1, 0.1}, {2, 0.2}, {3, 0.3}, {6, 0.6}};
  Moments out[3];
  xmm_to_csc_bands(x, 1.0, out);
  CHECK(out[0].mean == rel(1.4));
  CHECK(out[0].sigma == rel(0.14));
  CHECK(out[1].mean == rel(1.6));
  CHECK(out[1].sigma == rel(0.16));
  CHECK(out[2].mean == rel(5.0));
  CHECK(out[2].sigma == rel(std::sqrt(0.09 + 0.04)));
  // Gamma = 2: ln(E2/E1).
  xmm_to_csc_bands(x, 2.0, out);
  CHECK(out[0].mean == rel(1.2630344058337937));  // ln 2.4 / ln 2
  CHECK(power_law_band_flux(1, 2, 2.0) == rel(std::log(2.0)));
  CHECK(power_law_band_flux(1, 2, 1.999999) == rel(std::log(2.0), 1e-5));
}

TEST_CASE("combined positional uncertainty X_PU") {
  CHECK(combined_pu(0.3, 0.4, kNaN, kNaN, kNaN) == rel(0.5));
  // sqrt(1 + 2^2 + (2 x 1000/1000)^2 + (2 x 2000/1000)^2) = sqrt(25).
  CHECK(combined_pu(1, 2, 1000, 2000, 0) == rel(5.0));
  CHECK(combined_pu(0.79, kNaN, kNaN, kNaN, kNaN) == rel(0.79));
  // epsi in mas, doubled.
  CHECK(combined_pu(0, 0, 0, 0, 1500) == rel(3.0));
}

TEST_CASE("match flags") {
  CHECK(match_flag(0.5, kNaN, 1, 1.5) == 0);
  CHECK(match_flag(0.5, 1.4, 1, 1.5) == 2);
  CHECK(match_flag(0.5, 1.5, 1, 1.5) == 2);   // within = <=
  CHECK(match_flag(0.5, 1.6, 1, 1.5) == 0);
  CHECK(match_flag(1.0, kNaN, 1, 1.5) == 0);  // r <= X_PU
  CHECK(match_flag(1.2, 1.3, 1, 1.5) == -4);
  CHECK(match_flag(1.5, kNaN, 1, 1.5) == -4);
  CHECK(match_flag(1.6, 1.7, 1, 1.5) == -8);
  CHECK(match_flag(kNaN, kNaN, 1, 1.5) == -8);
}

TEST_CASE("unWISE magnitudes") {
  const Moments w1 = unwise_magnitude(1000, 10, 22.5, 0.004);
  CHECK(w1.mean == rel(14.996));              // 22.5 - 7.5 - 0.004
  CHECK(w1.sigma == rel(0.010857362047581294));  // 2.5 / ln 10 x 0.01
  CHECK(unwise_magnitude(100, 1, 22.5, 0.032).mean == rel(17.468));
  CHECK_FALSE(unwise_magnitude(0, 1, 22.5, 0.004).valid());
  CHECK_FALSE(unwise_magnitude(-5, 1, 22.5, 0.004).valid());
}

TEST_CASE("great-circle separations") {
  CHECK(angular_separation_arcsec(10, 0, 10, 1) == rel(3600.0));
  CHECK(angular_separation_arcsec(0, 0, 90, 0) == rel(90.0 * 3600));
  CHECK(angular_separation_arcsec(0, 89.9999, 180, 89.9999) == rel(0.72, 1e-9));  // over the pole
  CHECK(angular_separation_arcsec(359.9999, 0, 0.0001, 0) == rel(0.72, 1e-9));    // across RA 0
  CHECK(angular_separation_arcsec(123.4, -45.6, 123.4, -45.6) == 0);
}
