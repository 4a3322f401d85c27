#pragma once
// Gradient-boosted trees through XGBoost's C API (the Kumaran et al. peer of
// the MUWCLASS forest): softmax over n_classes, histogram trees, missing
// values handled natively (NaN is "missing": each split learns the side
// missing values go to, so no -100 flag is needed), and optional "balanced"
// class weights instead of oversampling.
//
// Why XGBoost and not our own booster: the histogram algorithm with learned
// default directions and second-order leaf values is what the peer paper's
// LightGBM-style results rest on, and XGBoost 1.7 (Debian's libxgboost-dev)
// provides it as a C library; gradient_boosting.cpp is its only user.
//
// Ownership: the fitted model stays in XGBoost as a booster owned by this
// object, so GradientBoosting is movable but not copyable (one learner lives
// per worker and is refitted every MC iteration; nothing copies it). Refitting
// replaces the booster only once the new fit has succeeded.
//
// Seeds: XGBoost seeds its (thread-local std::mt19937) engine from an integer;
// a fit passes xgboost_seed(key), the top 31 bits of rng::mix64(key), so the
// seed is a non-negative int on every XGBoost version. Two keys share a seed
// with probability 2^-31; that would only repeat the row/column subsampling.
// With subsample = colsample_bytree = 1 nothing is random and the key is moot.
//
// Determinism: for a fixed key and thread count, fits and predictions are
// bit-identical run to run, and predictions do not depend on predict_proba's
// n_threads. Across the fit's thread count XGBoost makes no promise; with
// XGBoost 1.7.4 every case measured was bit-identical (the cases and the
// speed measurements: docs/performance.md, "XGBoost: thread count and speed").
// The unit test "gradient boosting: thread count and bit-identity" asserts it;
// if an XGBoost upgrade breaks it, pin nthread to 1.
#include <cstdint>
#include <memory>
#include <vector>

#include "mwclass/core/learner_params.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/classifier.hpp"

namespace mwclass::learners {

using ::mwclass::GradientBoostingParams;  // declared in core/learner_params.hpp


// Per-row weights with sklearn's "balanced" rule, w = n_rows / (k * n_c),
// where n_c is the row count of the row's class and k the number of classes
// present in y (a class with n_c = 0 gets no rows and is not counted, so the
// weights still average 1 and min_child_weight keeps its unweighted meaning).
// Every present class then has total weight n_rows / k. Labels must lie in
// [0, n_classes). Floats: the type XGBoost receives.
std::vector<float> balanced_sample_weights(const Labels& y, int n_classes);

// The seed XGBoost receives for a fit with stream key `key`: bits 33..63 of
// rng::mix64(key), in [0, 2^31).
int xgboost_seed(std::uint64_t key);

class GradientBoosting : public Classifier {
 public:
  explicit GradientBoosting(GradientBoostingParams params = {});
  ~GradientBoosting() override;
  GradientBoosting(GradientBoosting&&) noexcept;
  GradientBoosting& operator=(GradientBoosting&&) noexcept;
  GradientBoosting(const GradientBoosting&) = delete;
  GradientBoosting& operator=(const GradientBoosting&) = delete;

  // X: n_rows x n_features, NaN = missing (passed to XGBoost as is; +-inf is
  // rejected by XGBoost and reported). y in [0, n_classes), n_classes >= 2.
  void fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t key,
           int n_threads = 1) override;

  // n_rows x n_classes, each row sums to 1 (XGBoost's float softmax,
  // renormalized in double). Not safe to call concurrently on one object
  // when the thread count differs from the previous call's: XGBoost's
  // booster is reconfigured for it.
  Matrix predict_proba(const Matrix& X, int n_threads = 1) const override;

  // Total gain of the splits on each feature, normalized to sum 1; 0 for a
  // feature never split on, all zeros when no tree split at all.
  std::vector<double> feature_importances() const override;

  // Leaf-sharing proximity to the members of the most probable class
  // (outlier.hpp), over all n_rounds x n_classes trees.
  std::vector<OutlierScore> outlier_scores(const Matrix& X, int n_threads = 1) const override;

  // predict_proba and outlier_scores with one probability computation.
  Prediction predict(const Matrix& X, int n_threads = 1) const override;

  const GradientBoostingParams& params() const { return params_; }
  int n_classes() const { return n_classes_; }
  int n_features() const { return n_features_; }

 private:
  struct BoosterFree {
    void operator()(void* handle) const noexcept;  // XGBoosterFree
  };
  using Booster = std::unique_ptr<void, BoosterFree>;

  GradientBoostingParams params_;
  Booster booster_;
  mutable int booster_threads_ = 0;  // the booster's current nthread
  int n_classes_ = 0;
  int n_features_ = 0;
  std::vector<double> importances_;
  LeafTable member_leaves_;  // the training members' leaves
  Labels member_class_;
};

}  // namespace mwclass::learners
