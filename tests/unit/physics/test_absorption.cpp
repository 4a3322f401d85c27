#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/physics/reddening.hpp"
#include "../../test_support.hpp"

using namespace mwclass::physics;

TEST_CASE("MM83 cross-section at 1 keV") {
  // (120.6 + 169.3 + -47.7) / 1 x 1e-24 = 2.422e-22 cm^2
  const CrossSection mm = CrossSection::morrison_mccammon_1983();
  CHECK(mm(1.0) == mwclass::testing::rel(2.422e-22, 1e-9));
  // 3 keV: (342.7 + 18.7*3) / 27 x 1e-24
  CHECK(mm(3.0) == mwclass::testing::rel((342.7 + 56.1) / 27.0 * 1e-24, 1e-9));
}

TEST_CASE("no absorption without a column; more column, less flux; harder bands lose less") {
  const CrossSection mm = CrossSection::morrison_mccammon_1983();
  CHECK(band_absorption_factor(mm, 0, 2, 0.5, 1.2) == 1.0);
  const double s1 = band_absorption_factor(mm, 1e21, 2, 0.5, 1.2);
  const double s2 = band_absorption_factor(mm, 1e22, 2, 0.5, 1.2);
  const double h1 = band_absorption_factor(mm, 1e21, 2, 2.0, 7.0);
  CHECK(s1 < 1.0);
  CHECK(s2 < s1);
  CHECK(h1 > s1);
  CHECK(h1 < 1.0);
}

TEST_CASE("soft-band absorption at N_H = 1e21 with Gamma = 2") {
  // Hand check for MM83: the integral of E^-1 exp(-N_H sigma) over 0.5-1.2 keV,
  // by a crude independent midpoint rule on 200000 linear steps.
  const CrossSection mm = CrossSection::morrison_mccammon_1983();
  double num = 0, den = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double e = 0.5 + (i + 0.5) * 0.7 / n;
    num += std::exp(-1e21 * mm(e)) / e;
    den += 1.0 / e;
  }
  const double mm_factor = band_absorption_factor(mm, 1e21, 2.0, 0.5, 1.2);
  CHECK(mm_factor == mwclass::testing::rel(num / den, 1e-4));
  MESSAGE("MM83 soft-band factor at N_H = 1e21 cm^-2, Gamma = 2: " << mm_factor);
  CHECK(mm_factor == mwclass::testing::rel(0.6457, 1e-3));  // recorded value (docs/validation.md)

  const std::string table = mwclass::testing::shared_data("tbabs_wilms2000.txt");
  if (table.empty()) return;
  const CrossSection wilms = CrossSection::from_table_file(table);
  CHECK(wilms(1.0) == mwclass::testing::rel(2.52e-22, 0.01));  // units: 1e-22 cm^2 in the file
  const double w = band_absorption_factor(wilms, 1e21, 2.0, 0.5, 1.2);
  MESSAGE("Wilms (2000) soft-band factor at N_H = 1e21 cm^-2, Gamma = 2: " << w);
  CHECK(w == mwclass::testing::rel(0.64, 0.02));  // the reference value, within 2 %
}

TEST_CASE("Fitzpatrick (1999) magnitude shifts and the N_H conversion") {
  const mwclass::Config c = mwclass::Config::defaults();
  const Reddening r = reddening_for(c, CrossSection::morrison_mccammon_1983(), 0.5);
  const double expected[] = {2.8019, 3.4417, 1.8601, 0.8124, 0.5061, 0.3471, 0.1985, 0.1385, 0.0528};
  REQUIRE(r.mag_shift.size() == 9);
  for (int b = 0; b < 9; ++b) CHECK(r.mag_shift[b] == doctest::Approx(0.5 * expected[b]));
  // N_H = 2.21e21 x 3.1 x E(B-V)
  const double nh = 2.21e21 * 3.1 * 0.5;
  CHECK(r.xray_factor[0] == mwclass::testing::rel(band_absorption_factor(CrossSection::morrison_mccammon_1983(), nh, 2.0, 0.5, 1.2)));
  CHECK(r.xray_factor[0] < r.xray_factor[1]);
  CHECK(r.xray_factor[1] < r.xray_factor[2]);
  mwclass::Matrix flux(1, 3), mag(1, 9);
  flux << 1e-14, 2e-14, 3e-14;
  mag.setConstant(15.0);
  mag(0, 4) = mwclass::kMissing;
  apply_reddening(r, flux, mag, 0);
  CHECK(flux(0, 2) == mwclass::testing::rel(3e-14 * r.xray_factor[2]));
  CHECK(mag(0, 0) == doctest::Approx(15.0 + 0.5 * 2.8019));
  CHECK(std::isnan(mag(0, 4)));
}

TEST_CASE("absorption table errors are clear") {
  CHECK_THROWS_WITH_AS(CrossSection::from_table_file("/nonexistent/table.txt"),
                       doctest::Contains("cannot read absorption table '/nonexistent/table.txt'"),
                       mwclass::Error);
}

TEST_CASE("BandAbsorption: 4096 intervals is band_absorption_factor exactly; 256 within 1e-3") {
  const auto sigma = mwclass::physics::CrossSection::morrison_mccammon_1983();
  const mwclass::physics::BandAbsorption fine(sigma, 0.5, 1.2), coarse(sigma, 0.5, 1.2, 256);
  for (double nh : {0.0, 1e20, 1e21, 1e22, 1e23})
    for (double gamma : {1.0, 2.0, 5.0}) {
      CHECK(fine(nh, gamma) == mwclass::physics::band_absorption_factor(sigma, nh, gamma, 0.5, 1.2));
      CHECK(std::abs(coarse(nh, gamma) - fine(nh, gamma)) <= 1e-3 * fine(nh, gamma) + 1e-12);
    }
  CHECK_THROWS_AS(mwclass::physics::BandAbsorption(sigma, 0.5, 1.2, 255), mwclass::Error);
}
