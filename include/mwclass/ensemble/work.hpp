#pragma once
// A work item of the Monte-Carlo ensemble: a group of sources classified with
// one training set. For `classify` it is an E(B-V) bin of the field; for
// `loocv` one training source left out; for `cv` one fold of one repeat.
// Every random stream of an item is keyed by (kind, id), so the result of an
// item never depends on which rank runs it or when.
#include <cstdint>
#include <vector>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::ensemble {

enum class WorkKind : std::uint64_t { Bin = 1, LeaveOneOut = 2, Fold = 3 };

struct WorkItem {
  WorkKind kind = WorkKind::Bin;
  std::uint64_t id = 0;                 // bin id, left-out row, or repeat x folds + fold
  double ebv = 0;                       // E(B-V) the training AGN are reddened to (0: none)
  std::vector<std::uint64_t> rows;      // sources to classify (rows of the source catalog)
  std::vector<std::uint64_t> held_out;  // training rows left out of this item's training set
};

}  // namespace mwclass::ensemble
