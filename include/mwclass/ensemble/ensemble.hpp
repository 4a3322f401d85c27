#pragma once
// The Monte-Carlo ensemble of one work item: for each iteration m, the
// MUWCLASS steps
//   1. MC-sample the training set and the item's sources,
//   2. redden the training AGN to the item's E(B-V),
//   3. build features, 4. standardize with the training statistics,
//   5. SMOTE and 6. missing -> flag (random forest only), 7. train the
//   learner (learners/registry.hpp: what it needs of these steps), 8. predict the sources;
// then per-source statistics over the iterations. Plain C++: no MPI here.
#include <functional>
#include <optional>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/work.hpp"
#include "mwclass/physics/absorption.hpp"
#include "mwclass/learners/standardizer.hpp"
#include "mwclass/physics/features.hpp"
#include "mwclass/sampling/physical.hpp"

namespace mwclass::ensemble {

class Ensemble {
 public:
  Ensemble(const Config& config, const catalog::Catalog& training);

  // Runs iterations [chunk.first, chunk.first + chunk.count) of `item` on
  // `sources`, whose rows are item.rows in order (row indices key the
  // sources' random streams). `between_iterations` is called after each
  // iteration (the scheduler serves other ranks there). `threads`: OpenMP
  // threads of the learner.
  ChunkResult run_chunk(const catalog::Catalog& sources, const WorkItem& item, const Chunk& chunk,
                        int threads, const std::function<void()>& between_iterations = {}) const;

  // All iterations of `item`, rows taken from `catalog` (a convenience for
  // tests and single-process use).
  WorkResult run(const catalog::Catalog& catalog, const WorkItem& item, int threads,
                 bool keep_iterations = false) const;

  int iterations() const;
  std::size_t n_classes() const { return config_.classifier.classes.size(); }
  // The learner's feature names (the config's, plus "random" with the noise-floor feature).
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  // Each source's feature uncertainties (for learners whose Preprocessing asks for them).
  Matrix feature_sigma(const catalog::Catalog& sources, const WorkItem& item) const;
  // Appends the physical-oversampling duplicates of `train` (rows `kept` of the
  // training set) to the standardized fit matrix and its labels.
  void append_duplicates(const sampling::Duplicates& dups, const catalog::Catalog& train,
                         const std::vector<std::size_t>& kept, std::uint64_t iteration,
                         const learners::Standardizer& standardizer, Matrix& x_fit, Labels& y_fit) const;

  const Config& config_;
  const catalog::Catalog& training_;
  physics::CrossSection cross_section_;
  physics::FeatureBuilder features_;
  std::vector<std::string> feature_names_;
  std::vector<char> reddened_;  // per training row: its class is reddened
  std::optional<sampling::PhysicalOversampler> physical_;  // [oversampling] method = "physical"
};

// Joins the chunks of one item (any order, together covering all its
// iterations) into its result. The statistics are computed from the
// iterations in order, so the result does not depend on the chunking.
WorkResult finish_item(const WorkItem& item, std::vector<ChunkResult> chunks, int n_classes,
                       int n_iterations, bool keep_iterations);

// Checks, before any compute, that every class keeps enough training members
// for SMOTE when `held_out_per_class` of them are left out of an item.
void check_class_sizes(const Config& config, const catalog::Catalog& training,
                       const std::vector<std::size_t>& held_out_per_class);

}  // namespace mwclass::ensemble
