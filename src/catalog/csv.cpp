#include "mwclass/catalog/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "mwclass/core/atomic_file.hpp"
#include "mwclass/core/error.hpp"

namespace mwclass::catalog {

int CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

namespace {

std::vector<std::string> split_line(const std::string& line, const std::string& path,
                                    std::size_t line_no) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      cells.push_back(std::move(cell));
      cell.clear();
    } else {
      cell += ch;
    }
  }
  if (quoted) fail("{}, line {}: unterminated quoted field", path, line_no);
  cells.push_back(std::move(cell));
  return cells;
}

}  // namespace

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot open catalog '{}': no such file or not readable", path);
  CsvTable table;
  table.path = path;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (table.header.empty()) {
      table.header = split_line(line, path, line_no);
      continue;
    }
    auto cells = split_line(line, path, line_no);
    if (cells.size() != table.header.size())
      fail("{}, line {}: {} cells but the header has {} columns", path, line_no, cells.size(),
           table.header.size());
    table.rows.push_back(std::move(cells));
    table.line_numbers.push_back(line_no);
  }
  if (in.bad()) fail("error reading '{}'", path);
  if (table.header.empty()) fail("{}: empty file (no header line)", path);
  return table;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  return fmt::format("{}", value);  // shortest representation that round-trips
}

void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  publish_atomically(path, [&](const std::string& temporary) {
    std::ofstream out(temporary);
    if (!out) fail("cannot write '{}': cannot create '{}': {}", path, temporary, std::strerror(errno));
    auto write_row = [&](const std::vector<std::string>& cells) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) out << ',';
        const std::string& c = cells[i];
        if (c.find_first_of(",\"") != std::string::npos) {
          out << '"';
          for (char ch : c) out << (ch == '"' ? "\"\"" : std::string(1, ch));
          out << '"';
        } else {
          out << c;
        }
      }
      out << '\n';
    };
    write_row(header);
    for (const auto& r : rows) write_row(r);
    out.close();
    if (!out) fail("error writing '{}' (disk full?)", path);
  });
}

}  // namespace mwclass::catalog
