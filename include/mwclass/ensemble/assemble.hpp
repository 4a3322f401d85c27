#pragma once
// Joins the per-bin results into the run's result, sources in catalog order,
// and derives each source's decision (class, CT, confident).
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/result.hpp"

namespace mwclass {
class ByteWriter;
class ByteReader;
}  // namespace mwclass

namespace mwclass::ensemble {

ClassificationResult assemble(const catalog::Catalog& field, std::vector<BinResult> bins,
                              const Config& config, const std::vector<std::string>& feature_names);

// Encoding for sending a bin's result to rank 0.
void encode(ByteWriter& out, const BinResult& r);
void decode(ByteReader& in, BinResult& r);

}  // namespace mwclass::ensemble
