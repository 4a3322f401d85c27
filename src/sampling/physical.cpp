#include "mwclass/sampling/physical.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "mwclass/core/error.hpp"

namespace mwclass::sampling {

namespace {

// A keyed stream as the uniform random bit generator of <random>'s distributions.
struct Bits {
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return stream.next_u64(); }
  rng::Stream& stream;
};

double value_at(const std::vector<double>& v, std::size_t i) { return i < v.size() ? v[i] : kMissing; }

}  // namespace

std::vector<std::size_t> physical_targets(const std::vector<std::size_t>& counts, double halfway) {
  std::size_t n_max = 0;
  for (auto n : counts) n_max = std::max(n_max, n);
  std::vector<std::size_t> target;
  for (auto n : counts) {
    const double big = static_cast<double>(n_max), ni = static_cast<double>(n);
    const double t = n == 0 ? 0.0 : std::min(ni * big / (big - halfway * (big - ni)), big);
    target.push_back(std::max(n, static_cast<std::size_t>(std::floor(t))));
  }
  return target;
}

PhysicalOversampler::PhysicalOversampler(const Config& config, const physics::CrossSection& sigma)
    : p_(config.oversampling), n_classes_(config.classifier.classes.size()) {
  if (p_.class_photon_index.size() != n_classes_)
    fail("invalid configuration: oversampling.class_photon_index has {} values, classifier.classes has {} classes",
         p_.class_photon_index.size(), n_classes_);
  for (const auto& b : config.features.xray_bands)
    bands_.emplace_back(sigma, b.energy_lo_kev, b.energy_hi_kev, p_.absorption_intervals);
  for (const auto& b : config.features.optical_bands) {
    extinction_.push_back(b.extinction_coeff);
    limit_.push_back(b.limit_mag);
  }
}

Duplicates PhysicalOversampler::draw(const Measurements& td, const Labels& y,
                                     const std::vector<double>& gamma,
                                     const std::vector<double>& gamma_error,
                                     rng::Stream& stream) const {
  std::vector<std::vector<std::size_t>> members(n_classes_);
  for (std::size_t i = 0; i < y.size(); ++i) members.at(static_cast<std::size_t>(y[i])).push_back(i);
  std::vector<std::size_t> counts;
  for (const auto& m : members) counts.push_back(m.size());
  const auto target = physical_targets(counts, p_.target_halfway);
  std::size_t n_new = 0;
  for (std::size_t c = 0; c < n_classes_; ++c) n_new += target[c] - counts[c];

  Duplicates d;
  const auto n = static_cast<Eigen::Index>(n_new);
  d.m.xray_flux.resize(n, td.xray_flux.cols());
  d.m.mag.resize(n, td.mag.cols());
  d.m.variability.resize(n, td.variability.cols());
  Bits bits{stream};
  std::gamma_distribution<double> ebv_law(p_.ebv_shape, p_.ebv_scale);
  const double nh_per_ebv = p_.nh_per_av * p_.r_v;
  Eigen::Index row = 0;
  for (std::size_t c = 0; c < n_classes_; ++c)
    for (std::size_t k = counts[c]; k < target[c]; ++k, ++row) {
      const std::size_t src = members[c][static_cast<std::size_t>(stream.below(counts[c]))];
      const double ebv = std::min(ebv_law(bits), p_.ebv_cap);
      const double z_nh = stream.normal(), z_gamma = stream.normal();
      const double nh = std::max(0.0, nh_per_ebv * ebv * (1.0 + p_.nh_scatter * p_.draw_scale * z_nh));
      double g = value_at(gamma, src);
      if (std::isnan(g)) {
        g = p_.class_photon_index[c];
      } else {
        const double e = value_at(gamma_error, src);
        if (!std::isnan(e)) g += p_.draw_scale * e * z_gamma;
      }
      const auto r = static_cast<Eigen::Index>(src);
      for (Eigen::Index b = 0; b < td.xray_flux.cols(); ++b)
        d.m.xray_flux(row, b) = td.xray_flux(r, b) * bands_[static_cast<std::size_t>(b)](nh, g);
      for (Eigen::Index b = 0; b < td.mag.cols(); ++b) {
        const double m = td.mag(r, b) + extinction_[static_cast<std::size_t>(b)] * ebv;
        d.m.mag(row, b) = m >= limit_[static_cast<std::size_t>(b)] ? kMissing : m;  // NaN stays NaN
      }
      d.m.variability.row(row) = td.variability.row(r);
      d.member.push_back(src);
      d.y.push_back(static_cast<int>(c));
      d.ebv.push_back(ebv);
      d.nh.push_back(nh);
      d.photon_index.push_back(g);
    }
  return d;
}

}  // namespace mwclass::sampling
