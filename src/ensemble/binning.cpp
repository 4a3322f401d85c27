#include "mwclass/ensemble/binning.hpp"

#include <cmath>
#include <map>

#include "mwclass/core/error.hpp"

namespace mwclass::ensemble {

void resolve_field_ebv(catalog::Catalog& field, const Config& config, const EbvOptions& options) {
  if (options.constant) {
    if (!(*options.constant >= 0) || !std::isfinite(*options.constant))
      fail("--ebv must be a finite value >= 0 (got {})", *options.constant);
    field.ebv.assign(field.size(), *options.constant);
    return;
  }
  if (!config.reddening.enabled) return;
  for (std::size_t i = 0; i < field.size(); ++i)
    if (std::isnan(field.ebv[i]))
      fail("{}: source '{}' (data row {}) has no E(B-V): the column '{}' is {}; fill it, give a "
           "constant with --ebv VALUE, or turn reddening off with --no-reddening",
           field.path, field.names[i], i + 1, config.columns.ebv,
           i == 0 ? "absent or empty" : "empty there");
}

std::vector<Bin> make_bins(const catalog::Catalog& field, const Config& config) {
  std::vector<Bin> bins;
  if (!config.reddening.enabled) {
    Bin all;
    for (std::size_t i = 0; i < field.size(); ++i) all.rows.push_back(i);
    bins.push_back(std::move(all));
    return bins;
  }
  std::map<int, Bin> by_id;
  for (std::size_t i = 0; i < field.size(); ++i) {
    // Bin k holds [k w, (k+1) w). The tolerance puts decimal edges such as
    // 0.3 / 0.025 = 11.999999999999998 in the bin a reader expects (12).
    const int id = static_cast<int>(std::floor(field.ebv[i] / config.reddening.bin_width + 1e-9));
    Bin& b = by_id[id];
    b.id = id;
    b.rows.push_back(i);
  }
  for (auto& [id, b] : by_id) {
    double sum = 0;
    for (auto r : b.rows) sum += field.ebv[r];
    b.ebv = sum / static_cast<double>(b.rows.size());
    bins.push_back(std::move(b));
  }
  return bins;
}

std::vector<WorkItem> bin_items(const catalog::Catalog& field, const Config& config) {
  std::vector<WorkItem> items;
  for (auto& bin : make_bins(field, config)) {
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
