#pragma once
// Dynamic distribution of the ensemble's work over ranks. Items (E(B-V)
// bins, left-out sources, folds) are cut into chunks of MC iterations; rank 0
// hands chunks out on demand, most expensive first, and computes chunks
// itself in between, serving requests after each of its iterations. Chunks
// of an item are joined on rank 0 in iteration order, so the result is the
// same for any number of ranks, any chunking, any finishing order: every
// random draw is keyed by (seed, purpose, item, iteration, tree).
// Workers hold the training set and the chunk in hand, never the catalog.
#include <atomic>
#include <functional>
#include <vector>

#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::parallel {

struct ScheduleOptions {
  int threads = 1;
  bool keep_iterations = false;
  int chunks_per_rank = 4;  // target number of chunks per rank (load balance vs overhead)
  // True (e.g. after SIGTERM) to stop handing out work: chunks in progress finish.
  std::function<bool()> stop;
  // Rank 0: called once per finished item (checkpointing, progress).
  std::function<void(std::size_t item, const ensemble::WorkResult&)> on_item_done;
};

// Chunks of every item, most expensive first (plain function: testable without MPI).
std::vector<ensemble::Chunk> plan_chunks(const std::vector<ensemble::WorkItem>& items,
                                         int iterations, int n_ranks, int chunks_per_rank);

// How one rank spent the run (for load-balance and memory reports).
struct RankStats {
  double busy_seconds = 0;  // computing chunks
  double wall_seconds = 0;  // inside run_items
  double peak_rss_mb = 0;   // peak resident memory of the process
};

struct RunOutcome {
  std::vector<ensemble::WorkResult> results;  // rank 0: the finished items; others: empty
  bool interrupted = false;                   // stopped before every item finished
  std::vector<RankStats> ranks;               // rank 0: every rank's statistics
};

// Every rank calls this with the same items. `sources` is the catalog the
// items' rows index (needed on rank 0 only; workers may pass an empty one).
RunOutcome run_items(Communicator& comm, const ensemble::Ensemble& ensemble,
                     const catalog::Catalog& sources, const std::vector<ensemble::WorkItem>& items,
                     const ScheduleOptions& options);

}  // namespace mwclass::parallel
