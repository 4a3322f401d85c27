#pragma once
// The measurements of a set of sources, as the pipeline needs them: one row per
// source, one column per configured band. Missing values are NaN.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/core/matrix.hpp"

namespace mwclass::catalog {

struct Catalog {
  std::string path;                 // where it was read from (for messages)
  std::vector<std::string> names;
  std::vector<double> ra, dec;      // deg
  std::vector<double> ebv;          // mag; NaN where unknown
  // X-ray power-law photon index and its error ([columns] photon_index): NaN where the
  // fit is missing, empty when the table has no such column.
  std::vector<double> photon_index, photon_index_error;
  Labels labels;                    // class index; empty for an unlabelled field
  Matrix xray_flux, xray_error;     // n x n_xray_bands, erg s^-1 cm^-2
  Matrix mag, mag_error;            // n x n_optical_bands, Vega mag (error NaN: none published)
  Matrix variability;               // n x n_variability columns
  // File line (CSV) or table row (FITS, numbered_rows) of each source, for messages
  // on rank 0; not sent to other ranks (wire below), so empty there.
  std::vector<std::size_t> lines;
  bool numbered_rows = false;

  std::size_t size() const { return names.size(); }
  bool labelled() const { return !labels.empty(); }
  Catalog subset(const std::vector<std::size_t>& rows) const;
};

enum class Role { Training, Field };

// Reads a CSV catalog with the column names of `config`. A training catalog
// needs the label column; a field catalog reads it if present only for
// reference (it is never used for training). Every problem is an Error naming
// the file, line and column.
Catalog read_catalog(const std::string& path, const Config& config, Role role);

// Builds a Catalog from an already-read CSV table (used by read_catalog and tests).
struct CsvTable;
Catalog catalog_from_table(const CsvTable& table, const Config& config, Role role);

// Writes a catalog with the configured column names (used by `simulate`).
void write_catalog(const std::string& path, const Catalog& catalog, const Config& config);

}  // namespace mwclass::catalog

namespace mwclass::catalog {
// The fields of a catalog on the wire (core/bytes.hpp), for broadcasting it
// and sending a work item's sources.
template <class Archive>
void wire(Archive& a, Catalog& c) {
  a(c.path);
  a(c.names);
  a(c.ra);
  a(c.dec);
  a(c.ebv);
  a(c.photon_index);
  a(c.photon_index_error);
  a(c.labels);
  a(c.xray_flux);
  a(c.xray_error);
  a(c.mag);
  a(c.mag_error);
  a(c.variability);
}
}  // namespace mwclass::catalog
