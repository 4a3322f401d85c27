#include "mwclass/physics/dust_map.hpp"

#include <wcslib/wcs.h>
#include <wcslib/wcshdr.h>

#include <healpix_cxx/healpix_base.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include <fmt/ranges.h>

#include "mwclass/core/error.hpp"
#include "mwclass/physics/coordinates.hpp"

namespace mwclass::physics {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
const double kNaN = std::nan("");

std::optional<std::string> keyword(const std::map<std::string, std::string>& keys, const std::string& name) {
  const auto it = keys.find(name);
  if (it == keys.end()) return std::nullopt;
  return it->second;
}
}  // namespace

DustInterpolation dust_interpolation(const std::string& name) {
  if (name == "bilinear") return DustInterpolation::Bilinear;
  if (name == "nearest") return DustInterpolation::Nearest;
  fail("reddening.dust_map_interpolation: \"{}\" is neither \"bilinear\" nor \"nearest\"", name);
}

// ------------------------------------------------------------- Lambert image --

struct LambertImage::Impl {
  catalog::FitsImage image;
  wcsprm* wcs = nullptr;
  int nwcs = 0;
  ~Impl() {
    if (wcs) wcsvfree(&nwcs, &wcs);
  }
};

LambertImage::LambertImage(catalog::FitsImage image) : impl_(std::make_unique<Impl>()) {
  impl_->image = std::move(image);
  const auto& img = impl_->image;
  if (img.nx < 2 || img.ny < 2 || img.pixels.size() != static_cast<std::size_t>(img.nx * img.ny))
    fail("{}: the dust map image must be 2-D with at least 2 x 2 pixels (got {} x {})", img.path, img.nx, img.ny);
  std::string header = img.header;  // wcspih may modify its input
  int nreject = 0;
  const int status = wcspih(header.data(), img.n_cards, WCSHDR_all, 0, &nreject, &impl_->nwcs, &impl_->wcs);
  if (status != 0 || impl_->nwcs < 1)
    fail("{}: no world coordinate system in the header (wcslib wcspih status {})", img.path, status);
  wcsprm& w = impl_->wcs[0];
  if (const int s = wcsset(&w)) fail("{}: bad world coordinate system: {}", img.path, wcs_errmsg[s]);
  if (w.naxis != 2 || w.lng < 0 || w.lat < 0 || std::string(w.ctype[w.lng]).rfind("GLON", 0) != 0)
    fail("{}: the dust map must be a 2-D image in Galactic coordinates (CTYPE1/2 'GLON-...'/'GLAT-...')", img.path);
}

LambertImage::LambertImage(LambertImage&&) noexcept = default;
LambertImage& LambertImage::operator=(LambertImage&&) noexcept = default;
LambertImage::~LambertImage() = default;

const catalog::FitsImage& LambertImage::image() const { return impl_->image; }

std::pair<double, double> LambertImage::pixel(double l_deg, double b_deg) const {
  wcsprm& w = impl_->wcs[0];
  double world[2], imgcrd[2], pixcrd[2], phi = 0, theta = 0;
  world[w.lng] = l_deg;
  world[w.lat] = b_deg;
  int stat = 0;
  if (wcss2p(&w, 1, 2, world, &phi, &theta, imgcrd, pixcrd, &stat) != 0 || stat != 0) return {kNaN, kNaN};
  return {pixcrd[0] - 1.0, pixcrd[1] - 1.0};  // FITS pixel 1 is index 0
}

double LambertImage::value(double l_deg, double b_deg, DustInterpolation how) const {
  const auto& img = impl_->image;
  auto [x, y] = pixel(l_deg, b_deg);
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  const auto at = [&](long ix, long iy) { return img.pixels[static_cast<std::size_t>(iy * img.nx + ix)]; };
  const double x_max = static_cast<double>(img.nx - 1), y_max = static_cast<double>(img.ny - 1);
  x = std::clamp(x, 0.0, x_max);
  y = std::clamp(y, 0.0, y_max);
  if (how == DustInterpolation::Nearest)
    return at(static_cast<long>(std::floor(x + 0.5)), static_cast<long>(std::floor(y + 0.5)));
  const long ix = std::min(static_cast<long>(std::floor(x)), img.nx - 2);
  const long iy = std::min(static_cast<long>(std::floor(y)), img.ny - 2);
  const double fx = x - static_cast<double>(ix), fy = y - static_cast<double>(iy);
  return (1 - fx) * (1 - fy) * at(ix, iy) + fx * (1 - fy) * at(ix + 1, iy) + (1 - fx) * fy * at(ix, iy + 1) +
         fx * fy * at(ix + 1, iy + 1);
}

// ------------------------------------------------------------------ DustMap --

struct DustMap::Impl {
  double scale = 1;
  DustInterpolation how = DustInterpolation::Bilinear;
  std::vector<std::string> files;
  // SFD pair
  std::optional<LambertImage> north, south;
  // HEALPix
  std::optional<T_Healpix_Base<int64>> base;
  std::vector<double> values;
  bool equatorial = false;
};

DustMap::DustMap() : impl_(std::make_unique<Impl>()) {}
DustMap::DustMap(DustMap&&) noexcept = default;
DustMap& DustMap::operator=(DustMap&&) noexcept = default;
DustMap::~DustMap() = default;

namespace {
void check_scale(double scale) {
  if (!(scale > 0) || !std::isfinite(scale)) fail("reddening.dust_map_scale must be a finite value > 0 (got {})", scale);
}

// The header says which hemisphere an image is (LAM_NSGP, else the sign of CRVAL2).
void check_hemisphere(const catalog::FitsImage& img, int expected) {
  int n = 0;
  try {
    if (const auto v = keyword(img.keywords, "LAM_NSGP")) n = std::stoi(*v);
    else if (const auto c = keyword(img.keywords, "CRVAL2")) n = std::stod(*c) >= 0 ? 1 : -1;
  } catch (const std::exception&) {
    fail("{}: LAM_NSGP / CRVAL2 is not a number", img.path);
  }
  if (n != 0 && n != expected)
    fail("{}: this is the {} Galactic hemisphere (LAM_NSGP/CRVAL2), expected the {}", img.path,
         n > 0 ? "north" : "south", expected > 0 ? "north" : "south");
}
}  // namespace

DustMap DustMap::sfd(catalog::FitsImage north, catalog::FitsImage south, double scale, DustInterpolation how) {
  check_scale(scale);
  check_hemisphere(north, 1);
  check_hemisphere(south, -1);
  DustMap m;
  m.impl_->scale = scale;
  m.impl_->how = how;
  m.impl_->files = {north.path, south.path};
  m.impl_->north.emplace(std::move(north));
  m.impl_->south.emplace(std::move(south));
  return m;
}

DustMap DustMap::healpix(catalog::FitsHealpixMap map, double scale, DustInterpolation how) {
  check_scale(scale);
  DustMap m;
  m.impl_->scale = scale;
  m.impl_->how = how;
  m.impl_->files = {map.path};
  const auto npix = 12.0 * static_cast<double>(map.nside) * static_cast<double>(map.nside);
  if (map.nside < 1 || static_cast<double>(map.values.size()) != npix)
    fail("{}: HEALPix map with NSIDE {} needs 12 NSIDE^2 = {} values, it has {}", map.path, map.nside, npix,
         map.values.size());
  try {
    m.impl_->base.emplace(map.nside, map.nested ? NEST : RING, SET_NSIDE);
  } catch (const PlanckError& e) {
    fail("{}: bad HEALPix NSIDE {} for {} ordering: {}", map.path, map.nside, map.nested ? "NESTED" : "RING",
         e.what());
  }
  if (const auto c = keyword(map.keywords, "COORDSYS")) {
    const char s = c->empty() ? 'G' : static_cast<char>(std::toupper(static_cast<unsigned char>((*c)[0])));
    if (s == 'C' || s == 'Q') m.impl_->equatorial = true;
    else if (s != 'G') fail("{}: COORDSYS '{}' is not supported (Galactic 'G' or equatorial 'C')", map.path, *c);
  }
  m.impl_->values = std::move(map.values);
  return m;
}

double DustMap::raw_galactic(double l_deg, double b_deg) const {
  if (std::isnan(l_deg) || std::isnan(b_deg)) return kNaN;
  const Impl& m = *impl_;
  if (m.north) return (b_deg >= 0 ? *m.north : *m.south).value(l_deg, b_deg, m.how);
  const pointing dir((90.0 - b_deg) * kDeg, l_deg * kDeg);
  if (m.how == DustInterpolation::Nearest) return m.values[static_cast<std::size_t>(m.base->ang2pix(dir))];
  fix_arr<int64, 4> pix;
  fix_arr<double, 4> wgt;
  m.base->get_interpol(dir, pix, wgt);
  double sum = 0;
  for (std::size_t k = 0; k < 4; ++k) sum += wgt[k] * m.values[static_cast<std::size_t>(pix[k])];
  return sum;  // a blank (NaN) neighbour leaves the value blank
}

double DustMap::ebv(double ra_deg, double dec_deg) const {
  if (impl_->equatorial) return impl_->scale * raw_galactic(ra_deg, dec_deg);
  const Galactic g = equatorial_to_galactic(ra_deg, dec_deg);
  return impl_->scale * raw_galactic(g.l, g.b);
}

double DustMap::scale() const { return impl_->scale; }
const std::vector<std::string>& DustMap::files() const { return impl_->files; }

// -------------------------------------------------------------------- loading --

DustMap load_dust_map(const Config& config) {
  namespace fs = std::filesystem;
  const auto& r = config.reddening;
  const std::string& path = r.dust_map;
  const std::string expected = fmt::format(
      "a directory holding the SFD pair {} and {}, or a HEALPix FITS file (config key [reddening] dust_map, "
      "--dust-map PATH)",
      kSfdNorthFile, kSfdSouthFile);
  if (path.empty()) fail("no dust map given: reddening.ebv_source = \"{}\" needs {}", r.ebv_source, expected);
  const DustInterpolation how = dust_interpolation(r.dust_map_interpolation);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const std::string north = (fs::path(path) / kSfdNorthFile).string();
    const std::string south = (fs::path(path) / kSfdSouthFile).string();
    std::vector<std::string> missing;
    for (const auto& f : {north, south})
      if (!fs::is_regular_file(f, ec)) missing.push_back(f);
    if (!missing.empty())
      fail("dust map directory '{}' lacks {}: expected {}", path, fmt::join(missing, " and "), expected);
    return DustMap::sfd(catalog::read_fits_image(north), catalog::read_fits_image(south), r.dust_map_scale, how);
  }
  const std::string file = path.substr(0, path.find('['));  // CFITSIO's HDU selector
  if (!fs::is_regular_file(file, ec)) fail("dust map '{}' not found: expected {}", path, expected);
  return DustMap::healpix(catalog::read_fits_healpix(path), r.dust_map_scale, how);
}

}  // namespace mwclass::physics
