#include "router.hpp"

#include "mwclass/core/error.hpp"
#include "partition.hpp"

namespace mwclass::learners::forest {

std::vector<double> columns_of(const Matrix& X, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin, p = static_cast<std::size_t>(X.cols());
  std::vector<double> out(n * p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < p; ++f) out[f * n + i] = X.data()[(begin + i) * p + f];
  return out;
}

void pack(Tree& tree) {
  tree.packed.resize(tree.nodes.size());
  for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
    const TreeNode& node = tree.nodes[i];
    if (node.feature >= 0 && node.left != static_cast<int>(i) + 1)
      fail("random forest: node {} is not followed by its left child", i);
    tree.packed[i] = {node.threshold, node.feature, node.feature >= 0 ? node.right : node.value_offset};
  }
}

void Router::route(const Tree& tree, const double* columns, std::size_t n, const std::uint32_t* rows,
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
