#include "mwclass/parallel/scheduler.hpp"

#include <algorithm>
#include <numeric>

#include "mwclass/core/bytes.hpp"
#include "mwclass/ensemble/assemble.hpp"

namespace mwclass::parallel {

namespace {
constexpr int kResultTag = 11;

// Relative cost of a bin: one forest fit per iteration dominates; prediction
// grows with the number of sources (measured: ~1/2000 of a fit per source).
double expected_cost(const ensemble::Bin& b) { return 1.0 + static_cast<double>(b.rows.size()) / 2000.0; }
}  // namespace

std::vector<int> assign_bins(const std::vector<ensemble::Bin>& bins, int n_ranks) {
  std::vector<std::size_t> order(bins.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return expected_cost(bins[a]) > expected_cost(bins[b]);
  });
  std::vector<double> load(static_cast<std::size_t>(n_ranks), 0.0);
  std::vector<int> owner(bins.size(), 0);
  for (std::size_t i : order) {
    const auto r = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[i] = static_cast<int>(r);
    load[r] += expected_cost(bins[i]);
  }
  return owner;
}

std::vector<ensemble::BinResult> run_bins(const Communicator& comm,
                                          const ensemble::BinEnsemble& ensemble,
                                          const catalog::Catalog& field,
                                          const std::vector<ensemble::Bin>& bins, int threads) {
  const std::vector<int> owner = assign_bins(bins, comm.size());
  std::vector<ensemble::BinResult> mine;
  for (std::size_t i = 0; i < bins.size(); ++i)
    if (owner[i] == comm.rank())
      mine.push_back(ensemble.run(field, bins[i].rows, bins[i].id, bins[i].ebv, threads));

  if (!comm.is_root()) {
    ByteWriter out;
    out.put<std::uint64_t>(mine.size());
    for (const auto& r : mine) ensemble::encode(out, r);
    comm.send(out.bytes(), 0, kResultTag);
    return {};
  }
  std::vector<char> bytes;
  for (int k = 1; k < comm.size(); ++k) {
    comm.receive(bytes, kResultTag);
    ByteReader in(bytes);
    std::uint64_t n = 0;
    in.get(n);
    for (std::uint64_t j = 0; j < n; ++j) {
      ensemble::BinResult r;
      ensemble::decode(in, r);
      mine.push_back(std::move(r));
    }
  }
  return mine;
}

}  // namespace mwclass::parallel
