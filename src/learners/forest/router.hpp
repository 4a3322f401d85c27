#pragma once
// Routing rows through fitted trees (prediction and the out-of-bag members'
// leaves), and the packed node layout it reads.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/random_forest.hpp"

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

}  // namespace mwclass::learners::forest
