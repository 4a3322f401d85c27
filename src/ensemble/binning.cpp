#include "mwclass/ensemble/binning.hpp"

#include <cmath>
#include <map>

#include <fmt/ranges.h>

#include "mwclass/core/error.hpp"
#include "mwclass/core/run_control.hpp"
#include "mwclass/physics/dust_map.hpp"

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
