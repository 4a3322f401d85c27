#pragma once
// E(B-V) toward a source from a 2-D dust map: the Schlegel, Finkbeiner & Davis
// (1998) pair of Lambert zenithal equal-area images (one per Galactic
// hemisphere) or an all-sky HEALPix map. Pixel coordinates come from the
// files' own headers (wcslib for the Lambert images, NSIDE and ORDERING for
// HEALPix), never from assumed sizes. The map value is multiplied by `scale`
// exactly once (0.86: the Schlafly & Finkbeiner 2011 recalibration of SFD;
// 1 for maps already calibrated).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/config.hpp"

namespace mwclass::physics {

enum class DustInterpolation { Bilinear, Nearest };

// "bilinear" or "nearest" (the config's dust_map_interpolation); an Error otherwise.
DustInterpolation dust_interpolation(const std::string& name);

// The distributed names of the SFD pair inside the dust_map directory.
inline constexpr const char* kSfdNorthFile = "SFD_dust_4096_ngp.fits";
inline constexpr const char* kSfdSouthFile = "SFD_dust_4096_sgp.fits";

// One Lambert hemisphere image with its WCS (wcslib's wcspih on the header).
class LambertImage {
 public:
  explicit LambertImage(catalog::FitsImage image);
  LambertImage(LambertImage&&) noexcept;
  LambertImage& operator=(LambertImage&&) noexcept;
  ~LambertImage();

  // 0-based pixel coordinates (x along NAXIS1, y along NAXIS2) of Galactic (l, b) in deg.
  std::pair<double, double> pixel(double l_deg, double b_deg) const;
  // Bilinear with edge clamping (as the SFD reference code) or the nearest pixel.
  double value(double l_deg, double b_deg, DustInterpolation how) const;
  const catalog::FitsImage& image() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loaded dust map: lookups in Galactic or ICRS coordinates.
class DustMap {
 public:
  // b >= 0 from `north`, b < 0 from `south`.
  static DustMap sfd(catalog::FitsImage north, catalog::FitsImage south, double scale, DustInterpolation how);
  // RING or NESTED from the map; COORDSYS 'C' (equatorial) or Galactic (default).
  static DustMap healpix(catalog::FitsHealpixMap map, double scale, DustInterpolation how);

  DustMap(DustMap&&) noexcept;
  DustMap& operator=(DustMap&&) noexcept;
  ~DustMap();

  // The map's own value (before the scale) at Galactic (l, b) deg.
  double raw_galactic(double l_deg, double b_deg) const;
  // scale x the map value toward ICRS (ra, dec) deg; NaN for a NaN position or a blank map pixel.
  double ebv(double ra_deg, double dec_deg) const;
  double scale() const;
  // The files read, in order (north, south; or the HEALPix file).
  const std::vector<std::string>& files() const;

 private:
  DustMap();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The map named by config.reddening.dust_map: a directory holding the SFD pair
// under their distributed names, or a HEALPix FITS file; scale and
// interpolation from the config. A missing file is one Error naming the
// expected files and the config key.
DustMap load_dust_map(const Config& config);

}  // namespace mwclass::physics
