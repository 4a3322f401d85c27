#include "mwclass/evaluation/bootstrap.hpp"

#include <algorithm>
#include <cmath>

#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::evaluation {

namespace {

constexpr double kLogLossClip = 1e-15;

void check_sizes(const Labels& truth, const Matrix& p, const std::vector<char>* mask) {
  if (static_cast<Eigen::Index>(truth.size()) != p.rows() || (mask && mask->size() != truth.size()))
    fail("internal error: {} true classes, {} probability rows, {} mask entries", truth.size(), p.rows(),
         mask ? mask->size() : truth.size());
  for (int t : truth)
    if (t < 0 || t >= p.cols()) fail("internal error: true class {} outside 0..{}", t, p.cols() - 1);
}

bool counted(const std::vector<char>* mask, std::size_t i) { return !mask || (*mask)[i]; }

}  // namespace

double brier_score(const Labels& truth, const Matrix& p, const std::vector<char>* mask) {
  check_sizes(truth, p, mask);
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (!counted(mask, i)) continue;
    const auto r = static_cast<Eigen::Index>(i);
    for (Eigen::Index c = 0; c < p.cols(); ++c) {
      const double d = p(r, c) - (c == truth[i] ? 1.0 : 0.0);
      sum += d * d;
    }
    ++n;
  }
  return n ? sum / static_cast<double>(n) : kNaN;
}

double log_loss(const Labels& truth, const Matrix& p, const std::vector<char>* mask) {
  check_sizes(truth, p, mask);
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (!counted(mask, i)) continue;
    const double q = std::clamp(p(static_cast<Eigen::Index>(i), truth[i]), kLogLossClip, 1.0);
    sum -= std::log(q);
    ++n;
  }
  return n ? sum / static_cast<double>(n) : kNaN;
}

double expected_calibration_error(const Labels& truth, const Labels& predicted, const Matrix& p, int bins,
                                  const std::vector<char>* mask) {
  check_sizes(truth, p, mask);
  if (bins < 1) fail("the expected calibration error needs at least one bin (got {})", bins);
  if (predicted.size() != truth.size())
    fail("internal error: {} true and {} predicted classes", truth.size(), predicted.size());
  std::vector<double> count(static_cast<std::size_t>(bins), 0), correct = count, confidence = count;
  std::size_t n = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (!counted(mask, i)) continue;
    const double q = p(static_cast<Eigen::Index>(i), predicted[i]);
    // bin k holds (k/B, (k+1)/B]; 0 goes to bin 0
    int k = static_cast<int>(std::ceil(q * bins)) - 1;
    k = std::clamp(k, 0, bins - 1);
    count[static_cast<std::size_t>(k)] += 1;
    correct[static_cast<std::size_t>(k)] += predicted[i] == truth[i] ? 1.0 : 0.0;
    confidence[static_cast<std::size_t>(k)] += q;
    ++n;
  }
  if (n == 0) return kNaN;
  double ece = 0;
  for (std::size_t k = 0; k < count.size(); ++k)
    if (count[k] > 0) ece += std::abs(correct[k] - confidence[k]) / static_cast<double>(n);
  return ece;
}

std::pair<double, double> percentile_interval(std::vector<double> v, double level) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return {kNaN, kNaN};
  std::sort(v.begin(), v.end());
  auto at = [&v](double q) {  // numpy.percentile, method "linear"
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  return {at((1.0 - level) / 2.0), at((1.0 + level) / 2.0)};
}

namespace {

// The scores of bootstrap_scores for one (resampled) set of sources.
std::vector<double> score_row(const Labels& truth, const Labels& predicted, const Matrix& p,
                              const std::vector<char>* subset, const std::vector<char>* confident, int bins) {
  const int C = static_cast<int>(p.cols());
  const ConfusionMatrix cm = confusion(truth, predicted, C, subset);
  const Scores s = scores(cm);
  std::vector<double> row = {s.accuracy, s.balanced_accuracy, s.macro_f1, s.mcc,
                             brier_score(truth, p, subset), log_loss(truth, p, subset),
                             expected_calibration_error(truth, predicted, p, bins, subset)};
  for (int c = 0; c < C; ++c)  // undefined for a class neither true nor predicted
    row.push_back(s.per_class[static_cast<std::size_t>(c)].support > 0 || cm.counts.col(c).sum() > 0
                      ? s.per_class[static_cast<std::size_t>(c)].f1 : kNaN);
  for (const auto& c : s.per_class) row.push_back(c.support > 0 ? c.recall : kNaN);
  if (confident) {
    double k = 0;
    for (char x : *confident) k += x ? 1.0 : 0.0;
    row.push_back(confident->empty() ? kNaN : k / static_cast<double>(confident->size()));
  }
  return row;
}

}  // namespace

std::vector<Interval> bootstrap_scores(const Labels& truth, const Labels& predicted, const Matrix& p,
                                       const std::vector<std::string>& class_names,
                                       const std::vector<char>* subset, const std::vector<char>* confident,
                                       const BootstrapOptions& o) {
  check_sizes(truth, p, subset);
  if (o.replicates < 0) fail("the bootstrap needs a non-negative number of replicates (got {})", o.replicates);
  if (!(o.level > 0 && o.level < 1)) fail("the bootstrap confidence level must lie in (0, 1) (got {})", o.level);
  std::vector<std::string> names = {"accuracy", "balanced_accuracy", "macro_f1", "mcc",
                                    "brier",    "log_loss",          "ece"};
  for (const auto& c : class_names) names.push_back("f1_" + c);
  for (const auto& c : class_names) names.push_back("recall_" + c);
  if (confident) names.push_back("confident_fraction");

  const auto point = score_row(truth, predicted, p, subset, confident, o.ece_bins);
  std::vector<std::vector<double>> draws(names.size());
  const std::size_t n = truth.size();
  Labels t(n), q(n);
  Matrix pp(p.rows(), p.cols());
  std::vector<char> sub(n), conf(n);
  for (int b = 0; b < o.replicates && n > 0; ++b) {
    rng::Stream s = rng::keys::report_bootstrap(o.seed, static_cast<std::uint64_t>(b));
    for (std::size_t i = 0; i < n; ++i) {
      const auto j = static_cast<std::size_t>(s.below(n));
      t[i] = truth[j];
      q[i] = predicted[j];
      pp.row(static_cast<Eigen::Index>(i)) = p.row(static_cast<Eigen::Index>(j));
      sub[i] = subset ? (*subset)[j] : 1;
      conf[i] = confident ? (*confident)[j] : 1;
    }
    const auto row = score_row(t, q, pp, subset ? &sub : nullptr, confident ? &conf : nullptr, o.ece_bins);
    for (std::size_t k = 0; k < row.size(); ++k) draws[k].push_back(row[k]);
  }
  std::vector<Interval> out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto [lo, hi] = percentile_interval(draws[k], o.level);
    out.push_back({names[k], point[k], lo, hi});
  }
  return out;
}

}  // namespace mwclass::evaluation
