#pragma once
// Weighted naive Bayes after Tranin et al. 2022 (A&A 657, A138, "CLAXBOI").
//
// Features are grouped into categories t (X-ray spectrum, variability,
// multiwavelength, location ...). For a source x the posterior of class C is
//
//   P(C | x) ∝ P(C) · ( Π_t L(C|t)^α_t )^(1 / A),   L(C|t) = Π_{f in t} term_f(C),
//
// computed in log space and normalized over classes. The choices:
//
// * A = Σ α_t over the categories that contribute at least one term for this
//   source, so a source whose whole category is missing (Skip mode) is not
//   penalised: it is classified by the categories it has. With A = 0 (nothing
//   contributes, or every contributing weight is 0) the posterior is the prior.
//
// * term_f(C), MissingMode::Skip: log p(x_f | C) if x_f is present, nothing if
//   it is NaN. MissingMode::Presence: every used feature contributes
//     present: presence_weight · log P(present_f | C) + log p(x_f | C)
//     missing: presence_weight · log P(missing_f | C)
//   i.e. the presence term sits inside L(C|t): its effective exponent is
//   presence_weight · α_t / A. P(present_f | C) = (n_present + s) / (n_C + 2 s)
//   with s = presence_smoothing (Laplace for s = 1). Absence is informative,
//   e.g. isolated neutron stars have no optical counterpart.
//
// * p(x_f | C): 1-D Gaussian KDE of the class's present training values,
//   bandwidth h = bandwidth_factor · c · s · n^(-1/5) with
//     Silverman: c = 0.9,  s = min(σ, IQR/1.34) (the positive one if either is 0)
//     Scott:     c = 1,    s = σ   (scipy.stats.gaussian_kde's "scott")
//   σ the sample standard deviation (n - 1), IQR from linearly interpolated
//   quartiles. When the class's spread is 0 (n = 1, or all values equal), s is
//   the same spread of the feature over all training rows, else 1 (features
//   are standardized upstream).
//
// * A class with no present training value of feature f uses the pooled KDE
//   of f (all training rows of every class): a neutral density, so only the
//   presence term (Presence mode) tells the classes apart there. A feature
//   with no present training value at all has no density term for any class.
//
// * Density floor: log p is never below log(density_floor · peak_C,f), peak
//   being the largest KDE value on the tabulation grid (spacing grid_step · h,
//   or 0.25 h when grid_step = 0), and at least the height of one kernel,
//   1 / (n h sqrt(2 pi)). So an empty tail does not give log 0 and one
//   feature cannot veto a class on its own. Default density_floor = 1e-3.
//
// * Grid: each KDE is tabulated on nodes spaced grid_step · h, from
//   margin · h below its smallest value to margin · h above its largest,
//   margin = sqrt(2 ln(n / density_floor)) + 1, so that beyond the grid the
//   density is below the floor (which is returned there). Node values and
//   slopes of log p come from the kernel sum (kernels farther than
//   (margin + 4) h are dropped: relative error < 1e-11 above the floor);
//   between nodes log p is a cubic Hermite interpolant (exact for a lone
//   Gaussian), then floored. Worst measured |error| in log p for grid_step =
//   0.25: 0.003 (few narrow kernels with a dip near the floor), tested < 0.01;
//   it grows as grid_step^4 (0.15 at grid_step = 1). grid_step = 0 sums the
//   (windowed) kernels at every prediction instead; so does a KDE whose table
//   would need more than 2^18 nodes (a tiny bandwidth and a distant value).
//
// * Quality exponents (optional, Tranin et al. 2022): a per-source weight
//   q_f multiplying the density term log p(x_f | C), so that noisy
//   measurements count less. quality_exponents() makes them from the
//   source's feature uncertainties sigma_f (in the units the model sees):
//   q_f = (1/sigma_f) / mean(1/sigma_g) over the features g of f's category
//   that are present and have sigma_g > 0; q_f = 1 where sigma_f is missing,
//   0 or infinite (no uncertainty known). Within a category the mean
//   exponent is therefore 1: quality reweights features, it does not change
//   the category's weight. The presence term is not reweighted.
//
// * Outlier measure (Tranin et al. 2022): for a source, score = -log10 of the
//   best class's weighted likelihood (Π_t L(C|t)^α_t)^(1/A) — the posterior's
//   data term, without the prior — and its percentile: the fraction of that
//   class's training members whose own score, computed with their own kernel
//   left out of their class's densities (leave-one-out), is at least as high.
//   A percentile near 0 means the source is less like the class than nearly
//   all of its members. The presence probabilities are not recomputed
//   leave-one-out (one member moves them by < 1/n_C).
//
// * Classes with no training row get probability 0. Prior::Training uses the
//   class frequencies, Uniform equal ones, Given the normalized given_priors
//   (Tranin's "trueprop": the expected class proportions in the field).
//
// * feature_importances() returns all zeros (undefined for this model); use
//   explain() for a per-source account.
//
// Deterministic, no randomness (the key is unused); fit tabulates
// (class, feature) pairs and predict scores rows independently, so results do
// not depend on n_threads.
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/classifier.hpp"

namespace mwclass::learners {

struct NaiveBayesParams {
  enum class MissingMode { Skip, Presence };
  enum class Prior { Training, Uniform, Given };
  enum class Bandwidth { Silverman, Scott };

  // Per feature: index into category_names, -1 = feature not used. Empty:
  // every feature in category 0 (named "all" when category_names is empty).
  std::vector<int> feature_category;
  std::vector<std::string> category_names;
  std::vector<double> category_weights;  // α_t >= 0, one per category; empty: all 1
  std::vector<std::string> feature_names;  // optional, for explain(); empty: "f0", "f1", ...

  MissingMode missing = MissingMode::Skip;
  double presence_weight = 1.0;     // exponent of the presence/absence term (>= 0)
  double presence_smoothing = 1.0;  // pseudo-count s of P(present | C) (> 0)

  Prior prior = Prior::Training;
  std::vector<double> given_priors;  // Prior::Given: one per class, >= 0, sum > 0

  Bandwidth bandwidth = Bandwidth::Silverman;
  double bandwidth_factor = 1.0;  // multiplies the rule's bandwidth (> 0)
  double density_floor = 1e-3;    // relative to the class's peak density, in (0, 1)
  double grid_step = 0.25;        // tabulation spacing in bandwidths, (0, 1]; 0: direct sum
};

// One step of the probability track: the normalized posterior after the
// prior, after each feature's term, and after each whole category.
struct ExplainStep {
  enum class Kind { Prior, Feature, Category };
  Kind kind = Kind::Prior;
  int category = -1;           // -1 for the prior
  int feature = -1;            // -1 for the prior and for category steps
  std::string label;           // "prior", "<category>", "<category>/<feature>"
  bool contributed = false;    // false: the feature (or whole category) added no term
  std::vector<double> proba;   // n_classes, sums to 1
};

struct Explanation {
  double weight_sum = 0.0;          // A, the Σ α_t used for this source
  std::vector<ExplainStep> steps;   // prior, then per category: its features, the category
};

namespace detail {
// One class's (or the pooled) KDE of one feature.
struct KdeTable {
  double h = 0.0;
  double log_norm = 0.0;     // -log(n h sqrt(2 pi))
  double log_floor = 0.0;    // log(density_floor · peak)
  double window = 0.0;       // kernels farther than window · h are dropped
  double grid_lo = 0.0;      // first node
  double grid_step = 0.0;    // node spacing; 0: no table, sum the kernels directly
  std::vector<double> g;     // log density at the nodes (clamped 30 below the floor)
  std::vector<double> dg;    // its derivative
  std::vector<double> values;  // sorted present training values
};
}  // namespace detail

class NaiveBayes : public Classifier {
 public:
  explicit NaiveBayes(NaiveBayesParams params = {});

  // X: NaN marks a missing value (±inf is an error). key is unused.
  void fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t key,
           int n_threads) override;
  Matrix predict_proba(const Matrix& X, int n_threads) const override;
  // With per-source quality exponents (X's shape; nullptr: all 1).
  Matrix predict_proba(const Matrix& X, const Matrix* quality, int n_threads) const;
  std::vector<double> feature_importances() const override;  // all zeros

  // Outlier measure of every row (quality: per-source exponents or nullptr).
  std::vector<OutlierScore> outlier_scores(const Matrix& X, const Matrix* quality) const;
  std::vector<OutlierScore> outlier_scores(const Matrix& X, int n_threads) const override {
    (void)n_threads;
    return outlier_scores(X, nullptr);
  }

  // Quality exponents from per-source feature uncertainties (X's shape).
  Matrix quality_exponents(const Matrix& X, const Matrix& sigma) const;

  // The ensemble's call: with in.sigma, quality exponents from it (Tranin et
  // al.'s per-source weights); with in.track_x, the track of its rows.
  Prediction predict_for(const PredictionInput& in) const override;

  // The probability track of one row of X; its last step equals
  // predict_proba(X).row(row) bit for bit.
  Explanation explain(const Matrix& X, Eigen::Index row, const Matrix* quality = nullptr) const;

  // The fitted model, for tests and diagnostics. log_density is the floored
  // log p(x | C) prediction uses (tabulated unless grid_step = 0);
  // log_density_direct is the exact kernel sum, floored alike. Both fail when
  // the feature had no present training value or the class no training row.
  double log_density(int cls, int feature, double x) const;
  double log_density_direct(int cls, int feature, double x) const;  // exact sum, floored
  // At a training member's own value, with its kernel left out (table-based).
  double log_density_leave_one_out(int cls, int feature, double x) const;
  double bandwidth(int cls, int feature) const;
  double presence_probability(int cls, int feature) const;  // P(present_f | C)
  const std::vector<double>& log_prior() const { return log_prior_; }
  const NaiveBayesParams& params() const { return params_; }
  int n_classes() const { return n_classes_; }
  int n_features() const { return n_features_; }

 private:
  template <typename Visit>
  // own_class >= 0: x is a training member of that class, scored leave-one-out.
  void score_row(const double* x, const double* quality, int own_class,
                 std::vector<double>& log_post, double& weight_sum, Visit&& visit) const;
  const detail::KdeTable& table(int cls, int feature, const char* what) const;
  void check_fitted(const char* what) const;

  NaiveBayesParams params_;
  int n_classes_ = 0;
  int n_features_ = 0;
  int n_categories_ = 0;
  std::vector<int> category_of_;                   // resolved per feature
  std::vector<std::vector<int>> category_features_;
  std::vector<std::string> category_names_, feature_names_;
  std::vector<double> weights_;                    // α_t
  std::vector<double> log_prior_;                  // -inf for absent classes
  std::vector<detail::KdeTable> kdes_;  // [cls * n_features + f]; pooled: [n_classes * n_features + f]
  std::vector<int> kde_index_;          // [cls * n_features + f] -> kdes_ index, -1: no density
  std::vector<double> log_present_, log_missing_;  // [cls * n_features + f]
  std::vector<char> has_density_;       // per feature: some present training value
  std::vector<std::vector<double>> member_scores_;  // per class: members' LOO outlier scores, sorted
};

}  // namespace mwclass::learners
