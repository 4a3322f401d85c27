#include "mwclass/catalog/catalog.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "mwclass/catalog/csv.hpp"
#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/error.hpp"

namespace mwclass::catalog {

namespace {

// erg s^-1 cm^-2: no X-ray source is brighter (Sco X-1, the brightest persistent
// one, is ~2e-7); a larger flux is a unit error or a sentinel.
constexpr double kBrightestFlux = 1e-6;

template <typename M>
M take_rows(const M& m, const std::vector<std::size_t>& rows) {
  M out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(i) = m.row(rows[i]);
  return out;
}

template <typename T>
std::vector<T> take(const std::vector<T>& v, const std::vector<std::size_t>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(v[r]);
  return out;
}

std::string trimmed(const std::string& cell) {
  std::size_t b = 0, e = cell.size();
  while (b < e && std::isspace(static_cast<unsigned char>(cell[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(cell[e - 1]))) --e;
  return cell.substr(b, e - b);
}

// Reads numeric cells of one CSV table with messages that locate every problem.
class CellReader {
 public:
  explicit CellReader(const CsvTable& t) : t_(t) {}

  // Every header name once: with a column twice, which one is meant is a guess.
  void check_unique_header() const {
    for (std::size_t a = 0; a < t_.header.size(); ++a)
      for (std::size_t b = a + 1; b < t_.header.size(); ++b)
        if (t_.header[a] == t_.header[b])
          fail("{}: column '{}' appears twice (columns {} and {}): rename or remove one", t_.path,
               t_.header[a], a + 1, b + 1);
  }

  int require(const std::string& column, const std::string& config_key) const {
    const int c = t_.column(column);
    if (c < 0)
      fail("{}: missing required column '{}' (the column name comes from {} in the config)",
           t_.path, column, config_key);
    return c;
  }

  // NaN for an empty cell; an Error for anything that is not a finite number.
  double number(std::size_t row, int col) const {
    const std::string s = trimmed(t_.rows[row][col]);
    if (s.empty()) return kMissing;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size())
      fail("{}: {}: {} is not a number", t_.path, where(row, col), quoted_cell(s));
    if (!std::isfinite(v))
      fail("{}: {}: non-finite value {} (leave the cell empty for a missing value)", t_.path,
           where(row, col), quoted_cell(s));
    return v;
  }

  // An uncertainty beside a given value must be > 0 (0 would make the value exact in
  // the Monte-Carlo draws); an empty one beside a value is allowed (e.g. an upper limit).
  double uncertainty(std::size_t row, int col, bool has_value) const {
    const double v = number(row, col);
    if (v < 0) fail("{}: {}: negative uncertainty {}", t_.path, where(row, col), v);
    if (v == 0 && has_value)
      fail("{}: {}: uncertainty 0 beside a measured value (leave it empty if unknown)", t_.path,
           where(row, col));
    return v;
  }

  std::string where(std::size_t row, int col) const {
    if (t_.numbered_rows) return fmt::format("row {}, column '{}'", t_.line_numbers[row], t_.header[col]);
    return fmt::format("line {} (data row {}), column '{}'", t_.line_numbers[row], row + 1,
                       t_.header[col]);
  }

 private:
  const CsvTable& t_;
};

}  // namespace

Catalog Catalog::subset(const std::vector<std::size_t>& rows) const {
  Catalog c;
  c.path = path;
  c.names = take(names, rows);
  c.ra = take(ra, rows);
  c.dec = take(dec, rows);
  c.ebv = take(ebv, rows);
  if (!photon_index.empty()) c.photon_index = take(photon_index, rows);
  if (!photon_index_error.empty()) c.photon_index_error = take(photon_index_error, rows);
  if (labelled()) c.labels = take(labels, rows);
  c.xray_flux = take_rows(xray_flux, rows);
  c.xray_error = take_rows(xray_error, rows);
  c.mag = take_rows(mag, rows);
  c.mag_error = take_rows(mag_error, rows);
  c.variability = take_rows(variability, rows);
  if (!lines.empty()) c.lines = take(lines, rows);
  c.numbered_rows = numbered_rows;
  return c;
}

Catalog catalog_from_table(const CsvTable& t, const Config& config, Role role) {
  const CellReader cells(t);
  const std::size_t n = t.rows.size();
  if (n == 0) fail("{}: the catalog has a header but no sources", t.path);
  const auto& cols = config.columns;
  const auto& feat = config.features;

  Catalog c;
  c.path = t.path;
  c.lines = t.line_numbers;
  c.numbered_rows = t.numbered_rows;
  cells.check_unique_header();
  const int name_col = cells.require(cols.name, "[columns] name");
  const int ra_col = cells.require(cols.ra, "[columns] ra");
  const int dec_col = cells.require(cols.dec, "[columns] dec");
  const int ebv_col = t.column(cols.ebv);
  // The photon index serves the training set's physical oversampling: required there
  // when configured, read from a field only if present.
  auto optional_column = [&](const std::string& name, const char* key) {
    if (name.empty()) return -1;
    return role == Role::Training ? cells.require(name, key) : t.column(name);
  };
  const int gamma_col = optional_column(cols.photon_index, "[columns] photon_index");
  const int gamma_err_col = optional_column(cols.photon_index_error, "[columns] photon_index_error");
  const int label_col = role == Role::Training ? cells.require(cols.label, "[columns] label")
                                               : -1;
  std::vector<int> xf, xe, mg, me, va;
  for (const auto& b : feat.xray_bands) {
    xf.push_back(cells.require(b.flux_column, "[[features.xray_bands]] flux_column"));
    xe.push_back(cells.require(b.error_column, "[[features.xray_bands]] error_column"));
  }
  for (const auto& b : feat.optical_bands) {
    mg.push_back(cells.require(b.mag_column, "[[features.optical_bands]] mag_column"));
    me.push_back(cells.require(b.error_column, "[[features.optical_bands]] error_column"));
  }
  for (const auto& v : cols.variability) va.push_back(cells.require(v, "[columns] variability"));

  c.names.resize(n);
  c.ra.resize(n);
  c.dec.resize(n);
  c.ebv.assign(n, kMissing);
  if (gamma_col >= 0) c.photon_index.assign(n, kMissing);
  if (gamma_err_col >= 0) c.photon_index_error.assign(n, kMissing);
  c.xray_flux.resize(n, xf.size());
  c.xray_error.resize(n, xf.size());
  c.mag.resize(n, mg.size());
  c.mag_error.resize(n, mg.size());
  c.variability.resize(n, va.size());
  if (label_col >= 0) c.labels.resize(n);

  for (std::size_t i = 0; i < n; ++i) {
    c.names[i] = trimmed(t.rows[i][name_col]);  // padded cells are a convention, not a new name
    c.ra[i] = cells.number(i, ra_col);
    c.dec[i] = cells.number(i, dec_col);
    if (ebv_col >= 0) {
      c.ebv[i] = cells.number(i, ebv_col);
      if (c.ebv[i] < 0) fail("{}: {}: negative E(B-V) {}", t.path, cells.where(i, ebv_col), c.ebv[i]);
    }
    if (gamma_col >= 0) c.photon_index[i] = cells.number(i, gamma_col);
    if (gamma_err_col >= 0) {
      c.photon_index_error[i] = cells.number(i, gamma_err_col);
      if (c.photon_index_error[i] < 0)
        fail("{}: {}: negative photon index error {}", t.path, cells.where(i, gamma_err_col), c.photon_index_error[i]);
    }
    for (std::size_t b = 0; b < xf.size(); ++b) {
      const double f = cells.number(i, xf[b]);
      if (f <= 0)
        fail("{}: {}: X-ray flux must be positive (leave the cell empty for no measurement)",
             t.path, cells.where(i, xf[b]));
      if (f > kBrightestFlux)
        fail("{}: {}: X-ray flux {} erg s^-1 cm^-2 is brighter than any X-ray source on the sky "
             "(Sco X-1: ~2e-7); wrong units or a sentinel value?", t.path, cells.where(i, xf[b]), f);
      c.xray_flux(i, b) = f;
      c.xray_error(i, b) = cells.uncertainty(i, xe[b], !std::isnan(f));
    }
    for (std::size_t b = 0; b < mg.size(); ++b) {
      c.mag(i, b) = cells.number(i, mg[b]);
      for (double sentinel : cols.sentinel_magnitudes)
        if (c.mag(i, b) == sentinel)
          fail("{}: {}: magnitude {} is a 'no data' code ([columns] sentinel_magnitudes); leave the "
               "cell empty for a missing value", t.path, cells.where(i, mg[b]), c.mag(i, b));
      c.mag_error(i, b) = cells.uncertainty(i, me[b], !std::isnan(c.mag(i, b)));
    }
    for (std::size_t v = 0; v < va.size(); ++v) {
      c.variability(i, v) = cells.number(i, va[v]);
      if (c.variability(i, v) < 0 || c.variability(i, v) > 1)  // P_intra, P_inter: probabilities
        fail("{}: {}: {} is outside [0, 1] (the [columns] variability columns are probabilities)", t.path,
             cells.where(i, va[v]), c.variability(i, v));
    }
    if (label_col >= 0) {
      const std::string label = trimmed(t.rows[i][label_col]);
      const int k = config.class_index(label);
      if (k < 0) {
        std::string known;
        for (const auto& cl : config.classifier.classes) known += (known.empty() ? "" : ", ") + cl;
        fail("{}: {}: unknown class '{}' (the config's classes are: {})", t.path,
             cells.where(i, label_col), label, known);
      }
      c.labels[i] = k;
    }
  }
  if (role == Role::Training) {  // a source twice would count twice (and leak into its own LOOCV)
    std::unordered_map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < n; ++i) {
      const auto [it, added] = first.emplace(c.names[i], i);
      if (!added)
        fail("{0}: {1} {2}: source '{3}' is already in the training set at {1} {4}", t.path,
             t.numbered_rows ? "row" : "line", t.line_numbers[i], c.names[i], t.line_numbers[it->second]);
    }
  }
  return c;
}

namespace {
// The columns a catalog reads from a FITS table (the label too: a field reads it for
// reference), with the units mwclass knows.
std::vector<FitsColumnUse> fits_columns(const Config& config) {
  const auto& cols = config.columns;
  std::vector<FitsColumnUse> used = {{cols.name, FitsUnit::None, false},
                                     {cols.ra, FitsUnit::Degree, true},
                                     {cols.dec, FitsUnit::Degree, true},
                                     {cols.ebv, FitsUnit::Magnitude, true},
                                     {cols.label, FitsUnit::None, false}};
  for (const auto* g : {&cols.photon_index, &cols.photon_index_error})
    if (!g->empty()) used.push_back({*g, FitsUnit::None, true});
  for (const auto& b : config.features.xray_bands) {
    used.push_back({b.flux_column, FitsUnit::Flux, true});
    used.push_back({b.error_column, FitsUnit::Flux, true});
  }
  for (const auto& b : config.features.optical_bands) {
    used.push_back({b.mag_column, FitsUnit::Magnitude, true});
    used.push_back({b.error_column, FitsUnit::Magnitude, true});
  }
  for (const auto& v : cols.variability) used.push_back({v, FitsUnit::None, true});
  return used;
}
}  // namespace

Catalog read_catalog(const std::string& path, const Config& config, Role role) {
  if (is_fits_path(path)) return catalog_from_table(read_fits_table(path, fits_columns(config)), config, role);
  return catalog_from_table(read_csv(path), config, role);
}

void write_catalog(const std::string& path, const Catalog& c, const Config& config) {
  const auto& cols = config.columns;
  const auto& feat = config.features;
  std::vector<std::string> header = {cols.name, cols.ra, cols.dec, cols.ebv};
  for (const auto& b : feat.xray_bands) {
    header.push_back(b.flux_column);
    header.push_back(b.error_column);
  }
  for (const auto& v : cols.variability) header.push_back(v);
  for (const auto& b : feat.optical_bands) {
    header.push_back(b.mag_column);
    header.push_back(b.error_column);
  }
  if (c.labelled()) header.push_back(cols.label);

  std::vector<std::vector<std::string>> rows(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    auto& r = rows[i];
    r = {c.names[i], format_number(c.ra[i]), format_number(c.dec[i]), format_number(c.ebv[i])};
    for (Eigen::Index b = 0; b < c.xray_flux.cols(); ++b) {
      r.push_back(format_number(c.xray_flux(i, b)));
      r.push_back(format_number(c.xray_error(i, b)));
    }
    for (Eigen::Index v = 0; v < c.variability.cols(); ++v) r.push_back(format_number(c.variability(i, v)));
    for (Eigen::Index b = 0; b < c.mag.cols(); ++b) {
      r.push_back(format_number(c.mag(i, b)));
      r.push_back(format_number(c.mag_error(i, b)));
    }
    if (c.labelled()) r.push_back(config.classifier.classes[c.labels[i]]);
  }
  write_csv(path, header, rows);
}

}  // namespace mwclass::catalog
