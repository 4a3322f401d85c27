#pragma once
// Probabilistic scores of an evaluation run and bootstrap confidence intervals
// of every score (issue 19), so that differences between methods come with
// their noise.
//  - Brier score: mean over sources of sum_c (P_c - [c = true])^2 (0 best, 2 worst);
//  - log loss: -mean ln P_true, P clipped to [1e-15, 1] (scikit-learn's clip);
//  - expected calibration error (top label, Guo et al. 2017): the max probability of
//    each source in `bins` equal-width bins of [0, 1] (bin k: (k/B, (k+1)/B], bin 0
//    also holds 0); ECE = sum_k n_k / n |accuracy_k - mean confidence_k|.
// Bootstrap: `replicates` resamples of the n sources with replacement (one keyed
// stream per replicate, rng::keys::report_bootstrap); each score is recomputed on
// every resample and its interval is the (1 - level)/2 and (1 + level)/2
// percentiles (linear interpolation between order statistics, numpy's default),
// over the replicates where it is defined.
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/evaluation/metrics.hpp"

namespace mwclass::evaluation {

// Every score is NaN for n == 0. truth and probabilities (n x C) must agree in size.
double brier_score(const Labels& truth, const Matrix& probabilities, const std::vector<char>* mask = nullptr);
double log_loss(const Labels& truth, const Matrix& probabilities, const std::vector<char>* mask = nullptr);
// Top label: predicted[i] is the source's class (its confidence is P(i, predicted[i])).
double expected_calibration_error(const Labels& truth, const Labels& predicted, const Matrix& probabilities,
                                  int bins, const std::vector<char>* mask = nullptr);

struct BootstrapOptions {
  int replicates = 1000;
  double level = 0.95;
  int ece_bins = 15;
  std::uint64_t seed = 20220923;
};

// The percentile interval of `values` (NaN ignored; NaN, NaN if none is finite).
std::pair<double, double> percentile_interval(std::vector<double> values, double level);

// One score with its interval.
struct Interval {
  std::string name;
  double value = kNaN, lo = kNaN, hi = kNaN;
};

// The scores of the sources with subset[i] != 0 (all: nullptr): accuracy, balanced
// accuracy, macro-F1, MCC, Brier score, log loss, ECE, then F1_<class> and
// recall_<class> per class, then (with `confident`) the confident fraction of all
// sources (which the bootstrap resamples too).
std::vector<Interval> bootstrap_scores(const Labels& truth, const Labels& predicted, const Matrix& probabilities,
                                       const std::vector<std::string>& class_names,
                                       const std::vector<char>* subset, const std::vector<char>* confident,
                                       const BootstrapOptions& options);

}  // namespace mwclass::evaluation
