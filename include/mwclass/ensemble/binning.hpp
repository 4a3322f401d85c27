#pragma once
// Grouping of field sources into E(B-V) bins: each bin is classified with a
// training set whose AGN are reddened to the bin's mean E(B-V).
#include <cstdint>
#include <optional>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/work.hpp"

namespace mwclass::ensemble {

struct Bin {
  int id = 0;                         // floor(E(B-V) / bin_width)
  double ebv = 0;                     // mean E(B-V) of its sources
  std::vector<std::uint64_t> rows;    // field rows, increasing
};

// Where a field source's E(B-V) comes from. The catalog column is read by the
// catalog reader; a constant overrides it. (A dust-map lookup by RA/Dec is the
// next provider to add here.)
struct EbvOptions {
  std::optional<double> constant;
};

// Fills field.ebv according to `options`; an Error names the first source that
// has no E(B-V) when reddening is on.
void resolve_field_ebv(catalog::Catalog& field, const Config& config, const EbvOptions& options);

// Bins in increasing id. With reddening off, one bin (id 0, E(B-V) 0) holds all.
std::vector<Bin> make_bins(const catalog::Catalog& field, const Config& config);

// The bins as work items (kind Bin, id = bin id), the input of the scheduler.
std::vector<WorkItem> bin_items(const catalog::Catalog& field, const Config& config);

}  // namespace mwclass::ensemble
