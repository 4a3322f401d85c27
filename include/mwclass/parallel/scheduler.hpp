#pragma once
// Distribution of work items (E(B-V) bins, left-out sources, folds) over
// ranks. Items are assigned by longest expected cost first to the least-loaded
// rank (rank 0 included: it computes its share); workers send their results to
// rank 0 when done. Every random draw is keyed by (seed, purpose, item,
// iteration, tree), so the result does not depend on this assignment.
#include <functional>
#include <vector>

#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::parallel {

// Rank of each item (plain function: unit-testable without MPI).
std::vector<int> assign_items(const std::vector<ensemble::WorkItem>& items, int n_ranks);

// Every rank calls this; rank 0 returns all results, the others return {}.
// `on_done(done, total)` is called on rank 0 after each of its own items.
std::vector<ensemble::WorkResult> run_items(const Communicator& comm,
                                            const ensemble::Ensemble& ensemble,
                                            const catalog::Catalog& sources,
                                            const std::vector<ensemble::WorkItem>& items,
                                            int threads, bool keep_iterations,
                                            const std::function<void(std::size_t, std::size_t)>& on_done = {});

}  // namespace mwclass::parallel
