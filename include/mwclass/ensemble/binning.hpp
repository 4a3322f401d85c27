#pragma once
// Grouping of field sources into E(B-V) bins: each bin is classified with a
// training set whose AGN are reddened to the bin's mean E(B-V).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/result.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/physics/features.hpp"
#include "mwclass/ensemble/work.hpp"

namespace mwclass::ensemble {

// Fixed binning: bin k is the cell [k w, (k+1) w), w = reddening.bin_width.
// Adaptive binning (reddening.binning = "adaptive"): a bin is a run of
// consecutive cells, id = its first cell, [id w, hi) with hi the upper edge
// of its last occupied cell. Cells are merged from low E(B-V) up while the
// training AGN (reddening.classes), reddened to the bin's lower and upper
// edge with the same code as the ensemble, change their features by at most
// tau = reddening.adaptive_tolerance times their Monte-Carlo scatter:
//   r_if = |f_if(hi) - f_if(lo)| / sigma_if,  90th percentile over pairs <= tau,
// with f the feature of AGN i without sampling, clipped to the range the
// feature takes in the other (not reddened) training classes (beyond it no
// split of the forest separates the AGN from them any further), sigma_if the
// standard deviation over 16 MC draws (rng::keys::binning_scatter, error
// scale of the run; reddening scales fluxes and their errors alike and
// shifts magnitudes, so sigma is taken at E(B-V) = 0), a feature present at
// one edge and missing at the other counting as r = infinity. Why MC scatter
// and not the SFD uncertainty: it is what the ensemble itself cannot resolve,
// and it is measured on the training set that is reddened (docs/validation.md,
// issue 18). The edges depend on the field's E(B-V) and the training set
// only: the same for every rank count, thread count and seed.
struct Bin {
  int id = 0;                         // floor(E(B-V) / bin_width) of its first cell
  double ebv = 0;                     // mean E(B-V) of its sources
  double ebv_lo = 0, ebv_hi = 0;      // edges (mag), see above
  std::vector<std::uint64_t> rows;    // field rows, increasing
};

// The cell floor(ebv / width) of an E(B-V); decimal edges such as 0.3 / 0.025 =
// 11.999999999999998 land in the cell a reader expects (12).
int ebv_cell(double ebv, double width);

// The adaptive criterion's statistic for one bin [lo, hi] (the 90th percentile
// of r_if above), for tests and the docs. `training` must be labelled.
class AdaptiveCriterion {
 public:
  AdaptiveCriterion(const catalog::Catalog& training, const Config& config);
  double statistic(double ebv_lo, double ebv_hi) const;
  std::size_t reddened_sources() const { return rows_.size(); }

 private:
  std::vector<double> features_at(double ebv) const;  // (AGN, feature), clipped, NaN = missing
  const Config& config_;
  physics::CrossSection cross_section_;
  physics::FeatureBuilder features_;
  std::vector<std::size_t> rows_;       // reddened training rows
  catalog::Catalog observed_;           // their observed measurements
  std::vector<double> lo_, hi_;         // per feature: range of the other classes
  std::vector<double> sigma_;           // (AGN, feature) MC scatter, NaN = not measurable
  int n_features_ = 0;
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
// Adaptive binning needs the training catalog (an Error without it).
std::vector<Bin> make_bins(const catalog::Catalog& field, const Config& config,
                           const catalog::Catalog* training = nullptr);

// The bins as work items (kind Bin, id = bin id), the input of the scheduler.
std::vector<WorkItem> bin_items(const catalog::Catalog& field, const Config& config,
                                const catalog::Catalog* training = nullptr);

// The edges of the bins a classify result's items were (ids and each source's
// E(B-V) and item), as make_bins defines them: fills item_ebv_lo / item_ebv_hi.
void describe_bin_edges(ClassificationResult& result, const Config& config);

}  // namespace mwclass::ensemble
