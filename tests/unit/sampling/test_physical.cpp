// Physical oversampling (sampling/physical.hpp): class targets, the E(B-V) law,
// fluxes only lower, magnitudes only fainter, survey limits, determinism.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/sampling/physical.hpp"

using namespace mwclass;

namespace {

// n0 members of class 0, n1 of class 1, n2 of class 2 of the default CSCv2 bands.
struct Toy {
  Config config = Config::defaults();
  sampling::Measurements m;
  Labels y;
  Toy(int n0, int n1, int n2) {
    config.classifier.classes = {"A", "B", "C"};
    config.oversampling.class_photon_index = {2.0, 1.5, 3.0};
    const auto nx = static_cast<Eigen::Index>(config.features.xray_bands.size());
    const auto no = static_cast<Eigen::Index>(config.features.optical_bands.size());
    const int n = n0 + n1 + n2;
    m.xray_flux = Matrix::Constant(n, nx, 1e-14);
    m.mag = Matrix::Constant(n, no, 15.0);
    m.variability = Matrix::Constant(n, 2, 0.5);
    for (int i = 0; i < n; ++i) {
      y.push_back(i < n0 ? 0 : i < n0 + n1 ? 1 : 2);
      m.xray_flux(i, 0) = 1e-14 * (1 + i);  // rows tell apart
      m.mag(i, 0) = 10.0 + 0.01 * i;
    }
    m.mag(n - 1, 1) = kMissing;  // a missing magnitude stays missing
  }
};

}  // namespace

TEST_CASE("physical oversampling: N'_i = min(N_i N_max / (N_max - (N_max - N_i) / 2), N_max), rounded down") {
  // Hand values: N_max = 100: N = 10 -> 1000/55 = 18.18 -> 18; N = 50 -> 5000/75 = 66.67 -> 66;
  // N = 1 -> 100/50.5 = 1.98 -> 1; N = 0 stays 0; N_max itself stays.
  const auto t = sampling::physical_targets({100, 10, 50, 1, 0}, 0.5);
  CHECK(t == std::vector<std::size_t>{100, 18, 66, 1, 0});
  // h = 0 adds nothing (N'_i = N_i), h = 1 fills every class to N_max.
  CHECK(sampling::physical_targets({100, 10}, 0.0) == std::vector<std::size_t>{100, 10});
  CHECK(sampling::physical_targets({100, 10}, 1.0) == std::vector<std::size_t>{100, 100});

  Toy toy(40, 10, 4);
  const auto sigma = physics::CrossSection::morrison_mccammon_1983();
  sampling::PhysicalOversampler over(toy.config, sigma);
  rng::Stream s(1, rng::Purpose::Oversampling, {0, 0, 0});
  const auto d = over.draw(toy.m, toy.y, {}, {}, s);
  // class 1: 10*40/25 = 16 -> 6 duplicates; class 2: 4*40/22 = 7.27 -> 3 duplicates.
  REQUIRE(d.size() == 9);
  CHECK(std::count(d.y.begin(), d.y.end(), 1) == 6);
  CHECK(std::count(d.y.begin(), d.y.end(), 2) == 3);
  for (std::size_t k = 0; k < d.size(); ++k) CHECK(toy.y[d.member[k]] == d.y[k]);
}

TEST_CASE("physical oversampling: E(B-V) ~ Gamma(0.5, 1.5), mean 0.75 before the cap; the cap applies") {
  Toy toy(2000, 1000, 1000);
  const auto sigma = physics::CrossSection::morrison_mccammon_1983();
  double sum = 0, sum_sq = 0;
  std::size_t n = 0;
  for (std::uint64_t rep = 0; rep < 40; ++rep) {
    sampling::PhysicalOversampler over(toy.config, sigma);
    rng::Stream s(7, rng::Purpose::Oversampling, {0, rep, 0});
    const auto d = over.draw(toy.m, toy.y, {}, {}, s);
    for (double e : d.ebv) {
      CHECK(e >= 0);
      sum += e;
      sum_sq += e * e;
      ++n;
    }
  }
  REQUIRE(n == 40 * 666);  // 2 x (1000 x 2000 / 1500 - 1000)
  const double mean = sum / static_cast<double>(n), var = sum_sq / static_cast<double>(n) - mean * mean;
  // shape k = 0.5, scale 1.5: mean 0.75, variance k theta^2 = 1.125; 4 standard errors
  CHECK(std::abs(mean - 0.75) < 4 * std::sqrt(1.125 / static_cast<double>(n)));
  CHECK(std::abs(var - 1.125) < 0.1);

  toy.config.oversampling.ebv_cap = 0.5;  // P(E > 0.5) = 0.41 for this law
  sampling::PhysicalOversampler capped(toy.config, sigma);
  rng::Stream s(7, rng::Purpose::Oversampling, {0, 0, 0});
  const auto d = capped.draw(toy.m, toy.y, {}, {}, s);
  const auto at_cap = std::count(d.ebv.begin(), d.ebv.end(), 0.5);
  CHECK(*std::max_element(d.ebv.begin(), d.ebv.end()) == 0.5);
  CHECK(at_cap > 220);  // 666 draws x 0.414 = 276, sigma 13
  CHECK(at_cap < 330);
}

TEST_CASE("physical oversampling: fluxes only lower, magnitudes only fainter by A_band, limits applied") {
  Toy toy(40, 10, 4);
  const auto sigma = physics::CrossSection::morrison_mccammon_1983();
  sampling::PhysicalOversampler over(toy.config, sigma);
  rng::Stream s(3, rng::Purpose::Oversampling, {0, 1, 2});
  const auto d = over.draw(toy.m, toy.y, {}, {}, s);
  const auto& bands = toy.config.features.optical_bands;
  const auto& xb = toy.config.features.xray_bands;
  const double nh_per_ebv = 2.21e21 * 3.1;
  int dropped = 0, kept = 0;
  for (std::size_t k = 0; k < d.size(); ++k) {
    const auto r = static_cast<Eigen::Index>(d.member[k]);
    const auto row = static_cast<Eigen::Index>(k);
    CHECK(d.nh[k] >= 0);
    CHECK(d.photon_index[k] == toy.config.oversampling.class_photon_index[static_cast<std::size_t>(d.y[k])]);
    // N_H scatters by 0.09 sqrt 2 sigma around 2.21e21 x 3.1 x E(B-V): within 6 sigma
    if (d.ebv[k] > 0) CHECK(std::abs(d.nh[k] / (nh_per_ebv * d.ebv[k]) - 1) < 6 * 0.09 * std::sqrt(2.0));
    for (Eigen::Index b = 0; b < d.m.xray_flux.cols(); ++b) {
      CHECK(d.m.xray_flux(row, b) <= toy.m.xray_flux(r, b));
      CHECK(d.m.xray_flux(row, b) > 0);
      const double want = toy.m.xray_flux(r, b) *
                          physics::band_absorption_factor(sigma, d.nh[k], d.photon_index[k],
                                                          xb[static_cast<std::size_t>(b)].energy_lo_kev,
                                                          xb[static_cast<std::size_t>(b)].energy_hi_kev);
      CHECK(d.m.xray_flux(row, b) == doctest::Approx(want).epsilon(2e-3));  // 256 vs 4096 intervals
    }
    for (Eigen::Index b = 0; b < d.m.mag.cols(); ++b) {
      const double m0 = toy.m.mag(r, b), m = d.m.mag(row, b);
      const double shifted = m0 + bands[static_cast<std::size_t>(b)].extinction_coeff * d.ebv[k];
      if (std::isnan(m0)) {
        CHECK(std::isnan(m));
      } else if (shifted >= bands[static_cast<std::size_t>(b)].limit_mag) {
        CHECK(std::isnan(m));
        ++dropped;
      } else {
        CHECK(m == shifted);
        CHECK(m >= m0);
        ++kept;
      }
    }
    CHECK(d.m.variability.row(row) == toy.m.variability.row(r));
  }
  CHECK(dropped > 0);  // both branches exercised
  CHECK(kept > 0);
}

TEST_CASE("physical oversampling: a source's own power-law fit, Gamma + sqrt 2 sigma z") {
  Toy toy(40, 10, 4);
  const auto sigma = physics::CrossSection::morrison_mccammon_1983();
  sampling::PhysicalOversampler over(toy.config, sigma);
  std::vector<double> gamma(54, kMissing), err(54, kMissing);
  for (int i = 40; i < 50; ++i) gamma[static_cast<std::size_t>(i)] = 1.0;  // class 1: fits, no error
  for (int i = 50; i < 54; ++i) {
    gamma[static_cast<std::size_t>(i)] = 4.0;  // class 2: fits with errors
    err[static_cast<std::size_t>(i)] = 0.5;
  }
  rng::Stream s(3, rng::Purpose::Oversampling, {0, 1, 2});
  const auto d = over.draw(toy.m, toy.y, gamma, err, s);
  bool spread = false;
  for (std::size_t k = 0; k < d.size(); ++k) {
    if (d.y[k] == 1) CHECK(d.photon_index[k] == 1.0);
    if (d.y[k] == 2) {
      CHECK(std::abs(d.photon_index[k] - 4.0) < 6 * std::sqrt(2.0) * 0.5);
      spread = spread || d.photon_index[k] != 4.0;
    }
  }
  CHECK(spread);
}

TEST_CASE("physical oversampling: the same stream gives the same duplicates, another stream others") {
  Toy toy(40, 10, 4);
  const auto sigma = physics::CrossSection::morrison_mccammon_1983();
  sampling::PhysicalOversampler over(toy.config, sigma);
  rng::Stream a(3, rng::Purpose::Oversampling, {0, 1, 2}), b(3, rng::Purpose::Oversampling, {0, 1, 2}),
      c(3, rng::Purpose::Oversampling, {0, 1, 3});
  const auto da = over.draw(toy.m, toy.y, {}, {}, a), db = over.draw(toy.m, toy.y, {}, {}, b),
             dc = over.draw(toy.m, toy.y, {}, {}, c);
  CHECK(da.member == db.member);
  CHECK(da.ebv == db.ebv);
  CHECK(da.nh == db.nh);
  CHECK(da.m.xray_flux == db.m.xray_flux);
  CHECK(da.m.mag.array().isNaN().matrix() == db.m.mag.array().isNaN().matrix());
  CHECK(da.m.mag.array().isNaN().select(0.0, da.m.mag.array()).matrix() ==
        db.m.mag.array().isNaN().select(0.0, db.m.mag.array()).matrix());
  CHECK(da.ebv != dc.ebv);
}

TEST_CASE("physical oversampling: class_photon_index must match the classes") {
  Toy toy(4, 2, 2);
  toy.config.oversampling.class_photon_index = {2.0};
  CHECK_THROWS_AS(sampling::PhysicalOversampler(toy.config, physics::CrossSection::morrison_mccammon_1983()),
                  Error);
}
