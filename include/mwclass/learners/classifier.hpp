#pragma once
// The learner interface of the Monte-Carlo ensemble. Each MC iteration fits a
// fresh learner on the (sampled, standardized, possibly oversampled) training
// matrix and predicts the work item's sources. Implementations: RandomForest
// (exact-split, sklearn semantics), GradientBoosting (XGBoost, native missing
// values), NaiveBayes (Tranin et al. 2022 weighted naive Bayes).
//
// Determinism contract: fit() draws only from streams derived from `key`, and
// the result must not depend on n_threads (the ensemble promises bit-identical
// output for any number of ranks and threads).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/outlier.hpp"

namespace mwclass::learners {

// How a learner arrived at one source's probabilities, step by step (naive
// Bayes: the posterior after the prior, after each feature and each category).
struct ProbabilityTrack {
  std::vector<std::string> steps;  // "prior", "<category>/<feature>", "<category>"
  std::vector<double> values;      // (source, step, class), row-major
  bool empty() const { return steps.empty(); }
};

// What the ensemble asks of a fitted learner in one MC iteration.
struct PredictionInput {
  const Matrix& x;                       // the sources, in the training matrix's units
  int n_threads = 1;
  // Per-source feature uncertainties in x's units (NaN: unknown), given when
  // the learner's Preprocessing asks for them (learners/registry.hpp).
  const Matrix* sigma = nullptr;
  // Rows whose probability track is wanted (the sources' observed values),
  // or nullptr; learners without a track ignore it.
  const Matrix* track_x = nullptr;
};

// Class probabilities (n_rows x n_classes), the outlier measure (empty if
// the model has none) of the same rows, and the track of input.track_x's rows
// (empty if the learner has none or none was asked for).
struct Prediction {
  Matrix proba;
  std::vector<OutlierScore> outlier;
  ProbabilityTrack track;
};

class Classifier {
 public:
  virtual ~Classifier() = default;

  // X: n_rows x n_features, NaN marks a missing value unless the learner's
  // documentation says it needs them encoded first. y: class per row in
  // [0, n_classes). key: the learner's stream key.
  virtual void fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t key,
                   int n_threads) = 0;

  // n_rows x n_classes; each row sums to 1.
  virtual Matrix predict_proba(const Matrix& X, int n_threads) const = 0;

  // One value per feature, summing to 1 (all zeros when undefined).
  virtual std::vector<double> feature_importances() const = 0;

  // The outlier measure of every row of X against the training members of
  // its most probable class (outlier.hpp); empty if the model has none.
  virtual std::vector<OutlierScore> outlier_scores(const Matrix& X, int n_threads) const {
    (void)X;
    (void)n_threads;
    return {};
  }

  // Both of the above; models that share work between them override it.
  virtual Prediction predict(const Matrix& X, int n_threads) const {
    return {predict_proba(X, n_threads), outlier_scores(X, n_threads), {}};
  }

  // The ensemble's one prediction call: probabilities, outlier measure and,
  // where the learner has one, the probability track. Learners that use the
  // uncertainties or have a track override it; the others predict x.
  virtual Prediction predict_for(const PredictionInput& in) const { return predict(in.x, in.n_threads); }

  // Outlier reference of the following fits: only the first n rows of X are
  // training members (the rows after them, e.g. SMOTE's synthetic ones, are
  // not). 0 (the default): every row is a member.
  void set_outlier_members(Eigen::Index n) { outlier_members_ = n; }

 protected:
  // The member rows of a fit with n_rows rows.
  Eigen::Index outlier_members(Eigen::Index n_rows) const {
    return outlier_members_ > 0 ? std::min(outlier_members_, n_rows) : n_rows;
  }

 private:
  Eigen::Index outlier_members_ = 0;
};

}  // namespace mwclass::learners
