#include "mwclass/output/csv_export.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "mwclass/catalog/csv.hpp"
#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/output/schema.hpp"

namespace mwclass::output {
namespace {

std::string cell(const ConstArray& values, std::size_t k) {
  switch (values.element()) {
    case Element::f64: return catalog::format_number(values.as<double>()[k]);
    case Element::i32: return std::to_string(values.as<int>()[k]);
    case Element::u8: return std::to_string(static_cast<int>(values.as<std::uint8_t>()[k]));
    case Element::u64: return std::to_string(values.as<std::uint64_t>()[k]);
    case Element::string: return values.as<std::string>()[k];
  }
  return "";
}

// The columns of an exported table, in schema order: one per (n,) entry with a CSV column,
// one per class for an (n, C) entry; with `physical`, also the per-source entries that carry
// a unit but no CSV column (ra, dec, ebv).
struct ExportColumns {
  std::vector<ConstArray> arrays;
  struct Column {
    std::string name;
    const char* units;
    std::size_t array, offset, width;
  };
  std::vector<Column> columns;
};

ExportColumns export_columns(const ClassificationResult& result, bool physical) {
  validate_result(result);
  const Provenance unused;
  ExportColumns out;
  for (const Entry& e : results_schema()) {
    if (!e.is_dataset() || !e.part->present(result)) continue;
    const bool with_unit = physical && !e.csv && e.units && std::string(e.group) == "/sources" && e.shape.size() == 1;
    if (!e.csv && !with_unit) continue;
    out.arrays.push_back(e.get(result, unused));
    const std::size_t a = out.arrays.size() - 1;
    if (e.shape.size() == 2) {
      const std::size_t width = result.class_names.size();
      for (std::size_t c = 0; c < width; ++c)
        out.columns.push_back({e.csv + result.class_names[c], e.units, a, c, width});
    } else {
      out.columns.push_back({e.csv ? e.csv : e.name, e.units, a, 0, 1});
    }
  }
  return out;
}

// The field calibration (/calibration, present with [calibration] field_prior != "none") as
// a table of one row per class (its (C,) datasets) whose header holds its attributes under
// their HDF5 names.
std::optional<catalog::FitsTableHdu> calibration_hdu(const ClassificationResult& result) {
  const Provenance unused;
  catalog::FitsTableHdu hdu;
  hdu.extname = "CALIBRATION";
  catalog::FitsColumn names;
  names.name = "class";
  names.is_string = true;
  names.strings = result.class_names;
  hdu.columns.push_back(names);
  bool any = false;
  for (const Entry& e : results_schema()) {
    if (std::string(e.group) != "/calibration" || !e.part->present(result)) continue;
    any = true;
    const ConstArray a = e.get(result, unused);
    if (e.is_dataset()) {
      if (a.element() != Element::f64 || a.extents().size() != 1 || a.extents()[0] != result.class_names.size())
        fail("{} is not one double per class", e.what());
      catalog::FitsColumn col;
      col.name = e.name;
      col.is_double = true;
      col.display = "G25.17";
      col.doubles.assign(a.as<double>(), a.as<double>() + result.class_names.size());
      hdu.columns.push_back(std::move(col));
      continue;
    }
    switch (a.element()) {
      case Element::f64: hdu.real_keywords.emplace_back(e.name, a.as<double>()[0]); break;
      case Element::i32: hdu.integer_keywords.emplace_back(e.name, a.as<int>()[0]); break;
      case Element::u8: hdu.integer_keywords.emplace_back(e.name, a.as<std::uint8_t>()[0]); break;
      case Element::u64: hdu.integer_keywords.emplace_back(e.name, static_cast<long long>(a.as<std::uint64_t>()[0])); break;
      case Element::string: hdu.keywords.emplace_back(e.name, a.as<std::string>()[0]); break;
    }
  }
  if (!any) return std::nullopt;
  return hdu;
}

}  // namespace

void export_csv(const ClassificationResult& result, const std::string& csv_path) {
  if (csv_path.empty()) fail("cannot export CSV: empty file name");
  try {
    const ExportColumns t = export_columns(result, false);
    std::vector<std::string> header;
    for (const auto& c : t.columns) header.push_back(c.name);
    const std::size_t n = result.names.size();
    std::vector<std::vector<std::string>> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
      rows[i].reserve(header.size());
      for (const auto& c : t.columns) rows[i].push_back(cell(t.arrays[c.array], i * c.width + c.offset));
    }
    catalog::write_csv(csv_path, header, rows);
  } catch (const Error& e) {
    fail("cannot export CSV '{}': {}", csv_path, e.what());
  }
}

void export_fits(const ClassificationResult& result, const Provenance& provenance, const std::string& fits_path) {
  if (fits_path.empty()) fail("cannot export FITS: empty file name");
  try {
    const ExportColumns t = export_columns(result, true);
    const std::size_t n = result.names.size();
    catalog::FitsTableHdu table;
    table.extname = "RESULTS";
    for (const auto& c : t.columns) {
      const ConstArray& a = t.arrays[c.array];
      catalog::FitsColumn col;
      col.name = c.name;
      col.unit = c.units ? c.units : "";
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = i * c.width + c.offset;
        switch (a.element()) {
          case Element::f64: col.doubles.push_back(a.as<double>()[k]); break;
          case Element::i32: col.integers.push_back(a.as<int>()[k]); break;
          case Element::u8: col.integers.push_back(a.as<std::uint8_t>()[k]); break;
          case Element::u64: col.integers.push_back(static_cast<long long>(a.as<std::uint64_t>()[k])); break;
          case Element::string: col.strings.push_back(a.as<std::string>()[k]); break;
        }
      }
      switch (a.element()) {
        case Element::f64: col.is_double = true; col.display = "G25.17"; break;  // round-trip digits
        case Element::u8: col.is_integer = true; col.display = "I1"; break;
        case Element::i32: case Element::u64: col.is_integer = true; col.display = "I20"; break;
        case Element::string: col.is_string = true; break;
      }
      table.columns.push_back(std::move(col));
    }
    // Provenance: short values as keywords, the configuration as the CONFIG HDU (one row a line).
    table.keywords = {{"MWCVERS", provenance.version},     {"MWCCMD", provenance.command_line},
                      {"MWCSEED", std::to_string(provenance.seed)},
                      {"MWCMC", std::to_string(provenance.mc_iterations)},
                      {"MWCTD", provenance.training_catalog}, {"MWCFIELD", provenance.field_catalog},
                      {"MWCTDSUM", provenance.training_checksum}, {"MWCFDSUM", provenance.field_checksum},
                      {"MWCDATE", provenance.created_utc}};
    catalog::FitsTableHdu config;
    config.extname = "CONFIG";
    catalog::FitsColumn line;
    line.name = "line";
    line.is_string = true;
    std::size_t b = 0;
    const std::string& toml = provenance.config_toml;
    while (b < toml.size()) {
      const std::size_t e = std::min(toml.find('\n', b), toml.size());
      line.strings.push_back(toml.substr(b, e - b));
      b = e + 1;
    }
    config.columns = {line};
    std::vector<catalog::FitsTableHdu> hdus{table, config};
    if (auto calibration = calibration_hdu(result)) hdus.push_back(std::move(*calibration));
    catalog::write_fits_tables(fits_path, hdus);
  } catch (const Error& e) {
    fail("cannot export FITS '{}': {}", fits_path, e.what());
  }
}

}  // namespace mwclass::output
