#pragma once
// Physical oversampling, the class balancing of the MUWCLASS authors' pipeline
// after Yang et al. (2022) ([oversampling] method = "physical"). Instead of
// SMOTE's points between two training sources, each minority class gets random
// duplicates of its own members, each seen through a random dust column:
//  - class i grows from N_i to N'_i = min(N_i N_max / (N_max - h (N_max - N_i)), N_max)
//    sources (h = target_halfway = 1/2; rounded down), N_max the largest class;
//    the duplicated member is drawn uniformly with replacement;
//  - E(B-V) ~ Gamma(shape 0.5, scale 1.5 mag), at most ebv_cap = 50 mag;
//  - N_H = nh_per_av r_v E(B-V) (1 + nh_scatter draw_scale z), z ~ N(0, 1), N_H >= 0
//    (2.21e21 x 3.1 x E(B-V) x (1 + 0.09 sqrt 2 z));
//  - Gamma = the source's power-law fit Gamma + draw_scale sigma_Gamma z' when the
//    table has one ([columns] photon_index, photon_index_error), else the class's
//    class_photon_index;
//  - each X-ray band flux x the absorbed fraction of that power law through N_H
//    (physics/absorption.hpp, the cross-section of [reddening] absorption_table);
//  - each magnitude + A_band = extinction_coeff x E(B-V) (Fitzpatrick 1999, R_V = 3.1,
//    the coefficients that redden the training AGN); a magnitude at or beyond the
//    band's survey limit (limit_mag) becomes missing.
// A duplicate copies the member's measurements of the current MC iteration (after
// the AGN reddening of the bin), so fluxes only ever decrease and magnitudes only
// ever increase. Per duplicate the draws are, in this order: member, E(B-V), z, z'.
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/sampling/monte_carlo.hpp"

namespace mwclass::sampling {

// N'_i of every class from the class sizes N_i (a class without members stays empty).
std::vector<std::size_t> physical_targets(const std::vector<std::size_t>& counts, double halfway);

// The duplicates of one fit, in class order, then draw order.
struct Duplicates {
  std::vector<std::size_t> member;  // the training row each one copies
  Labels y;
  Measurements m;                   // absorbed and reddened measurements
  std::vector<double> ebv, nh, photon_index;  // drawn per duplicate
  std::size_t size() const { return member.size(); }
};

class PhysicalOversampler {
 public:
  PhysicalOversampler(const Config& config, const physics::CrossSection& sigma);

  // Duplicates of the training rows `td` (labels `y`). `gamma`, `gamma_error`: each
  // row's power-law fit and its error (NaN or empty: none).
  Duplicates draw(const Measurements& td, const Labels& y, const std::vector<double>& gamma,
                  const std::vector<double>& gamma_error, rng::Stream& stream) const;

 private:
  OversamplingConfig p_;
  std::size_t n_classes_;
  std::vector<physics::BandAbsorption> bands_;
  std::vector<double> extinction_, limit_;
};

}  // namespace mwclass::sampling
