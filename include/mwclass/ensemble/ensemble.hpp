#pragma once
// The Monte-Carlo ensemble of one work item: for each iteration m, the
// MUWCLASS steps
//   1. MC-sample the training set and the item's sources,
//   2. redden the training AGN to the item's E(B-V),
//   3. build features, 4. standardize with the training statistics,
//   5. SMOTE, 6. missing -> flag, 7. train the forest, 8. predict the sources;
// then per-source statistics over the iterations. Plain C++: no MPI here.
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/work.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/physics/features.hpp"

namespace mwclass::ensemble {

class Ensemble {
 public:
  Ensemble(const Config& config, const catalog::Catalog& training);

  // Classifies item.rows of `sources` (their row indices key the sources'
  // random streams). `keep_iterations` also returns every iteration's
  // probabilities. `threads`: OpenMP threads of the forest.
  WorkResult run(const catalog::Catalog& sources, const WorkItem& item, int threads,
                 bool keep_iterations = false) const;

  int iterations() const;
  // The learner's feature names (the config's, plus "random" with the noise-floor feature).
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  const Config& config_;
  const catalog::Catalog& training_;
  physics::CrossSection cross_section_;
  physics::FeatureBuilder features_;
  std::vector<std::string> feature_names_;
  std::vector<char> reddened_;  // per training row: its class is reddened
};

// Checks, before any compute, that every class keeps enough training members
// for SMOTE when `held_out_per_class` of them are left out of an item.
void check_class_sizes(const Config& config, const catalog::Catalog& training,
                       const std::vector<std::size_t>& held_out_per_class);

}  // namespace mwclass::ensemble
