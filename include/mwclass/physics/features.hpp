#pragma once
// Feature engineering of MUWCLASS (Yang et al. 2022, Table 2), driven by the
// config's band, hardness-ratio and colour tables:
//  - X-ray: F_b = sum of the band fluxes; feature "F<band>" = log10(F_band / F_b),
//    "F<broad>" = log10 F_b; hardness ratios from the band fluxes;
//  - variability columns as they are;
//  - optical/IR: magnitudes at or beyond the survey limit are dropped; flux
//    F = f0 10^(-m/2.5) W_eff, feature "<band>" = log10(F / F_b); colours m1 - m2.
// Missing inputs give missing (NaN) features.
#include <string>
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/core/matrix.hpp"

namespace mwclass::physics {

class FeatureBuilder {
 public:
  explicit FeatureBuilder(const Config& config);

  const std::vector<std::string>& names() const { return used_names_; }
  int size() const { return static_cast<int>(used_names_.size()); }

  // One feature row (length size()) from one source's measurements.
  void build_row(const double* xray_flux, const double* mag, const double* variability,
                 double* features) const;
  // All rows: n x size().
  Matrix build(const Matrix& xray_flux, const Matrix& mag, const Matrix& variability) const;

 private:
  struct Hr {
    std::vector<int> plus, minus, denominator;
  };
  int n_xray_ = 0, n_optical_ = 0, n_var_ = 0;
  std::vector<double> zero_point_, width_, limit_;
  std::vector<Hr> hrs_;
  std::vector<std::pair<int, int>> colours_;
  std::vector<std::string> all_names_;   // every computable feature, in slot order
  std::vector<int> used_slots_;          // slot of each used feature
  std::vector<std::string> used_names_;
};

}  // namespace mwclass::physics
