// The layout table (output/schema.hpp): its own invariants, and
// docs/output-format.md documents exactly its rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mwclass/output/schema.hpp"

namespace out = mwclass::output;
using out::Axis;
using out::Entry;

namespace {

using Row = std::vector<std::string>;

// The cells of a markdown table row: split at unescaped '|', trimmed, without backticks.
Row cells(const std::string& line) {
  Row row;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      row.push_back(cell);
      cell.clear();
    } else if (line[i] != '`') {
      cell += line[i];
    }
  }
  for (auto& c : row) {
    const auto b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
    c = b == std::string::npos ? "" : c.substr(b, e - b + 1);
  }
  return row;
}

// The body rows of the first table after the heading line `heading`.
std::vector<Row> table_after(const std::string& markdown, const std::string& heading) {
  std::istringstream in(markdown);
  std::string line;
  while (std::getline(in, line) && line != heading) {
  }
  REQUIRE_MESSAGE(line == heading, "docs/output-format.md has no heading '" << heading << "'");
  while (std::getline(in, line) && line.rfind('|', 0) != 0) {
  }
  std::vector<Row> rows;
  std::getline(in, line);  // the |---| line
  while (std::getline(in, line) && line.rfind('|', 0) == 0) rows.push_back(cells(line));
  return rows;
}

std::string read_doc() {
  std::ifstream in(std::string(MWCLASS_SOURCE_DIR) + "/docs/output-format.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string csv_column(const Entry& e) {
  if (!e.csv) return "";
  return e.shape.size() == 2 ? std::string(e.csv) + "<class>" : std::string(e.csv);
}

std::string required(const Entry& e) { return e.part->required ? "yes" : "no"; }

}  // namespace

TEST_CASE("docs/output-format.md lists the schema's datasets, in file order, with their shape, type and units") {
  const auto rows = table_after(read_doc(), "### Datasets");
  const Row header{"path", "shape", "type", "units", "required", "written by", "CSV", "meaning"};
  std::vector<std::string> documented, in_schema;
  std::map<std::string, Row> by_path;
  for (const auto& row : rows) {
    REQUIRE_MESSAGE(row.size() == header.size(), "a row of the dataset table has " << row.size() << " cells");
    documented.push_back(row[0]);
    CHECK_MESSAGE(by_path.emplace(row[0], row).second, row[0] << " is documented twice");
  }
  for (const Entry& e : out::results_schema()) {
    if (!e.is_dataset()) continue;
    in_schema.push_back(e.path());
    const auto it = by_path.find(e.path());
    if (it == by_path.end()) {
      FAIL_CHECK(e.path() << " is in the schema but not in docs/output-format.md");
      continue;
    }
    const Row& doc = it->second;
    INFO(e.path());
    CHECK(doc[1] == out::shape_rule(e.shape));
    CHECK(doc[2] == out::element_name(e.element));
    CHECK(doc[3] == (e.units ? e.units : ""));
    CHECK(doc[4] == required(e));
    CHECK(doc[5] == e.part->written_by);
    CHECK(doc[6] == csv_column(e));
    CHECK(!doc[7].empty());
  }
  for (const auto& path : documented)
    CHECK_MESSAGE(std::count(in_schema.begin(), in_schema.end(), path) == 1,
                  path << " is documented but not in the schema");
  CHECK(documented == in_schema);  // same order: the file's
}

TEST_CASE("docs/output-format.md lists the schema's attributes") {
  const auto rows = table_after(read_doc(), "### Attributes");
  std::vector<std::string> documented, in_schema;
  std::map<std::string, Row> by_name;
  for (const auto& row : rows) {
    REQUIRE(row.size() == 6);
    const std::string key = row[0] + " " + row[1];
    documented.push_back(key);
    by_name.emplace(key, row);
  }
  for (const Entry& e : out::results_schema()) {
    if (e.is_dataset()) continue;
    const std::string key = std::string(e.group) + " " + e.name;
    in_schema.push_back(key);
    const auto it = by_name.find(key);
    if (it == by_name.end()) {
      FAIL_CHECK("attribute " << key << " is in the schema but not in docs/output-format.md");
      continue;
    }
    INFO(key);
    CHECK(it->second[2] == out::element_name(e.element));
    CHECK(it->second[3] == required(e));
    CHECK(it->second[4] == e.part->written_by);
  }
  CHECK(documented == in_schema);
}

TEST_CASE("the schema's own rules") {
  const auto& schema = out::results_schema();
  std::set<std::string> paths, closed_groups;
  std::string group;
  for (const Entry& e : schema) {
    INFO(e.what());
    // Unique, each group's entries together (the writer creates a group once;
    // the root holds the first datasets and the last attributes).
    CHECK(paths.insert(e.what()).second);
    if (e.group != group) {
      if (std::string(e.group) != "/") CHECK(closed_groups.count(e.group) == 0);
      closed_groups.insert(group);
      group = e.group;
    }
    CHECK(e.description != nullptr);
    CHECK(static_cast<bool>(e.get));
    CHECK(e.is_dataset() != e.shape.empty());  // datasets have axes, attributes are scalars
    // A CSV column is per source: (n,) or (n, C).
    if (e.csv) {
      CHECK(e.shape.front() == Axis::sources);
      CHECK((e.shape.size() == 1 || (e.shape.size() == 2 && e.shape[1] == Axis::classes)));
    }
  }
  // The root attributes come last, `complete` the very last.
  CHECK(std::string(schema.back().name) == "complete");
  CHECK(!schema.back().is_dataset());
  CHECK(out::shape_rule({Axis::items_or_none, Axis::features}) == "(B or 0, F)");
  CHECK(out::shape_rule({Axis::sources}) == "(n,)");
}

TEST_CASE("shape rules bind each symbol once and name the dataset on a mismatch") {
  const auto& schema = out::results_schema();
  const auto find = [&](const std::string& what) -> const Entry& {
    for (const Entry& e : schema)
      if (e.what() == what) return e;
    FAIL("no " << what);
    return schema.front();
  };
  out::AxisExtents axes;
  axes.match(find("dataset '/classes'"), {3});
  axes.match(find("dataset '/sources/name'"), {5});
  CHECK(axes.of(Axis::sources) == 5);
  axes.match(find("dataset '/sources/P'"), {5, 3});
  try {
    axes.match(find("dataset '/sources/e_P'"), {5, 2});
    FAIL("no error");
  } catch (const mwclass::Error& e) {
    CHECK(std::string(e.what()) == "dataset '/sources/e_P' has shape (5, 2), expected (n, C) with n = 5, C = 3");
  }
  CHECK_THROWS_AS(axes.match(find("dataset '/sources/ra'"), {5, 1}), mwclass::Error);
  axes.match(find("dataset '/items/id'"), {4});
  axes.match(find("dataset '/features'"), {2});
  axes.match(find("dataset '/items/importance_mean'"), {0, 2});  // not computed
  axes.match(find("dataset '/items/importance_std'"), {4, 2});
  CHECK_THROWS_AS(axes.match(find("dataset '/items/importance_std'"), {3, 2}), mwclass::Error);
}
