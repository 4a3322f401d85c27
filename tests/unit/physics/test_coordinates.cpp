#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/physics/coordinates.hpp"

using mwclass::physics::equatorial_to_galactic;

TEST_CASE("equatorial to Galactic: reference directions") {
  // Galactic centre (Sgr A* direction, l = b = 0 to ~0.06 deg).
  const auto gc = equatorial_to_galactic(266.40499, -28.93617);
  CHECK(std::min(gc.l, 360.0 - gc.l) < 1e-3);
  CHECK(std::abs(gc.b) < 1e-3);
  // North Galactic pole.
  CHECK(equatorial_to_galactic(192.85948, 27.12825).b == doctest::Approx(90.0).epsilon(1e-9));
  // North celestial pole: b = Dec of the Galactic pole's complement, l = 122.93192.
  const auto ncp = equatorial_to_galactic(0.0, 90.0);
  CHECK(ncp.l == doctest::Approx(122.93192).epsilon(1e-9));
  CHECK(ncp.b == doctest::Approx(27.12825).epsilon(1e-9));
  // Crab Nebula: l = 184.5575, b = -5.7843 (SIMBAD).
  const auto crab = equatorial_to_galactic(83.63308, 22.01450);
  CHECK(crab.l == doctest::Approx(184.5575).epsilon(1e-5));
  CHECK(crab.b == doctest::Approx(-5.7843).epsilon(1e-4));
  // Missing positions stay missing.
  CHECK(std::isnan(equatorial_to_galactic(std::nan(""), 10.0).l));
}
