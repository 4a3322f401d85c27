// Field priors (ensemble/calibration.hpp) and the uncertainty split
// (ensemble/statistics.hpp: split_uncertainty), issue 19.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/ensemble/calibration.hpp"
#include "mwclass/ensemble/statistics.hpp"

using namespace mwclass;
using namespace mwclass::ensemble;

namespace {

// n sources of a 3-class field drawn with mix `pi`; each source's score x ~ N(mu_y, 1),
// mu = (-2, 0, 2), and its probabilities the exact posteriors under equal priors.
Matrix equal_prior_posteriors(const std::vector<double>& pi, int n, std::uint64_t seed) {
  const double mu[] = {-2.0, 0.0, 2.0};
  rng::Stream s(seed, rng::Purpose::Simulate, {1});
  Matrix p(n, 3);
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    const int y = u < pi[0] ? 0 : u < pi[0] + pi[1] ? 1 : 2;
    const double x = mu[y] + s.normal();
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += p(i, c) = std::exp(-0.5 * (x - mu[c]) * (x - mu[c]));
    for (int c = 0; c < 3; ++c) p(i, c) /= sum;
  }
  return p;
}

}  // namespace

TEST_CASE("Saerens EM recovers a known field prior from equal-prior posteriors") {
  const std::vector<double> truth = {0.6, 0.3, 0.1}, equal(3, 1.0 / 3);
  const int n = 20000;
  const Matrix p = equal_prior_posteriors(truth, n, 42);
  const PriorEstimate e = estimate_field_prior(p, equal, 1000, 1e-8);
  CHECK(e.converged);
  CHECK(e.iterations > 1);
  CHECK(e.final_change < 1e-8);
  double sum = 0;
  for (int c = 0; c < 3; ++c) {
    // multinomial sampling error of the realised mix, sqrt(pi (1 - pi) / n) <= 0.0035, plus the EM's own
    CHECK(std::abs(e.prior[c] - truth[c]) < 0.02);
    sum += e.prior[c];
  }
  CHECK(sum == doctest::Approx(1.0));
  // The plain mean of the posteriors (one EM step) is biased towards equal fractions.
  const PriorEstimate one = estimate_field_prior(p, equal, 1, 1e-8);
  CHECK(one.iterations == 1);
  CHECK_FALSE(one.converged);
  CHECK(std::abs(one.prior[0] - truth[0]) > std::abs(e.prior[0] - truth[0]));
}

TEST_CASE("the EM's pseudo-count keeps an absent class above 0 and fades with the field's size") {
  const std::vector<double> truth = {0.7, 0.3, 0.0}, equal(3, 1.0 / 3);
  const int n = 2000;
  const Matrix p = equal_prior_posteriors(truth, n, 7);
  const PriorEstimate mle = estimate_field_prior(p, equal, 20000, 1e-10);
  const PriorEstimate map = estimate_field_prior(p, equal, 20000, 1e-10, 1.0);
  REQUIRE(mle.converged);
  REQUIRE(map.converged);
  // The likelihood's maximum is on the simplex's edge for the absent class; the MAP stays inside.
  CHECK(mle.prior[2] < 1e-3);
  CHECK(map.prior[2] > mle.prior[2]);
  CHECK(map.prior[2] >= 1.0 / (n + 3));
  // The MAP's fixed point: pi_c (n + C lambda) = sum_i P'(c | x_i) + lambda, P' re-weighted to pi.
  const std::vector<double> w = prior_weights(map.prior, equal);
  std::vector<double> count(3, 1.0), q(3);
  for (int i = 0; i < n; ++i) {
    reweight(p.row(i).data(), w, q.data());
    for (int c = 0; c < 3; ++c) count[c] += q[c];
  }
  for (int c = 0; c < 3; ++c) CHECK(map.prior[c] * (n + 3.0) == doctest::Approx(count[c]).epsilon(1e-6));
  // lambda = 0 is the maximum-likelihood EM (the default argument), bit for bit.
  const PriorEstimate zero = estimate_field_prior(p, equal, 20000, 1e-10, 0.0);
  CHECK(zero.prior == mle.prior);
  // On a large field the prior's 3 extra sources hardly move the estimate.
  const Matrix big = equal_prior_posteriors({0.6, 0.3, 0.1}, 20000, 8);
  const PriorEstimate big_mle = estimate_field_prior(big, equal, 20000, 1e-10);
  const PriorEstimate big_map = estimate_field_prior(big, equal, 20000, 1e-10, 1.0);
  for (int c = 0; c < 3; ++c) CHECK(std::abs(big_map.prior[c] - big_mle.prior[c]) < 1e-3);
}

TEST_CASE("a given field prior re-weights each iteration by hand") {
  // P = (0.5, 0.3, 0.2), pi_train = 1/3 each, pi_field = (0.2, 0.2, 0.6): w = (0.6, 0.6, 1.8),
  // P w = (0.30, 0.18, 0.36) / 0.84.
  const double p[] = {0.5, 0.3, 0.2};
  double out[3];
  const std::vector<double> w = prior_weights({0.2, 0.2, 0.6}, {1.0 / 3, 1.0 / 3, 1.0 / 3});
  reweight(p, w, out);
  CHECK(out[0] == doctest::Approx(0.30 / 0.84));
  CHECK(out[1] == doctest::Approx(0.18 / 0.84));
  CHECK(out[2] == doctest::Approx(0.36 / 0.84));

  // One source, two iterations: P_field's mean, spread and decision come from the
  // re-weighted iterations, P itself is left alone.
  Config config = Config::defaults();
  config.classifier.classes = {"A", "B", "C"};
  config.calibration.field_prior = "given";
  config.calibration.given_prior = {0.4, 0.4, 1.2};  // normalised to (0.2, 0.2, 0.6)
  ClassificationResult r;
  r.class_names = config.classifier.classes;
  r.names = {"s"};
  r.kept_iterations = 2;
  r.per_iteration = {0.5, 0.3, 0.2, 0.1, 0.1, 0.8};
  r.probabilities.mean = Matrix{{0.3, 0.2, 0.5}};
  calibrate(r, config, {1.0 / 3, 1.0 / 3, 1.0 / 3});
  // iteration 2: (0.06, 0.06, 1.44) / 1.56
  const double it1[] = {0.30 / 0.84, 0.18 / 0.84, 0.36 / 0.84}, it2[] = {0.06 / 1.56, 0.06 / 1.56, 1.44 / 1.56};
  for (int c = 0; c < 3; ++c) {
    CHECK(r.field_probabilities.mean(0, c) == doctest::Approx((it1[c] + it2[c]) / 2));
    CHECK(r.field_probabilities.std(0, c) == doctest::Approx(std::abs(it1[c] - it2[c]) / 2));
  }
  CHECK(r.calibration.method == "given");
  CHECK(r.calibration.field_prior[2] == doctest::Approx(0.6));
  REQUIRE(r.field_decisions.size() == 1);
  CHECK(r.field_decisions[0].predicted_class == 2);
  CHECK(r.probabilities.mean(0, 0) == 0.3);
}

TEST_CASE("the training prior follows the learner's balancing") {
  Config config = Config::defaults();
  const std::size_t C = config.classifier.classes.size();
  const Labels labels = {0, 0, 0, 1};
  CHECK(training_prior(config, labels) == std::vector<double>(C, 1.0 / static_cast<double>(C)));  // SMOTE
  config.smote.enabled = false;
  const auto fractions = training_prior(config, labels);
  CHECK(fractions[0] == doctest::Approx(0.75));
  CHECK(fractions[1] == doctest::Approx(0.25));
  config.classifier.forest.class_weight_balanced = true;
  CHECK(training_prior(config, labels)[0] == doctest::Approx(1.0 / static_cast<double>(C)));
  config.calibration.training_prior.assign(C, 2.0);
  config.calibration.training_prior[0] = 4.0;
  CHECK(training_prior(config, labels)[0] == doctest::Approx(4.0 / (2.0 * static_cast<double>(C) + 2.0)));
  // Physical oversampling: class i grows to N'_i, between N_i and N_max (here 3 and 1 -> 3 and 2).
  config.calibration.training_prior.clear();
  config.classifier.forest.class_weight_balanced = false;
  config.smote.enabled = true;  // ignored unless [oversampling] method = "smote"
  config.oversampling.method = "physical";
  const Labels grown = {0, 0, 0, 0, 0, 0, 1, 1};  // N = 6 and 2: N' = 6 and min(2*6/(6-2), 6) = 3
  const auto physical = training_prior(config, grown);
  CHECK(physical[0] == doctest::Approx(6.0 / 9.0));
  CHECK(physical[1] == doctest::Approx(3.0 / 9.0));
}

TEST_CASE("the uncertainty split recovers known measurement and model parts") {
  // P(x_m, theta_m) = 0.5 + sigma_x z_m + sigma_t u_m; at the observed values 0.5 + sigma_t u_m.
  const int N = 4000;
  const double sigma_x = 0.03, sigma_t = 0.04;
  IterationProbabilities sampled(2, 1, N), observed(2, 1, N);
  rng::Stream s(7, rng::Purpose::Simulate, {2});
  for (int m = 0; m < N; ++m) {
    const double z = s.normal(), u = s.normal();
    sampled.at(0, 0, m) = 0.5 + sigma_x * z + sigma_t * u;
    observed.at(0, 0, m) = 0.5 + sigma_t * u;
    sampled.at(1, 0, m) = observed.at(1, 0, m) = 0.5 + sigma_t * u;  // no measurement part
  }
  const UncertaintySplit split = split_uncertainty(sampled, observed);
  const ProbabilityStats total = summarize(sampled);
  // Sampling errors of the variances: sigma^2 sqrt(2 / N), and of the cross term 2 sigma_x sigma_t / sqrt(N).
  const double se_model = sigma_t * sigma_t * std::sqrt(2.0 / N);
  const double se_meas = sigma_x * sigma_x * std::sqrt(2.0 / N) + 2 * sigma_x * sigma_t / std::sqrt(N);
  CHECK(std::abs(split.model(0, 0) * split.model(0, 0) - sigma_t * sigma_t) < 4 * se_model);
  CHECK(std::abs(split.measurement(0, 0) * split.measurement(0, 0) - sigma_x * sigma_x) < 4 * se_meas);
  // The parts add up to the total e_P (nothing clipped here).
  CHECK(split.measurement(0, 0) * split.measurement(0, 0) + split.model(0, 0) * split.model(0, 0) ==
        doctest::Approx(total.std(0, 0) * total.std(0, 0)));
  // Without measurement errors the measurement part is exactly 0.
  CHECK(split.measurement(1, 0) == 0.0);
  CHECK(split.model(1, 0) == doctest::Approx(total.std(1, 0)));
}

TEST_CASE("with a scaling, every iteration is scaled before the re-weighting, and the EM sees the scaled mean") {
  Config config = Config::defaults();
  config.classifier.classes = {"A", "B", "C"};
  config.calibration.field_prior = "given";
  config.calibration.given_prior = {0.2, 0.2, 0.6};
  ProbabilityScaling s;
  s.method = "bcts";
  s.inverse_temperature = 2.0;
  s.bias = {0.0, 0.5, -0.5};
  s.epsilon = 1e-3;
  ClassificationResult r;
  r.class_names = config.classifier.classes;
  r.names = {"s"};
  r.kept_iterations = 2;
  r.per_iteration = {0.5, 0.3, 0.2, 0.0, 0.1, 0.9};
  r.probabilities.mean = Matrix{{0.25, 0.2, 0.55}};
  const std::vector<double> pi_train = {0.5, 0.25, 0.25};
  calibrate(r, config, pi_train, s);
  const std::vector<double> w = prior_weights({0.2, 0.2, 0.6}, pi_train);
  double it[2][3];
  for (int m = 0; m < 2; ++m) {
    scale(&r.per_iteration[3 * m], s, it[m], 3);
    reweight(it[m], w, it[m]);
  }
  for (int c = 0; c < 3; ++c) CHECK(r.field_probabilities.mean(0, c) == doctest::Approx((it[0][c] + it[1][c]) / 2));
  CHECK(r.calibration.scaling.method == "bcts");
  CHECK(r.calibration.training_prior == pi_train);

  // The EM starts from the scaled mean of the iterations (one source here).
  config.calibration.field_prior = "estimate";
  ClassificationResult e = r;
  calibrate(e, config, pi_train, s);
  double scaled_mean[3] = {0, 0, 0};
  for (int m = 0; m < 2; ++m) {
    double q[3];
    scale(&r.per_iteration[3 * m], s, q, 3);
    for (int c = 0; c < 3; ++c) scaled_mean[c] += q[c] / 2;
  }
  Matrix one(1, 3);
  for (int c = 0; c < 3; ++c) one(0, c) = scaled_mean[c];
  const PriorEstimate direct = estimate_field_prior(one, pi_train, config.calibration.max_iterations,
                                                    config.calibration.tolerance, config.calibration.em_pseudo_count);
  CHECK(e.calibration.pseudo_count == config.calibration.em_pseudo_count);
  for (int c = 0; c < 3; ++c) CHECK(e.calibration.field_prior[c] == doctest::Approx(direct.prior[c]));
}
