#include "mwclass/sampling/monte_carlo.hpp"

#include <cmath>

namespace mwclass::sampling {

Measurements observed(const catalog::Catalog& c) {
  return {c.xray_flux, c.mag, c.variability};
}

void sample_row(const catalog::Catalog& c, std::size_t row, double scale, rng::Stream& stream,
                Measurements& out, Eigen::Index out_row) {
  const auto r = static_cast<Eigen::Index>(row);
  for (Eigen::Index b = 0; b < c.xray_flux.cols(); ++b) {
    const double f = c.xray_flux(r, b), sigma = scale * c.xray_error(r, b);
    double draw = f;
    // f > 0 is guaranteed by the catalog reader, so each try succeeds with p >= 1/2.
    if (!std::isnan(f) && sigma > 0) {
      do draw = f + sigma * stream.normal();
      while (draw <= 0);
    }
    out.xray_flux(out_row, b) = draw;
  }
  for (Eigen::Index b = 0; b < c.mag.cols(); ++b) {
    const double m = c.mag(r, b), e = c.mag_error(r, b);
    if (std::isnan(m) || std::isnan(e))
      out.mag(out_row, b) = kMissing;
    else
      out.mag(out_row, b) = m + scale * e * stream.normal();
  }
  out.variability.row(out_row) = c.variability.row(r);
}

}  // namespace mwclass::sampling
