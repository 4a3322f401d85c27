#pragma once
// Probabilities for the field's own class mix ([calibration], issue 19).
//
// The learner answers "which class, if the classes were as common as in its
// training set after balancing" (pi_train: equal after SMOTE). For a field with
// class mix pi_field, Bayes' rule gives P'_c = P_c w_c / sum_k P_k w_k with
// w_c = pi_field,c / pi_train,c. The re-weighting is applied to every MC
// iteration's probabilities, so that e_P, CT and the confident flag of P_field
// follow from the iterations exactly as for P. pi_field is given, or estimated
// from the unlabelled field by the EM procedure of Saerens, Latinne &
// Decaestecker (2002, Neural Computation 14, 21).
//
// Both assume that P is a calibrated posterior under pi_train; the forest's P is
// not (under-confident, docs/validation.md). [calibration] scaling = "bcts"
// first maps every iteration's P through bias-corrected temperature scaling
// (Alexandari, Kundaje & Shrikumar 2020, ICML), fitted on held-out
// probabilities of the training set (`mwclass cv` output): the scaled P are
// then posteriors under the class mix of that held-out set, which becomes
// pi_train.
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/ensemble/result.hpp"

namespace mwclass::ensemble {

// pi_train: [calibration] training_prior if given, else what the learner's
// balancing makes of the training labels: equal for rf with SMOTE (every
// class oversampled to the largest), class_weight_balanced or
// balanced_bootstrap, and for gbdt with balance_classes; nb's own prior
// (training fractions, uniform or given_priors); the training fractions
// otherwise. Normalised to sum 1.
std::vector<double> training_prior(const Config& config, const Labels& training_labels);

// The weights w_c = pi_field,c / pi_train,c.
std::vector<double> prior_weights(const std::vector<double>& field_prior, const std::vector<double>& train_prior);

// out_c = p_c w_c / sum_k p_k w_k (p unchanged if that sum is 0); out may be p.
void reweight(const double* p, const std::vector<double>& w, double* out);

struct PriorEstimate {
  std::vector<double> prior;  // pi_field
  int iterations = 0;
  double final_change = 0;    // max_c |pi_c(s) - pi_c(s-1)| of the last iteration
  bool converged = false;
};

// Saerens et al. (2002) EM on the field's probabilities (n x C, rows P(c | x_i)
// under pi_train): starting from pi_train, pi(s)_c = (sum_i P(s)(c | x_i) + lambda)
// / (n + C lambda) with P(s) the probabilities re-weighted to pi(s-1), until no
// fraction changes by tolerance or more, or max_iterations. lambda = 0 is the
// maximum-likelihood EM of the paper; lambda > 0 its MAP form under a
// Dirichlet(1 + lambda) prior on pi_field (the EM's M-step with the prior's
// counts added), which keeps every fraction above 0: the likelihood's maximum
// often sits on the simplex's edge (a class judged absent gets pi = 0, and then
// P_field = 0 for every source of it, an infinite log loss; docs/validation.md).
PriorEstimate estimate_field_prior(const Matrix& probabilities, const std::vector<double>& train_prior,
                                   int max_iterations, double tolerance, double pseudo_count = 0);

// out_c = exp(a ln(p_c + eps) + b_c) / sum_k exp(a ln(p_k + eps) + b_k) for
// scaling.method = "bcts"; a copy of p for "none". out may be p.
void scale(const double* p, const ProbabilityScaling& scaling, double* out, std::size_t n_classes);

// Fills result.field_probabilities, field_decisions and calibration from the
// kept per-iteration probabilities (result.per_iteration, all sources) for
// config.calibration: every iteration scaled (`scaling`, "none" to skip) and
// then re-weighted; "estimate" runs the EM on the mean over iterations of the
// scaled probabilities (result.probabilities.mean without scaling).
void calibrate(ClassificationResult& result, const Config& config, const std::vector<double>& train_prior,
               const ProbabilityScaling& scaling = {});

}  // namespace mwclass::ensemble
