#include "mwclass/ensemble/binning.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/ranges.h>

#include "mwclass/core/error.hpp"
#include "mwclass/core/run_control.hpp"
#include "mwclass/physics/dust_map.hpp"
#include "mwclass/physics/features.hpp"
#include "mwclass/physics/reddening.hpp"
#include "mwclass/sampling/monte_carlo.hpp"

namespace mwclass::ensemble {

EbvProvenance resolve_field_ebv(catalog::Catalog& field, const Config& config, const EbvOptions& options) {
  const auto& r = config.reddening;
  if (options.constant) {
    if (!(*options.constant >= 0) || !std::isfinite(*options.constant))
      fail("--ebv must be a finite value >= 0 (got {})", *options.constant);
    field.ebv.assign(field.size(), *options.constant);
    return {"constant", {}, {}, 1.0};
  }
  if (r.ebv_source == "column") {
    if (config.reddening.enabled)
      for (std::size_t i = 0; i < field.size(); ++i)
        if (std::isnan(field.ebv[i]))
          fail("{}: source '{}' (data row {}) has no E(B-V): the column '{}' is {}; fill it, give a "
               "constant with --ebv VALUE, a dust map with --dust-map PATH, or turn reddening off with "
               "--no-reddening",
               field.path, field.names[i], i + 1, config.columns.ebv, i == 0 ? "absent or empty" : "empty there");
    return {"column", {}, {}, 1.0};
  }
  const physics::DustMap map = physics::load_dust_map(config);
  EbvProvenance prov{r.ebv_source, map.files(), {}, map.scale()};
  for (const auto& f : map.files()) prov.checksums.push_back(hash_file(f.substr(0, f.find('['))));
  const auto lookup = [&](double ra, double dec, const std::string& what) {
    const double v = map.ebv(ra, dec);
    if (!(v >= 0) || !std::isfinite(v))
      fail("{}: the dust map {} has {} E(B-V) {} toward {} (RA {}, Dec {})", fmt::join(map.files(), " / "),
           r.dust_map, std::isnan(v) ? "no" : "a negative", v, what, ra, dec);
    return v;
  };
  if (r.ebv_source == "position") {
    const double v = lookup(r.ebv_position[0], r.ebv_position[1], "reddening.ebv_position");
    field.ebv.assign(field.size(), v);
    return prov;
  }
  std::vector<double> per_source(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (std::isnan(field.ra[i]) || std::isnan(field.dec[i]))
      fail("{}: source '{}' (data row {}) has no RA/Dec ('{}', '{}') for the dust map lookup "
           "(reddening.ebv_source = \"{}\")",
           field.path, field.names[i], i + 1, config.columns.ra, config.columns.dec, r.ebv_source);
    per_source[i] = lookup(field.ra[i], field.dec[i], fmt::format("source '{}' (data row {})", field.names[i], i + 1));
  }
  if (r.ebv_source == "field_mean" && !per_source.empty()) {
    double sum = 0;
    for (double v : per_source) sum += v;
    per_source.assign(per_source.size(), sum / static_cast<double>(per_source.size()));
  }
  field.ebv = std::move(per_source);
  return prov;
}

int ebv_cell(double ebv, double width) { return static_cast<int>(std::floor(ebv / width + 1e-9)); }

namespace {

constexpr int kScatterDraws = 16;        // MC draws for sigma_if
constexpr double kCriterionQuantile = 0.9;  // of the r_if pairs
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

AdaptiveCriterion::AdaptiveCriterion(const catalog::Catalog& training, const Config& config)
    : config_(config), cross_section_(physics::cross_section_for(config)), features_(config) {
  if (!training.labelled()) fail("{}: adaptive E(B-V) bins need a labelled training catalog", training.path);
  std::vector<char> reddened(training.size(), 0);
  for (const auto& name : config.reddening.classes) {
    const int k = config.class_index(name);
    for (std::size_t i = 0; i < training.size(); ++i)
      if (training.labels[i] == k) reddened[i] = 1;
  }
  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < training.size(); ++i) (reddened[i] ? rows_ : others).push_back(i);
  const physics::FeatureBuilder& features = features_;
  n_features_ = features.size();
  observed_ = training.subset(rows_);

  // The range of each feature in the classes that are not reddened.
  lo_.assign(static_cast<std::size_t>(n_features_), kInf);
  hi_.assign(static_cast<std::size_t>(n_features_), -kInf);
  const sampling::Measurements other = sampling::observed(training.subset(others));
  const Matrix x_other = features.build(other.xray_flux, other.mag, other.variability);
  for (Eigen::Index i = 0; i < x_other.rows(); ++i)
    for (int f = 0; f < n_features_; ++f)
      if (const double v = x_other(i, f); !std::isnan(v)) {
        lo_[static_cast<std::size_t>(f)] = std::min(lo_[static_cast<std::size_t>(f)], v);
        hi_[static_cast<std::size_t>(f)] = std::max(hi_[static_cast<std::size_t>(f)], v);
      }

  // sigma_if over kScatterDraws MC draws (NaN unless present in >= 2 draws).
  const std::size_t n = rows_.size(), F = static_cast<std::size_t>(n_features_);
  std::vector<double> sum(n * F, 0), sum2(n * F, 0), count(n * F, 0);
  sampling::Measurements draw = sampling::observed(observed_);
  for (int k = 0; k < kScatterDraws; ++k) {
    for (std::size_t i = 0; i < n; ++i) {
      rng::Stream stream = rng::keys::binning_scatter(rows_[i], static_cast<std::uint64_t>(k));
      sampling::sample_row(observed_, i, config.monte_carlo.error_scale, stream, draw, static_cast<Eigen::Index>(i));
    }
    const Matrix x = features.build(draw.xray_flux, draw.mag, draw.variability);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t f = 0; f < F; ++f)
        if (const double v = x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(f)); !std::isnan(v)) {
          sum[i * F + f] += v;
          sum2[i * F + f] += v * v;
          count[i * F + f] += 1;
        }
  }
  sigma_.assign(n * F, std::nan(""));
  for (std::size_t j = 0; j < n * F; ++j)
    if (count[j] >= 2) {
      const double mean = sum[j] / count[j];
      sigma_[j] = std::sqrt(std::max(0.0, sum2[j] / count[j] - mean * mean));
    }
}

std::vector<double> AdaptiveCriterion::features_at(double ebv) const {
  const physics::Reddening r = physics::reddening_for(config_, cross_section_, ebv);
  sampling::Measurements m = sampling::observed(observed_);
  for (Eigen::Index i = 0; i < m.xray_flux.rows(); ++i) physics::apply_reddening(r, m.xray_flux, m.mag, i);
  const Matrix x = features_.build(m.xray_flux, m.mag, m.variability);
  std::vector<double> out(rows_.size() * static_cast<std::size_t>(n_features_));
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (int f = 0; f < n_features_; ++f) {
      const double v = x(i, f);
      out[static_cast<std::size_t>(i * n_features_ + f)] =
          std::isnan(v) ? v : std::clamp(v, lo_[static_cast<std::size_t>(f)], hi_[static_cast<std::size_t>(f)]);
    }
  return out;
}

double AdaptiveCriterion::statistic(double ebv_lo, double ebv_hi) const {
  const std::vector<double> a = features_at(ebv_lo), b = features_at(ebv_hi);
  std::vector<double> r;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const bool pa = !std::isnan(a[j]), pb = !std::isnan(b[j]);
    if (!pa && !pb) continue;
    if (pa != pb) {
      r.push_back(kInf);
    } else if (const double s = sigma_[j]; s > 0) {
      r.push_back(std::abs(b[j] - a[j]) / s);
    } else if (!std::isnan(s)) {  // no scatter (e.g. an error-free measurement): any move counts
      r.push_back(b[j] == a[j] ? 0.0 : kInf);
    }
  }
  if (r.empty()) return 0;
  const auto k = static_cast<std::ptrdiff_t>(std::ceil(kCriterionQuantile * static_cast<double>(r.size())) - 1);
  std::nth_element(r.begin(), r.begin() + k, r.end());
  return r[static_cast<std::size_t>(k)];
}

std::vector<Bin> make_bins(const catalog::Catalog& field, const Config& config, const catalog::Catalog* training) {
  std::vector<Bin> bins;
  if (!config.reddening.enabled) {
    Bin all;
    for (std::size_t i = 0; i < field.size(); ++i) all.rows.push_back(i);
    bins.push_back(std::move(all));
    return bins;
  }
  const double w = config.reddening.bin_width;
  std::map<int, std::vector<std::uint64_t>> cells;  // occupied cell -> rows
  for (std::size_t i = 0; i < field.size(); ++i) cells[ebv_cell(field.ebv[i], w)].push_back(i);

  const auto close = [&](int first, int last, std::vector<std::uint64_t> rows) {
    Bin b;
    b.id = first;
    b.ebv_lo = first * w;
    b.ebv_hi = (last + 1) * w;
    std::sort(rows.begin(), rows.end());
    double sum = 0;
    for (auto r : rows) sum += field.ebv[r];
    b.ebv = sum / static_cast<double>(rows.size());
    b.rows = std::move(rows);
    bins.push_back(std::move(b));
  };
  if (config.reddening.binning == "fixed") {
    for (auto& [id, rows] : cells) close(id, id, std::move(rows));
    return bins;
  }
  if (!training) fail("reddening.binning = \"adaptive\" needs the training catalog");
  const AdaptiveCriterion criterion(*training, config);
  const double tau = config.reddening.adaptive_tolerance;
  int first = 0, last = 0;
  std::vector<std::uint64_t> rows;
  for (auto& [id, cell_rows] : cells) {
    if (!rows.empty() && criterion.statistic(first * w, (id + 1) * w) > tau) {
      close(first, last, std::move(rows));
      rows.clear();
    }
    if (rows.empty()) first = id;
    last = id;
    rows.insert(rows.end(), cell_rows.begin(), cell_rows.end());
  }
  if (!rows.empty()) close(first, last, std::move(rows));
  return bins;
}

void describe_bin_edges(ClassificationResult& result, const Config& config) {
  const double w = config.reddening.bin_width;
  std::map<int, int> last_cell;
  for (std::size_t i = 0; i < result.item_of_source.size(); ++i) {
    const int cell = ebv_cell(result.ebv[i], w);
    auto [it, fresh] = last_cell.emplace(result.item_of_source[i], cell);
    if (!fresh) it->second = std::max(it->second, cell);
  }
  result.item_ebv_lo.clear();
  result.item_ebv_hi.clear();
  for (int id : result.items) {
    if (!config.reddening.enabled) {  // one bin holds every source
      result.item_ebv_lo.push_back(0);
      result.item_ebv_hi.push_back(kInf);
      continue;
    }
    result.item_ebv_lo.push_back(id * w);
    const auto it = last_cell.find(id);
    result.item_ebv_hi.push_back(((it == last_cell.end() ? id : it->second) + 1) * w);
  }
}

std::vector<WorkItem> bin_items(const catalog::Catalog& field, const Config& config,
                                const catalog::Catalog* training) {
  std::vector<WorkItem> items;
  for (auto& bin : make_bins(field, config, training)) {
    WorkItem item;
    item.kind = WorkKind::Bin;
    item.id = static_cast<std::uint64_t>(bin.id);
    item.ebv = bin.ebv;
    item.rows = std::move(bin.rows);
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace mwclass::ensemble
