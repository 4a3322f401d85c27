#pragma once
// Fitting the probability scaling applied before a field prior
// ([calibration] scaling = "bcts"; ensemble/calibration.hpp applies it).
//
// Bias-corrected temperature scaling (Alexandari, Kundaje & Shrikumar 2020):
// q_c(p) = exp(a ln(p_c + eps) + b_c) / sum_k exp(a ln(p_k + eps) + b_k), with
// a = 1/T and b_0 = 0 (softmax is unchanged by a common shift of b), fitted by
// minimising the mean log loss -ln q_y(p) over held-out probabilities p with
// known classes y — the `mwclass cv` or `loocv` output of the training set.
// The log loss is convex in (a, b); the minimum is found by NLopt's
// Nelder-Mead (evaluation/optimize.hpp) to a gradient below 1e-6. At the
// minimum the mean of q_c over the rows equals the fraction of class c (the
// log loss's derivative in b_c), so the scaled probabilities are posteriors
// under the held-out set's class mix, which becomes pi_train of the field prior.
#include <string>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/ensemble/result.hpp"

namespace mwclass::evaluation {

// Mean log loss -ln q_y of the rows of `probabilities` (n x C) under `scaling`,
// and its gradient in (a, b_1 .. b_{C-1}) if `gradient` is not null.
double scaled_log_loss(const Matrix& probabilities, const Labels& truth, const ensemble::ProbabilityScaling& scaling,
                       std::vector<double>* gradient = nullptr);

// Fits a and b on (probabilities, truth); fills every member of the result
// but fitted_on. Fails if there are fewer than 2 rows, a label out of range,
// or a class without a row (its bias would run to -infinity).
ensemble::ProbabilityScaling fit_scaling(const Matrix& probabilities, const Labels& truth, double epsilon);

// The held-out rows of an evaluation results file: every repeat of `mwclass cv`
// (/evaluation/repeat_P), or /sources/P of `mwclass loocv`, with the truth.
// Fails, naming the file, if it holds no truth or other classes than `classes`.
struct HeldOut {
  Matrix probabilities;
  Labels truth;
};
HeldOut held_out_rows(const ensemble::ClassificationResult& evaluation, const std::vector<std::string>& classes,
                      const std::string& path);

}  // namespace mwclass::evaluation
