#pragma once
// Growing one tree of a fit: the growth loop (depth first, nodes in
// pre-order) and sklearn's feature sampling, on top of the split engines.
#include <cstdint>
#include <memory>
#include <vector>

#include "bootstrap.hpp"
#include "encoding.hpp"
#include "mwclass/learners/random_forest.hpp"

namespace mwclass::learners::forest {

// The tree builders of one thread for one fit, one per code type and key
// layout (sorted_scan.hpp), made on first use; their buffers live as long
// as this object, so a tree needs no allocation per node.
class TreeBuilders {
 public:
  TreeBuilders(const Encoded& data, const ForestParams& params, int mtry);
  ~TreeBuilders();
  TreeBuilders(const TreeBuilders&) = delete;
  TreeBuilders& operator=(const TreeBuilders&) = delete;

  // The tree whose stream key is `key`: its stream first draws the row
  // weights (into weight, n_rows entries), then the features. row_leaf[r]
  // receives the leaf of every in-bag row r.
  Tree build(std::uint64_t key, const Bootstrap& bootstrap, std::vector<std::uint32_t>& weight,
             std::int32_t* row_leaf);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mwclass::learners::forest
