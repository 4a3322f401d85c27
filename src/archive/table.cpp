#include "mwclass/archive/table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>

#include "mwclass/catalog/csv.hpp"
#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/error.hpp"

namespace mwclass::archive {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

int ArchiveTable::column(const std::string& name, int occurrence) const {
  const auto& h = t_.header;
  if (occurrence == 1) {
    for (std::size_t i = 0; i < h.size(); ++i)
      if (h[i] == name + ".1") return static_cast<int>(i);
  }
  int seen = 0;
  for (std::size_t i = 0; i < h.size(); ++i)
    if (h[i] == name && seen++ == occurrence) return static_cast<int>(i);
  // FITS column names are case-insensitive (FITS standard 4.0, 7.2.2).
  if (t_.numbered_rows && occurrence == 0)
    for (std::size_t i = 0; i < h.size(); ++i)
      if (lower(h[i]) == lower(name)) return static_cast<int>(i);
  return -1;
}

int ArchiveTable::require(const std::string& name, int occurrence, const std::string& what) const {
  const int c = column(name, occurrence);
  if (c >= 0) return c;
  if (occurrence == 1)
    fail("{}: missing per-observation column '{}' (expected '{}.1' or a second '{}'){}", path(),
         name, name, name, what.empty() ? "" : " (" + what + ")");
  fail("{}: missing column '{}'{}", path(), name, what.empty() ? "" : " (" + what + ")");
}

int ArchiveTable::first_of(const std::vector<std::string>& names) const {
  for (const auto& n : names) {
    const int c = column(n);
    if (c >= 0) return c;
  }
  return -1;
}

std::string ArchiveTable::where(std::size_t row, int col) const {
  return fmt::format("{} {}, column '{}'", t_.numbered_rows ? "row" : "line", t_.line_numbers[row],
                     t_.header[col]);
}

namespace {
double parse_cell(const std::string& s, const std::string& path, const std::function<std::string()>& where) {
  if (s.empty()) return kNaN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  const std::string l = lower(s);
  if (l == "nan" || l == "null") return kNaN;
  if (end != s.c_str() && *end == '\0') {
    if (!std::isfinite(v))  // "inf", or a number beyond the range of a double
      fail("{}: {}: non-finite value {} (leave the cell empty, or nan, for a missing value)", path, where(),
           catalog::quoted_cell(s));
    return v;
  }
  fail("{}: {}: {} is not a number", path, where(), catalog::quoted_cell(s));
}
}  // namespace

double parse_number(const std::string& s, const std::string& path, std::size_t line,
                    const std::string& column) {
  return parse_cell(s, path, [&] { return fmt::format("line {}, column '{}'", line, column); });
}

double ArchiveTable::number(std::size_t row, int col) const {
  if (col < 0) return kNaN;
  return parse_cell(t_.rows[row][col], path(), [&] { return where(row, col); });
}

bool ArchiveTable::flag(std::size_t row, int col) const {
  if (null(row, col)) return false;
  const std::string l = lower(t_.rows[row][col]);
  if (l == "true" || l == "t" || l == "1") return true;
  if (l == "false" || l == "f" || l == "0") return false;
  fail("{}: {}: '{}' is not a boolean (TRUE/FALSE)", path(), where(row, col), t_.rows[row][col]);
}

double ArchiveTable::sexagesimal(std::size_t row, int col, double scale) const {
  if (null(row, col)) return kNaN;
  std::string s = t_.rows[row][col];
  if (s.find_first_of(" :") == std::string::npos) return number(row, col);
  std::replace(s.begin(), s.end(), ':', ' ');
  const bool negative = s.find('-') != std::string::npos;
  std::istringstream in(s);
  double part[3] = {0, 0, 0};
  int n = 0;
  std::string tok;
  while (in >> tok) {
    char* end = nullptr;
    const double v = std::strtod(tok.c_str(), &end);
    if (n == 3 || end == tok.c_str() || *end != '\0')
      fail("{}: {}: '{}' is not a sexagesimal angle", path(), where(row, col), t_.rows[row][col]);
    part[n++] = std::fabs(v);
  }
  if (n == 0) fail("{}: {}: '{}' is not an angle", path(), where(row, col), t_.rows[row][col]);
  const double value = scale * (part[0] + part[1] / 60.0 + part[2] / 3600.0);
  return negative ? -value : value;
}

double ArchiveTable::ra_degrees(std::size_t row, int col) const {
  return sexagesimal(row, col, 15.0);
}
double ArchiveTable::dec_degrees(std::size_t row, int col) const {
  return sexagesimal(row, col, 1.0);
}

ArchiveTable read_archive_table(const std::string& path) {
  if (catalog::is_fits_path(path)) return ArchiveTable(catalog::read_fits_table(path));
  catalog::CsvOptions o;
  o.detect_delimiter = true;
  o.skip_comments = true;
  o.trim = true;
  catalog::CsvTable t = catalog::read_csv(path, o);
  return ArchiveTable(std::move(t));
}

void publish_csv(const std::string& path, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  catalog::write_csv(path, header, rows);  // published atomically (core/atomic_file.hpp)
}

}  // namespace mwclass::archive
