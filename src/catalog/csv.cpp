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
                                    std::size_t line_no, char delimiter = ',') {
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
    } else if (ch == delimiter) {
      cells.push_back(std::move(cell));
      cell.clear();
    } else {
      cell += ch;
    }
  }
  if (quoted)
    fail("{}, line {}, column {}: a quoted field is not closed on its line (a missing closing quote, or a "
         "line break inside quotes: catalogs need one source per line)", path, line_no, cells.size() + 1);
  cells.push_back(std::move(cell));
  return cells;
}

// split_line into `cells`, reusing its strings' storage; unquoted lines take a
// fast path (the common case of large catalogs).
void split_line_into(const std::string& line, const std::string& path, std::size_t line_no,
                     char delimiter, std::vector<std::string>& cells) {
  if (line.find('"') != std::string::npos) {
    cells = split_line(line, path, line_no, delimiter);
    return;
  }
  std::size_t n = 0, start = 0;
  while (true) {
    const std::size_t end = line.find(delimiter, start);
    const std::size_t len = (end == std::string::npos ? line.size() : end) - start;
    if (n < cells.size()) cells[n].assign(line, start, len);
    else cells.emplace_back(line, start, len);
    ++n;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  cells.resize(n);
}

void trim(std::string& cell) {
  const auto last = cell.find_last_not_of(" \t");
  if (last == std::string::npos) {
    cell.clear();
    return;
  }
  cell.erase(last + 1);
  cell.erase(0, cell.find_first_not_of(" \t"));
}

// The byte position (1-based) of the first byte that is not UTF-8, or 0.
std::size_t invalid_utf8_at(const std::string& line) {
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const std::size_t n = line.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte (RFC 3629, Table 3-7)
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return i + 1;
    if (i + len > n) return i + 1;
    if (p[i + 1] < lo || p[i + 1] > hi) return i + 1;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i + 1;
    i += len;
  }
  return 0;
}

// Text that is not UTF-8 is refused with what it probably is, instead of a
// later "missing column" or a garbled name.
void check_text(const std::string& line, const std::string& path, std::size_t line_no) {
  if (line_no == 1 && line.size() >= 2 &&
      ((line[0] == '\xFF' && line[1] == '\xFE') || (line[0] == '\xFE' && line[1] == '\xFF')))
    fail("{}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8", path);
  if (line.find('\0') != std::string::npos)
    fail("{}, line {}: NUL byte in the file (a binary or UTF-16 file? catalogs must be UTF-8 text)", path,
         line_no);
  if (const std::size_t at = invalid_utf8_at(line))
    fail("{}, line {}, byte {}: not UTF-8 text (a Latin-1 or Windows-1252 file? save it as UTF-8)", path,
         line_no, at);
}

}  // namespace

CsvTable read_csv(const std::string& path) { return read_csv(path, CsvOptions{}); }

void for_each_csv_row(const std::string& path, const CsvOptions& options,
                      const std::function<void(std::vector<std::string>&)>& on_header,
                      const std::function<void(std::vector<std::string>&, std::size_t)>& on_row) {
  std::ifstream in(path);
  if (!in) fail("cannot open catalog '{}': no such file or not readable", path);
  std::string line;
  std::size_t line_no = 0, n_header = 0;
  bool have_header = false;
  char delimiter = options.delimiter;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    check_text(line, path, line_no);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (options.skip_comments && line[0] == '#') continue;
    if (!have_header && options.detect_delimiter)
      delimiter = line.find('\t') != std::string::npos ? '\t' : ',';
    split_line_into(line, path, line_no, delimiter, cells);
    if (options.trim)
      for (auto& c : cells) trim(c);
    if (!have_header) {
      have_header = true;
      n_header = cells.size();
      on_header(cells);
      continue;
    }
    if (cells.size() != n_header)
      fail("{}, line {}: {} cells but the header has {} columns", path, line_no, cells.size(),
           n_header);
    on_row(cells, line_no);
  }
  if (in.bad()) fail("error reading '{}'", path);
  if (!have_header) fail("{}: empty file (no header line)", path);
}

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
  CsvTable table;
  table.path = path;
  for_each_csv_row(
      path, options, [&](std::vector<std::string>& h) { table.header = std::move(h); },
      [&](std::vector<std::string>& cells, std::size_t line_no) {
        table.rows.push_back(std::move(cells));
        table.line_numbers.push_back(line_no);
      });
  return table;
}

std::string quoted_cell(const std::string& cell) {
  constexpr std::size_t kShown = 40;
  if (cell.size() <= kShown) return "'" + cell + "'";
  return fmt::format("'{}...' ({} characters)", cell.substr(0, kShown), cell.size());
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
