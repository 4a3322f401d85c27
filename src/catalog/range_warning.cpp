#include "mwclass/catalog/range_warning.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include <fmt/format.h>

namespace mwclass::catalog {

namespace {

// Checks column `col` of the field's values against the training set's finite range.
void check_column(const Matrix& training, const Matrix& field, Eigen::Index col, const std::string& name,
                  double margin, bool log10, const Catalog& field_catalog, std::vector<RangeWarning>& out) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (Eigen::Index i = 0; i < training.rows(); ++i) {
    const double v = training(i, col);
    if (std::isfinite(v) && (!log10 || v > 0)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (lo > hi) return;  // nothing measured in the training set
  const auto scale = [&](double v) { return log10 ? std::log10(v) : v; };
  RangeWarning w;
  w.column = name;
  w.training_min = lo;
  w.training_max = hi;
  w.margin = margin;
  w.log10 = log10;
  for (Eigen::Index i = 0; i < field.rows(); ++i) {
    const double v = field(i, col);
    if (!std::isfinite(v) || (log10 && v <= 0)) continue;
    if (scale(v) < scale(lo) - margin || scale(v) > scale(hi) + margin) {
      if (w.count++ == 0) {
        const auto row = static_cast<std::size_t>(i);
        w.first_line = row < field_catalog.lines.size() ? field_catalog.lines[row] : row + 1;
      }
    }
  }
  if (w.count) out.push_back(std::move(w));
}

}  // namespace

std::string RangeWarning::text(const Catalog& field) const {
  return fmt::format("warning: {}: column '{}': {} value(s) more than {} {} outside the training set's range "
                     "[{:g}, {:g}], the first at {} {} (possible but suspicious: wrong units or band?)",
                     field.path, column, count, margin, log10 ? "dex" : "mag", training_min, training_max,
                     field.numbered_rows ? "row" : "line", first_line);
}

std::vector<RangeWarning> far_outside_training_range(const Catalog& training, const Catalog& field,
                                                     const Config& config) {
  std::vector<RangeWarning> out;
  const auto& feat = config.features;
  for (std::size_t b = 0; b < feat.xray_bands.size(); ++b)
    check_column(training.xray_flux, field.xray_flux, static_cast<Eigen::Index>(b), feat.xray_bands[b].flux_column,
                 config.columns.range_warning_dex, true, field, out);
  for (std::size_t b = 0; b < feat.optical_bands.size(); ++b)
    check_column(training.mag, field.mag, static_cast<Eigen::Index>(b), feat.optical_bands[b].mag_column,
                 config.columns.range_warning_mag, false, field, out);
  return out;
}

void warn_far_outside_training_range(const Catalog& training, const Catalog& field, const Config& config) {
  for (const auto& w : far_outside_training_range(training, field, config))
    std::fprintf(stderr, "mwclass: %s\n", w.text(field).c_str());
}

}  // namespace mwclass::catalog
