#include "mwclass/physics/features.hpp"

#include <algorithm>
#include <cmath>

#include "mwclass/core/error.hpp"

namespace mwclass::physics {

namespace {
int index_of(const std::vector<std::string>& names, const std::string& n) {
  const auto it = std::find(names.begin(), names.end(), n);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}
}  // namespace

// Slot layout of the full feature vector: X-ray band fluxes, broad band,
// variability, optical fluxes, hardness ratios, colours.
FeatureBuilder::FeatureBuilder(const Config& config) {
  const auto& f = config.features;
  n_xray_ = static_cast<int>(f.xray_bands.size());
  n_optical_ = static_cast<int>(f.optical_bands.size());
  n_var_ = static_cast<int>(config.columns.variability.size());
  std::vector<std::string> xray_names, optical_names;
  for (const auto& b : f.xray_bands) {
    xray_names.push_back(b.name);
    all_names_.push_back("F" + b.name);
  }
  all_names_.push_back("F" + f.broad_band_name);
  for (const auto& v : config.columns.variability) all_names_.push_back(v);
  for (const auto& b : f.optical_bands) {
    optical_names.push_back(b.name);
    all_names_.push_back(b.name);
    zero_point_.push_back(b.zero_point_flux);
    width_.push_back(b.effective_width);
    limit_.push_back(b.limit_mag);
  }
  for (const auto& h : f.hardness_ratios) {
    Hr hr;
    for (const auto& b : h.plus) hr.plus.push_back(index_of(xray_names, b));
    for (const auto& b : h.minus) hr.minus.push_back(index_of(xray_names, b));
    for (const auto& b : h.denominator) hr.denominator.push_back(index_of(xray_names, b));
    hrs_.push_back(hr);
    all_names_.push_back(h.name);
  }
  for (const auto& c : f.colours) {
    colours_.emplace_back(index_of(optical_names, c.blue), index_of(optical_names, c.red));
    all_names_.push_back(c.name);
  }
  for (const auto& u : f.used) {
    const int slot = index_of(all_names_, u);
    if (slot < 0) fail("invalid configuration: features.used names unknown feature '{}'", u);
    used_slots_.push_back(slot);
    used_names_.push_back(u);
  }
}

void FeatureBuilder::build_row(const double* xf, const double* mag, const double* var,
                               double* out) const {
  // Small fixed buffers: the feature tables are tiny (tens of entries).
  double all[256];
  double m[64];
  if (all_names_.size() > 256 || n_optical_ > 64) fail("too many features configured");
  int s = 0;
  double fb = 0;
  for (int b = 0; b < n_xray_; ++b) fb += xf[b];  // NaN if any band is missing
  for (int b = 0; b < n_xray_; ++b) all[s++] = std::log10(xf[b] / fb);
  all[s++] = std::log10(fb);
  for (int v = 0; v < n_var_; ++v) all[s++] = var[v];
  for (int b = 0; b < n_optical_; ++b) {
    m[b] = (std::isnan(mag[b]) || mag[b] >= limit_[b]) ? kMissing : mag[b];
    const double flux = zero_point_[b] * std::pow(10.0, -0.4 * m[b]) * width_[b];
    all[s++] = std::log10(flux / fb);
  }
  for (const auto& hr : hrs_) {
    double plus = 0, minus = 0, den = 0;
    for (int b : hr.plus) plus += xf[b];
    for (int b : hr.minus) minus += xf[b];
    for (int b : hr.denominator) den += xf[b];
    all[s++] = (plus - minus) / den;
  }
  for (const auto& [blue, red] : colours_) all[s++] = m[blue] - m[red];
  for (std::size_t i = 0; i < used_slots_.size(); ++i) out[i] = all[used_slots_[i]];
}

Matrix FeatureBuilder::build(const Matrix& xray_flux, const Matrix& mag,
                             const Matrix& variability) const {
  Matrix out(xray_flux.rows(), size());
  for (Eigen::Index i = 0; i < xray_flux.rows(); ++i)
    build_row(xray_flux.row(i).data(), mag.row(i).data(), variability.row(i).data(),
              out.row(i).data());
  return out;
}

}  // namespace mwclass::physics
