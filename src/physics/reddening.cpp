#include "mwclass/physics/reddening.hpp"

namespace mwclass::physics {

CrossSection cross_section_for(const Config& config) {
  const auto& table = config.reddening.absorption_table;
  return table.empty() ? CrossSection::morrison_mccammon_1983()
                       : CrossSection::from_table_file(table);
}

Reddening reddening_for(const Config& config, const CrossSection& sigma, double ebv) {
  Reddening r;
  r.ebv = ebv;
  const double nh = config.reddening.nh_per_ebv * ebv;
  for (const auto& b : config.features.xray_bands)
    r.xray_factor.push_back(band_absorption_factor(sigma, nh, config.reddening.photon_index,
                                                   b.energy_lo_kev, b.energy_hi_kev));
  for (const auto& b : config.features.optical_bands) r.mag_shift.push_back(b.extinction_coeff * ebv);
  return r;
}

void apply_reddening(const Reddening& r, Matrix& xray_flux, Matrix& mag, Eigen::Index row) {
  for (Eigen::Index b = 0; b < xray_flux.cols(); ++b) xray_flux(row, b) *= r.xray_factor[b];
  for (Eigen::Index b = 0; b < mag.cols(); ++b) mag(row, b) += r.mag_shift[b];
}

}  // namespace mwclass::physics
