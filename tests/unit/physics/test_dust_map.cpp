#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/physics/coordinates.hpp"
#include "mwclass/physics/dust_map.hpp"
#include "../../test_support.hpp"

using namespace mwclass;
using mwclass::testing::contains;
using mwclass::testing::error_of;
using physics::DustInterpolation;
using physics::DustMap;

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

std::string card(const std::string& key, const std::string& value) {
  std::string c = key;
  c.resize(8, ' ');
  c += "= " + value;
  c.resize(80, ' ');
  return c;
}

// An SFD-format hemisphere image (n = +1 north, -1 south): 2 lam_scal pixels a side,
// the header keywords of the distributed files (ZEA, CRPIX centre, CRVAL +-90,
// LONPOLE 180, LAM_NSGP, LAM_SCAL, CDELT = (180/pi) sqrt(2) / LAM_SCAL with the
// signs of the north/south files). Pixel (x, y), 0-based, holds f(x, y).
template <class F>
catalog::FitsImage lambert(int n, long lam_scal, F f, long size = 0) {
  if (size == 0) size = 2 * lam_scal;
  catalog::FitsImage img;
  img.path = n > 0 ? "ngp.fits" : "sgp.fits";
  const long nx = std::min<long>(size, 4096), ny = nx;  // pixel buffer (small even for the 4096 header)
  img.nx = nx;
  img.ny = ny;
  for (long y = 0; y < ny; ++y)
    for (long x = 0; x < nx; ++x) img.pixels.push_back(f(static_cast<double>(x), static_cast<double>(y)));
  const double cdelt = 180.0 / kPi * std::sqrt(2.0) / static_cast<double>(lam_scal);
  const std::string crpix = fmt::format("{:.1f}", static_cast<double>(size) / 2 + 0.5);
  const std::vector<std::pair<std::string, std::string>> cards = {
      {"SIMPLE", "T"}, {"BITPIX", "-32"}, {"NAXIS", "2"}, {"NAXIS1", std::to_string(size)},
      {"NAXIS2", std::to_string(size)}, {"CTYPE1", "'GLON-ZEA'"}, {"CTYPE2", "'GLAT-ZEA'"},
      {"CRPIX1", crpix}, {"CRPIX2", crpix}, {"CRVAL1", n > 0 ? "90.0" : "-90.0"},
      {"CRVAL2", n > 0 ? "90.0" : "-90.0"}, {"CDELT1", fmt::format("{:.17g}", -n * cdelt)},
      {"CDELT2", fmt::format("{:.17g}", n * cdelt)}, {"LONPOLE", "180.0"}, {"LAM_NSGP", std::to_string(n)},
      {"LAM_SCAL", std::to_string(lam_scal)}};
  for (const auto& [k, v] : cards) {
    img.header += card(k, v);
    img.keywords[k] = v;
  }
  img.n_cards = static_cast<int>(cards.size());
  return img;
}

// The SFD reference code's closed form (0-based pixel).
std::pair<double, double> closed_form(double l, double b, int n, double crpix, double lam_scal) {
  const double r = lam_scal * std::sqrt(1 - n * std::sin(b * kDeg));
  return {crpix - 1 + r * std::cos(l * kDeg), crpix - 1 - n * r * std::sin(l * kDeg)};
}

double north_f(double x, double y) { return 0.1 + 0.01 * x + 0.001 * y; }
double south_f(double x, double y) { return 2.0 + 0.02 * x + 0.003 * y; }

double rad(double deg) { return deg * kDeg; }
}  // namespace

TEST_CASE("ICRS to Galactic at the defining points (1e-9 rad)") {
  // North Galactic pole (b = 90) and the Galactic longitude of the north celestial pole.
  CHECK(std::abs(rad(physics::equatorial_to_galactic(192.85948, 27.12825).b) - kPi / 2) < 1e-9);
  const auto ncp = physics::equatorial_to_galactic(123.0, 90.0);
  CHECK(std::abs(rad(ncp.l) - rad(122.93192)) < 1e-9);
  CHECK(std::abs(rad(ncp.b) - rad(27.12825)) < 1e-9);
  // The south Galactic pole is the antipode of the north one.
  CHECK(std::abs(rad(physics::equatorial_to_galactic(12.85948, -27.12825).b) + kPi / 2) < 1e-9);
  // Galactic centre: its RA/Dec are given to 1e-5 deg (the Hipparcos definition), so l = b = 0
  // to that precision (1e-5 deg = 1.7e-7 rad), not better.
  const auto gc = physics::equatorial_to_galactic(266.40499, -28.93617);
  CHECK(std::abs(rad(std::min(gc.l, 360 - gc.l))) < 2e-7);
  CHECK(std::abs(rad(gc.b)) < 2e-7);
}

TEST_CASE("SFD Lambert WCS: the full-size header matches the closed form") {
  const auto flat = [](double, double) { return 1.0; };
  const physics::LambertImage north(lambert(1, 2048, flat, 4096));
  const physics::LambertImage south(lambert(-1, 2048, flat, 4096));
  // The two points.
  auto [xn, yn] = north.pixel(130.0, 10.0);
  CHECK(xn == doctest::Approx(850.81473466).epsilon(1e-11));
  CHECK(yn == doctest::Approx(621.34603582).epsilon(1e-11));
  auto [xs, ys] = south.pixel(127.61792509, -62.79381769);
  CHECK(xs == doctest::Approx(1631.70261614).epsilon(1e-11));
  CHECK(ys == doctest::Approx(2587.07462415).epsilon(1e-11));
  // A grid of directions against the closed form.
  for (double l = 0; l < 360; l += 37.5)
    for (double b : {0.0, 5.0, 33.3, 71.0, 89.9}) {
      const auto [x, y] = north.pixel(l, b);
      const auto [cx, cy] = closed_form(l, b, 1, 2048.5, 2048);
      CHECK(std::abs(x - cx) < 1e-7);
      CHECK(std::abs(y - cy) < 1e-7);
      const auto [x2, y2] = south.pixel(l, -b);
      const auto [cx2, cy2] = closed_form(l, -b, -1, 2048.5, 2048);
      CHECK(std::abs(x2 - cx2) < 1e-7);
      CHECK(std::abs(y2 - cy2) < 1e-7);
    }
}

TEST_CASE("SFD pair: poles, plane, hemisphere boundary, edges; bilinear and nearest") {
  const long L = 8;  // 16 x 16 pixels
  const DustMap bil = DustMap::sfd(lambert(1, L, north_f), lambert(-1, L, south_f), 1.0, DustInterpolation::Bilinear);
  const DustMap near = DustMap::sfd(lambert(1, L, north_f), lambert(-1, L, south_f), 1.0, DustInterpolation::Nearest);
  const double c = static_cast<double>(L) - 0.5;  // 0-based centre
  // Poles: the image centre of each file.
  CHECK(bil.raw_galactic(0, 90) == doctest::Approx(north_f(c, c)));
  CHECK(bil.raw_galactic(0, -90) == doctest::Approx(south_f(c, c)));
  // Interior points: bilinear of a linear function is the function at the closed-form pixel.
  for (double l : {10.0, 100.0, 200.0, 300.0})
    for (double b : {20.0, 60.0}) {
      const auto [x, y] = closed_form(l, b, 1, c + 1, L);
      CHECK(bil.raw_galactic(l, b) == doctest::Approx(north_f(x, y)).epsilon(1e-12));
      CHECK(near.raw_galactic(l, b) == doctest::Approx(north_f(std::floor(x + 0.5), std::floor(y + 0.5))));
      const auto [xs, ys] = closed_form(l, -b, -1, c + 1, L);
      CHECK(bil.raw_galactic(l, -b) == doctest::Approx(south_f(xs, ys)).epsilon(1e-12));
    }
  // Hemisphere boundary: b = 0 from the north file, just below from the south file.
  {
    const auto [x, y] = closed_form(45, 0, 1, c + 1, L);
    CHECK(bil.raw_galactic(45, 0) == doctest::Approx(north_f(x, y)));
    const auto [xs, ys] = closed_form(45, -1e-9, -1, c + 1, L);
    CHECK(bil.raw_galactic(45, -1e-9) == doctest::Approx(south_f(xs, ys)));
  }
  // Edges: in the plane at l = 0 the closed form gives x = 2L - 0.5, beyond the last pixel: clamped.
  CHECK(bil.raw_galactic(0, 0) == doctest::Approx(north_f(2 * L - 1, c)));
  CHECK(bil.raw_galactic(180, 0) == doctest::Approx(north_f(0, c)));
  CHECK(bil.raw_galactic(90, 0) == doctest::Approx(north_f(c, 0)));
  CHECK(bil.raw_galactic(270, -0.0001) == doctest::Approx(south_f(c, 0)));
  CHECK(near.raw_galactic(0, 0) == doctest::Approx(north_f(2 * L - 1, std::floor(c + 0.5))));
}

TEST_CASE("dust map scale is applied once, to ICRS lookups") {
  const auto flat_n = [](double, double) { return 0.5; };
  const auto flat_s = [](double, double) { return 0.25; };
  const DustMap m = DustMap::sfd(lambert(1, 4, flat_n), lambert(-1, 4, flat_s), 0.86, DustInterpolation::Bilinear);
  CHECK(m.scale() == 0.86);
  CHECK(m.raw_galactic(10, 10) == doctest::Approx(0.5));
  CHECK(m.ebv(192.85948, 27.12825) == doctest::Approx(0.86 * 0.5));   // NGP
  CHECK(m.ebv(12.85948, -27.12825) == doctest::Approx(0.86 * 0.25));  // SGP
  CHECK(std::isnan(m.ebv(std::nan(""), 0)));
  CHECK(m.files() == std::vector<std::string>{"ngp.fits", "sgp.fits"});
  // The files swapped: refused by the hemisphere keyword.
  CHECK(contains(error_of([&] {
                   (void)DustMap::sfd(lambert(-1, 4, flat_s), lambert(1, 4, flat_n), 1, DustInterpolation::Bilinear);
                 }),
                 "expected the north"));
}

TEST_CASE("HEALPix maps: RING and NESTED, nearest and bilinear") {
  // NSIDE 2: the first polar-cap ring has z = 1 - 1/12 and phi = 45, 135, 225, 315 deg;
  // those are RING pixels 0..3 and, in NESTED, the northmost sub-pixels 3, 7, 11, 15 of base pixels 0..3.
  const double b_ring1 = std::asin(11.0 / 12.0) / kDeg;
  catalog::FitsHealpixMap ring;
  ring.path = "ring.fits";
  ring.nside = 2;
  ring.values.assign(48, 0.0);
  catalog::FitsHealpixMap nest = ring;
  nest.path = "nest.fits";
  nest.nested = true;
  for (int j = 0; j < 4; ++j) {
    ring.values[static_cast<std::size_t>(j)] = 1.0 + j;
    nest.values[static_cast<std::size_t>(4 * j + 3)] = 1.0 + j;
  }
  for (auto how : {DustInterpolation::Nearest, DustInterpolation::Bilinear}) {
    const DustMap r = DustMap::healpix(ring, 1.0, how);
    const DustMap n = DustMap::healpix(nest, 1.0, how);
    for (int j = 0; j < 4; ++j) {
      // At a pixel centre both give the pixel's value.
      CHECK(r.raw_galactic(45.0 + 90 * j, b_ring1) == doctest::Approx(1.0 + j));
      CHECK(n.raw_galactic(45.0 + 90 * j, b_ring1) == doctest::Approx(1.0 + j));
    }
    CHECK(r.raw_galactic(0, -70) == doctest::Approx(0.0));  // the south cap is empty
  }
  // Bilinear at the north pole: the mean of the four polar pixels.
  CHECK(DustMap::healpix(ring, 1.0, DustInterpolation::Bilinear).raw_galactic(0, 90) == doctest::Approx(2.5));
  CHECK(DustMap::healpix(nest, 1.0, DustInterpolation::Bilinear).raw_galactic(123, 90) == doctest::Approx(2.5));
  // Between two ring-1 centres at the same latitude: half of each.
  CHECK(DustMap::healpix(ring, 1.0, DustInterpolation::Bilinear).raw_galactic(90, b_ring1) ==
        doctest::Approx(1.5));
  // Equatorial maps are looked up by RA/Dec directly; the scale multiplies once.
  catalog::FitsHealpixMap eq = ring;
  eq.keywords["COORDSYS"] = "C";
  CHECK(DustMap::healpix(eq, 0.5, DustInterpolation::Nearest).ebv(135, b_ring1) == doctest::Approx(1.0));
  // A map whose size does not fit its NSIDE.
  catalog::FitsHealpixMap bad = ring;
  bad.values.resize(47);
  CHECK(contains(error_of([&] { (void)DustMap::healpix(bad, 1, DustInterpolation::Nearest); }), "12 NSIDE^2 = 48"));
}

TEST_CASE("a missing dust map names the expected files and the config key") {
  const auto dir = mwclass::testing::scratch_dir("dustmap-missing");
  Config config = Config::defaults();
  config.reddening.dust_map = dir.string();
  config.reddening.ebv_source = "map";
  const std::string e = error_of([&] { (void)physics::load_dust_map(config); });
  CHECK(contains(e, "SFD_dust_4096_ngp.fits"));
  CHECK(contains(e, "SFD_dust_4096_sgp.fits"));
  CHECK(contains(e, "[reddening] dust_map"));
  config.reddening.dust_map = (dir / "nowhere.fits").string();
  const std::string e2 = error_of([&] { (void)physics::load_dust_map(config); });
  CHECK(contains(e2, "nowhere.fits"));
  CHECK(contains(e2, "[reddening] dust_map"));
  // The modes need a map; "position" needs [ra, dec].
  Config c2 = Config::defaults();
  CHECK(contains(error_of([&] { c2.set("reddening.ebv_source=map"); }), "needs a dust map"));
  c2.set("reddening.dust_map=\"" + dir.string() + "\"");
  CHECK(contains(error_of([&] { c2.set("reddening.ebv_source=position"); }), "ebv_position"));
}

TEST_CASE("load_dust_map reads the SFD pair and HEALPix files written by catalog::write_fits_*") {
  const auto dir = mwclass::testing::scratch_dir("dustmap-files");
  const long L = 8;
  for (int n : {1, -1}) {
    const catalog::FitsImage img = lambert(n, L, n > 0 ? north_f : south_f);
    std::vector<float> px(img.pixels.begin(), img.pixels.end());
    std::vector<std::pair<std::string, std::string>> cards;
    for (const auto& [k, v] : img.keywords)
      if (k != "SIMPLE" && k != "BITPIX" && k != "NAXIS" && k != "NAXIS1" && k != "NAXIS2") cards.emplace_back(k, v);
    catalog::write_fits_image((dir / (n > 0 ? physics::kSfdNorthFile : physics::kSfdSouthFile)).string(), img.nx,
                              img.ny, px, cards);
  }
  Config config = Config::defaults();
  config.reddening.dust_map = dir.string();
  const DustMap m = physics::load_dust_map(config);
  CHECK(m.scale() == 0.86);
  CHECK(m.files().size() == 2);
  const double c = static_cast<double>(L) - 0.5;
  for (double l : {30.0, 250.0})
    for (double b : {40.0, -40.0}) {
      const int n = b >= 0 ? 1 : -1;
      const auto [x, y] = closed_form(l, b, n, c + 1, L);
      const double want = n > 0 ? north_f(x, y) : south_f(x, y);
      CHECK(m.raw_galactic(l, b) == doctest::Approx(want).epsilon(1e-6));  // float32 pixels
    }
  // A NESTED HEALPix file: the northmost sub-pixel of base pixel 1 (NESTED 7) at l = 135 deg.
  std::vector<float> values(48, 0.0f);
  values[7] = 0.5f;
  catalog::write_fits_healpix((dir / "nest.fits").string(), 2, true, values);
  config.reddening.dust_map = (dir / "nest.fits").string();
  config.reddening.dust_map_scale = 1;
  config.reddening.dust_map_interpolation = "nearest";
  const DustMap h = physics::load_dust_map(config);
  CHECK(h.raw_galactic(135, std::asin(11.0 / 12.0) / kDeg) == doctest::Approx(0.5));
  CHECK(h.raw_galactic(45, std::asin(11.0 / 12.0) / kDeg) == doctest::Approx(0.0));
}
