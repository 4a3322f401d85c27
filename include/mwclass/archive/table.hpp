#pragma once
// Archive tables as the archives deliver them: CSV or TSV, '#' comment lines
// (CSC CLI), cells padded with spaces, per-observation columns that repeat
// master names (raw CLI) or carry pandas' ".1" suffix. Typed cell access with
// errors naming file, line and column. A FITS binary table (catalog/fits.hpp)
// gives the same ArchiveTable (names matched case-insensitively, "row N" in
// messages): read_archive_table is the one place that dispatches on the file type.
#include <optional>
#include <string>
#include <vector>

#include "mwclass/catalog/csv.hpp"

namespace mwclass::archive {

class ArchiveTable {
 public:
  explicit ArchiveTable(catalog::CsvTable table) : t_(std::move(table)) {}

  const std::string& path() const { return t_.path; }
  std::size_t size() const { return t_.rows.size(); }
  const std::vector<std::string>& header() const { return t_.header; }
  std::size_t line(std::size_t row) const { return t_.line_numbers[row]; }

  // Column index of `name`, -1 if absent. occurrence 1 is the per-observation
  // twin of a master column: `name.1` (pandas) or the second `name` (raw CLI).
  int column(const std::string& name, int occurrence = 0) const;
  int require(const std::string& name, int occurrence = 0, const std::string& what = "") const;
  // The first of `names` present (e.g. "Gmag" or "Gmag_gaia"), -1 if none.
  int first_of(const std::vector<std::string>& names) const;

  const std::string& text(std::size_t row, int col) const { return t_.rows[row][col]; }
  bool null(std::size_t row, int col) const { return col < 0 || t_.rows[row][col].empty(); }
  // NaN for an empty cell (or col < 0); Error for text that is not a number.
  double number(std::size_t row, int col) const;
  // TRUE/FALSE/True/False/T/F/1/0, any case; empty -> false.
  bool flag(std::size_t row, int col) const;
  // Right ascension: "hh mm ss.s" / "hh:mm:ss.s" (hours) or degrees.
  double ra_degrees(std::size_t row, int col) const;
  // Declination: "±dd mm ss.s" / "±dd:mm:ss.s" or degrees.
  double dec_degrees(std::size_t row, int col) const;
  std::string where(std::size_t row, int col) const;

 private:
  double sexagesimal(std::size_t row, int col, double scale) const;
  catalog::CsvTable t_;
};

// A cell as a number: NaN for "", "nan", "null" (any case); Error naming the
// file, line and column for anything else that is not a number.
double parse_number(const std::string& cell, const std::string& path, std::size_t line,
                    const std::string& column);

// CSV or TSV (detected from the header line), '#' comment lines skipped,
// cells trimmed; or a FITS table (by content or a .fits/.fit/.fts/.fits.gz name,
// optional [HDU] suffix: number or EXTNAME; default the first table).
ArchiveTable read_archive_table(const std::string& path);

// Writes a CSV atomically (catalog::write_csv publishes through
// core/atomic_file.hpp), so `path` is either absent/old or complete.
void publish_csv(const std::string& path, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

}  // namespace mwclass::archive
