#pragma once
// Synthetic catalogs for `mwclass simulate` (the demo run) and scaling tests.
//
// Every source is drawn from a per-class template that is physically plausible
// but approximate (written for this project, not fitted to any catalog): an
// X-ray spectrum (power law, bremsstrahlung or blackbody, with intrinsic and
// Galactic absorption) integrated over the config's X-ray bands; optical/IR
// magnitudes from class-typical brightness and colours, reddened with the
// config's extinction coefficients and cut at each band's survey limit;
// variability probabilities; and a line-of-sight E(B-V) whose distribution is
// very uneven (most sources at high Galactic latitude, a Galactic-plane tail up
// to ~3 mag, Galactic classes more often in the tail).
//
// Nothing is hard-coded to column names: bands, variability columns and
// classes come from the config. Templates know the MUWCLASS band names
// (G, BP, RP, J, H, K, W1, W2, W3) and variability columns (P_intra, P_inter);
// any other optical band or variability column is left missing, and a class
// name without a template gets a generic one.
//
// Randomness: row r of catalog `catalog_id` uses only
// rng::Stream(seed, rng::Purpose::Simulate, {catalog_id, r}), so a row's values
// do not depend on how many rows are generated, and `labelled` changes nothing
// but the presence of the label column (a field catalog's truth is the labels of
// the same simulation with labelled = true).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/config.hpp"

namespace mwclass::catalog {

// The sky the positions and E(B-V) come from: the default uneven one above,
// or a CSC-like Galactic model (catalog/sky_model.hpp: E(B-V) 0-50).
enum class Sky { Uneven, Csc };

struct SimulationParams {
  std::size_t n_sources = 1000;
  bool labelled = true;          // training set (labels) or field (no labels)
  std::uint64_t seed = 1;
  std::uint64_t catalog_id = 0;  // different catalogs from one seed: 0 = TD, 1 = field
  std::string name_prefix = "SIM";
  // Relative class frequencies indexed like config.classifier.classes; empty
  // means the MUWCLASS TD mix (AGN 1390, YSO 1004, LM-STAR 207, HM-STAR 118,
  // NS 87, LMXB 65, CV 44, HMXB 26 of 2941; a class not in that list gets the
  // mean weight of the listed classes present in the config).
  std::vector<double> class_weights;
  Sky sky = Sky::Uneven;  // Csc: positions, E(B-V) from rng::keys::simulate_sky
};

// The class mix of the paper's GCS classifications (Yang et al. 2022, Table 5:
// AGN 33,955, YSO 11,268, LM-STAR 2,216, HM-STAR 1,843, NS 9,159, LMXB 6,777,
// CV 1,104, HMXB 47 of 66,369) indexed like config.classifier.classes; a class
// not in the table gets weight 0.
std::vector<double> csc_class_weights(const Config& config);
constexpr std::size_t kCscGoodSample = 66369;  // the paper's GCS

// Class weights actually used for `params` (normalised to sum 1). Errors on a
// class_weights vector of the wrong size, with negative or non-finite entries,
// or summing to zero.
std::vector<double> simulation_class_weights(const Config& config,
                                             const SimulationParams& params);

// Generates n_sources rows. Names are "<prefix> JHHMMSS.s+DDMMSS" from the
// position (a suffix "-2", "-3", ... keeps repeated names unique). Values are
// rounded as a catalog would publish them (fluxes 3 significant digits, their
// errors 2; magnitudes and errors 0.001 mag; E(B-V) 0.001 mag; positions 1e-6
// deg) and pass read_catalog's validation after write_catalog.
Catalog simulate_catalog(const Config& config, const SimulationParams& params);

}  // namespace mwclass::catalog
