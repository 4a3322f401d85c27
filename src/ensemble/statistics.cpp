#include "mwclass/ensemble/statistics.hpp"

#include <algorithm>
#include <cmath>

#include "mwclass/core/error.hpp"

namespace mwclass::ensemble {

IterationProbabilities::IterationProbabilities(int n_sources, int n_classes, int n_iterations)
    : n_sources_(n_sources),
      n_classes_(n_classes),
      n_iterations_(n_iterations),
      values_(static_cast<std::size_t>(n_sources) * n_classes * n_iterations, 0.0) {}

double quantile_sorted(const double* v, int n, double q) {
  if (n == 1) return v[0];
  const double h = (n - 1) * q;
  const int lo = static_cast<int>(std::floor(h));
  if (lo >= n - 1) return v[n - 1];
  return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

namespace {

// Population variance of n values (the e_P convention, ddof = 0).
double population_variance(const double* x, int n) {
  double sum = 0;
  for (int m = 0; m < n; ++m) sum += x[m];
  const double mean = sum / n;
  double ss = 0;
  for (int m = 0; m < n; ++m) ss += (x[m] - mean) * (x[m] - mean);
  return ss / n;
}

}  // namespace

UncertaintySplit split_uncertainty(const IterationProbabilities& sampled, const IterationProbabilities& observed) {
  const int S = sampled.sources(), C = sampled.classes(), N = sampled.iterations();
  if (observed.sources() != S || observed.classes() != C || observed.iterations() != N)
    fail("internal error: the uncertainty split needs as many observed-value probabilities as sampled ones");
  UncertaintySplit out;
  out.measurement.resize(S, C);
  out.model.resize(S, C);
  for (int s = 0; s < S; ++s)
    for (int c = 0; c < C; ++c) {
      const double total = population_variance(sampled.series(s, c), N);
      const double model = population_variance(observed.series(s, c), N);
      out.model(s, c) = std::sqrt(model);
      out.measurement(s, c) = std::sqrt(std::max(0.0, total - model));
    }
  return out;
}

ProbabilityStats summarize(const IterationProbabilities& p) {
  const int S = p.sources(), C = p.classes(), N = p.iterations();
  ProbabilityStats st;
  for (Matrix* m : {&st.mean, &st.std, &st.median, &st.q_lo, &st.q_hi}) m->resize(S, C);
  std::vector<double> sorted(N);
  for (int s = 0; s < S; ++s)
    for (int c = 0; c < C; ++c) {
      const double* x = p.series(s, c);
      double sum = 0;
      for (int m = 0; m < N; ++m) sum += x[m];
      const double mean = sum / N;
      double ss = 0;
      for (int m = 0; m < N; ++m) ss += (x[m] - mean) * (x[m] - mean);
      std::copy(x, x + N, sorted.begin());
      std::sort(sorted.begin(), sorted.end());
      st.mean(s, c) = mean;
      st.std(s, c) = std::sqrt(ss / N);
      st.median(s, c) = quantile_sorted(sorted.data(), N, 0.5);
      st.q_lo(s, c) = quantile_sorted(sorted.data(), N, 0.02275);
      st.q_hi(s, c) = quantile_sorted(sorted.data(), N, 0.97725);
    }
  return st;
}

Decision decide(const double* mean, const double* std, int n_classes, double ct_threshold) {
  Decision d;
  d.predicted_class = 0;
  for (int c = 1; c < n_classes; ++c)
    if (mean[c] > mean[d.predicted_class]) d.predicted_class = c;  // first maximum wins
  const int k = d.predicted_class;
  d.class_prob = mean[k];
  d.e_class_prob = std[k];
  double ct = INFINITY;
  for (int c = 0; c < n_classes; ++c) {
    if (c == k) continue;
    double denom = std[k] + std[c];
    if (denom == 0) denom = 1e-5;
    ct = std::min(ct, (mean[k] - mean[c]) / denom);
  }
  d.confidence_threshold = ct;
  d.confident = ct >= ct_threshold;
  double total = 0.0;
  for (int c = 0; c < n_classes; ++c) total += mean[c];
  d.margin = total > 0.0 ? 2.0 * mean[k] / total - 1.0 : 0.0;
  return d;
}

void mean_and_std(const std::vector<std::vector<double>>& rows, std::vector<double>& mean,
                  std::vector<double>& std) {
  const std::size_t p = rows.empty() ? 0 : rows.front().size();
  mean.assign(p, 0.0);
  std.assign(p, 0.0);
  if (rows.empty()) return;
  const double n = static_cast<double>(rows.size());
  for (const auto& r : rows)
    for (std::size_t f = 0; f < p; ++f) mean[f] += r[f];
  for (auto& m : mean) m /= n;
  for (const auto& r : rows)
    for (std::size_t f = 0; f < p; ++f) std[f] += (r[f] - mean[f]) * (r[f] - mean[f]);
  for (auto& s : std) s = std::sqrt(s / n);
}

}  // namespace mwclass::ensemble
