// Issue 17: a warning, once per column, for field values far outside the training range.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "mwclass/catalog/range_warning.hpp"
#include "mwclass/catalog/synthetic.hpp"

using namespace mwclass;
using namespace mwclass::catalog;

namespace {
struct Catalogs {
  Config config = Config::defaults();
  Catalog td, field;
  Catalogs() {
    SimulationParams p;
    p.n_sources = 300;
    p.seed = 4;
    td = simulate_catalog(config, p);
    p.n_sources = 40;
    p.labelled = false;
    p.catalog_id = 1;
    field = simulate_catalog(config, p);
    field.path = "field.csv";
    field.lines.clear();
    for (std::size_t i = 0; i < field.size(); ++i) field.lines.push_back(i + 2);  // line 1: header
    // Inside the training range by construction: the field's values clamped to it.
    for (Eigen::Index b = 0; b < td.xray_flux.cols(); ++b) clamp(td.xray_flux, field.xray_flux, b);
    for (Eigen::Index b = 0; b < td.mag.cols(); ++b) clamp(td.mag, field.mag, b);
  }
  static void clamp(const Matrix& t, Matrix& f, Eigen::Index b) {
    double lo = INFINITY, hi = -INFINITY;
    for (Eigen::Index i = 0; i < t.rows(); ++i)
      if (std::isfinite(t(i, b)) && t(i, b) > 0) lo = std::min(lo, t(i, b)), hi = std::max(hi, t(i, b));
    for (Eigen::Index i = 0; i < f.rows(); ++i)
      if (std::isfinite(f(i, b))) f(i, b) = std::min(hi, std::max(lo, f(i, b)));
  }
  double max_of(const Matrix& m, Eigen::Index b) const {
    double hi = -INFINITY;
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      if (std::isfinite(m(i, b))) hi = std::max(hi, m(i, b));
    return hi;
  }
};
}  // namespace

TEST_CASE("range warning: none inside the training range, one per column outside, with count and first line") {
  Catalogs c;
  CHECK(far_outside_training_range(c.td, c.field, c.config).empty());

  const double fs_max = c.max_of(c.td.xray_flux, 0);
  c.field.xray_flux(7, 0) = fs_max * 20;     // 1.3 dex above: warned
  c.field.xray_flux(3, 0) = fs_max * 30;     // the first one in file order
  c.field.xray_flux(9, 0) = fs_max * 5;      // 0.7 dex: within the 1-dex margin
  const double k_max = c.max_of(c.td.mag, 5);  // Kmag
  c.field.mag(11, 5) = k_max + 3.0;          // 3 mag fainter: warned
  c.field.mag(12, 5) = k_max + 2.0;          // within 2.5 mag

  const auto w = far_outside_training_range(c.td, c.field, c.config);
  REQUIRE(w.size() == 2);
  CHECK(w[0].column == "Fs");
  CHECK(w[0].count == 2);
  CHECK(w[0].first_line == 5);  // row 3 of the table is file line 5
  CHECK(w[0].log10);
  CHECK(w[1].column == "Kmag");
  CHECK(w[1].count == 1);
  CHECK(w[1].first_line == 13);
  const std::string text = w[0].text(c.field);
  CHECK(text.find("field.csv: column 'Fs': 2 value(s) more than 1 dex outside") != std::string::npos);
  CHECK(text.find("the first at line 5") != std::string::npos);

  SUBCASE("the margins come from the config") {
    c.config.columns.range_warning_dex = 2.0;  // 1.5 dex is now within
    c.config.columns.range_warning_mag = 1.0;  // and 2 mag outside
    const auto v = far_outside_training_range(c.td, c.field, c.config);
    REQUIRE(v.size() == 1);
    CHECK(v[0].column == "Kmag");
    CHECK(v[0].count == 2);
    CHECK(v[0].first_line == 13);
  }
  SUBCASE("a FITS table says row") {
    c.field.numbered_rows = true;
    CHECK(far_outside_training_range(c.td, c.field, c.config)[0].text(c.field).find("the first at row 5") !=
          std::string::npos);
  }
}

TEST_CASE("range warning: too faint is as suspicious as too bright; missing values are not counted") {
  Catalogs c;
  double fm_min = INFINITY;
  for (Eigen::Index i = 0; i < c.td.xray_flux.rows(); ++i)
    if (std::isfinite(c.td.xray_flux(i, 1))) fm_min = std::min(fm_min, c.td.xray_flux(i, 1));
  c.field.xray_flux(0, 1) = fm_min / 100;  // 2 dex below
  c.field.xray_flux(1, 1) = NAN;
  const auto w = far_outside_training_range(c.td, c.field, c.config);
  REQUIRE(w.size() == 1);
  CHECK(w[0].column == "Fm");
  CHECK(w[0].count == 1);
  CHECK(w[0].first_line == 2);
}
