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

// A contiguous range of an item's MC iterations [first, first + count): the
// unit the scheduler hands out, so that a large bin can be spread over ranks.
struct Chunk {
  std::size_t item = 0;  // index into the run's item list
  int first = 0;
  int count = 0;
};

// What one chunk produced: every iteration's probabilities and importances,
// kept until all chunks of the item are in (statistics need all iterations).
struct ChunkResult {
  Chunk chunk;
  std::vector<double> probabilities;  // (source, iteration in chunk, class), row-major
  std::vector<double> importances;    // (iteration in chunk, feature), row-major
  ProbabilityTrack track;             // naive Bayes, chunk holding iteration 0 only
  std::vector<double> outlier;        // (source, iteration in chunk, [score, percentile])
  // monte_carlo.split_uncertainty: the same models' probabilities for the sources'
  // observed values, (source, iteration in chunk, class); empty otherwise.
  std::vector<double> observed;
  StageTimes timing;
};

// The fields on the wire between ranks (core/bytes.hpp).
template <class Archive>
void wire(Archive& a, WorkItem& x) {
  a(x.kind);
  a(x.id);
  a(x.ebv);
  a(x.rows);
  a(x.held_out);
}

template <class Archive>
void wire(Archive& a, ChunkResult& c) {
  a(c.chunk);
  a(c.probabilities);
  a(c.importances);
  a(c.track.steps);
  a(c.track.values);
  a(c.outlier);
  a(c.observed);
  a(c.timing);
}

}  // namespace mwclass::ensemble
