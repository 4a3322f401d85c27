#include "mwclass/catalog/synthetic.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_set>

#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/catalog/sky_model.hpp"

namespace mwclass::catalog {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

// ------------------------------------------------------------ distributions --

struct Dist {
  enum Kind { Normal, Uniform, LogUniform } kind = Uniform;
  double a = 0, b = 0;                // Normal: mean, sd; (Log)Uniform: lo, hi
  double lo = -kInf, hi = kInf;       // clamp for Normal
};

Dist normal(double mean, double sd, double lo = -kInf, double hi = kInf) {
  return {Dist::Normal, mean, sd, lo, hi};
}
Dist uniform(double lo, double hi) { return {Dist::Uniform, lo, hi, -kInf, kInf}; }
Dist log_uniform(double lo, double hi) { return {Dist::LogUniform, lo, hi, -kInf, kInf}; }

double draw(rng::Stream& s, const Dist& d) {
  switch (d.kind) {
    case Dist::Normal: return std::clamp(d.a + d.b * s.normal(), d.lo, d.hi);
    case Dist::Uniform: return d.a + (d.b - d.a) * s.uniform();
    case Dist::LogUniform: return d.a * std::exp(std::log(d.b / d.a) * s.uniform());
  }
  return d.a;
}

// ---------------------------------------------------------------- templates --

enum class Spectrum { PowerLaw, Bremsstrahlung, Blackbody };

struct SpectralModel {
  Spectrum kind = Spectrum::PowerLaw;
  Dist param;  // photon index Gamma, or kT in keV
};

struct XrayTemplate {
  Dist log_flux;            // log10 unabsorbed flux summed over the configured bands
  SpectralModel main, alt;  // alt with probability p_alt
  double p_alt = 0;
  double p_absorbed = 0;    // chance of intrinsic absorption ...
  Dist log_nh;              // ... of log10 N_H [cm^-2]
};

// Optical/IR bands the templates know, their survey (detections are
// correlated within a survey), and survey-specific missing-value patterns.
struct KnownBand {
  const char* name;
  int survey;         // 0 Gaia, 1 2MASS, 2 WISE
  double p_drop;      // extra chance of a missing value (e.g. W3 often absent)
  double p_no_error;  // magnitude published without an error (2MASS upper limits)
};
constexpr int kNumKnown = 9;
constexpr int kNumSurveys = 3;
const std::array<KnownBand, kNumKnown> kKnownBands = {{
    {"G", 0, 0.0, 0.0},   {"BP", 0, 0.02, 0.0}, {"RP", 0, 0.02, 0.0},
    {"J", 1, 0.0, 0.05},  {"H", 1, 0.0, 0.05},  {"K", 1, 0.0, 0.05},
    {"W1", 2, 0.0, 0.0},  {"W2", 2, 0.02, 0.0}, {"W3", 2, 0.30, 0.0},
}};

using BandValues = std::array<double, kNumKnown>;  // ordered like kKnownBands

struct OpticalTemplate {
  bool has_counterpart = true;
  double p_no_counterpart = 0;  // no optical/IR match at all
  Dist g;                       // unreddened G magnitude
  BandValues offset{};          // mean m_band - G (intrinsic colours)
  BandValues slope{};           // change of m_band - G per unit of a N(0,1) colour parameter
  double scatter = 0.05;        // independent per-band scatter, mag
};

struct ClassTemplate {
  XrayTemplate xray;
  OpticalTemplate optical;
  bool galactic = true;   // in the Milky Way: sees part of the line-of-sight extinction ...
  Dist foreground = uniform(0.3, 1.0);  // ... this fraction of it (distance)
  double p_plane = 0.3;   // in the Galactic plane (the E(B-V) tail)
  double p_variable = 0.3;
};

ClassTemplate template_for(const std::string& cls) {
  ClassTemplate t;
  auto& x = t.xray;
  auto& o = t.optical;
  const double lo_f = -16.5, hi_f = -9.5;
  if (cls == "AGN") {
    // Absorbed power law; faint, red optical; WISE-bright with W1-W2 ~ 0.8.
    x.log_flux = normal(-13.7, 0.6, lo_f, hi_f);
    x.main = {Spectrum::PowerLaw, normal(1.8, 0.3, 0.8, 3.0)};
    x.p_absorbed = 0.35;
    x.log_nh = uniform(21.0, 23.0);
    o.p_no_counterpart = 0.03;
    o.g = normal(19.6, 1.2, 14.0, 23.0);
    o.offset = {0, 0.3, -0.5, -1.9, -2.7, -3.6, -4.4, -5.2, -8.0};
    o.slope = {0, 0.15, -0.15, -0.3, -0.4, -0.5, -0.5, -0.6, -0.8};
    o.scatter = 0.1;
    t.galactic = false;
    t.p_plane = 0.08;
    t.p_variable = 0.25;
  } else if (cls == "CV") {
    // Hard multi-temperature plasma; blue optical of moderate brightness.
    x.log_flux = normal(-13.2, 0.7, lo_f, hi_f);
    x.main = {Spectrum::Bremsstrahlung, log_uniform(5.0, 30.0)};
    x.p_absorbed = 0.5;
    x.log_nh = uniform(20.5, 22.0);
    o.p_no_counterpart = 0.08;
    o.g = normal(17.5, 1.5, 11.0, 22.0);
    o.offset = {0, 0.1, -0.2, -0.7, -1.0, -1.2, -1.4, -1.6, -2.0};
    o.slope = {0, 0.05, -0.1, -0.3, -0.4, -0.5, -0.5, -0.5, -0.5};
    o.scatter = 0.1;
    t.p_plane = 0.35;
    t.p_variable = 0.5;
  } else if (cls == "HM-STAR") {
    // Soft wind-shock plasma; very bright, blue OB stars.
    x.log_flux = normal(-14.2, 0.6, lo_f, hi_f);
    x.main = {Spectrum::Bremsstrahlung, log_uniform(0.2, 0.8)};
    x.p_absorbed = 0.5;
    x.log_nh = uniform(20.5, 21.5);
    o.p_no_counterpart = 0.01;
    o.g = normal(9.0, 1.7, 3.0, 14.0);
    o.offset = {0, -0.05, 0.2, 0.45, 0.55, 0.6, 0.65, 0.65, 0.6};
    o.slope = {0, 0.02, -0.03, -0.08, -0.1, -0.12, -0.15, -0.2, -0.3};
    o.scatter = 0.05;
    t.foreground = uniform(0.6, 1.0);
    t.p_plane = 0.6;
    t.p_variable = 0.15;
  } else if (cls == "HMXB") {
    // Hard, heavily absorbed power law; bright OB (Be) companion with some IR excess.
    x.log_flux = normal(-12.0, 0.8, lo_f, hi_f);
    x.main = {Spectrum::PowerLaw, normal(1.0, 0.3, 0.0, 2.0)};
    x.p_absorbed = 0.9;
    x.log_nh = uniform(22.0, 23.5);
    o.p_no_counterpart = 0.05;
    o.g = normal(11.5, 1.5, 5.0, 16.0);
    o.offset = {0, -0.05, 0.2, 0.3, 0.3, 0.25, 0.1, -0.05, -0.4};
    o.slope = {0, 0.02, -0.05, -0.15, -0.2, -0.25, -0.3, -0.35, -0.5};
    o.scatter = 0.08;
    t.foreground = uniform(0.6, 1.0);
    t.p_plane = 0.85;
    t.p_variable = 0.6;
  } else if (cls == "LM-STAR") {
    // Soft coronal plasma; bright optical/IR with stellar (K/M) colours; flares.
    x.log_flux = normal(-13.8, 0.7, lo_f, hi_f);
    x.main = {Spectrum::Bremsstrahlung, log_uniform(0.3, 1.5)};
    o.p_no_counterpart = 0.02;
    o.g = normal(11.5, 2.0, 4.0, 19.0);
    o.offset = {0, 0.4, -0.55, -1.3, -1.7, -1.8, -1.85, -1.85, -1.9};
    o.slope = {0, 0.2, -0.25, -0.55, -0.75, -0.8, -0.85, -0.85, -0.9};
    o.scatter = 0.04;
    t.foreground = uniform(0.1, 0.6);  // mostly nearby
    t.p_plane = 0.2;
    t.p_variable = 0.65;
  } else if (cls == "LMXB") {
    // Bright hard power law or hot disc; faint optical.
    x.log_flux = normal(-12.8, 1.0, lo_f, hi_f);
    x.main = {Spectrum::PowerLaw, normal(1.8, 0.4, 1.0, 3.0)};
    x.alt = {Spectrum::Bremsstrahlung, log_uniform(1.0, 3.0)};
    x.p_alt = 0.35;
    x.p_absorbed = 0.5;
    x.log_nh = uniform(21.0, 22.5);
    o.p_no_counterpart = 0.35;
    o.g = normal(20.0, 1.5, 13.0, 24.0);
    o.offset = {0, 0.1, -0.4, -1.2, -1.6, -1.9, -2.2, -2.5, -3.0};
    o.slope = {0, 0.1, -0.15, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8};
    o.scatter = 0.15;
    t.p_plane = 0.6;
    t.p_variable = 0.45;
  } else if (cls == "NS") {
    // Mostly thermal (very soft blackbody) neutron stars, some non-thermal
    // pulsars; no optical/IR counterpart.
    x.log_flux = normal(-13.2, 0.8, lo_f, hi_f);
    x.main = {Spectrum::Blackbody, log_uniform(0.06, 0.2)};
    x.alt = {Spectrum::PowerLaw, normal(1.5, 0.3, 0.8, 2.5)};
    x.p_alt = 0.35;
    o.has_counterpart = false;
    t.p_plane = 0.5;
    t.p_variable = 0.1;
  } else if (cls == "YSO") {
    // Hotter, absorbed coronae; faint Gaia, 2MASS-bright, IR excess.
    x.log_flux = normal(-14.0, 0.5, lo_f, hi_f);
    x.main = {Spectrum::Bremsstrahlung, log_uniform(0.8, 3.0)};
    x.p_absorbed = 0.85;
    x.log_nh = uniform(21.0, 22.5);
    o.p_no_counterpart = 0.03;
    o.g = normal(17.0, 1.8, 9.0, 23.0);
    o.offset = {0, 0.6, -0.9, -2.6, -3.4, -3.9, -4.4, -4.9, -6.8};
    o.slope = {0, 0.1, -0.1, -0.2, -0.4, -0.6, -0.8, -1.0, -1.5};
    o.scatter = 0.1;
    t.p_plane = 0.45;
    t.p_variable = 0.55;
  } else {
    // Generic: anything from a power law to a plasma, star-like colours.
    x.log_flux = normal(-13.7, 0.8, lo_f, hi_f);
    x.main = {Spectrum::PowerLaw, normal(1.8, 0.5, 0.5, 3.5)};
    x.alt = {Spectrum::Bremsstrahlung, log_uniform(0.3, 5.0)};
    x.p_alt = 0.5;
    x.p_absorbed = 0.3;
    x.log_nh = uniform(20.5, 22.5);
    o.p_no_counterpart = 0.1;
    o.g = normal(16.0, 3.0, 5.0, 24.0);
    o.offset = {0, 0.3, -0.5, -1.2, -1.5, -1.6, -1.7, -1.7, -1.8};
    o.slope = {0, 0.2, -0.25, -0.55, -0.75, -0.8, -0.85, -0.85, -0.9};
    o.scatter = 0.1;
    t.p_plane = 0.3;
    t.p_variable = 0.3;
  }
  return t;
}

// Class counts of the MUWCLASS training set (Yang et al. 2022).
double default_weight(const std::string& cls) {
  static const std::array<std::pair<const char*, double>, 8> counts = {{
      {"AGN", 1390}, {"YSO", 1004}, {"LM-STAR", 207}, {"HM-STAR", 118},
      {"NS", 87}, {"LMXB", 65}, {"CV", 44}, {"HMXB", 26},
  }};
  for (const auto& [name, n] : counts)
    if (cls == name) return n;
  return -1;
}

// ------------------------------------------------------------------ physics --

// Energy flux density (per keV, arbitrary normalisation) of a model at E keV.
double energy_flux_density(Spectrum kind, double p, double e) {
  switch (kind) {
    case Spectrum::PowerLaw: return std::pow(e, 1.0 - p);
    case Spectrum::Bremsstrahlung: return std::exp(-e / p);
    case Spectrum::Blackbody: {
      const double x = e / p;
      return x > 700 ? 0.0 : e * e * e / std::expm1(x);
    }
  }
  return 0.0;
}

// Photoelectric absorption cross-section per H atom, cm^2 (a crude E^-8/3 law
// normalised near Morrison & McCammon 1983 / Wilms et al. 2000 at 1 keV).
double absorption_cross_section(double e) { return 2.4e-22 * std::pow(e, -8.0 / 3.0); }

// Unabsorbed and absorbed band integrals (trapezoid in ln E).
void band_integrals(Spectrum kind, double p, double nh, double lo, double hi, double& unabs,
                    double& abs) {
  constexpr int kSteps = 48;
  const double a = std::log(lo), step = (std::log(hi) - a) / kSteps;
  unabs = abs = 0;
  for (int i = 0; i <= kSteps; ++i) {
    const double e = std::exp(a + i * step);
    const double w = (i == 0 || i == kSteps) ? 0.5 : 1.0;
    const double f = energy_flux_density(kind, p, e) * e * w * step;
    unabs += f;
    abs += f * std::exp(-nh * absorption_cross_section(e));
  }
}

// ------------------------------------------------------------------- output --

double round_significant(double x, int digits) {
  return std::strtod(fmt::format("{:.{}g}", x, digits).c_str(), nullptr);
}
double round_fixed(double x, int decimals) {
  return std::strtod(fmt::format("{:.{}f}", x, decimals).c_str(), nullptr);
}

// Galactic (l, b) in degrees to J2000 (ra, dec) in degrees.
void galactic_to_equatorial(double l, double b, double& ra, double& dec) {
  // Rows: equatorial -> Galactic rotation (Hipparcos); we apply its transpose.
  static const double r[3][3] = {{-0.0548755604162154, -0.8734370902348850, -0.4838350155487132},
                                 {0.4941094278755837, -0.4448296299600112, 0.7469822444972189},
                                 {-0.8676661490190047, -0.1980763734312015, 0.4559837761750669}};
  const double g[3] = {std::cos(b * kDeg) * std::cos(l * kDeg),
                       std::cos(b * kDeg) * std::sin(l * kDeg), std::sin(b * kDeg)};
  double e[3];
  for (int i = 0; i < 3; ++i) e[i] = r[0][i] * g[0] + r[1][i] * g[1] + r[2][i] * g[2];
  ra = std::atan2(e[1], e[0]) / kDeg;
  if (ra < 0) ra += 360.0;
  dec = std::asin(std::clamp(e[2], -1.0, 1.0)) / kDeg;
}

// IAU-style "JHHMMSS.s+DDMMSS" (truncated, not rounded).
std::string iau_name(const std::string& prefix, double ra, double dec) {
  long tenths = static_cast<long>(std::floor(ra * 2400.0));  // 0.1 s of time
  tenths = ((tenths % 864000) + 864000) % 864000;
  const long arcsec = static_cast<long>(std::floor(std::fabs(dec) * 3600.0));
  const std::string core = fmt::format(
      "J{:02d}{:02d}{:02d}.{:01d}{}{:02d}{:02d}{:02d}", tenths / 36000, (tenths / 600) % 60,
      (tenths / 10) % 60, tenths % 10, dec < 0 ? '-' : '+', arcsec / 3600, (arcsec / 60) % 60,
      arcsec % 60);
  return prefix.empty() ? core : prefix + " " + core;
}

}  // namespace

std::vector<double> simulation_class_weights(const Config& config,
                                             const SimulationParams& params) {
  const auto& classes = config.classifier.classes;
  std::vector<double> w;
  if (params.class_weights.empty()) {
    double known_sum = 0;
    int known = 0;
    for (const auto& c : classes)
      if (const double d = default_weight(c); d > 0) known_sum += d, ++known;
    const double fallback = known > 0 ? known_sum / known : 1.0;
    for (const auto& c : classes) {
      const double d = default_weight(c);
      w.push_back(d > 0 ? d : fallback);
    }
  } else {
    if (params.class_weights.size() != classes.size())
      fail("simulate: {} class weights given for {} classes", params.class_weights.size(),
           classes.size());
    w = params.class_weights;
  }
  double sum = 0;
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (!std::isfinite(w[k]) || w[k] < 0)
      fail("simulate: the weight of class '{}' must be a finite number >= 0 (got {})",
           classes[k], w[k]);
    sum += w[k];
  }
  if (!(sum > 0)) fail("simulate: the class weights sum to zero");
  for (auto& x : w) x /= sum;
  return w;
}

std::vector<double> csc_class_weights(const Config& config) {
  static const std::pair<const char*, double> kTable5[] = {
      {"AGN", 33955}, {"YSO", 11268}, {"LM-STAR", 2216}, {"HM-STAR", 1843},
      {"NS", 9159},   {"LMXB", 6777}, {"CV", 1104},      {"HMXB", 47}};
  std::vector<double> w;
  for (const auto& c : config.classifier.classes) {
    double x = 0;
    for (const auto& [name, n] : kTable5)
      if (c == name) x = n;
    w.push_back(x);
  }
  return w;
}

Catalog simulate_catalog(const Config& config, const SimulationParams& params) {
  if (params.n_sources == 0) fail("simulate: the number of sources must be at least 1");
  const auto& classes = config.classifier.classes;
  const auto& xbands = config.features.xray_bands;
  const auto& obands = config.features.optical_bands;
  const auto& vcols = config.columns.variability;

  // Cumulative class probabilities; the last class with weight > 0 absorbs round-off.
  const std::vector<double> weights = simulation_class_weights(config, params);
  std::vector<double> cumulative(weights.size());
  std::size_t last_positive = 0;
  double acc = 0;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    acc += weights[k];
    cumulative[k] = acc;
    if (weights[k] > 0) last_positive = k;
  }
  std::vector<ClassTemplate> templates;
  for (const auto& c : classes) templates.push_back(template_for(c));

  // Which template band each configured optical band is (-1: unknown -> missing).
  std::vector<int> known_band(obands.size(), -1);
  for (std::size_t j = 0; j < obands.size(); ++j)
    for (int b = 0; b < kNumKnown; ++b)
      if (obands[j].name == kKnownBands[b].name) known_band[j] = b;
  enum class VarKind { Intra, Inter, Unknown };
  std::vector<VarKind> var_kind;
  for (const auto& v : vcols)
    var_kind.push_back(v == "P_intra" ? VarKind::Intra
                                      : v == "P_inter" ? VarKind::Inter : VarKind::Unknown);

  const std::size_t n = params.n_sources;
  const auto nx = static_cast<Eigen::Index>(xbands.size());
  const auto no = static_cast<Eigen::Index>(obands.size());
  const auto nv = static_cast<Eigen::Index>(vcols.size());
  const auto rows = static_cast<Eigen::Index>(n);
  Catalog c;
  c.path = fmt::format("<simulated: seed {}, catalog {}>", params.seed, params.catalog_id);
  c.names.reserve(n);
  c.ra.resize(n);
  c.dec.resize(n);
  c.ebv.resize(n);
  if (params.labelled) c.labels.resize(n);
  c.xray_flux = Matrix::Constant(rows, nx, kMissing);
  c.xray_error = Matrix::Constant(rows, nx, kMissing);
  c.mag = Matrix::Constant(rows, no, kMissing);
  c.mag_error = Matrix::Constant(rows, no, kMissing);
  c.variability = Matrix::Constant(rows, nv, kMissing);
  std::unordered_set<std::string> used_names;

  std::vector<double> unabs(xbands.size()), absorbed(xbands.size());
  for (std::size_t i = 0; i < n; ++i) {
    rng::Stream s = rng::keys::simulate(params.seed, params.catalog_id, i);

    // Class.
    const double u_class = s.uniform();
    std::size_t k = last_positive;
    for (std::size_t j = 0; j < cumulative.size(); ++j)
      if (weights[j] > 0 && u_class < cumulative[j]) {
        k = j;
        break;
      }
    const ClassTemplate& t = templates[k];
    if (params.labelled) c.labels[i] = static_cast<int>(k);

    // Sky position and line-of-sight E(B-V): a Galactic-plane tail (log-uniform
    // 0.05-3 mag, |b| of a few degrees, concentrated towards the inner Galaxy)
    // or high latitude (exponential, scale 0.03 mag, uniform on the sphere).
    double ra = 0, dec = 0, ebv = 0, ebv_src = 0;
    if (params.sky == Sky::Csc) {
      rng::Stream sky_stream = rng::keys::simulate_sky(params.seed, params.catalog_id, i);
      const SkyDraw sky = draw_csc_sky(sky_stream, classes[k], t.galactic);
      galactic_to_equatorial(sky.l, sky.b, ra, dec);
      ebv = sky.ebv;
      ebv_src = sky.ebv_source;
    } else if (s.uniform() < t.p_plane) {
      const double l = s.uniform() < 0.5 ? 360.0 * s.uniform() : 40.0 * s.normal();
      const double b = std::clamp(2.0 * s.normal(), -90.0, 90.0);
      galactic_to_equatorial(l, b, ra, dec);
      ebv = 0.05 * std::exp(std::log(3.0 / 0.05) * s.uniform());
    } else {
      ra = 360.0 * s.uniform();
      dec = std::asin(2.0 * s.uniform() - 1.0) / kDeg;
      ebv = -0.03 * std::log1p(-s.uniform());
    }
    ra = round_fixed(ra, 6);
    if (ra >= 360.0) ra = 0.0;
    c.ra[i] = ra;
    c.dec[i] = dec = round_fixed(dec, 6);
    c.ebv[i] = round_fixed(ebv, 3);
    if (params.sky == Sky::Csc) {
      ebv_src = std::min(ebv_src, ebv);
    } else {
      ebv = c.ebv[i];
      // Galactic sources lie in front of part of the dust column.
      ebv_src = t.galactic ? ebv * draw(s, t.foreground) : ebv;
    }

    std::string name = iau_name(params.name_prefix, ra, dec);
    for (int dup = 2; used_names.count(name); ++dup)
      name = fmt::format("{}-{}", iau_name(params.name_prefix, ra, dec), dup);
    used_names.insert(name);
    c.names.push_back(std::move(name));

    // X-rays: a spectrum through interstellar + intrinsic absorption, split
    // over the configured bands, plus a faint background-like floor; errors
    // Poisson-like (relative error sqrt(1e-14/F) * 0.3 within [0.05, 1]).
    {
      const auto& xt = t.xray;
      const SpectralModel& model = s.uniform() < xt.p_alt ? xt.alt : xt.main;
      const double p = draw(s, model.param);
      double nh = config.reddening.nh_per_ebv * ebv_src;
      if (s.uniform() < xt.p_absorbed) nh += std::pow(10.0, draw(s, xt.log_nh));
      const double flux = std::pow(10.0, draw(s, xt.log_flux));
      double total = 0;
      for (std::size_t b = 0; b < xbands.size(); ++b) {
        band_integrals(model.kind, p, nh, xbands[b].energy_lo_kev, xbands[b].energy_hi_kev,
                       unabs[b], absorbed[b]);
        total += unabs[b];
      }
      auto rel_error = [](double f) { return std::clamp(0.3 * std::sqrt(1e-14 / f), 0.05, 1.0); };
      for (std::size_t b = 0; b < xbands.size(); ++b) {
        double f = std::pow(10.0, -16.8 + 0.25 * s.normal());
        if (total > 0 && std::isfinite(total)) f += flux * absorbed[b] / total;
        const double obs = round_significant(f * std::exp(rel_error(f) * s.normal()), 3);
        c.xray_flux(i, b) = obs;
        c.xray_error(i, b) = round_significant(rel_error(obs) * obs, 2);
      }
    }

    // Optical/IR: class brightness and colours, reddening, errors growing to the
    // survey limit, completeness falling ~1 mag above the limit (shared within a
    // survey), hard cut at the limit, survey-specific missing-value patterns.
    {
      const auto& ot = t.optical;
      const bool counterpart = ot.has_counterpart && s.uniform() >= ot.p_no_counterpart;
      const double colour = s.normal();
      const double g0 = draw(s, ot.g);
      std::array<double, kNumSurveys> survey_u{};
      for (auto& u : survey_u) u = s.uniform();
      for (std::size_t j = 0; j < obands.size() && counterpart; ++j) {
        const int kb = known_band[j];
        if (kb < 0) continue;
        const KnownBand& kbd = kKnownBands[kb];
        const OpticalBand& band = obands[j];
        const double m_true = g0 + ot.offset[kb] + colour * ot.slope[kb] +
                              ot.scatter * s.normal() + band.extinction_coeff * ebv_src;
        const double err =
            std::min(0.5, 0.003 + 0.25 * std::pow(10.0, 0.4 * (m_true - band.limit_mag)));
        const double m = m_true + err * s.normal();
        const double p_detect = 1.0 / (1.0 + std::exp((m - (band.limit_mag - 0.8)) / 0.25));
        const bool dropped = s.uniform() < kbd.p_drop;
        const bool no_error = s.uniform() < kbd.p_no_error;
        if (!std::isfinite(m) || m >= band.limit_mag || survey_u[kbd.survey] >= p_detect ||
            dropped)
          continue;
        c.mag(i, j) = round_fixed(m, 3);
        if (!no_error) c.mag_error(i, j) = std::max(0.001, round_fixed(err, 3));
      }
    }

    // Variability: Kuiper-test probabilities, near 1 for variable sources.
    {
      const bool variable = s.uniform() < t.p_variable;
      for (std::size_t v = 0; v < vcols.size(); ++v) {
        const double u_present = s.uniform();
        const double p = variable ? 1.0 - std::pow(10.0, -draw(s, uniform(0.3, 4.0)))
                                  : s.uniform();
        const bool present = var_kind[v] == VarKind::Intra   ? u_present < 0.93
                             : var_kind[v] == VarKind::Inter ? u_present < 0.45
                                                             : false;
        if (present) c.variability(i, v) = std::clamp(round_fixed(p, 3), 0.0, 1.0);
      }
    }
  }
  return c;
}

}  // namespace mwclass::catalog
