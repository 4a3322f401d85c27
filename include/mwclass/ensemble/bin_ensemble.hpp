#pragma once
// The Monte-Carlo ensemble of one group of field sources (an E(B-V) bin):
// for each iteration m, the MUWCLASS steps
//   1. MC-sample the training set and the field sources,
//   2. redden the training AGN to the bin's E(B-V),
//   3. build features, 4. standardize with the training statistics,
//   5. SMOTE, 6. missing -> flag, 7. train the forest, 8. predict the sources;
// then per-source statistics over the iterations. Plain C++: no MPI here.
#include <cstdint>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/result.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/physics/features.hpp"

namespace mwclass::ensemble {

class BinEnsemble {
 public:
  BinEnsemble(const Config& config, const catalog::Catalog& training);

  // Classifies field rows `rows` (indices into `field`, which key their random
  // streams) as bin `bin_id` reddened to `ebv`. `threads` OpenMP threads.
  BinResult run(const catalog::Catalog& field, const std::vector<std::uint64_t>& rows,
                int bin_id, double ebv, int threads) const;

  int iterations() const;
  const std::vector<std::string>& feature_names() const { return features_.names(); }

 private:
  const Config& config_;
  const catalog::Catalog& training_;
  physics::CrossSection cross_section_;
  physics::FeatureBuilder features_;
  std::vector<char> reddened_;  // per training row: its class is reddened
};

}  // namespace mwclass::ensemble
