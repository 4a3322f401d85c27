#pragma once
// Plain CSV files: a header line, then one source per line. Fields may be
// quoted ("...", with "" for a quote). Empty cells are missing values.
#include <functional>
#include <string>
#include <vector>

namespace mwclass::catalog {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // rows[i] has header.size() cells
  std::vector<std::size_t> line_numbers;       // file line of rows[i] (header is line 1)
  bool numbered_rows = false;                  // line_numbers are table rows (FITS): "row N"

  // Index of a column, or -1.
  int column(const std::string& name) const;
};

// How a delimited text file is read. The defaults are the plain CSV above.
struct CsvOptions {
  char delimiter = ',';         // ignored when detect_delimiter is set
  bool detect_delimiter = false;  // tab if the header line has a tab, else comma
  bool skip_comments = false;   // lines starting with '#' are not data (CSC CLI output)
  bool trim = false;            // strip leading/trailing spaces and tabs from every cell
};

// Throws mwclass::Error naming the file and line on unreadable input or a row
// whose cell count differs from the header's.
CsvTable read_csv(const std::string& path);
CsvTable read_csv(const std::string& path, const CsvOptions& options);

// Streams a file row by row (for tables too large to hold as text): `on_header`
// gets the header once, `on_row` every data row with its file line number.
void for_each_csv_row(const std::string& path, const CsvOptions& options,
                      const std::function<void(std::vector<std::string>&)>& on_header,
                      const std::function<void(std::vector<std::string>&, std::size_t)>& on_row);

// Writes atomically (core/atomic_file.hpp): a file at `path` is always whole.
void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

// A cell as a message shows it: in quotes, cut to 40 characters with its length
// beside it when longer (a 1 MB cell must not become a 1 MB message).
std::string quoted_cell(const std::string& cell);

// Formats a double so that it reads back bit-identically ("" for NaN).
std::string format_number(double value);

}  // namespace mwclass::catalog
