#pragma once
// Plain CSV files: a header line, then one source per line. Fields may be
// quoted ("...", with "" for a quote). Empty cells are missing values.
#include <string>
#include <vector>

namespace mwclass::catalog {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // rows[i] has header.size() cells
  std::vector<std::size_t> line_numbers;       // file line of rows[i] (header is line 1)

  // Index of a column, or -1.
  int column(const std::string& name) const;
};

// Throws mwclass::Error naming the file and line on unreadable input or a row
// whose cell count differs from the header's.
CsvTable read_csv(const std::string& path);

// Writes atomically (core/atomic_file.hpp): a file at `path` is always whole.
void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

// Formats a double so that it reads back bit-identically ("" for NaN).
std::string format_number(double value);

}  // namespace mwclass::catalog
