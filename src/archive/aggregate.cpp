#include "mwclass/archive/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include <boost/math/special_functions/gamma.hpp>

#include "mwclass/core/error.hpp"

namespace mwclass::archive {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
const double kTwoOverPi = 2.0 / kPi;

std::string fmt_num(double v) { return catalog::format_number(v); }
}  // namespace

bool Moments::valid() const { return !std::isnan(mean) && !std::isnan(sigma); }

Moments fechner_moments(double mode, double lo, double hi) {
  if (std::isnan(mode) || std::isnan(lo) || std::isnan(hi)) return {kNaN, kNaN};
  const double up = hi - mode;    // sigma+
  const double down = mode - lo;  // sigma-
  const double mean = mode + std::sqrt(kTwoOverPi) * (up - down);
  const double var = (1.0 - kTwoOverPi) * (up - down) * (up - down) + up * down;
  return {mean, std::sqrt(var)};
}

Moments inverse_variance_mean(const std::vector<Moments>& values) {
  std::vector<const Moments*> v;
  for (const auto& m : values)
    if (m.valid()) v.push_back(&m);
  if (v.empty()) return {kNaN, kNaN};
  if (v.size() == 1) return *v[0];
  double sum_w = 0, sum_wx = 0;
  for (const Moments* m : v) {
    const double w = 1.0 / (m->sigma * m->sigma);
    sum_w += w;
    sum_wx += m->mean * w;
  }
  return {sum_wx / sum_w, std::sqrt(1.0 / sum_w)};
}

Moments null_band_moments(double upper) {
  // The Fechner moments of (0, 0, upper), written as the authors evaluate them.
  return {std::sqrt(kTwoOverPi) * upper, std::sqrt(1.0 - kTwoOverPi) * upper};
}

Moments broad_band(const Moments& s, const Moments& m, const Moments& h) {
  if (!s.valid() || !m.valid() || !h.valid()) return {kNaN, kNaN};
  return {s.mean + m.mean + h.mean,
          std::sqrt(s.sigma * s.sigma + m.sigma * m.sigma + h.sigma * h.sigma)};
}

double constant_chi2(const std::vector<Moments>& values, int& dof) {
  std::vector<Moments> v;
  for (const auto& m : values)
    if (m.valid()) v.push_back(m);
  dof = static_cast<int>(v.size()) - 1;
  if (v.size() < 2) return kNaN;
  const double mean = inverse_variance_mean(v).mean;
  double chi2 = 0;
  for (const auto& m : v) chi2 += (m.mean - mean) * (m.mean - mean) / (m.sigma * m.sigma);
  return chi2;
}

double chi2_cdf(double chi2, int dof) {
  if (dof < 1 || std::isnan(chi2)) return kNaN;
  if (chi2 <= 0) return 0.0;
  return boost::math::gamma_p(0.5 * dof, 0.5 * chi2);
}

double round_decimals(double x, int decimals) {
  if (std::isnan(x)) return x;
  const double scale = std::pow(10.0, decimals);
  return std::nearbyint(x * scale) / scale;
}

double power_law_band_flux(double e1, double e2, double gamma) {
  if (std::fabs(gamma - 2.0) < 1e-12) return std::log(e2 / e1);
  return (std::pow(e2, 2.0 - gamma) - std::pow(e1, 2.0 - gamma)) / (2.0 - gamma);
}

void xmm_to_csc_bands(const XmmBands& in, double gamma, Moments out[3]) {
  const double ks = power_law_band_flux(0.5, 1.2, gamma) / power_law_band_flux(0.5, 1.0, gamma);
  const double km = power_law_band_flux(1.2, 2.0, gamma) / power_law_band_flux(1.0, 2.0, gamma);
  const double kh = power_law_band_flux(4.5, 7.0, gamma) / power_law_band_flux(4.5, 12.0, gamma);
  out[0] = {in.ep2.mean * ks, in.ep2.sigma * ks};
  out[1] = {in.ep3.mean * km, in.ep3.sigma * km};
  out[2] = {in.ep4.mean + kh * in.ep5.mean,
            std::sqrt(in.ep4.sigma * in.ep4.sigma + kh * kh * in.ep5.sigma * in.ep5.sigma)};
}

// ------------------------------------------------------------------ reading --

namespace {

// The source of row r (by name), added in file order with its position when new;
// `added` says whether the caller should fill the other master values.
std::size_t source_of_row(DetectionTable& t, std::unordered_map<std::string, std::size_t>& index,
                          const ArchiveTable& tab, std::size_t r, int c_name, int c_ra, int c_dec,
                          bool& added) {
  if ((r + 1) % 500000 == 0)
    std::fprintf(stderr, "aggregate: %zu of %zu detections read\n", r + 1, tab.size());
  const std::string& name = tab.text(r, c_name);
  if (name.empty()) fail("{}: {}: empty source name", tab.path(), tab.where(r, c_name));
  auto [it, inserted] = index.emplace(name, t.sources.size());
  added = inserted;
  if (inserted) {
    MasterInfo m;
    m.name = name;
    m.ra = tab.ra_degrees(r, c_ra);
    m.dec = tab.dec_degrees(r, c_dec);
    if (std::isnan(m.ra) || std::isnan(m.dec))
      fail("{}: line {}: source '{}' has no position", tab.path(), tab.line(r), name);
    t.sources.push_back(std::move(m));
  }
  return it->second;
}

}  // namespace

DetectionTable read_csc_detections(const ArchiveTable& tab, const AggregateParams& p) {
  DetectionTable t;
  t.path = tab.path();
  const int c_name = tab.require(p.name_column, 0, "source name");
  const int c_ra = tab.require(p.ra_column), c_dec = tab.require(p.dec_column);
  const int c_pu = tab.require(p.pu_column), c_sig = tab.require(p.significance_column);
  const int c_sat = tab.require("sat_src_flag"), c_streak = tab.require("streak_src_flag");
  const int c_extent = tab.column("extent_flag"), c_conf = tab.column("conf_flag");
  const int c_pileup = tab.column("pileup_flag");
  const int c_nh = tab.column(p.nh_column);
  const int c_g = tab.column(p.gamma_column), c_glo = tab.column(p.gamma_column + "_lolim"),
            c_ghi = tab.column(p.gamma_column + "_hilim");
  const int c_obsid = tab.require("obsid"), c_region = tab.require("region_id"),
            c_obi = tab.require("obi");
  const int c_instr = tab.require("instrument"), c_theta = tab.require("theta");
  const int c_pw = tab.require("pileup_warning");
  const int c_dsat = tab.require("sat_src_flag", 1), c_dstreak = tab.require("streak_src_flag", 1);
  const int c_var = tab.require(p.variability_column);
  int c_f[3], c_lo[3], c_hi[3];
  for (int b = 0; b < 3; ++b) {
    c_f[b] = tab.require(p.flux_prefix + p.bands[b], 1, "per-observation flux");
    c_lo[b] = tab.require(p.flux_prefix + "lolim_" + p.bands[b], 1, "per-observation flux");
    c_hi[b] = tab.require(p.flux_prefix + "hilim_" + p.bands[b], 1, "per-observation flux");
  }
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t r = 0; r < tab.size(); ++r) {
    bool added = false;
    const std::size_t s = source_of_row(t, index, tab, r, c_name, c_ra, c_dec, added);
    if (added) {
      MasterInfo& m = t.sources[s];
      m.pu = tab.number(r, c_pu);
      m.significance = tab.number(r, c_sig);
      m.sat = tab.flag(r, c_sat);
      m.streak = tab.flag(r, c_streak);
      m.extent = tab.flag(r, c_extent);
      m.conf = tab.flag(r, c_conf);
      m.pileup = tab.flag(r, c_pileup);
      m.nh_gal = tab.number(r, c_nh);
      m.gamma = fechner_moments(tab.number(r, c_g), tab.number(r, c_glo), tab.number(r, c_ghi));
    }
    Detection d;
    d.source = s;
    d.line = tab.line(r);
    d.key = tab.text(r, c_obsid) + "/" + tab.text(r, c_region) + "/" + tab.text(r, c_obi);
    d.instrument = tab.text(r, c_instr);
    d.theta = tab.number(r, c_theta);
    d.pileup_warning = tab.number(r, c_pw);
    d.sat = tab.flag(r, c_dsat);
    d.streak = tab.flag(r, c_dstreak);
    for (int b = 0; b < 3; ++b)
      d.band[b] = fechner_moments(tab.number(r, c_f[b]), tab.number(r, c_lo[b]),
                                  tab.number(r, c_hi[b]));
    d.variability = tab.number(r, c_var);
    t.detections.push_back(std::move(d));
  }
  return t;
}

DetectionTable read_xmm_detections(const ArchiveTable& tab, const AggregateParams& p) {
  DetectionTable t;
  t.path = tab.path();
  const int c_name = tab.require(p.xmm_name_column, 0, "source name");
  const int c_ra = tab.require(p.xmm_ra_column), c_dec = tab.require(p.xmm_dec_column);
  const int c_pu = tab.require(p.xmm_pu_column);
  const int c_sig = tab.column(p.xmm_significance_column);
  const int c_var = p.xmm_variability_column.empty() ? -1 : tab.require(p.xmm_variability_column);
  int c_f[4], c_e[4];
  for (int n = 2; n <= 5; ++n) {
    c_f[n - 2] = tab.require(fmt::format("{}{}_FLUX", p.xmm_flux_prefix, n));
    c_e[n - 2] = tab.require(fmt::format("{}{}_FLUX_ERR", p.xmm_flux_prefix, n));
  }
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t r = 0; r < tab.size(); ++r) {
    bool added = false;
    const std::size_t s = source_of_row(t, index, tab, r, c_name, c_ra, c_dec, added);
    if (added) {
      MasterInfo& m = t.sources[s];
      m.pu = tab.number(r, c_pu) * p.xmm_pu_scale;
      m.significance = tab.number(r, c_sig);
      m.nh_gal = kNaN;
      m.gamma = {kNaN, kNaN};
    }
    Detection d;
    d.source = s;
    d.line = tab.line(r);
    d.key = fmt::format("row{}", r);  // 4XMM detections are unique rows
    XmmBands x;
    Moments* ep[4] = {&x.ep2, &x.ep3, &x.ep4, &x.ep5};
    for (int i = 0; i < 4; ++i) *ep[i] = {tab.number(r, c_f[i]), tab.number(r, c_e[i])};
    xmm_to_csc_bands(x, p.xmm_photon_index, d.band);
    d.variability = c_var >= 0 ? tab.number(r, c_var) : kNaN;
    t.detections.push_back(std::move(d));
  }
  return t;
}

// --------------------------------------------------------------------- cuts --

std::vector<bool> apply_detection_cuts(const DetectionTable& t, const AggregateParams& p,
                                       Report& report) {
  const std::size_t n = t.detections.size();
  std::vector<bool> keep(n, true);
  std::size_t instrument = 0, theta = 0, sat = 0, pileup = 0, streak = 0, shared = 0, dup = 0;
  std::set<std::string> drop_instruments(p.drop_instruments.begin(), p.drop_instruments.end());
  // Exact duplicates (same name and detection key): only the first counts.
  std::set<std::pair<std::size_t, std::string>> seen;
  std::vector<bool> duplicate(n, false);
  if (p.collapse_duplicates)
    for (std::size_t i = 0; i < n; ++i)
      if (!seen.emplace(t.detections[i].source, t.detections[i].key).second) {
        duplicate[i] = true;
        ++dup;
      }
  // Detection keys claimed by more than one source (by name).
  std::map<std::string, std::set<std::size_t>> claims;
  for (const auto& d : t.detections) claims[d.key].insert(d.source);
  // A detection shared by several names is dropped for all of them.
  for (std::size_t i = 0; i < n; ++i) {
    const Detection& d = t.detections[i];
    if (duplicate[i]) {  // already counted once; the rules judge the first copy
      keep[i] = false;
      continue;
    }
    bool k = true;
    if (drop_instruments.count(d.instrument)) { ++instrument; k = false; }
    if (d.theta > p.max_theta) { ++theta; k = false; }
    if (p.drop_saturated && d.sat) { ++sat; k = false; }
    if (d.pileup_warning > p.max_pileup_warning) { ++pileup; k = false; }
    if (p.drop_streak && d.streak) { ++streak; k = false; }
    if (p.drop_shared_detections && claims[d.key].size() > 1) { ++shared; k = false; }
    keep[i] = k;
  }
  report.emplace_back("detections read", n);
  report.emplace_back("duplicate detections collapsed (same name, obsid, region_id, obi)", dup);
  report.emplace_back("detections dropped: instrument " + fmt::format("{}", fmt::join(p.drop_instruments, "/")), instrument);
  report.emplace_back(fmt::format("detections dropped: theta > {} arcmin", p.max_theta), theta);
  report.emplace_back("detections dropped: per-observation sat_src_flag", sat);
  report.emplace_back(fmt::format("detections dropped: pileup_warning > {}", p.max_pileup_warning), pileup);
  report.emplace_back("detections dropped: per-observation streak_src_flag", streak);
  report.emplace_back("detections dropped: (obsid, region_id, obi) claimed by several sources", shared);
  report.emplace_back("detections kept", static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true)));
  return keep;
}

// ------------------------------------------------------------------ combine --

std::vector<Source> combine_detections(const DetectionTable& t, const std::vector<bool>& keep,
                                       const AggregateParams& p, Report& report) {
  std::vector<std::vector<std::size_t>> per_source(t.sources.size());
  for (std::size_t i = 0; i < t.detections.size(); ++i)
    if (keep[i]) per_source[t.detections[i].source].push_back(i);
  std::vector<Source> out;
  std::size_t no_detection = 0, all_null = 0;
  for (std::size_t s = 0; s < t.sources.size(); ++s) {
    const auto& idx = per_source[s];
    if (idx.empty()) { ++no_detection; continue; }
    Source src;
    src.info = t.sources[s];
    src.n_detections = static_cast<int>(idx.size());
    for (int b = 0; b < 3; ++b) {
      std::vector<Moments> v;
      for (std::size_t i : idx) v.push_back(t.detections[i].band[b]);
      src.band[b] = inverse_variance_mean(v);
    }
    // Inter-observation variability from the per-detection broad band.
    std::vector<Moments> broad;
    double p_intra = kNaN;
    for (std::size_t i : idx) {
      const Detection& d = t.detections[i];
      const Moments fb = broad_band(d.band[0], d.band[1], d.band[2]);
      if (!fb.valid()) continue;
      broad.push_back(fb);
      if (!std::isnan(d.variability) && !(d.variability <= p_intra)) p_intra = d.variability;
    }
    src.p_intra = p_intra;
    src.chi2 = constant_chi2(broad, src.dof);
    src.p_inter = round_decimals(chi2_cdf(src.chi2, src.dof), p.p_inter_decimals);
    int null_bands = 0;
    for (int b = 0; b < 3; ++b)
      if (!src.band[b].valid()) {
        src.band[b] = null_band_moments(p.null_flux_upper);
        src.flux_flag += 1 << b;
        ++null_bands;
      }
    if (null_bands == 3) { ++all_null; continue; }
    src.broad = broad_band(src.band[0], src.band[1], src.band[2]);
    out.push_back(std::move(src));
  }
  report.emplace_back("sources read", t.sources.size());
  report.emplace_back("sources dropped: no detection passed the cuts", no_detection);
  report.emplace_back("sources dropped: no flux in any band (flux_flag 7)", all_null);
  return out;
}

std::vector<Source> select_sources(const std::vector<Source>& sources, const SelectionParams& p,
                                   Report& report) {
  std::vector<Source> out;
  std::size_t sat = 0, streak = 0, sig = 0, pu = 0, conf = 0, extent = 0;
  for (const auto& s : sources) {
    bool k = true;
    if (p.drop_saturated && s.info.sat) { ++sat; k = false; }
    if (p.drop_streak && s.info.streak) { ++streak; k = false; }
    if (p.min_significance > 0 && !(s.info.significance > p.min_significance)) { ++sig; k = false; }
    if (p.max_pu > 0 && !(s.info.pu < p.max_pu)) { ++pu; k = false; }
    if (p.drop_conf_flag && s.info.conf) { ++conf; k = false; }
    if (p.drop_extent_flag && s.info.extent) { ++extent; k = false; }
    if (k) out.push_back(s);
  }
  report.emplace_back("sources dropped: master sat_src_flag", sat);
  report.emplace_back("sources dropped: master streak_src_flag", streak);
  if (p.min_significance > 0)
    report.emplace_back(fmt::format("sources dropped: significance <= {}", p.min_significance), sig);
  if (p.max_pu > 0)
    report.emplace_back(fmt::format("sources dropped: err_ellipse_r0 >= {} arcsec", p.max_pu), pu);
  if (p.drop_conf_flag) report.emplace_back("sources dropped: conf_flag", conf);
  if (p.drop_extent_flag) report.emplace_back("sources dropped: extent_flag", extent);
  report.emplace_back("sources written", out.size());
  return out;
}

// ------------------------------------------------------------------- output --

TextTable master_table(const std::vector<Source>& sources) {
  TextTable t;
  t.header = {"CSCv2_name", "CSCv2_RA", "CSCv2_DEC", "CSCv2_PU", "CSCv2_S/N", "Fs", "e_Fs",
              "Fm", "e_Fm", "Fh", "e_Fh", "Fb", "e_Fb", "P_intra", "P_inter", "CSC_flags",
              "flux_flag", "nh_gal", "powlaw_gamma", "e_powlaw_gamma", "n_detections",
              "chisqr", "dof"};
  for (const auto& s : sources) {
    std::string flags;
    auto add = [&](bool on, const char* what) {
      if (on) flags += (flags.empty() ? "" : "|") + std::string(what);
    };
    add(s.info.extent, "extent");
    add(s.info.conf, "conf");
    add(s.info.pileup, "pileup");
    std::vector<std::string> r = {s.info.name, fmt_num(s.info.ra), fmt_num(s.info.dec),
                                  fmt_num(s.info.pu), fmt_num(s.info.significance)};
    for (int b = 0; b < 3; ++b) {
      r.push_back(fmt_num(s.band[b].mean));
      r.push_back(fmt_num(s.band[b].sigma));
    }
    r.push_back(fmt_num(s.broad.mean));
    r.push_back(fmt_num(s.broad.sigma));
    r.push_back(fmt_num(s.p_intra));
    r.push_back(fmt_num(s.p_inter));
    r.push_back(flags);
    r.push_back(std::to_string(s.flux_flag));
    r.push_back(fmt_num(s.info.nh_gal));
    r.push_back(fmt_num(s.info.gamma.mean));
    r.push_back(fmt_num(s.info.gamma.sigma));
    r.push_back(std::to_string(s.n_detections));
    r.push_back(fmt_num(s.chi2));
    r.push_back(std::to_string(s.dof));
    t.rows.push_back(std::move(r));
  }
  return t;
}

TextTable aggregate(const ArchiveTable& table, const ArchiveParams& p, Report& report) {
  const DetectionTable d = p.aggregate.xmm ? read_xmm_detections(table, p.aggregate)
                                           : read_csc_detections(table, p.aggregate);
  const std::vector<bool> keep = apply_detection_cuts(d, p.aggregate, report);
  const std::vector<Source> combined = combine_detections(d, keep, p.aggregate, report);
  return master_table(select_sources(combined, p.selection, report));
}

void join_labels(TextTable& t, const std::string& name_column, const std::string& labels_path,
                 const std::string& label_name_column, const std::string& label_column,
                 Report& report) {
  const ArchiveTable labels = read_archive_table(labels_path);
  const int c_name = labels.require(label_name_column, 0, "--labels join key");
  const int c_label = labels.require(label_column, 0, "--labels label column");
  std::unordered_map<std::string, std::string> by_name;
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (!by_name.emplace(labels.text(r, c_name), labels.text(r, c_label)).second)
      fail("{}: {}: source '{}' is labelled twice", labels_path, labels.where(r, c_name),
           labels.text(r, c_name));
  int c = -1;
  for (std::size_t i = 0; i < t.header.size(); ++i)
    if (t.header[i] == name_column) c = static_cast<int>(i);
  if (c < 0) fail("the X-ray table has no column '{}' to join labels on", name_column);
  const bool replace = std::find(t.header.begin(), t.header.end(), label_column) != t.header.end();
  if (replace) fail("the X-ray table already has a column '{}'", label_column);
  t.header.push_back(label_column);
  std::vector<std::vector<std::string>> rows;
  std::size_t unlabelled = 0;
  for (auto& r : t.rows) {
    auto it = by_name.find(r[c]);
    if (it == by_name.end() || it->second.empty()) { ++unlabelled; continue; }
    r.push_back(it->second);
    rows.push_back(std::move(r));
  }
  t.rows = std::move(rows);
  report.emplace_back("sources dropped: no label in " + labels_path, unlabelled);
}

}  // namespace mwclass::archive
