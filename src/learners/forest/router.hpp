#pragma once
// Routing rows through fitted trees (prediction and the out-of-bag members'
// leaves), and the packed node layout it reads.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/random_forest.hpp"
#include "partition.hpp"

namespace mwclass::learners::forest {

// Column-major copy of rows [begin, end) of row-major X: out[f * (end - begin) + i].
std::vector<double> columns_of(const Matrix& X, std::size_t begin, std::size_t end);

// Tree::packed from Tree::nodes (pre-order, left child of node i at i + 1).
void pack(Tree& tree);

// Finds the leaves of many rows in one tree by routing them through it node
// by node (pre-order, the left child of node i is i + 1): an internal node's
// rows are partitioned by x[feature] <= threshold — the test of a root-to-leaf
// walk, so each row reaches the same leaf — and a node no row reaches is never
// visited. The loads and comparisons of one node do not wait on each other,
// where a walk waits at every level on a branch it mispredicts half the time.
class Router {
 public:
  // columns: n rows column-major (columns_of); rows[0, m): the rows to route
  // (indices below n); leaf[row] receives each row's leaf.
  void route(const Tree& tree, const double* columns, std::size_t n, const std::uint32_t* rows,
             std::size_t m, std::int32_t* leaf);

 private:
  struct Range {
    std::int32_t node;
    std::size_t begin, end;
  };
  std::vector<std::uint32_t> index_, spill_;
  std::vector<Range> stack_;
};

// Inline: the routing loop then sits in its callers (predict, the growth of
// the out-of-bag members), as it did before the engine had its own files.
inline void Router::route(const Tree& tree, const double* columns, std::size_t n, const std::uint32_t* rows,
                          std::size_t m, std::int32_t* leaf) {
  if (m == 0) return;
  index_.assign(rows, rows + m);
  spill_.resize(m);
  const PackedNode* nodes = tree.packed.data();
  stack_.clear();
  stack_.push_back({0, 0, m});
  while (!stack_.empty()) {
    Range range = stack_.back();
    stack_.pop_back();
    // Follow left children down, setting the right ones aside.
    while (nodes[range.node].feature >= 0) {
      const PackedNode& node = nodes[range.node];
      const double* x = columns + static_cast<std::size_t>(node.feature) * n;
      const double threshold = node.threshold;
      const std::size_t l = partition_rows(index_.data(), range.begin, range.end, spill_.data(),
                                           [x, threshold](std::uint32_t row) { return x[row] <= threshold; });
      if (l < range.end) stack_.push_back({node.next, l, range.end});
      if (l == range.begin) break;
      range = {range.node + 1, range.begin, l};
    }
    if (range.begin == range.end || nodes[range.node].feature >= 0) continue;
    for (std::size_t q = range.begin; q < range.end; ++q) leaf[index_[q]] = range.node;
  }
}

}  // namespace mwclass::learners::forest
