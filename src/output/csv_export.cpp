#include "mwclass/output/csv_export.hpp"

#include <string>
#include <vector>

#include "mwclass/catalog/csv.hpp"
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

}  // namespace

void export_csv(const ClassificationResult& result, const std::string& csv_path) {
  if (csv_path.empty()) fail("cannot export CSV: empty file name");
  try {
    validate_result(result);
    // One column per (n,) entry, one per class for an (n, C) entry.
    const Provenance unused;
    std::vector<std::string> header;
    std::vector<ConstArray> columns;
    for (const Entry& e : results_schema()) {
      if (!e.csv || !e.part->present(result)) continue;
      columns.push_back(e.get(result, unused));
      if (e.shape.size() == 2)
        for (const auto& c : result.class_names) header.push_back(e.csv + c);
      else
        header.emplace_back(e.csv);
    }
    const std::size_t n = result.names.size();
    std::vector<std::vector<std::string>> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
      rows[i].reserve(header.size());
      for (const ConstArray& column : columns) {
        const std::size_t width = column.extents().size() == 2 ? column.extents()[1] : 1;
        for (std::size_t c = 0; c < width; ++c) rows[i].push_back(cell(column, i * width + c));
      }
    }
    catalog::write_csv(csv_path, header, rows);
  } catch (const Error& e) {
    fail("cannot export CSV '{}': {}", csv_path, e.what());
  }
}

}  // namespace mwclass::output
