#pragma once
// Equatorial (ICRS/J2000) to Galactic coordinates, for the optional location
// features. Pole and origin as adopted for the Hipparcos catalogue (ESA 1997,
// Vol. 1, Sect. 1.5.3): north Galactic pole at RA 192.85948 deg, Dec
// 27.12825 deg; Galactic longitude of the north celestial pole 122.93192 deg.

namespace mwclass::physics {

struct Galactic {
  double l = 0;  // deg, [0, 360)
  double b = 0;  // deg, [-90, 90]
};

// NaN in, NaN out.
Galactic equatorial_to_galactic(double ra_deg, double dec_deg);

}  // namespace mwclass::physics
