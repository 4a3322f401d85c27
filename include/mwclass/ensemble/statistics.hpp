#pragma once
// From per-iteration class probabilities to the MUWCLASS per-source summary:
// mean, standard deviation, median, 2.275 % / 97.725 % quantiles, predicted
// class and the confidence threshold CT (Yang et al. 2022, Sect. 3.5).
#include <vector>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::ensemble {

// Per-iteration probabilities of a group of sources, laid out so that the
// values of one (source, class) are contiguous: value(s, c, m).
class IterationProbabilities {
 public:
  IterationProbabilities(int n_sources, int n_classes, int n_iterations);
  double& at(int source, int cls, int iteration) {
    return values_[(static_cast<std::size_t>(source) * n_classes_ + cls) * n_iterations_ + iteration];
  }
  const double* series(int source, int cls) const {
    return &values_[(static_cast<std::size_t>(source) * n_classes_ + cls) * n_iterations_];
  }
  int sources() const { return n_sources_; }
  int classes() const { return n_classes_; }
  int iterations() const { return n_iterations_; }

 private:
  int n_sources_, n_classes_, n_iterations_;
  std::vector<double> values_;
};

// Quantile q in [0,1] of sorted values, linear interpolation between order
// statistics (numpy's default, Hyndman & Fan type 7).
double quantile_sorted(const double* sorted, int n, double q);

ProbabilityStats summarize(const IterationProbabilities& p);

// The uncertainty split (--split-uncertainty). Iteration m's model theta_m (fitted to
// that iteration's training draw, SMOTE and learner seeds) classifies the sources at
// their sampled values x_m, giving `sampled`, and at their observed values, giving
// `observed`. By the law of total variance, Var_m P(x_m, theta_m) = E_theta Var_x P +
// Var_theta E_x P; the model part is estimated by Var_m P(x_obs, theta_m) (what no
// better observation of the source would remove: the learner's randomness and the
// training set's own errors), the measurement part by the rest, clipped at 0. Both
// are population standard deviations over the iterations, like e_P, so that
// measurement^2 + model^2 = e_P^2 wherever nothing is clipped.
struct UncertaintySplit {
  Matrix measurement, model;  // n_sources x n_classes
};
UncertaintySplit split_uncertainty(const IterationProbabilities& sampled, const IterationProbabilities& observed);

// CT = min over c != pred of (P_pred - P_c) / (e_P_pred + e_P_c); a zero
// denominator is replaced by 1e-5 (as in MUWCLASS).
Decision decide(const double* mean, const double* std, int n_classes, double ct_threshold);

// Mean and population standard deviation of each column of a series of rows
// (feature importances over iterations).
void mean_and_std(const std::vector<std::vector<double>>& rows, std::vector<double>& mean,
                  std::vector<double>& std);

}  // namespace mwclass::ensemble
