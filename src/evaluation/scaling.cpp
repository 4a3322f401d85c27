// Bias-corrected temperature scaling, fitted on held-out probabilities; see scaling.hpp.
#include "mwclass/evaluation/scaling.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <fmt/ranges.h>

#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/calibration.hpp"
#include "mwclass/evaluation/optimize.hpp"

namespace mwclass::evaluation {

namespace {

// The search box: T from 0.05 to 20, biases within +-30 (e^30: any class mix).
constexpr double kMinA = 0.05, kMaxA = 20.0, kMaxBias = 30.0;

}  // namespace

double scaled_log_loss(const Matrix& P, const Labels& truth, const ensemble::ProbabilityScaling& s,
                       std::vector<double>* gradient) {
  const auto n = P.rows();
  const auto C = static_cast<std::size_t>(P.cols());
  if (gradient) gradient->assign(C, 0.0);
  std::vector<double> q(C);
  double loss = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    ensemble::scale(P.row(i).data(), s, q.data(), C);
    const auto y = static_cast<std::size_t>(truth[static_cast<std::size_t>(i)]);
    loss -= std::log(q[y]);
    if (!gradient) continue;
    // d(-ln q_y)/dz_c = q_c - [c == y], z_c = a ln(p_c + eps) + b_c.
    for (std::size_t c = 0; c < C; ++c) {
      const double dz = q[c] - (c == y ? 1.0 : 0.0);
      (*gradient)[0] += dz * std::log(P(i, static_cast<Eigen::Index>(c)) + s.epsilon);
      if (c > 0) (*gradient)[c] += dz;
    }
  }
  if (gradient)
    for (double& g : *gradient) g /= static_cast<double>(n);
  return loss / static_cast<double>(n);
}

ensemble::ProbabilityScaling fit_scaling(const Matrix& P, const Labels& truth, double epsilon) {
  const auto n = static_cast<std::size_t>(P.rows());
  const auto C = static_cast<std::size_t>(P.cols());
  if (n < 2 || truth.size() != n) fail("probability scaling: {} held-out rows and {} labels (need >= 2)", n, truth.size());
  if (!(epsilon > 0)) fail("probability scaling: epsilon must be > 0 (got {})", epsilon);
  std::vector<double> counts(C, 0.0);
  for (int y : truth) {
    if (y < 0 || static_cast<std::size_t>(y) >= C) fail("probability scaling: class index {} of {} classes", y, C);
    counts[static_cast<std::size_t>(y)] += 1;
  }
  for (std::size_t c = 0; c < C; ++c)
    if (counts[c] == 0) fail("probability scaling: no held-out source of class {} (index {})", c, c);

  ensemble::ProbabilityScaling s;
  s.method = "bcts";
  s.epsilon = epsilon;
  s.bias.assign(C, 0.0);
  s.sources = static_cast<int>(n);
  s.class_fractions.resize(C);
  for (std::size_t c = 0; c < C; ++c) s.class_fractions[c] = counts[c] / static_cast<double>(n);
  s.log_loss_raw = 0;
  for (std::size_t i = 0; i < n; ++i)
    s.log_loss_raw -= std::log(P(static_cast<Eigen::Index>(i), truth[i]) + epsilon) / static_cast<double>(n);

  // x = (a, b_0 = 0 held fixed, b_1 .. b_{C-1}).
  const auto unpack = [&](const std::vector<double>& x) {
    ensemble::ProbabilityScaling t = s;
    t.inverse_temperature = x[0];
    for (std::size_t c = 0; c < C; ++c) t.bias[c] = x[c + 1];
    return t;
  };
  std::vector<double> x0(C + 1, 0.0), lower(C + 1, -kMaxBias), upper(C + 1, kMaxBias);
  x0[0] = 1.0;
  lower[0] = kMinA;
  upper[0] = kMaxA;
  lower[1] = upper[1] = 0.0;
  OptimOptions options;
  options.method = OptimOptions::Method::NelderMead;
  options.max_evaluations = 20000;
  options.x_tolerance = 1e-9;
  options.f_tolerance = 1e-14;
  options.initial_step = 0.02;
  options.max_restarts = 10;
  const OptimResult best =
      minimize([&](const std::vector<double>& x) { return scaled_log_loss(P, truth, unpack(x)); }, x0, lower, upper,
               options);
  ensemble::ProbabilityScaling fitted = unpack(best.x);
  fitted.log_loss_scaled = best.f;
  return fitted;
}

HeldOut held_out_rows(const ensemble::ClassificationResult& r, const std::vector<std::string>& classes,
                      const std::string& path) {
  if (r.evaluation.empty() || r.truth.empty())
    fail("{}: not the output of `mwclass cv` or `mwclass loocv` (no /evaluation, no true classes); "
         "[calibration] scaling_from needs held-out probabilities of the training set",
         path);
  if (r.class_names != classes)
    fail("{}: classes {} differ from classifier.classes {} (the held-out run must use the same classes, in order)",
         path, fmt::join(r.class_names, ","), fmt::join(classes, ","));
  const std::vector<Matrix> single{r.probabilities.mean};
  const std::vector<Matrix>& repeats = r.repeat_mean.empty() ? single : r.repeat_mean;
  const auto n = static_cast<Eigen::Index>(r.truth.size());
  HeldOut h;
  h.probabilities.resize(n * static_cast<Eigen::Index>(repeats.size()), static_cast<Eigen::Index>(classes.size()));
  for (std::size_t k = 0; k < repeats.size(); ++k) {
    if (repeats[k].rows() != n) fail("{}: repeat {} has {} rows, the truth {}", path, k, repeats[k].rows(), n);
    h.probabilities.middleRows(static_cast<Eigen::Index>(k) * n, n) = repeats[k];
    h.truth.insert(h.truth.end(), r.truth.begin(), r.truth.end());
  }
  return h;
}

}  // namespace mwclass::evaluation
