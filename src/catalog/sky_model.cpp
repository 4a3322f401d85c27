#include "mwclass/catalog/sky_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace mwclass::catalog {

namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

// Dust disk: rho0 = 0.3 mag E(B-V)/kpc near the Sun (A_V ~ 1 mag/kpc / R_V),
// scale length 2.6 kpc, scale height 0.12 kpc (dust layer of the Milky Way,
// e.g. Drimmel & Spergel 2001 within a factor ~1.5). Through the whole disk
// toward the centre this gives ~35 mag; the central molecular zone (radius
// 0.2 kpc, height 0.04 kpc) adds ~15, so the inner plane reaches ~50 mag as in
// the SFD map toward the Galactic centre (the paper's E(B-V) range 0-50).
constexpr double kR0 = 8.2;       // kpc, Sun - Galactic centre
constexpr double kRho0 = 0.3;     // mag/kpc
constexpr double kHr = 2.6, kHz = 0.12;
constexpr double kRhoCmz = 30.0;  // mag/kpc at the centre
constexpr double kRcmz = 0.2, kZcmz = 0.04;
constexpr double kDmax = 30.0;    // kpc: beyond, no Milky Way dust

// Stellar density for the distances of Galactic sources: thin disk (scale
// length 2.6 kpc, height 0.3 kpc) plus a bulge (exponential, 0.7 kpc) 10x the
// local density at the centre.
constexpr double kStarHz = 0.3, kBulge = 10.0 * 23.0, kBulgeR = 0.7;

struct Cyl {
  double R, z, r;
};

Cyl position(double l, double b, double d) {
  const double x = d * std::cos(b) * std::cos(l), y = d * std::cos(b) * std::sin(l);
  const double z = d * std::sin(b);
  const double R = std::hypot(kR0 - x, y);
  return {R, z, std::hypot(R, z)};
}

double dust_density(const Cyl& p) {
  return kRho0 * std::exp(-(p.R - kR0) / kHr - std::abs(p.z) / kHz) +
         kRhoCmz * std::exp(-0.5 * (p.R * p.R) / (kRcmz * kRcmz) - 0.5 * p.z * p.z / (kZcmz * kZcmz));
}

double star_density(const Cyl& p) {
  return std::exp(-(p.R - kR0) / kHr - std::abs(p.z) / kStarHz) + kBulge * std::exp(-p.r / kBulgeR);
}

// Steps along the line of sight: 10 pc to 4 kpc, then 50 pc (the CMZ is ~0.1
// kpc deep along a line through it, so the steps near 8 kpc matter most).
constexpr int kFine = 400, kCoarse = 520;
double step_length(int i) { return i < kFine ? 0.01 : 0.05; }

// Pointing mix per class: P(Galactic centre), P(inner disk), P(outer disk);
// the rest is high latitude. Chandra's Galactic programmes (the centre, Cyg
// OB2, Orion, Carina, globular clusters) hold most X-ray binaries, NS and YSO.
struct ClassSky {
  const char* name;
  double p_centre, p_inner, p_outer;
  double d_max;  // kpc: farthest typical detection of the class
};
constexpr std::array<ClassSky, 9> kClassSky{{
    {"AGN", 0.02, 0.04, 0.06, kDmax},
    {"YSO", 0.02, 0.3, 0.3, 3.0},
    {"LM-STAR", 0.02, 0.15, 0.2, 1.5},
    {"HM-STAR", 0.05, 0.4, 0.3, 6.0},
    {"NS", 0.12, 0.25, 0.15, 12.0},
    {"LMXB", 0.25, 0.25, 0.1, 20.0},
    {"CV", 0.12, 0.25, 0.1, 8.0},
    {"HMXB", 0.05, 0.5, 0.3, 15.0},
    {"", 0.1, 0.25, 0.15, 8.0},  // generic Galactic class
}};

const ClassSky& class_sky(const std::string& name) {
  for (const auto& c : kClassSky)
    if (name == c.name) return c;
  return kClassSky.back();
}

}  // namespace

double dust_column(double l_deg, double b_deg, double d_kpc) {
  const double l = l_deg * kDeg, b = b_deg * kDeg;
  double d = 0, column = 0;
  for (int i = 0; i < kFine + kCoarse && d < d_kpc; ++i) {
    const double h = std::min(step_length(i), d_kpc - d);
    column += h * dust_density(position(l, b, d + 0.5 * h));
    d += h;
  }
  return column;
}

SkyDraw draw_csc_sky(rng::Stream& s, const std::string& class_name, bool galactic) {
  const ClassSky& c = class_sky(class_name);
  SkyDraw out;
  const double u = s.uniform();
  if (u < c.p_centre) {  // Galactic-centre pointings: ~1 deg around Sgr A*
    out.l = 0.6 * s.normal();
    out.b = 0.25 * s.normal();
  } else if (u < c.p_centre + c.p_inner) {  // inner disk, |l| < ~60 deg
    out.l = 25.0 * s.normal();
    out.b = 1.2 * s.normal();
  } else if (u < c.p_centre + c.p_inner + c.p_outer) {  // anywhere along the plane
    out.l = 360.0 * s.uniform();
    out.b = 3.0 * s.normal();
  } else {  // uniform on the sphere
    out.l = 360.0 * s.uniform();
    out.b = std::asin(2.0 * s.uniform() - 1.0) / kDeg;
  }
  out.l = std::fmod(out.l + 360.0, 360.0);
  out.b = std::clamp(out.b, -90.0, 90.0);

  // One pass along the line of sight: cumulative dust and the source's
  // distance weight d^2 rho_star (Galactic classes only, up to d_max).
  const double l = out.l * kDeg, b = out.b * kDeg;
  std::array<double, kFine + kCoarse> dust_to{}, weight_to{};
  double d = 0, column = 0, weight = 0;
  for (int i = 0; i < kFine + kCoarse; ++i) {
    const double h = step_length(i);
    const Cyl p = position(l, b, d + 0.5 * h);
    column += h * dust_density(p);
    if (galactic && d + h <= c.d_max) weight += h * (d + 0.5 * h) * (d + 0.5 * h) * star_density(p);
    dust_to[static_cast<std::size_t>(i)] = column;
    weight_to[static_cast<std::size_t>(i)] = weight;
    d += h;
  }
  out.ebv = column;
  out.ebv_source = column;
  if (galactic && weight > 0) {
    const double target = s.uniform() * weight;
    const auto it = std::lower_bound(weight_to.begin(), weight_to.end(), target);
    out.ebv_source = dust_to[static_cast<std::size_t>(std::min<std::ptrdiff_t>(
        it - weight_to.begin(), static_cast<std::ptrdiff_t>(weight_to.size()) - 1))];
  }
  return out;
}

}  // namespace mwclass::catalog
