#pragma once
// The layout of the results file, in one table: every dataset and attribute
// with its element type, shape rule, units, description, which runs write it,
// whether a reader requires it, its CSV column and how it maps to the result
// types. The HDF5 writer, the reader and its checks, validate_result and the
// CSV export all walk this table; tests/unit/output checks docs/output-format.md
// against it.
//
// Adding an output column: add the member to ensemble::ClassificationResult
// (and fill it where the result is assembled), then one row in
// results_schema() (src/output/schema.cpp) at the place the dataset should go
// in the file (a new optional part if only some runs have it), and its line in
// docs/output-format.md (the test tells what it must say). The writer, the
// reader, validate_result and, if the row names a CSV column, the CSV export
// follow; nothing else names the dataset.
#include <string>
#include <vector>

#include "mwclass/ensemble/result.hpp"
#include "mwclass/output/values.hpp"

namespace mwclass::output {

using ensemble::ClassificationResult;
using ensemble::Provenance;

// The symbols of a shape rule. Every axis of a dataset is one of them; the
// first dataset (in table order) with a symbol fixes its extent, every later
// one must agree.
enum class Axis : char {
  sources = 'n',
  classes = 'C',
  items = 'B',          // work items: E(B-V) bins, left-out sources or folds
  items_or_none = 'b',  // B, or 0 when the values were not computed
  features = 'F',
  iterations = 'M',     // kept Monte-Carlo iterations
  steps = 'S',          // probability-track steps
  repeats = 'R',        // cv repeats
};
std::string shape_rule(const std::vector<Axis>& axes);  // "(n, C)", "(B or 0, F)", "(n,)"

// Rows written together: all of them or none (a reader that finds the first
// one requires the others).
struct Part {
  const char* name;
  const char* written_by;  // for the documentation: "every run", "loocv, cv", "--model nb", ...
  bool required;           // a reader refuses a file without it
  bool (*present)(const ClassificationResult& result);
};

using Getter = ConstArray (*)(const ClassificationResult& result, const Provenance& provenance);
using Setter = void (*)(Array&& values, ClassificationResult& result, Provenance& provenance);

struct Entry {
  enum class Kind { dataset, attribute } kind;
  const char* group;        // "/", "/sources", ...: the dataset's group, the attribute's object
  const char* name;
  Element element;
  std::vector<Axis> shape;  // empty for an attribute (a scalar)
  const char* units;        // nullptr: dimensionless (no `units` attribute)
  const char* description;  // the dataset's `description` attribute, verbatim (attributes: not stored)
  const Part* part;
  const char* csv;          // CSV column: its name, or for an (n, C) dataset the prefix of one column per class; nullptr: not exported
  Getter get;
  Setter set;               // nullptr: derived from other rows, checked but not read back

  std::string path() const;  // "/sources/P"; for an attribute, its object's path
  std::string what() const;  // "dataset '/sources/P'", "attribute 'seed' of the root group"
  bool is_dataset() const { return kind == Kind::dataset; }
};

// In file order (writing in this order keeps the file's bytes as they were):
// root datasets, then each group's attributes and datasets, then the root
// attributes, `complete` last.
const std::vector<Entry>& results_schema();

// Old names kept readable: in the group `group`, a soft link `name` -> `target`
// is written beside every new file, and a reader that does not find `target`
// (a file of an older format) reads `name` instead.
struct Alias {
  const char* group;
  const char* name;    // the old name (format 1)
  const char* target;  // the current name
};
const std::vector<Alias>& results_aliases();

// The extents bound to the axis symbols while a file or a result is walked.
class AxisExtents {
 public:
  // Checks `got` against the entry's shape rule and binds the symbols seen for
  // the first time. Throws an Error naming the entry otherwise.
  void match(const Entry& entry, const Extents& got);
  std::size_t of(Axis axis) const;  // 0 if unbound

 private:
  std::vector<std::pair<Axis, std::size_t>> bound_;
};

}  // namespace mwclass::output
