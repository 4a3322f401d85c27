#pragma once
// The parameters of the tree learners, as plain configuration sections
// ([classifier.forest], [classifier.gbdt]). They live in core so that the
// configuration (core/config.hpp) holds them without including the learners;
// learners/random_forest.hpp and learners/gradient_boosting.hpp use them.
// Ranges, units and descriptions of each key: core/config_keys.hpp.

namespace mwclass {

// Random forest (learners/random_forest.hpp).
struct ForestParams {
  int n_trees = 100;
  int max_features = 0;       // 0: floor(sqrt(n_features))
  int min_samples_split = 2;  // in distinct training rows
  int min_samples_leaf = 1;
  int max_depth = 0;          // 0: unlimited
  bool bootstrap = true;
  // Class balancing without SMOTE (both off in MUWCLASS):
  // class_weight_balanced: each row's bootstrap count is multiplied by its
  //   class weight, sklearn's "balanced" n / (k n_c) made integer: w_c =
  //   max(1, round(Q n_max / n_c)) with Q = max(1, floor(2^16 / (k n_max))),
  //   so weighted counts stay exact integers (rounding <= 1.5 % of a weight
  //   on the CSCv2 training set);
  // balanced_bootstrap: each tree draws round(n / k) rows with replacement
  //   from every class present (k classes present, n rows).
  bool class_weight_balanced = false;
  bool balanced_bootstrap = false;
  // Approximation (off in MUWCLASS): 0 = exact splits between every pair of
  // consecutive distinct values (sklearn). max_bins >= 2 first groups each
  // feature's distinct values into at most max_bins codes — the lowest value
  // (the missing-value flag) alone, the others in equal-frequency groups of
  // consecutive values — so splits fall only between groups, at the midpoint
  // of the largest value below and the smallest above (src/learners/forest/encoding.cpp,
  // effect on the metrics in docs/validation.md).
  int max_bins = 0;
};

// XGBoost gradient boosting (learners/gradient_boosting.hpp).
// Defaults: the cheapest of the settings compared by 5-fold CV on the CSCv2
// training set that scored as well as XGBoost's usual 300 x 0.1 x depth 6
// (docs/validation.md); one fit on 2,941 rows takes ~0.5 s.
struct GradientBoostingParams {
  int n_rounds = 100;             // boosting rounds (n_classes trees each)
  double learning_rate = 0.2;     // XGBoost eta, > 0
  int max_depth = 4;              // >= 1
  double min_child_weight = 1.0;  // minimum hessian sum in a child, >= 0
  double subsample = 1.0;         // row fraction per round, in (0, 1]
  double colsample_bytree = 1.0;  // feature fraction per tree, in (0, 1]
  double reg_lambda = 1.0;        // L2 penalty on leaf values, >= 0
  int max_bin = 64;               // histogram bins per feature, >= 2
  bool balance_classes = true;    // weight rows so every class present weighs the same
};

}  // namespace mwclass
