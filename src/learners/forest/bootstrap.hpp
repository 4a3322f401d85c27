#pragma once
// A tree's row weights: bootstrap counts (plain, or per class with the
// balanced bootstrap) times the integer class weights of
// class_weight_balanced (balanced_class_weights, random_forest.hpp).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/learners/random_forest.hpp"

namespace mwclass::learners::forest {

class Bootstrap {
 public:
  // y: the class of every training row.
  Bootstrap(const Labels& y, int n_classes, const ForestParams& params);

  // weight[r] (n_rows entries) for the tree whose stream is `stream` (which
  // then continues with the tree's feature draws).
  void draw(rng::Stream& stream, std::vector<std::uint32_t>& weight) const;

 private:
  const Labels& y_;
  const ForestParams& params_;
  std::vector<std::vector<std::uint32_t>> by_class_;  // balanced bootstrap: rows of each class
  std::vector<std::uint32_t> class_weight_;           // class_weight_balanced (empty: 1)
};

// An upper bound of a tree's total weight: n_rows bootstrap draws (n_rows +
// n_classes with the balanced bootstrap) times the largest class weight.
std::uint64_t max_tree_weight(const Labels& y, int n_classes, const ForestParams& params);

}  // namespace mwclass::learners::forest
