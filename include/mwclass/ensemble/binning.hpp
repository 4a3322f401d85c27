#pragma once
// Grouping of field sources into E(B-V) bins: each bin is classified with a
// training set whose AGN are reddened to the bin's mean E(B-V).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/work.hpp"

namespace mwclass::ensemble {

struct Bin {
  int id = 0;                         // floor(E(B-V) / bin_width)
  double ebv = 0;                     // mean E(B-V) of its sources
  std::vector<std::uint64_t> rows;    // field rows, increasing
};

// Where a field source's E(B-V) comes from: a constant (--ebv) overrides
// config.reddening.ebv_source, which is "column" (read by the catalog reader),
// "map" (the dust map toward each source), "field_mean" (the map's mean over
// the field's sources) or "position" (the map at reddening.ebv_position).
struct EbvOptions {
  std::optional<double> constant;
};

// What resolve_field_ebv used, for the provenance of a run.
struct EbvProvenance {
  std::string source;                     // "constant", "column", "map", "field_mean", "position"
  std::vector<std::string> map_files;     // the dust map files read (none for column/constant)
  std::vector<std::uint64_t> checksums;   // FNV-1a 64 of each file (core hash_file)
  double scale = 1;                       // applied once to the map values
};

// Fills field.ebv according to `options` and the config; an Error names the
// first source without an E(B-V) (when reddening is on), without RA/Dec for a
// map lookup, or with a blank map pixel.
EbvProvenance resolve_field_ebv(catalog::Catalog& field, const Config& config, const EbvOptions& options);

// Bins in increasing id. With reddening off, one bin (id 0, E(B-V) 0) holds all.
std::vector<Bin> make_bins(const catalog::Catalog& field, const Config& config);

// The bins as work items (kind Bin, id = bin id), the input of the scheduler.
std::vector<WorkItem> bin_items(const catalog::Catalog& field, const Config& config);

}  // namespace mwclass::ensemble
