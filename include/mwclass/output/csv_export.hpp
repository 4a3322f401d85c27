#pragma once
// MUWCLASS-compatible CSV table of a result, one line per source:
//   name, P_<class>..., e_P_<class>..., Class, Class_prob, e_Class_prob, CT, confident
// (classes in the result's order; numbers round-trip exactly; missing = empty
// cell; confident is 1 or 0; Class is empty when no class was predicted).
#include <string>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::output {

// Writes to "<csv_path>.tmp-<pid>", then renames over csv_path; on error the
// temporary file is removed and an Error names csv_path.
void export_csv(const ensemble::ClassificationResult& result, const std::string& csv_path);

}  // namespace mwclass::output
