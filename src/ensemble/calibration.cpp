#include "mwclass/ensemble/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/statistics.hpp"
#include "mwclass/sampling/physical.hpp"

namespace mwclass::ensemble {

namespace {

std::vector<double> normalised(std::vector<double> v) {
  double sum = 0;
  for (double x : v) sum += x;
  if (!(sum > 0)) fail("internal error: a class prior sums to {}", sum);
  for (double& x : v) x /= sum;
  return v;
}

}  // namespace

std::vector<double> training_prior(const Config& config, const Labels& training_labels) {
  const std::size_t C = config.classifier.classes.size();
  if (!config.calibration.training_prior.empty()) return normalised(config.calibration.training_prior);
  const std::vector<double> equal(C, 1.0 / static_cast<double>(C));
  const auto& model = config.classifier.model;
  const auto& forest = config.classifier.forest;
  std::vector<std::size_t> counts(C, 0);
  for (int y : training_labels) ++counts.at(static_cast<std::size_t>(y));
  const auto fractions = [&](const std::vector<std::size_t>& n) {
    return normalised(std::vector<double>(n.begin(), n.end()));
  };
  const bool smote = config.smote.enabled && config.oversampling.method == "smote";
  if (model == "rf" && (smote || forest.class_weight_balanced || forest.balanced_bootstrap)) return equal;
  // Physical oversampling grows class i to N'_i (sampling/physical.hpp), not to N_max.
  if (model == "rf" && config.oversampling.method == "physical")
    return fractions(sampling::physical_targets(counts, config.oversampling.target_halfway));
  if (model == "gbdt" && config.classifier.gbdt.balance_classes) return equal;
  if (model == "nb" && config.classifier.nb.prior == "uniform") return equal;
  if (model == "nb" && config.classifier.nb.prior == "given") return normalised(config.classifier.nb.given_priors);
  return fractions(counts);
}

std::vector<double> prior_weights(const std::vector<double>& field_prior, const std::vector<double>& train_prior) {
  if (field_prior.size() != train_prior.size())
    fail("internal error: field prior of {} classes, training prior of {}", field_prior.size(), train_prior.size());
  std::vector<double> w(field_prior.size());
  for (std::size_t c = 0; c < w.size(); ++c) w[c] = field_prior[c] / train_prior[c];
  return w;
}

void reweight(const double* p, const std::vector<double>& w, double* out) {
  double sum = 0;
  for (std::size_t c = 0; c < w.size(); ++c) sum += p[c] * w[c];
  for (std::size_t c = 0; c < w.size(); ++c) out[c] = sum > 0 ? p[c] * w[c] / sum : p[c];
}

void scale(const double* p, const ProbabilityScaling& s, double* out, std::size_t C) {
  if (s.method == "none") {
    std::copy(p, p + C, out);
    return;
  }
  if (s.method != "bcts" || s.bias.size() != C)
    fail("internal error: probability scaling '{}' with {} biases for {} classes", s.method, s.bias.size(), C);
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < C; ++c) {
    out[c] = s.inverse_temperature * std::log(p[c] + s.epsilon) + s.bias[c];
    top = std::max(top, out[c]);
  }
  double sum = 0;
  for (std::size_t c = 0; c < C; ++c) sum += out[c] = std::exp(out[c] - top);
  for (std::size_t c = 0; c < C; ++c) out[c] /= sum;
}

PriorEstimate estimate_field_prior(const Matrix& probabilities, const std::vector<double>& train_prior,
                                   int max_iterations, double tolerance, double pseudo_count) {
  const auto n = probabilities.rows();
  const std::size_t C = train_prior.size();
  if (n == 0 || static_cast<std::size_t>(probabilities.cols()) != C)
    fail("internal error: EM on {} x {} probabilities for {} classes", n, probabilities.cols(), C);
  if (!(pseudo_count >= 0)) fail("internal error: EM pseudo-count {}", pseudo_count);
  const double total = static_cast<double>(n) + static_cast<double>(C) * pseudo_count;
  PriorEstimate e;
  e.prior = train_prior;
  std::vector<double> row(C), next(C);
  while (e.iterations < max_iterations) {
    const std::vector<double> w = prior_weights(e.prior, train_prior);
    std::fill(next.begin(), next.end(), pseudo_count);
    for (Eigen::Index i = 0; i < n; ++i) {
      reweight(probabilities.row(i).data(), w, row.data());  // row-major
      for (std::size_t c = 0; c < C; ++c) next[c] += row[c];
    }
    e.final_change = 0;
    for (std::size_t c = 0; c < C; ++c) {
      next[c] /= total;
      e.final_change = std::max(e.final_change, std::abs(next[c] - e.prior[c]));
    }
    e.prior = next;
    ++e.iterations;
    if (e.final_change < tolerance) {
      e.converged = true;
      break;
    }
  }
  return e;
}

void calibrate(ClassificationResult& r, const Config& config, const std::vector<double>& train_prior,
               const ProbabilityScaling& scaling) {
  const auto& cal = config.calibration;
  const int C = static_cast<int>(r.class_names.size());
  const int M = r.kept_iterations;
  const auto n = static_cast<Eigen::Index>(r.names.size());
  if (M < 1 || r.per_iteration.size() != static_cast<std::size_t>(n) * M * C)
    fail("internal error: calibration needs every source's per-iteration probabilities");
  FieldCalibration& info = r.calibration;
  info.method = cal.field_prior;
  info.training_prior = train_prior;
  info.scaling = scaling;
  const auto Cs = static_cast<std::size_t>(C);
  const bool scaled = scaling.method != "none";
  // The EM's input: the mean over iterations of the scaled probabilities (scaled
  // again below, rather than kept: n x M x C doubles are already held once).
  Matrix scaled_mean;
  if (scaled && cal.field_prior == "estimate") {
    scaled_mean = Matrix::Zero(n, C);
    std::vector<double> q(Cs);
    for (Eigen::Index i = 0; i < n; ++i)
      for (int m = 0; m < M; ++m) {
        scale(&r.per_iteration[(static_cast<std::size_t>(i) * M + m) * Cs], scaling, q.data(), Cs);
        for (int c = 0; c < C; ++c) scaled_mean(i, c) += q[static_cast<std::size_t>(c)] / M;
      }
  }
  const Matrix& em_input = scaled ? scaled_mean : r.probabilities.mean;
  if (cal.field_prior == "given") {
    info.field_prior = normalised(cal.given_prior);
    info.iterations = 0;
    info.final_change = 0;
    info.converged = 1;
  } else if (cal.field_prior == "estimate") {
    const PriorEstimate e =
        estimate_field_prior(em_input, train_prior, cal.max_iterations, cal.tolerance, cal.em_pseudo_count);
    info.pseudo_count = cal.em_pseudo_count;
    info.field_prior = e.prior;
    info.iterations = e.iterations;
    info.final_change = e.final_change;
    info.converged = e.converged ? 1 : 0;
  } else {
    fail("internal error: calibration.field_prior = '{}'", cal.field_prior);
  }
  const std::vector<double> w = prior_weights(info.field_prior, train_prior);

  auto& st = r.field_probabilities;
  for (Matrix* m : {&st.mean, &st.std, &st.median, &st.q_lo, &st.q_hi}) m->resize(n, C);
  r.field_decisions.resize(static_cast<std::size_t>(n));
  IterationProbabilities source(1, C, M);
  std::vector<double> row(static_cast<std::size_t>(C));
  for (Eigen::Index i = 0; i < n; ++i) {
    const double* at = &r.per_iteration[static_cast<std::size_t>(i) * M * C];
    for (int m = 0; m < M; ++m) {
      scale(at + static_cast<std::size_t>(m) * C, scaling, row.data(), Cs);
      reweight(row.data(), w, row.data());
      for (int c = 0; c < C; ++c) source.at(0, c, m) = row[static_cast<std::size_t>(c)];
    }
    const ProbabilityStats one = summarize(source);
    st.mean.row(i) = one.mean.row(0);
    st.std.row(i) = one.std.row(0);
    st.median.row(i) = one.median.row(0);
    st.q_lo.row(i) = one.q_lo.row(0);
    st.q_hi.row(i) = one.q_hi.row(0);
    r.field_decisions[static_cast<std::size_t>(i)] =
        decide(st.mean.row(i).data(), st.std.row(i).data(), C, config.classifier.confidence_threshold);
  }
}

}  // namespace mwclass::ensemble
