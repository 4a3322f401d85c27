#pragma once
// Outlier measures: how unlike the training members of its predicted class a
// source is. Every model reports, per source, a score (higher = more unusual)
// and its percentile: the fraction of that class's own training members,
// each scored as if it had been left out, whose score is at least the
// source's. A percentile near 0 means the source is less like the class than
// nearly all of its members; classifier.outlier_percentile flags it.
//
// nb: -log10 of the best class's weighted likelihood (Tranin et al. 2022),
//   naive_bayes.hpp.
// rf and gbdt (this file): leaf-sharing proximity (Breiman & Cutler). Two
//   rows are close in a tree when they land in the same leaf; a source's
//   proximity to class C is
//     q = (1/T) Σ_t n_C,t(leaf_t(source)) / n_C,
//   the mean over the T trees of the fraction of C's n_C members that share
//   its leaf (= the mean proximity to C's members), and score = -log10 q.
//   q = 0 (no member shares a leaf in any tree) is floored at half the
//   smallest non-zero value, 1 / (2 T n_C). A member m is scored leave-one-out:
//   the sum runs over the trees whose sample did not contain m (out of bag,
//   when the model records it: the forest's bootstrap) or over all trees
//   (gbdt, no subsampling by default), and m itself is not counted:
//     q_m = (1/T_m) Σ_t (n_C,t(leaf_t(m)) - 1) / (n_C - 1).
//   Out-of-bag trees make a member as new to the tree as a field source is;
//   gbdt's members did shape every leaf, but its leaves are large (depth 4,
//   hundreds of rows each), so one row moves them little. Members: the real
//   training rows (the forest's SMOTE rows shape the trees but are not
//   members; Classifier::set_outlier_members).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mwclass/core/matrix.hpp"

namespace mwclass::learners {

struct OutlierScore {
  int best_class = -1;
  double score = 0.0;       // model-specific, higher = more unusual
  double percentile = 0.0;  // fraction of best_class's members scoring >= score (left out)
};

// Fraction of the ascending `sorted` member scores that are >= score (0 when
// there are none).
double fraction_at_least(const std::vector<double>& sorted, double score);

// Leaf index of every (row, tree), row-major; out_of_bag (optional, same
// shape): 1 where the tree's sample did not contain the row.
struct LeafTable {
  std::size_t n_rows = 0;
  std::size_t n_trees = 0;
  std::vector<std::int32_t> leaf;
  std::vector<std::uint8_t> out_of_bag;  // empty: every tree counts for every row

  std::int32_t at(std::size_t row, std::size_t tree) const { return leaf[row * n_trees + tree]; }
};

// Proximity outlier measure (above) of each source against the members of
// best_class[source]. member_class: class of each member row in
// [0, n_classes). Tables must have the same tree count.
std::vector<OutlierScore> proximity_outlier_scores(const LeafTable& members,
                                                   const Labels& member_class,
                                                   const LeafTable& sources,
                                                   const std::vector<int>& best_class,
                                                   int n_classes);

}  // namespace mwclass::learners
