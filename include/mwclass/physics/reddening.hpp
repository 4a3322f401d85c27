#pragma once
// Reddening of a source seen through a dust column E(B-V): X-ray band fluxes
// lose the absorbed fraction (N_H = nh_per_ebv x E(B-V)), magnitudes grow by
// A_band = k_band x E(B-V). MUWCLASS applies it to the training AGN so that they
// look as they would behind the field's dust.
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/physics/absorption.hpp"

namespace mwclass::physics {

struct Reddening {
  double ebv = 0;
  std::vector<double> xray_factor;  // per configured X-ray band, multiplies the flux
  std::vector<double> mag_shift;    // per configured optical band, added to the magnitude
};

Reddening reddening_for(const Config& config, const CrossSection& sigma, double ebv);

// The cross-section the config asks for: the table file, or MM83.
CrossSection cross_section_for(const Config& config);

// Applies `r` to row `row` of the flux and magnitude matrices (missing stay missing).
void apply_reddening(const Reddening& r, Matrix& xray_flux, Matrix& mag, Eigen::Index row);

}  // namespace mwclass::physics
