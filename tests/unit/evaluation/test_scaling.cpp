// Bias-corrected temperature scaling (evaluation/scaling.hpp, ensemble::scale):
// the fit recovers a known distortion, stops at a zero gradient, and its
// scaled probabilities average to the held-out class fractions.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/calibration.hpp"
#include "mwclass/evaluation/scaling.hpp"

using mwclass::Labels;
using mwclass::Matrix;
using mwclass::ensemble::ProbabilityScaling;

namespace {

// n rows of C classes whose true posterior is q = softmax(z), z ~ N(0, 2); the
// observed p are q distorted: p = softmax((z - b0) / a0), so the scaling with
// a = a0 and b = b0 (up to a common shift) maps p back to q. y ~ q.
struct Distorted {
  Matrix p;
  Labels y;
};
Distorted distorted(int n, int C, double a0, const std::vector<double>& b0, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Distorted d;
  d.p.resize(n, C);
  for (int i = 0; i < n; ++i) {
    std::vector<double> z(C), q(C);
    double sq = 0, sp = 0;
    for (int c = 0; c < C; ++c) {
      z[c] = normal(gen);
      sq += q[c] = std::exp(z[c]);
      sp += d.p(i, c) = std::exp((z[c] - b0[c]) / a0);
    }
    double u = uniform(gen) * sq;
    int y = 0;
    while (y < C - 1 && (u -= q[y]) > 0) ++y;
    d.y.push_back(y);
    for (int c = 0; c < C; ++c) d.p(i, c) /= sp;
  }
  return d;
}

}  // namespace

TEST_CASE("BCTS recovers a known temperature and bias, at a zero gradient") {
  const std::vector<double> b0 = {0.0, 0.8, -0.5};
  const auto d = distorted(6000, 3, 1.6, b0, 11);  // p under-confident (T = 1/1.6 would undo it)
  const ProbabilityScaling s = mwclass::evaluation::fit_scaling(d.p, d.y, 1e-12);
  CHECK(s.method == "bcts");
  CHECK(s.sources == 6000);
  CHECK(s.inverse_temperature == doctest::Approx(1.6).epsilon(0.06));
  CHECK(s.bias[0] == 0.0);
  CHECK(s.bias[1] == doctest::Approx(b0[1]).epsilon(0.15));
  CHECK(s.bias[2] == doctest::Approx(b0[2]).epsilon(0.15));
  CHECK(s.log_loss_scaled < s.log_loss_raw);
  std::vector<double> gradient;
  const double loss = mwclass::evaluation::scaled_log_loss(d.p, d.y, s, &gradient);
  CHECK(loss == doctest::Approx(s.log_loss_scaled).epsilon(1e-12));
  for (double g : gradient) CHECK(std::abs(g) < 1e-5);
  // d(loss)/d(b_c) = mean q_c - fraction of class c = 0: the scaled P average to the class mix.
  std::vector<double> mean(3, 0.0), q(3);
  for (int i = 0; i < d.p.rows(); ++i) {
    mwclass::ensemble::scale(d.p.row(i).data(), s, q.data(), 3);
    for (int c = 0; c < 3; ++c) mean[c] += q[c] / 6000.0;
  }
  for (int c = 0; c < 3; ++c) CHECK(mean[c] == doctest::Approx(s.class_fractions[c]).epsilon(1e-4));
}

TEST_CASE("BCTS of calibrated probabilities is close to the identity") {
  const auto d = distorted(6000, 4, 1.0, {0, 0, 0, 0}, 3);
  const ProbabilityScaling s = mwclass::evaluation::fit_scaling(d.p, d.y, 1e-12);
  CHECK(s.inverse_temperature == doctest::Approx(1.0).epsilon(0.06));
  for (double b : s.bias) CHECK(std::abs(b) < 0.12);
  CHECK(s.log_loss_scaled <= s.log_loss_raw + 1e-12);
}

TEST_CASE("scale: none copies, bcts gives a distribution, exact zeros are handled by epsilon") {
  const double p[3] = {0.0, 0.25, 0.75};
  double out[3];
  ProbabilityScaling none;
  mwclass::ensemble::scale(p, none, out, 3);
  CHECK(out[0] == 0.0);
  CHECK(out[2] == 0.75);
  ProbabilityScaling s;
  s.method = "bcts";
  s.inverse_temperature = 2.0;
  s.bias = {0.0, 0.0, 0.0};
  s.epsilon = 1e-3;
  mwclass::ensemble::scale(p, s, out, 3);
  CHECK(out[0] + out[1] + out[2] == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(out[0] > 0);                            // epsilon keeps a zero above zero
  CHECK(out[2] / out[1] == doctest::Approx(std::pow(0.751 / 0.251, 2.0)).epsilon(1e-12));  // sharpened
  s.bias = {0.0};
  CHECK_THROWS_AS(mwclass::ensemble::scale(p, s, out, 3), mwclass::Error);
}

TEST_CASE("fit_scaling and held_out_rows refuse what they cannot use") {
  const auto d = distorted(50, 3, 1.0, {0, 0, 0}, 5);
  Labels y(50, 0);
  for (int i = 0; i < 50; ++i) y[i] = i % 2;  // class 2 never occurs
  CHECK_THROWS_WITH_AS(mwclass::evaluation::fit_scaling(d.p, y, 1e-3),
                       doctest::Contains("no held-out source of class 2"), mwclass::Error);
  CHECK_THROWS_AS(mwclass::evaluation::fit_scaling(d.p, d.y, 0.0), mwclass::Error);

  mwclass::ensemble::ClassificationResult classify;  // a classify output: no truth
  classify.class_names = {"A", "B", "C"};
  CHECK_THROWS_WITH_AS(mwclass::evaluation::held_out_rows(classify, {"A", "B", "C"}, "x.h5"),
                       doctest::Contains("x.h5: not the output of `mwclass cv`"), mwclass::Error);
  mwclass::ensemble::ClassificationResult cv = classify;
  cv.evaluation = "cv";
  cv.truth = {0, 1};
  cv.repeat_mean = {Matrix::Constant(2, 3, 1.0 / 3), Matrix::Constant(2, 3, 0.5)};
  CHECK_THROWS_WITH_AS(mwclass::evaluation::held_out_rows(cv, {"A", "C", "B"}, "cv.h5"),
                       doctest::Contains("cv.h5: classes A,B,C differ"), mwclass::Error);
  const auto held = mwclass::evaluation::held_out_rows(cv, {"A", "B", "C"}, "cv.h5");
  CHECK(held.probabilities.rows() == 4);  // every repeat's rows
  CHECK(held.truth == Labels{0, 1, 0, 1});
  CHECK(held.probabilities(3, 0) == 0.5);
}
