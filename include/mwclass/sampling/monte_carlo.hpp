#pragma once
// One Monte-Carlo realisation of a source's measurements (MUWCLASS step 1):
//  - X-ray band flux ~ Normal(F, s sigma_F), redrawn until positive;
//  - magnitude ~ Normal(m, s sigma_m); a magnitude without an uncertainty
//    (2MASS upper limits) becomes missing;
//  - variability probabilities are not sampled.
// s is config.monte_carlo.error_scale (sqrt 2 in MUWCLASS).
#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::sampling {

// Measurements of several sources, in the layout of catalog::Catalog.
struct Measurements {
  Matrix xray_flux;
  Matrix mag;
  Matrix variability;
};

// Copies rows of a catalog without sampling (the deterministic pass, --mc 0).
Measurements observed(const catalog::Catalog& catalog);

// Draws row `row` of `catalog` into row `out_row` of `out` with `stream`.
void sample_row(const catalog::Catalog& catalog, std::size_t row, double error_scale,
                rng::Stream& stream, Measurements& out, Eigen::Index out_row);

}  // namespace mwclass::sampling
