#pragma once
// Random forest classifier with scikit-learn's semantics (the defaults the
// MUWCLASS paper keeps): bootstrap samples, Gini impurity, floor(sqrt(p))
// features tried per split, exact best split at the midpoint of consecutive
// distinct values (or, as an option, of consecutive value groups: max_bins),
// trees grown until pure; class probability = mean over trees
// of the leaf's (bootstrap-weighted) class fractions; importances = mean
// decrease in impurity, normalized per tree, averaged, normalized.
//
// Determinism: tree t draws only from rng::Stream(derive_key({key, t})), and
// predictions sum trees in index order, so results do not depend on threads.
#include <cstdint>
#include <vector>

#include "mwclass/core/learner_params.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/classifier.hpp"

namespace mwclass::learners {

using ::mwclass::ForestParams;  // declared in core/learner_params.hpp (a config section)

// The integer class weights of class_weight_balanced for labels y.
std::vector<std::uint32_t> balanced_class_weights(const Labels& y, int n_classes);

struct TreeNode {
  int feature = -1;       // -1 for a leaf
  double threshold = 0.0; // go left when x[feature] <= threshold
  int left = -1;
  int right = -1;
  int value_offset = -1;  // leaf: index into Tree::leaf_values (n_classes entries)
};

// A node as traversal reads it (16 bytes): the left child of node i is i + 1
// (nodes are stored in pre-order, left subtree first).
struct PackedNode {
  double threshold = 0.0;
  std::int32_t feature = -1;  // -1 for a leaf
  std::int32_t next = -1;     // right child, or for a leaf its value_offset
};

struct Tree {
  std::vector<TreeNode> nodes;       // nodes[0] is the root, pre-order
  std::vector<PackedNode> packed;    // the same nodes for traversal
  std::vector<double> leaf_values;   // class fractions of every leaf, concatenated
  std::vector<double> importances;   // unnormalized impurity decrease per feature
  int depth = 0;
};

class RandomForest : public Classifier {
 public:
  explicit RandomForest(ForestParams params = {});

  // X: n_rows x n_features, no NaN (encode missing values before fitting).
  // y: class index per row in [0, n_classes). key: the forest's stream key.
  void fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t key,
           int n_threads = 1) override;

  // n_rows x n_classes; each row sums to 1.
  Matrix predict_proba(const Matrix& X, int n_threads = 1) const override;

  // Mean decrease in impurity, sums to 1 (all zeros if no tree ever split).
  std::vector<double> feature_importances() const override;

  // Leaf-sharing proximity to the members of the most probable class
  // (outlier.hpp); members are scored on their out-of-bag trees.
  std::vector<OutlierScore> outlier_scores(const Matrix& X, int n_threads = 1) const override;

  // predict_proba and outlier_scores from one traversal of the trees.
  Prediction predict(const Matrix& X, int n_threads = 1) const override;

  // The leaf (node index) each row of X reaches in each tree, row-major
  // n_rows x n_trees.
  std::vector<std::int32_t> leaves(const Matrix& X, int n_threads = 1) const;

  // The training members' leaves (in-bag ones recorded while growing, the
  // others by traversal) and out-of-bag flags of the last fit.
  const LeafTable& member_leaves() const { return member_leaves_; }

  const std::vector<Tree>& trees() const { return trees_; }
  int n_classes() const { return n_classes_; }
  int n_features() const { return n_features_; }

 private:
  // Class probabilities of X's rows; leaf (optional, n_rows x n_trees
  // row-major) receives the leaves. `what` names the caller in errors.
  Matrix traverse(const Matrix& X, int n_threads, const char* what, std::int32_t* leaf) const;

  ForestParams params_;
  std::vector<Tree> trees_;
  LeafTable member_leaves_;  // the training members' leaves and out-of-bag flags
  Labels member_class_;
  int n_classes_ = 0;
  int n_features_ = 0;
};

}  // namespace mwclass::learners
