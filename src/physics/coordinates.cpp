#include "mwclass/physics/coordinates.hpp"

#include <cmath>

namespace mwclass::physics {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kPoleRa = 192.85948 * kDeg;
constexpr double kPoleDec = 27.12825 * kDeg;
constexpr double kNcpLongitude = 122.93192;  // deg
}  // namespace

Galactic equatorial_to_galactic(double ra_deg, double dec_deg) {
  if (std::isnan(ra_deg) || std::isnan(dec_deg))
    return {std::nan(""), std::nan("")};
  const double ra = ra_deg * kDeg, dec = dec_deg * kDeg;
  const double d_ra = ra - kPoleRa;
  const double sin_b = std::sin(dec) * std::sin(kPoleDec) + std::cos(dec) * std::cos(kPoleDec) * std::cos(d_ra);
  const double b = std::asin(std::fmax(-1.0, std::fmin(1.0, sin_b)));
  const double y = std::cos(dec) * std::sin(d_ra);
  const double x = std::sin(dec) * std::cos(kPoleDec) - std::cos(dec) * std::sin(kPoleDec) * std::cos(d_ra);
  double l = kNcpLongitude - std::atan2(y, x) / kDeg;
  l = std::fmod(l, 360.0);
  if (l < 0) l += 360.0;
  return {l, b / kDeg};
}

}  // namespace mwclass::physics
