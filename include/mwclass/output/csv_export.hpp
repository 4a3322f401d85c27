#pragma once
// MUWCLASS-compatible CSV table (and FITS table) of a result, one line per source: the schema's
// entries that have a CSV column (output/schema.hpp), in schema order:
//   name, P_<class>..., e_P_<class>..., Class, Class_prob, e_Class_prob, CT,
//   confident, margin[, outlier_score, outlier_percentile, outlier]
// (classes in the result's order; numbers round-trip exactly; missing = empty
// cell; flags are 1 or 0; Class is empty when no class was predicted).
#include <string>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::output {

// Writes atomically (core/atomic_file.hpp); on error an Error names csv_path.
void export_csv(const ensemble::ClassificationResult& result, const std::string& csv_path);

// The same columns as a FITS binary table (HDU 1, EXTNAME RESULTS), plus the per-source
// entries with a physical unit (ra, dec, ebv), TUNITn from the schema's units and TDISPn;
// the provenance in keywords MWCVERS, MWCCMD, MWCSEED, MWCMC, MWCTD, MWCFIELD, MWCDATE
// (long strings by the LONGSTRN convention) and the resolved configuration as HDU 2
// (EXTNAME CONFIG, one string column `line`, one row per line). Written atomically.
void export_fits(const ensemble::ClassificationResult& result, const ensemble::Provenance& provenance,
                 const std::string& fits_path);

}  // namespace mwclass::output
