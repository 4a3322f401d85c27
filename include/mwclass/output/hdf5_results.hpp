#pragma once
// The results file: one HDF5 file per run. Its layout is the table in
// output/schema.hpp (documented in docs/output-format.md); only
// src/output/h5.cpp includes hdf5.h; callers see plain data.
#include <string>
#include <utility>
#include <vector>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::output {

// Root attributes `format` and `format_version` of the layout written by write_results.
inline constexpr const char* kResultsFormatName = "mwclass-results";
inline constexpr int kResultsFormatVersion = 2;  // 2: /bins -> /items (aliases kept)

// Throws mwclass::Error if the parts of `result` disagree with the shape rules
// of the schema (names, ra, dec, ebv, item_of_source, decisions and the probability
// matrices must all describe the same sources and classes; the per-bin vectors
// the same bins; importance_mean/std are n_bins x n_features, or empty when not
// computed), if it has no source or no class, or a predicted class is out of range.
void validate_result(const ensemble::ClassificationResult& result);

// Writes atomically (core/atomic_file.hpp): on any error the temporary file is
// removed and an Error names the path and HDF5's own message. Never leaves a
// file at `path` that looks complete but is not.
void write_results(const std::string& path, const ensemble::ClassificationResult& result,
                   const ensemble::Provenance& provenance);

// Checks early (before hours of compute) that `path` can be written: its
// directory exists and is writable (creates and removes a probe file). Throws an
// Error naming the path otherwise.
void check_writable(const std::string& path);

// Read a file written by write_results. Throw an Error naming the path if the
// file is unreadable, not an mwclass results file, lacks `complete` = 1, lacks
// a required dataset, or a dataset breaks its shape rule (the message names the
// file and the dataset).
ensemble::ClassificationResult read_results(const std::string& path);
ensemble::Provenance read_provenance(const std::string& path);

// A group of derived numbers added to an existing results file (e.g. /report).
struct NumericTable {
  std::string name;
  std::vector<std::size_t> dims;  // row-major
  std::vector<double> values;
  std::string description;
};
struct TextList {
  std::string name;
  std::vector<std::string> values;
  std::string description;
};
struct TableGroup {
  std::string name;  // group under the root, replaced if present
  std::vector<NumericTable> tables;
  std::vector<TextList> texts;
  std::vector<std::pair<std::string, double>> number_attributes;
  std::vector<std::pair<std::string, std::string>> text_attributes;
};

// Adds (or replaces) `group` in a complete results file, atomically: a copy is
// modified and renamed over the original, which stays intact on any error.
void write_group(const std::string& path, const TableGroup& group);

}  // namespace mwclass::output
