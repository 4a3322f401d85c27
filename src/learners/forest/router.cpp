#include "router.hpp"

#include "mwclass/core/error.hpp"

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

}  // namespace mwclass::learners::forest
