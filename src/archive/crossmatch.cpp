#include "mwclass/archive/crossmatch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include <healpix_cxx/healpix_base.h>

#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/error.hpp"

namespace mwclass::archive {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kArcsec = kDeg / 3600.0;
// Output order of the catalogs (the authors' order).
const char* const kCatalogOrder[] = {"gaia", "2mass", "catwise", "unwise", "allwise"};

std::string fmt_num(double v) { return catalog::format_number(v); }
}  // namespace

double angular_separation_arcsec(double ra1, double dec1, double ra2, double dec2) {
  const double d1 = dec1 * kDeg, d2 = dec2 * kDeg, dra = (ra2 - ra1) * kDeg;
  const double s1 = std::sin(d1), c1 = std::cos(d1), s2 = std::sin(d2), c2 = std::cos(d2);
  const double sd = std::sin(dra), cd = std::cos(dra);
  const double num1 = c2 * sd, num2 = c1 * s2 - s1 * c2 * cd;
  const double den = s1 * s2 + c1 * c2 * cd;
  return std::atan2(std::hypot(num1, num2), den) / kArcsec;
}

// ---------------------------------------------------------------- SkyIndex --

struct SkyIndex::Impl {
  T_Healpix_Base<int64> base;
  double radius_rad;
  std::vector<std::pair<int64, std::size_t>> cells;  // (pixel, row), sorted
  const std::vector<double>* ra;
  const std::vector<double>* dec;
  explicit Impl(int order) : base(order, RING) {}
};

namespace {
pointing to_pointing(double ra_deg, double dec_deg) {
  return pointing(0.5 * kPi - dec_deg * kDeg, ra_deg * kDeg);
}
}  // namespace

SkyIndex::SkyIndex(const std::vector<double>& ra, const std::vector<double>& dec,
                   double radius_arcsec) {
  // The finest order whose pixels (~58.6 deg / nside across) are no smaller
  // than the search radius: a query touches a handful of pixels.
  int order = 1;
  while (order < 20 && 58.6 * 3600.0 / double(int64(1) << (order + 1)) >= radius_arcsec) ++order;
  impl_ = std::make_unique<Impl>(order);
  impl_->radius_rad = radius_arcsec * kArcsec;
  impl_->ra = &ra;
  impl_->dec = &dec;
  impl_->cells.reserve(ra.size());
  for (std::size_t i = 0; i < ra.size(); ++i)
    impl_->cells.emplace_back(impl_->base.ang2pix(to_pointing(ra[i], dec[i])), i);
  std::sort(impl_->cells.begin(), impl_->cells.end());
}

SkyIndex::~SkyIndex() = default;
SkyIndex::SkyIndex(SkyIndex&&) noexcept = default;

SkyIndex::Neighbours SkyIndex::nearest_two(double ra, double dec) const {
  Neighbours n;
  n.r1 = n.r2 = kNaN;
  double best1 = std::numeric_limits<double>::infinity(), best2 = best1;
  rangeset<int64> pix;
  impl_->base.query_disc_inclusive(to_pointing(ra, dec), impl_->radius_rad, pix);
  const double radius = impl_->radius_rad / kArcsec;
  for (tsize k = 0; k < pix.nranges(); ++k) {
    auto it = std::lower_bound(impl_->cells.begin(), impl_->cells.end(),
                               std::make_pair(pix.ivbegin(k), std::size_t(0)));
    for (; it != impl_->cells.end() && it->first < pix.ivend(k); ++it) {
      const std::size_t row = it->second;
      const double r = angular_separation_arcsec(ra, dec, (*impl_->ra)[row], (*impl_->dec)[row]);
      if (r > radius) continue;
      // Ties go to the lower row, so the result does not depend on pixel order.
      if (r < best1 || (r == best1 && long(row) < n.first)) {
        best2 = best1;
        n.second = n.first;
        best1 = r;
        n.first = long(row);
      } else if (r < best2 || (r == best2 && long(row) < n.second)) {
        best2 = r;
        n.second = long(row);
      }
    }
  }
  if (n.first >= 0) n.r1 = best1;
  if (n.second >= 0) n.r2 = best2;
  return n;
}

// ----------------------------------------------------------------- formulas --

double combined_pu(double r0, double pu_cat, double plx, double e_plx, double epsi) {
  auto sq = [](double v) { return std::isnan(v) ? 0.0 : v * v; };
  return std::sqrt(sq(pu_cat) + sq(2.0 * plx / 1000.0) + sq(2.0 * e_plx / 1000.0) +
                   sq(2.0 * epsi / 1000.0) + r0 * r0);
}

int match_flag(double r, double r2, double x_pu, double factor) {
  int flag = -8;
  if (std::isnan(r)) return flag;
  if (r > x_pu && r <= factor * x_pu) flag += 4;
  if (flag == -8 && !std::isnan(r2) && r2 <= factor * x_pu) flag += 2;
  if (r <= x_pu) flag += 8;
  return flag;
}

Moments unwise_magnitude(double flux, double e_flux, double zero_point, double offset) {
  if (!(flux > 0)) return {kNaN, kNaN};
  const double mag = zero_point - 2.5 * std::log10(flux) - offset;
  return {mag, 2.5 / std::log(10.0) * e_flux / flux};
}

// ------------------------------------------------------------------ reading --

int CounterpartCatalog::value(const std::string& n) const {
  for (std::size_t i = 0; i < value_names.size(); ++i)
    if (value_names[i] == n) return static_cast<int>(i);
  return -1;
}

namespace {

// Column `name` as VizieR gives it or with the shared files' `_<catalog>` suffix
// (Gaia distances also as `_gaiadist`).
int find_column(const std::vector<std::string>& header, const std::string& name,
                const std::string& catalog) {
  std::vector<std::string> names = {name, name + "_" + catalog};
  if (catalog == "gaia") names.push_back(name + "_gaiadist");
  for (const auto& n : names)
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == n) return static_cast<int>(i);
  return -1;
}

// "[0.25, 2.1, 4.9]" -> the first two numbers (NaN when absent).
void parse_candidate_list(const std::string& s, double& r1, double& r2) {
  r1 = r2 = kNaN;
  std::string t = s;
  for (auto& c : t)
    if (c == '[' || c == ']' || c == ',') c = ' ';
  std::istringstream in(t);
  double v;
  if (in >> v) r1 = v;
  if (in >> v) r2 = v;
}

}  // namespace

CounterpartCatalog read_counterpart_catalog(const std::string& name, const std::string& path,
                                            const CatalogColumns& cols) {
  CounterpartCatalog c;
  c.name = name;
  c.path = path;
  int c_ra = -1, c_dec = -1, c_rs = -1;
  std::vector<int> c_pu, c_val;
  std::vector<std::string> header;
  catalog::CsvOptions o;
  o.detect_delimiter = true;
  o.skip_comments = true;
  o.trim = true;
  const bool progress = true;
  std::size_t rows = 0;
  const auto on_header = [&](std::vector<std::string>& h) {
        header = h;
        c_ra = find_column(h, cols.ra, name);
        c_dec = find_column(h, cols.dec, name);
        if (c_ra < 0 || c_dec < 0)
          fail("{}: {} catalog without position columns '{}' and '{}' (or '{}_{}', '{}_{}'; "
               "[crossmatch.{}] ra/dec)", path, name, cols.ra, cols.dec, cols.ra, name, cols.dec,
               name, name);
        for (const auto& pc : cols.pu_columns) {
          const int k = find_column(h, pc, name);
          if (k >= 0) c_pu.push_back(k);
        }
        for (const auto& v : cols.values) {
          const int k = find_column(h, v, name);
          if (k >= 0) {
            c.value_names.push_back(v);
            c_val.push_back(k);
          }
        }
        c_rs = find_column(h, "_rs", name);
        c.values.resize(c.value_names.size());
      };
  const auto on_row = [&](std::vector<std::string>& cells, std::size_t line) {
        ++rows;
        if (progress && rows % 1000000 == 0)
          std::fprintf(stderr, "crossmatch: %s: %zu rows read\n", name.c_str(), rows);
        const double ra = parse_number(cells[c_ra], path, line, header[c_ra]);
        const double dec = parse_number(cells[c_dec], path, line, header[c_dec]);
        if (std::isnan(ra) || std::isnan(dec)) {
          ++c.rows_without_position;
          return;
        }
        if (dec < -90 || dec > 90)
          fail("{}: line {}, column '{}': declination {} outside [-90, 90]", path, line,
               header[c_dec], dec);
        c.ra.push_back(ra);
        c.dec.push_back(dec);
        double pu = kNaN;
        for (int k : c_pu) {
          const double v = parse_number(cells[k], path, line, header[k]);
          if (!std::isnan(v) && !(v <= pu)) pu = v;
        }
        c.pu.push_back(pu * cols.pu_scale);
        for (std::size_t k = 0; k < c_val.size(); ++k)
          c.values[k].push_back(parse_number(cells[c_val[k]], path, line, header[c_val[k]]));
        double r1 = kNaN, r2 = kNaN;
        if (c_rs >= 0) parse_candidate_list(cells[c_rs], r1, r2);
        c.listed_r1.push_back(r1);
        c.listed_r2.push_back(r2);
      };
  if (catalog::is_fits_path(path)) {
    // A FITS table: the configured names (and their _<catalog> variants) matched case-insensitively.
    std::vector<catalog::FitsColumnUse> used;
    for (const auto& n : cols.pu_columns) used.push_back({n, catalog::FitsUnit::None, true});
    for (const auto& n : cols.values) used.push_back({n, catalog::FitsUnit::None, true});
    used.push_back({cols.ra, catalog::FitsUnit::Degree, true});
    used.push_back({cols.dec, catalog::FitsUnit::Degree, true});
    for (std::size_t k = 0, n = used.size(); k < n; ++k)
      used.push_back({used[k].name + "_" + name, used[k].unit, true});
    catalog::CsvTable t = catalog::read_fits_table(path, used);
    on_header(t.header);
    for (std::size_t i = 0; i < t.rows.size(); ++i) on_row(t.rows[i], t.line_numbers[i]);
  } else {
    catalog::for_each_csv_row(path, o, on_header, on_row);
  }
  return c;
}

// -------------------------------------------------------------- crossmatch --

namespace {

struct Match {
  long row = -1;
  double r = kNaN, r2 = kNaN, x_pu = kNaN;
  int flag = -8;
};

// Training-set column <- (catalog, value) of a used counterpart.
struct Output {
  const char* column;
  const char* catalog;
  const char* value;
};
const Output kFixed[] = {
    {"Gmag", "gaia", "Gmag"},       {"e_Gmag", "gaia", "e_Gmag"},
    {"BPmag", "gaia", "BPmag"},     {"e_BPmag", "gaia", "e_BPmag"},
    {"RPmag", "gaia", "RPmag"},     {"e_RPmag", "gaia", "e_RPmag"},
    {"Jmag", "2mass", "Jmag"},      {"e_Jmag", "2mass", "e_Jmag"},
    {"Hmag", "2mass", "Hmag"},      {"e_Hmag", "2mass", "e_Hmag"},
    {"Kmag", "2mass", "Kmag"},      {"e_Kmag", "2mass", "e_Kmag"},
};
const Output kAfterWise[] = {
    {"W3mag", "allwise", "W3mag"}, {"e_W3mag", "allwise", "e_W3mag"},
    {"Plx", "gaia", "Plx"},        {"e_Plx", "gaia", "e_Plx"},
    {"PM", "gaia", "PM"},          {"rgeo", "gaia", "rgeo"},
    {"b_rgeo", "gaia", "b_rgeo"},  {"B_rgeo", "gaia", "B_rgeo"},
};

}  // namespace

TextTable crossmatch(const ArchiveTable& xray, const std::vector<CounterpartCatalog>& catalogs,
                     const CrossmatchParams& p, Report& report) {
  const int c_name = xray.require(p.xray_name, 0, "[crossmatch] xray_name");
  const int c_ra = xray.require(p.xray_ra, 0, "[crossmatch] xray_ra");
  const int c_dec = xray.require(p.xray_dec, 0, "[crossmatch] xray_dec");
  const int c_pu = xray.require(p.xray_pu, 0, "[crossmatch] xray_pu");
  (void)c_name;
  const std::size_t n = xray.size();
  std::vector<const CounterpartCatalog*> by_name(5, nullptr);
  for (const auto& c : catalogs) {
    int k = -1;
    for (int i = 0; i < 5; ++i)
      if (c.name == kCatalogOrder[i]) k = i;
    if (k < 0) fail("unknown catalog '{}' (gaia, 2mass, allwise, catwise, unwise)", c.name);
    if (by_name[k]) fail("catalog '{}' given twice", c.name);
    by_name[k] = &c;
  }
  std::vector<double> ra(n), dec(n), r0(n);
  for (std::size_t i = 0; i < n; ++i) {
    ra[i] = xray.number(i, c_ra);
    dec[i] = xray.number(i, c_dec);
    r0[i] = xray.number(i, c_pu);
    if (std::isnan(ra[i]) || std::isnan(dec[i]))
      fail("{}: line {}: X-ray source without a position", xray.path(), xray.line(i));
    if (std::isnan(r0[i]))
      fail("{}: {}: X-ray source without a positional uncertainty", xray.path(), xray.where(i, c_pu));
  }
  // Nearest and second nearest in every catalog.
  std::vector<std::vector<Match>> match(5, std::vector<Match>(n));
  for (int k = 0; k < 5; ++k) {
    const CounterpartCatalog* c = by_name[k];
    if (!c) continue;
    report.emplace_back(fmt::format("{}: catalog rows indexed ({})", c->name, c->path), c->ra.size());
    report.emplace_back(fmt::format("{}: catalog rows without a position (skipped)", c->name),
                        c->rows_without_position);
    const SkyIndex index(c->ra, c->dec, p.search_radius);
    for (std::size_t i = 0; i < n; ++i) {
      const SkyIndex::Neighbours nb = index.nearest_two(ra[i], dec[i]);
      Match& m = match[k][i];
      m.row = nb.first;
      m.r = nb.r1;
      m.r2 = nb.r2;
      // A candidate extract lists all separations within the search radius
      // beside its nearest candidate (`_rs`): its second entry is the
      // second-nearest source, which the extract itself does not contain.
      if (m.row >= 0) {
        const double l1 = c->listed_r1[m.row], l2 = c->listed_r2[m.row];
        if (!std::isnan(l2) && std::fabs(l1 - m.r) < 0.05 && l2 <= p.search_radius)
          m.r2 = std::isnan(m.r2) ? l2 : std::min(m.r2, l2);
      }
    }
  }
  // X_PU (with the Gaia candidate's terms) and flags.
  const CounterpartCatalog* gaia = by_name[0];
  const int g_plx = gaia ? gaia->value("Plx") : -1, g_eplx = gaia ? gaia->value("e_Plx") : -1,
            g_epsi = gaia ? gaia->value("epsi") : -1;
  auto gaia_value = [&](std::size_t i, int k) {
    if (!p.gaia_terms || k < 0 || match[0][i].row < 0) return kNaN;
    return gaia->values[k][match[0][i].row];
  };
  std::vector<std::size_t> used(5, 0), competitor(5, 0), outside(5, 0), none(5, 0);
  for (int k = 0; k < 5; ++k) {
    const CounterpartCatalog* c = by_name[k];
    if (!c) continue;
    for (std::size_t i = 0; i < n; ++i) {
      Match& m = match[k][i];
      const double pu_cat = m.row >= 0 ? c->pu[m.row] : kNaN;
      m.x_pu = combined_pu(r0[i], pu_cat, gaia_value(i, g_plx), gaia_value(i, g_eplx),
                           gaia_value(i, g_epsi));
      m.flag = match_flag(m.r, m.r2, m.x_pu, p.pu_factor);
      if (m.flag >= p.flag_threshold) ++used[k];
      if (m.flag == 2) ++competitor[k];
      if (m.flag == -4) ++outside[k];
      if (m.flag == -8) ++none[k];
    }
    report.emplace_back(fmt::format("{}: counterparts used (flag >= {})", c->name, p.flag_threshold), used[k]);
    report.emplace_back(fmt::format("{}: of them with a competitor within {} X_PU (flag 2)", c->name, p.pu_factor), competitor[k]);
    report.emplace_back(fmt::format("{}: not used, nearest within {} X_PU only (flag -4)", c->name, p.pu_factor), outside[k]);
    report.emplace_back(fmt::format("{}: not used, none within {} X_PU (flag -8)", c->name, p.pu_factor), none[k]);
  }

  TextTable out;
  out.header = xray.header();
  const auto defaults = CrossmatchParams::default_catalogs();
  auto values_of = [&](int k) -> const std::vector<std::string>& {
    auto it = p.catalogs.find(kCatalogOrder[k]);
    return it != p.catalogs.end() ? it->second.values : defaults.at(kCatalogOrder[k]).values;
  };
  for (int k = 0; k < 5; ++k) {
    const std::string cat = kCatalogOrder[k];
    out.header.push_back("sep_" + cat);
    out.header.push_back("X_PU_" + cat);
    out.header.push_back("cp_flag_" + cat);
    for (const auto& v : values_of(k)) out.header.push_back(v + "_" + cat);
    if (cat == "unwise")
      for (const char* v : {"W1mag_unwise", "e_W1mag_unwise", "W2mag_unwise", "e_W2mag_unwise"})
        out.header.push_back(v);
  }
  for (const auto& o : kFixed) out.header.push_back(o.column);
  for (const char* v : {"W1mag", "e_W1mag", "W2mag", "e_W2mag"}) out.header.push_back(v);
  for (const auto& o : kAfterWise) out.header.push_back(o.column);
  out.header.push_back("W_catalog");
  {
    std::vector<std::string> sorted = out.header;
    std::sort(sorted.begin(), sorted.end());
    auto d = std::adjacent_find(sorted.begin(), sorted.end());
    if (d != sorted.end())
      fail("{}: the X-ray table already has a column '{}' that crossmatch writes", xray.path(), *d);
  }

  auto raw = [&](int k, std::size_t i, const std::string& v) {
    const CounterpartCatalog* c = by_name[k];
    if (!c || match[k][i].row < 0) return kNaN;
    const int j = c->value(v);
    return j < 0 ? kNaN : c->values[j][match[k][i].row];
  };
  auto unwise = [&](std::size_t i, int band) {
    const char* f = band == 1 ? "FW1" : "FW2";
    const char* e = band == 1 ? "e_FW1" : "e_FW2";
    return unwise_magnitude(raw(3, i, f), raw(3, i, e), p.unwise_zero_point,
                            band == 1 ? p.unwise_w1_offset : p.unwise_w2_offset);
  };
  auto is_used = [&](int k, std::size_t i) {
    return by_name[k] && match[k][i].row >= 0 && match[k][i].flag >= p.flag_threshold;
  };
  auto index_of = [](const char* cat) {
    for (int k = 0; k < 5; ++k)
      if (std::string(cat) == kCatalogOrder[k]) return k;
    return -1;
  };
  std::size_t w_from[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> row;
    row.reserve(out.header.size());
    for (std::size_t c = 0; c < xray.header().size(); ++c) row.push_back(xray.text(i, int(c)));
    for (int k = 0; k < 5; ++k) {
      const bool given = by_name[k] != nullptr;
      const Match& m = match[k][i];
      row.push_back(given ? fmt_num(m.r) : "");
      row.push_back(given ? fmt_num(m.x_pu) : "");
      row.push_back(given ? std::to_string(m.flag) : "");
      for (const auto& v : values_of(k)) row.push_back(fmt_num(raw(k, i, v)));
      if (k == 3) {
        const Moments w1 = unwise(i, 1), w2 = unwise(i, 2);
        for (double v : {w1.mean, w1.sigma, w2.mean, w2.sigma}) row.push_back(fmt_num(v));
      }
    }
    for (const auto& o : kFixed) {
      const int k = index_of(o.catalog);
      row.push_back(is_used(k, i) ? fmt_num(raw(k, i, o.value)) : "");
    }
    // W1, W2: AllWISE, else CatWISE2020, else unWISE (Sect. 2.3), per band.
    std::string wcat;
    for (int band = 1; band <= 2; ++band) {
      const std::string b = band == 1 ? "W1" : "W2";
      Moments w{kNaN, kNaN};
      std::string from;
      if (is_used(4, i) && !std::isnan(raw(4, i, b + "mag"))) {
        w = {raw(4, i, b + "mag"), raw(4, i, "e_" + b + "mag")};
        from = "allwise";
      } else if (is_used(2, i) && !std::isnan(raw(2, i, b + "mproPM"))) {
        w = {raw(2, i, b + "mproPM"), raw(2, i, "e_" + b + "mproPM")};
        from = "catwise";
      } else if (is_used(3, i) && !std::isnan(unwise(i, band).mean)) {
        w = unwise(i, band);
        from = "unwise";
      }
      row.push_back(fmt_num(w.mean));
      row.push_back(fmt_num(w.sigma));
      if (band == 1) {
        wcat = from;
        if (from == "allwise") ++w_from[0];
        if (from == "catwise") ++w_from[1];
        if (from == "unwise") ++w_from[2];
      } else if (from != wcat && !from.empty()) {
        wcat += (wcat.empty() ? "" : "|") + from;
      }
    }
    for (const auto& o : kAfterWise) {
      const int k = index_of(o.catalog);
      row.push_back(is_used(k, i) ? fmt_num(raw(k, i, o.value)) : "");
    }
    row.push_back(wcat);
    out.rows.push_back(std::move(row));
  }
  report.emplace_back("X-ray sources", n);
  report.emplace_back("W1 from AllWISE", w_from[0]);
  report.emplace_back("W1 from CatWISE2020", w_from[1]);
  report.emplace_back("W1 from unWISE", w_from[2]);
  return out;
}

}  // namespace mwclass::archive
