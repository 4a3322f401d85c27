#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/sky_model.hpp"
#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"

using namespace mwclass;
using namespace mwclass::catalog;

namespace {

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool same_matrix(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      if (!same(a(i, j), b(i, j))) return false;
  return true;
}

bool same_vector(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

void check_same_catalog(const Catalog& a, const Catalog& b) {
  CHECK(a.names == b.names);
  CHECK(same_vector(a.ra, b.ra));
  CHECK(same_vector(a.dec, b.dec));
  CHECK(same_vector(a.ebv, b.ebv));
  CHECK(a.labels == b.labels);
  CHECK(same_matrix(a.xray_flux, b.xray_flux));
  CHECK(same_matrix(a.xray_error, b.xray_error));
  CHECK(same_matrix(a.mag, b.mag));
  CHECK(same_matrix(a.mag_error, b.mag_error));
  CHECK(same_matrix(a.variability, b.variability));
}

Catalog simulate(const Config& config, std::size_t n, std::uint64_t seed = 7,
                 std::uint64_t catalog_id = 0) {
  SimulationParams p;
  p.n_sources = n;
  p.seed = seed;
  p.catalog_id = catalog_id;
  return simulate_catalog(config, p);
}

int optical_index(const Config& config, const std::string& name) {
  const auto& b = config.features.optical_bands;
  for (std::size_t j = 0; j < b.size(); ++j)
    if (b[j].name == name) return static_cast<int>(j);
  return -1;
}

int xray_index(const Config& config, const std::string& name) {
  const auto& b = config.features.xray_bands;
  for (std::size_t j = 0; j < b.size(); ++j)
    if (b[j].name == name) return static_cast<int>(j);
  return -1;
}

double median(std::vector<double> v) {
  REQUIRE(!v.empty());
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Per-class medians of a per-row quantity (NaN rows skipped).
template <typename Fn>
std::vector<double> class_values(const Catalog& c, int k, Fn&& fn) {
  std::vector<double> out;
  for (std::size_t i = 0; i < c.size(); ++i)
    if (c.labels[i] == k) {
      const double v = fn(i);
      if (!std::isnan(v)) out.push_back(v);
    }
  return out;
}

}  // namespace

TEST_CASE("simulate_catalog: deterministic, and a row does not depend on the row count") {
  const Config config = Config::defaults();
  const Catalog a = simulate(config, 200);
  const Catalog b = simulate(config, 200);
  check_same_catalog(a, b);

  const Catalog small = simulate(config, 100);
  std::vector<std::size_t> first(100);
  for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
  const Catalog head = a.subset(first);
  check_same_catalog(small, head);

  // Another catalog id or seed gives other sources.
  const Catalog other = simulate(config, 100, 7, 1);
  const Catalog reseeded = simulate(config, 100, 8, 0);
  CHECK(other.names != small.names);
  CHECK(!same_matrix(other.xray_flux, small.xray_flux));
  CHECK(!same_matrix(reseeded.xray_flux, small.xray_flux));

  // A field catalog is the same simulation without labels.
  SimulationParams field;
  field.n_sources = 100;
  field.seed = 7;
  field.labelled = false;
  const Catalog f = simulate_catalog(config, field);
  CHECK_FALSE(f.labelled());
  Catalog unlabelled = small;
  unlabelled.labels.clear();
  check_same_catalog(f, unlabelled);
}

TEST_CASE("simulate_catalog: shapes and unique names") {
  const Config config = Config::defaults();
  const Catalog c = simulate(config, 3000, 11);
  REQUIRE(c.size() == 3000);
  CHECK(c.labels.size() == 3000);
  CHECK(c.xray_flux.rows() == 3000);
  CHECK(c.xray_flux.cols() == static_cast<Eigen::Index>(config.features.xray_bands.size()));
  CHECK(c.mag.cols() == static_cast<Eigen::Index>(config.features.optical_bands.size()));
  CHECK(c.variability.cols() == static_cast<Eigen::Index>(config.columns.variability.size()));
  const std::set<std::string> names(c.names.begin(), c.names.end());
  CHECK(names.size() == c.size());
  CHECK(c.names[0].rfind("SIM J", 0) == 0);
  CHECK(c.names[0].size() == std::string("SIM J123456.7+123456").size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    CHECK(c.ra[i] >= 0.0);
    CHECK(c.ra[i] < 360.0);
    CHECK(std::fabs(c.dec[i]) <= 90.0);
  }
}

TEST_CASE("simulate_catalog: the class mix follows the weights") {
  const Config config = Config::defaults();
  const std::size_t n = 5000;
  const std::size_t n_classes = config.classifier.classes.size();

  SUBCASE("default MUWCLASS TD mix") {
    const Catalog c = simulate(config, n, 3);
    const std::map<std::string, double> td = {{"AGN", 1390}, {"YSO", 1004}, {"LM-STAR", 207},
                                              {"HM-STAR", 118}, {"NS", 87}, {"LMXB", 65},
                                              {"CV", 44}, {"HMXB", 26}};
    std::vector<int> count(n_classes, 0);
    for (int l : c.labels) ++count[l];
    for (std::size_t k = 0; k < n_classes; ++k) {
      const double p = td.at(config.classifier.classes[k]) / 2941.0;
      const double expected = p * n, sd = std::sqrt(n * p * (1 - p));
      INFO("class " << config.classifier.classes[k] << ": " << count[k] << " vs " << expected);
      CHECK(std::fabs(count[k] - expected) < 4.5 * sd);
    }
  }

  SUBCASE("explicit weights, zero weight never drawn") {
    SimulationParams p;
    p.n_sources = n;
    p.seed = 5;
    p.class_weights.assign(n_classes, 0.0);
    p.class_weights[0] = 1.0;
    p.class_weights[n_classes - 1] = 3.0;
    const Catalog c = simulate_catalog(config, p);
    std::vector<int> count(n_classes, 0);
    for (int l : c.labels) ++count[l];
    for (std::size_t k = 1; k + 1 < n_classes; ++k) CHECK(count[k] == 0);
    const double sd = std::sqrt(n * 0.25 * 0.75);
    CHECK(std::fabs(count[0] - 0.25 * n) < 4.5 * sd);
    CHECK(count[0] + count[n_classes - 1] == static_cast<int>(n));
  }

  SUBCASE("bad weights are errors") {
    SimulationParams p;
    p.class_weights = {1.0, 2.0};
    CHECK_THROWS_AS(simulate_catalog(config, p), Error);
    p.class_weights.assign(n_classes, 0.0);
    CHECK_THROWS_AS(simulate_catalog(config, p), Error);
    p.class_weights.assign(n_classes, 1.0);
    p.class_weights[1] = -1.0;
    CHECK_THROWS_AS(simulate_catalog(config, p), Error);
    p.class_weights.clear();
    p.n_sources = 0;
    CHECK_THROWS_AS(simulate_catalog(config, p), Error);
  }
}

TEST_CASE("simulate_catalog: NS have no optical/IR counterpart") {
  const Config config = Config::defaults();
  const int ns = config.class_index("NS");
  REQUIRE(ns >= 0);
  const Catalog c = simulate(config, 4000, 9);
  int n_ns = 0, with_mag = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const bool any_mag = !c.mag.row(i).array().isNaN().all();
    if (c.labels[i] == ns) {
      ++n_ns;
      CHECK_FALSE(any_mag);
    } else if (any_mag) {
      ++with_mag;
    }
  }
  CHECK(n_ns > 50);
  CHECK(with_mag > 0.8 * (c.size() - n_ns));  // other classes mostly have counterparts
}

TEST_CASE("simulate_catalog: output passes catalog validation and survives a CSV round trip") {
  const Config config = Config::defaults();
  const auto dir = testing::scratch_dir("synthetic");
  const Catalog c = simulate(config, 3000, 13);

  // Value rules of read_catalog, checked directly too.
  for (std::size_t i = 0; i < c.size(); ++i) {
    REQUIRE(std::isfinite(c.ebv[i]));
    CHECK(c.ebv[i] >= 0);
    for (Eigen::Index b = 0; b < c.xray_flux.cols(); ++b) {
      CHECK(c.xray_flux(i, b) > 0);  // always measured here
      CHECK(std::isfinite(c.xray_flux(i, b)));
      CHECK(c.xray_error(i, b) >= 0);
      CHECK(std::isfinite(c.xray_error(i, b)));
    }
    for (Eigen::Index b = 0; b < c.mag.cols(); ++b) {
      CHECK(!std::isinf(c.mag(i, b)));
      CHECK(!(c.mag_error(i, b) < 0));
      if (std::isnan(c.mag(i, b))) CHECK(std::isnan(c.mag_error(i, b)));
      if (!std::isnan(c.mag(i, b)))
        CHECK(c.mag(i, b) < config.features.optical_bands[b].limit_mag);
    }
    for (Eigen::Index v = 0; v < c.variability.cols(); ++v)
      if (!std::isnan(c.variability(i, v))) {
        CHECK(c.variability(i, v) >= 0);
        CHECK(c.variability(i, v) <= 1);
      }
  }

  const std::string td_path = (dir / "td.csv").string();
  write_catalog(td_path, c, config);
  const Catalog back = read_catalog(td_path, config, Role::Training);
  check_same_catalog(c, back);

  SimulationParams fp;
  fp.n_sources = 500;
  fp.seed = 13;
  fp.catalog_id = 1;
  fp.labelled = false;
  const Catalog field = simulate_catalog(config, fp);
  const std::string field_path = (dir / "field.csv").string();
  write_catalog(field_path, field, config);
  const Catalog field_back = read_catalog(field_path, config, Role::Field);
  check_same_catalog(field, field_back);
  // Training role needs the label column, which a field catalog lacks.
  CHECK_THROWS_AS(read_catalog(field_path, config, Role::Training), Error);
}

TEST_CASE("simulate_catalog: rounding as published") {
  const Config config = Config::defaults();
  const Catalog c = simulate(config, 500, 17);
  auto sig_digits_ok = [](double x, int digits) {
    const std::string s = fmt::format("{:.{}g}", x, digits);
    return std::strtod(s.c_str(), nullptr) == x;
  };
  auto fixed_ok = [](double x, int decimals) {
    return std::strtod(fmt::format("{:.{}f}", x, decimals).c_str(), nullptr) == x;
  };
  for (std::size_t i = 0; i < c.size(); ++i) {
    CHECK(fixed_ok(c.ebv[i], 3));
    for (Eigen::Index b = 0; b < c.xray_flux.cols(); ++b) {
      CHECK(sig_digits_ok(c.xray_flux(i, b), 3));
      CHECK(sig_digits_ok(c.xray_error(i, b), 2));
    }
    for (Eigen::Index b = 0; b < c.mag.cols(); ++b)
      if (!std::isnan(c.mag(i, b))) CHECK(fixed_ok(c.mag(i, b), 3));
  }
}

TEST_CASE("simulate_catalog: E(B-V) is very uneven over bins of 0.025 mag") {
  const Config config = Config::defaults();
  const Catalog c = simulate(config, 5000, 21);
  std::map<long, int> bins;
  double max_ebv = 0;
  for (double e : c.ebv) {
    ++bins[static_cast<long>(std::floor(e / 0.025))];
    max_ebv = std::max(max_ebv, e);
  }
  int largest = 0;
  for (const auto& [bin, count] : bins) largest = std::max(largest, count);
  INFO("largest bin " << largest << ", non-empty bins " << bins.size());
  CHECK(largest > 0.2 * c.size());
  CHECK(bins.size() > 30);
  CHECK(max_ebv > 1.5);

  // Galactic classes are more often in the tail than AGN.
  const int agn = config.class_index("AGN"), yso = config.class_index("YSO");
  auto tail_fraction = [&](int k) {
    const auto v = class_values(c, k, [&](std::size_t i) { return c.ebv[i]; });
    return static_cast<double>(std::count_if(v.begin(), v.end(), [](double e) { return e > 0.2; })) /
           v.size();
  };
  CHECK(tail_fraction(yso) > 2 * tail_fraction(agn));
}

TEST_CASE("simulate_catalog: missing-value patterns") {
  const Config config = Config::defaults();
  const Catalog c = simulate(config, 5000, 23);
  const double n = static_cast<double>(c.size());
  const auto& vcols = config.columns.variability;
  for (std::size_t v = 0; v < vcols.size(); ++v) {
    const double present = (c.variability.col(v).array() == c.variability.col(v).array()).count() / n;
    INFO(vcols[v] << " present " << present);
    if (vcols[v] == "P_intra") CHECK(std::fabs(present - 0.93) < 0.03);
    if (vcols[v] == "P_inter") CHECK(std::fabs(present - 0.45) < 0.03);
  }
  const int j = optical_index(config, "J"), w1 = optical_index(config, "W1"),
            w3 = optical_index(config, "W3");
  REQUIRE(j >= 0);
  REQUIRE(w1 >= 0);
  REQUIRE(w3 >= 0);
  int j_mag = 0, j_upper_limit = 0, w1_mag = 0, w3_mag = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!std::isnan(c.mag(i, j))) {
      ++j_mag;
      if (std::isnan(c.mag_error(i, j))) ++j_upper_limit;
    }
    w1_mag += !std::isnan(c.mag(i, w1));
    w3_mag += !std::isnan(c.mag(i, w3));
  }
  INFO("J " << j_mag << " (no error " << j_upper_limit << "), W1 " << w1_mag << ", W3 " << w3_mag);
  CHECK(j_upper_limit > 0.02 * j_mag);
  CHECK(j_upper_limit < 0.09 * j_mag);
  CHECK(w3_mag < 0.85 * w1_mag);

  // Gaia is missing mostly for faint sources: AGN (faint) lack G more often than LM-STAR.
  const int g = optical_index(config, "G");
  const int agn = config.class_index("AGN"), lm = config.class_index("LM-STAR");
  auto g_missing = [&](int k) {
    int total = 0, missing = 0;
    for (std::size_t i = 0; i < c.size(); ++i)
      if (c.labels[i] == k) {
        ++total;
        missing += std::isnan(c.mag(i, g));
      }
    return static_cast<double>(missing) / total;
  };
  CHECK(g_missing(agn) > g_missing(lm) + 0.1);
}

TEST_CASE("simulate_catalog: classes differ the way real ones do") {
  const Config config = Config::defaults();
  const Catalog c = simulate(config, 6000, 29);
  const int m = xray_index(config, "m"), h = xray_index(config, "h"), s = xray_index(config, "s");
  const int g = optical_index(config, "G"), w1 = optical_index(config, "W1"),
            w2 = optical_index(config, "W2"), k = optical_index(config, "K");
  auto hr = [&](std::size_t i, int hi, int lo) {
    return (c.xray_flux(i, hi) - c.xray_flux(i, lo)) / (c.xray_flux(i, hi) + c.xray_flux(i, lo));
  };
  const int agn = config.class_index("AGN"), lm = config.class_index("LM-STAR"),
            hm = config.class_index("HM-STAR"), ns = config.class_index("NS"),
            yso = config.class_index("YSO"), hmxb = config.class_index("HMXB");
  auto hr_hm = [&](int cls) { return median(class_values(c, cls, [&](std::size_t i) { return hr(i, h, m); })); };
  auto hr_ms = [&](int cls) { return median(class_values(c, cls, [&](std::size_t i) { return hr(i, m, s); })); };
  auto mag = [&](int cls, int band) {
    return median(class_values(c, cls, [&](std::size_t i) { return c.mag(i, band); }));
  };
  auto colour = [&](int cls, int b1, int b2) {
    return median(class_values(c, cls, [&](std::size_t i) { return c.mag(i, b1) - c.mag(i, b2); }));
  };
  CHECK(hr_hm(agn) > hr_hm(lm) + 0.2);
  CHECK(hr_hm(hmxb) > hr_hm(agn));
  CHECK(hr_ms(ns) < hr_ms(agn));
  CHECK(hr_ms(lm) < hr_ms(agn));
  CHECK(mag(hm, g) + 4 < mag(agn, g));
  CHECK(mag(lm, g) + 4 < mag(agn, g));
  CHECK(colour(agn, w1, w2) > colour(lm, w1, w2) + 0.5);
  CHECK(colour(yso, k, w2) > colour(lm, k, w2) + 0.5);
}

TEST_CASE("simulate_catalog: unknown bands, columns and classes do not break it") {
  Config config = Config::defaults();
  config.features.optical_bands.push_back({"Z", "Zmag", "e_Zmag", 1e-9, 1000.0, 20.0, 1.2});
  config.features.xray_bands.push_back({"u", "Fu", "e_Fu", 7.0, 10.0});
  config.columns.variability.push_back("P_other");
  config.classifier.classes.push_back("BLAZAR");
  const int blazar = config.class_index("BLAZAR");
  const int z = optical_index(config, "Z");
  const Catalog c = simulate(config, 2000, 31);
  REQUIRE(c.mag.cols() == static_cast<Eigen::Index>(config.features.optical_bands.size()));
  CHECK(c.mag.col(z).array().isNaN().all());
  CHECK(c.variability.col(c.variability.cols() - 1).array().isNaN().all());
  CHECK((c.xray_flux.col(c.xray_flux.cols() - 1).array() > 0).all());
  int n_blazar = 0;
  for (int l : c.labels) n_blazar += l == blazar;
  CHECK(n_blazar > 0);

  const auto dir = testing::scratch_dir("synthetic-unknown");
  const std::string path = (dir / "td.csv").string();
  write_catalog(path, c, config);
  check_same_catalog(c, read_catalog(path, config, Role::Training));

  // A config with no class the templates know still works.
  Config odd = Config::defaults();
  odd.classifier.classes = {"A", "B", "C"};
  odd.reddening.classes = {"A"};
  const Catalog o = simulate(odd, 300, 37);
  std::set<int> seen(o.labels.begin(), o.labels.end());
  CHECK(seen.size() == 3);
}

TEST_CASE("simulate_catalog --sky csc: the paper's ~2,000 occupied 0.025-mag bins from E(B-V) 0 to ~50") {
  const Config config = Config::defaults();
  SimulationParams p;
  p.n_sources = kCscGoodSample;
  p.labelled = true;
  p.catalog_id = 1;
  p.sky = Sky::Csc;
  p.class_weights = csc_class_weights(config);
  const Catalog c = simulate_catalog(config, p);
  std::set<long> cells;
  double max_ebv = 0;
  std::size_t above_10 = 0;
  for (double e : c.ebv) {
    REQUIRE(e >= 0);
    cells.insert(static_cast<long>(std::floor(e / 0.025 + 1e-9)));
    max_ebv = std::max(max_ebv, e);
    above_10 += e > 10;
  }
  MESSAGE("occupied bins ", cells.size(), ", max E(B-V) ", max_ebv, ", above 10 mag ", above_10);
  CHECK(cells.size() >= 1800);
  CHECK(cells.size() <= 2200);
  CHECK(max_ebv >= 45);
  CHECK(max_ebv <= 60);
  // Most sources at high latitude, little dust (a CSC-like, not a plane-only, sky).
  std::vector<double> sorted = c.ebv;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  CHECK(sorted[sorted.size() / 2] < 0.5);
  // The class mix of Table 5 (AGN 33,955 of 66,369 = 51.2 %, HMXB 47 = 0.07 %).
  std::map<std::string, double> fraction;
  for (int k : c.labels) fraction[config.classifier.classes[static_cast<std::size_t>(k)]] += 1.0 / c.size();
  CHECK(fraction["AGN"] == doctest::Approx(33955.0 / 66369).epsilon(0.02));
  CHECK(fraction["NS"] == doctest::Approx(9159.0 / 66369).epsilon(0.05));
  CHECK(fraction["HMXB"] < 0.002);
  // The default sky is unchanged by the option: the same row, the same values.
  p.sky = Sky::Uneven;
  p.n_sources = 50;
  const Catalog a = simulate_catalog(config, p);
  p.sky = Sky::Csc;
  const Catalog b = simulate_catalog(config, p);
  CHECK(a.labels == b.labels);  // the class draw comes first in both
  CHECK(a.ebv != b.ebv);
}

TEST_CASE("dust_column: grows along the line of sight, ~50 mag through the Galactic centre, little at the pole") {
  CHECK(dust_column(0, 0, 1) < dust_column(0, 0, 8));
  CHECK(dust_column(0, 0, 30) == doctest::Approx(50).epsilon(0.1));
  CHECK(dust_column(0, 90, 30) < 0.05);
  CHECK(dust_column(180, 0, 30) < dust_column(30, 0, 30));
}
