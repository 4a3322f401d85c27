#pragma once
// Joins work results into a run's result, sources in catalog order, and
// derives each source's decision (class, CT, confident).
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/result.hpp"

namespace mwclass {
class ByteWriter;
class ByteReader;
}  // namespace mwclass

namespace mwclass::ensemble {

// Every source of `sources` must be classified by exactly one result.
ClassificationResult assemble(const catalog::Catalog& sources, std::vector<WorkResult> results,
                              const Config& config, const std::vector<std::string>& feature_names);

// Only the per-item table (ids, E(B-V), sizes, iterations, importances).
ClassificationResult assemble_items(std::vector<WorkResult> results,
                                    const std::vector<std::string>& feature_names);

// Encoding for sending results to rank 0 and for checkpoint files. A resume
// with another mwclass version is refused by the run's fingerprint; within
// 0.1.0's development the formats 1 (before the naive Bayes track), 2
// (before the outlier measure) and 3 (before the uncertainty split) were
// written, and are still read.
inline constexpr int kWorkResultFormat = 4;
void encode(ByteWriter& out, const WorkResult& r);
void decode(ByteReader& in, WorkResult& r, int format = kWorkResultFormat);

}  // namespace mwclass::ensemble
