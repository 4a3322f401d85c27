#include "mwclass/parallel/scheduler.hpp"

#include <algorithm>
#include <numeric>

#include "mwclass/core/bytes.hpp"
#include "mwclass/ensemble/assemble.hpp"

namespace mwclass::parallel {

namespace {
constexpr int kResultTag = 11;

// Relative cost of an item: one forest fit per iteration dominates; prediction
// grows with the number of sources (measured: ~1/2000 of a fit per source).
double expected_cost(const ensemble::WorkItem& item) {
  return 1.0 + static_cast<double>(item.rows.size()) / 2000.0;
}
}  // namespace

std::vector<int> assign_items(const std::vector<ensemble::WorkItem>& items, int n_ranks) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return expected_cost(items[a]) > expected_cost(items[b]);
  });
  std::vector<double> load(static_cast<std::size_t>(n_ranks), 0.0);
  std::vector<int> owner(items.size(), 0);
  for (std::size_t i : order) {
    const auto r = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[i] = static_cast<int>(r);
    load[r] += expected_cost(items[i]);
  }
  return owner;
}

std::vector<ensemble::WorkResult> run_items(const Communicator& comm,
                                            const ensemble::Ensemble& ensemble,
                                            const catalog::Catalog& sources,
                                            const std::vector<ensemble::WorkItem>& items,
                                            int threads, bool keep_iterations,
                                            const std::function<void(std::size_t, std::size_t)>& on_done) {
  const std::vector<int> owner = assign_items(items, comm.size());
  const auto my_total = static_cast<std::size_t>(std::count(owner.begin(), owner.end(), comm.rank()));
  std::vector<ensemble::WorkResult> mine;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (owner[i] == comm.rank()) {
      mine.push_back(ensemble.run(sources, items[i], threads, keep_iterations));
      if (comm.is_root() && on_done) on_done(mine.size(), my_total);
    }

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
      ensemble::WorkResult r;
      ensemble::decode(in, r);
      mine.push_back(std::move(r));
    }
  }
  return mine;
}

}  // namespace mwclass::parallel
