#pragma once
// X-ray photoelectric absorption by the interstellar medium.
// sigma(E) is the absorption cross-section per hydrogen atom (cm^2); the
// transmitted fraction at energy E through a column N_H is exp(-N_H sigma(E)).
#include <string>
#include <vector>

namespace mwclass::physics {

class CrossSection {
 public:
  // Morrison & McCammon (1983, ApJ 270, 119) polynomial fit, valid 0.03-10 keV:
  // sigma(E) = (c0 + c1 E + c2 E^2) E^-3 x 1e-24 cm^2, E in keV.
  static CrossSection morrison_mccammon_1983();
  // A tabulated cross-section: two whitespace-separated rows, energies in keV
  // and sigma in units of 1e-22 cm^2 per H atom (e.g. Wilms et al. 2000 tbabs).
  // Linear interpolation between table points.
  static CrossSection from_table_file(const std::string& path);

  double operator()(double energy_kev) const;  // cm^2 per H atom
  double min_energy() const { return e_min_; }
  double max_energy() const { return e_max_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  double e_min_ = 0, e_max_ = 0;
  bool tabulated_ = false;
  std::vector<double> energy_, sigma_;  // table (cm^2) or MM83 edges/coefficients
};

// Fraction of the energy flux of a power law (photon index Gamma, so
// E F_E ~ E^(1-Gamma) per unit energy) that survives absorption by N_H over
// [e_lo, e_hi] keV: integral E^(1-Gamma) exp(-N_H sigma(E)) dE / integral E^(1-Gamma) dE.
double band_absorption_factor(const CrossSection& sigma, double nh_cm2, double photon_index,
                              double e_lo_kev, double e_hi_kev);

// The same fraction for one band and many (N_H, Gamma): the quadrature grid
// (composite Simpson in ln E with `intervals` intervals, even) and sigma on it
// are computed once. With 4096 intervals it is band_absorption_factor exactly.
class BandAbsorption {
 public:
  BandAbsorption(const CrossSection& sigma, double e_lo_kev, double e_hi_kev, int intervals = 4096);
  double operator()(double nh_cm2, double photon_index) const;

 private:
  std::vector<double> energy_, weight_, sigma_;
};

}  // namespace mwclass::physics
