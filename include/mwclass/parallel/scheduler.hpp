#pragma once
// Distribution of E(B-V) bins over ranks. Bins are assigned by longest
// expected cost first to the least-loaded rank (rank 0 included: it computes
// its share); workers send their results to rank 0 when done. Because every
// random draw is keyed by (seed, purpose, bin/source, iteration, tree), the
// result does not depend on this assignment.
#include <vector>

#include "mwclass/ensemble/bin_ensemble.hpp"
#include "mwclass/ensemble/binning.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::parallel {

// Rank of each bin (plain function: unit-testable without MPI).
std::vector<int> assign_bins(const std::vector<ensemble::Bin>& bins, int n_ranks);

// Every rank calls this; rank 0 returns all bin results, others return {}.
std::vector<ensemble::BinResult> run_bins(const Communicator& comm,
                                          const ensemble::BinEnsemble& ensemble,
                                          const catalog::Catalog& field,
                                          const std::vector<ensemble::Bin>& bins, int threads);

}  // namespace mwclass::parallel
