#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/physics/features.hpp"
#include "../../test_support.hpp"

using namespace mwclass;

namespace {
std::map<std::string, double> features_of(const Config& c, const catalog::Catalog& cat, int row) {
  const physics::FeatureBuilder fb(c);
  Matrix x = fb.build(cat.xray_flux.middleRows(row, 1), cat.mag.middleRows(row, 1),
                      cat.variability.middleRows(row, 1));
  std::map<std::string, double> out;
  for (int i = 0; i < fb.size(); ++i) out[fb.names()[i]] = x(0, i);
  return out;
}
}  // namespace

TEST_CASE("the 29 features of the first row of the real training set, by hand") {
  const std::string path = testing::shared_data("cscv2_td_yang2022.csv");
  if (path.empty()) return;
  const Config c = Config::defaults();
  const auto td = catalog::read_catalog(path, c, catalog::Role::Training);
  // 2CXO J000009.3+135618 (AGN): Fs 2e-15, Fm 5e-16, Fh 2e-15; P_intra 0.923, no P_inter;
  // G 18.494, BP 18.77, RP 18.02, no 2MASS, W1 15.49, W2 14.61, W3 10.8.
  REQUIRE(td.names[0] == "2CXO J000009.3+135618");
  const auto f = features_of(c, td, 0);
  REQUIRE(f.size() == 29);
  CHECK(f.at("Fb") == doctest::Approx(-14.346787486224656));            // log10(4.5e-15)
  CHECK(f.at("Fs") == doctest::Approx(-0.35218251811136253));           // log10(2/4.5)
  CHECK(f.at("Fm") == doctest::Approx(-0.9542425094393249));            // log10(0.5/4.5)
  CHECK(f.at("Fh") == doctest::Approx(-0.35218251811136253));
  CHECK(f.at("HR_ms") == doctest::Approx(-0.6));                        // (0.5-2)/2.5
  CHECK(f.at("HR_hm") == doctest::Approx(0.6));                         // (2-0.5)/2.5
  CHECK(f.at("HR_hms") == doctest::Approx(-1.0 / 9.0));                 // (2-0.5-2)/4.5
  CHECK(f.at("P_intra") == doctest::Approx(0.923));
  CHECK(std::isnan(f.at("P_inter")));
  // log10(f0 10^(-m/2.5) W_eff / F_b)
  CHECK(f.at("G") == doctest::Approx(1.9549008840115238));
  CHECK(f.at("BP") == doctest::Approx(1.7833984537017833));
  CHECK(f.at("RP") == doctest::Approx(1.7086339226606952));
  CHECK(f.at("W1") == doctest::Approx(0.8848197490455525));
  CHECK(f.at("W2") == doctest::Approx(0.904581422981955));
  for (const char* missing : {"J", "H", "K", "G-J", "G-H", "G-K", "J-H", "J-K", "H-K"})
    CHECK_MESSAGE(std::isnan(f.at(missing)), missing);
  CHECK(f.at("G-BP") == doctest::Approx(18.494 - 18.77));
  CHECK(f.at("G-RP") == doctest::Approx(18.494 - 18.02));
  CHECK(f.at("BP-RP") == doctest::Approx(18.77 - 18.02));
  CHECK(f.at("W1-W2") == doctest::Approx(15.49 - 14.61));
  CHECK(f.at("W1-W3") == doctest::Approx(15.49 - 10.8));
  CHECK(f.at("W2-W3") == doctest::Approx(14.61 - 10.8));
}

TEST_CASE("magnitudes at or beyond the survey limit are dropped") {
  const Config c = Config::defaults();
  const physics::FeatureBuilder fb(c);
  Matrix xf(1, 3), mag(1, 9), var(1, 2);
  xf << 1e-14, 1e-14, 1e-14;
  mag << 21.5, 20.0, 20.0, 18.4, 17.0, 16.0, 15.0, 14.0, 14.5;  // G and W3 exactly at limit
  var << 0.1, 0.2;
  const Matrix x = fb.build(xf, mag, var);
  auto col = [&](const std::string& n) {
    for (int i = 0; i < fb.size(); ++i) if (fb.names()[i] == n) return x(0, i);
    FAIL("no feature " << n);
    return 0.0;
  };
  CHECK(std::isnan(col("G")));
  CHECK(std::isnan(col("G-BP")));
  CHECK(std::isnan(col("W1-W3")));
  CHECK(col("J-H") == doctest::Approx(1.4));
  CHECK(col("BP-RP") == doctest::Approx(0.0));
}

TEST_CASE("a missing X-ray band makes every flux-ratio feature missing") {
  const Config c = Config::defaults();
  const physics::FeatureBuilder fb(c);
  Matrix xf(1, 3), mag(1, 9), var(1, 2);
  xf << 1e-14, kMissing, 1e-14;
  mag.setConstant(15.0);
  var << 0.1, 0.2;
  const Matrix x = fb.build(xf, mag, var);
  CHECK(std::isnan(x(0, 0)));  // Fs
  CHECK(std::isnan(x(0, 3)));  // Fb
  CHECK(std::isnan(x(0, 9)));  // G flux ratio needs F_b
  CHECK(x(0, 7) == doctest::Approx(0.1));  // P_intra
  CHECK(x(0, 17) == doctest::Approx(0.0)); // G-BP
}
