#include "mwclass/evaluation/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>

#include "mwclass/core/error.hpp"

namespace mwclass::evaluation {
namespace {

void check_classes(int n_classes) {
  if (n_classes < 1) fail("metrics: n_classes must be at least 1, got {}", n_classes);
}

void check_label(int label, std::size_t row, int n_classes, const char* what) {
  if (label < 0 || label >= n_classes)
    fail("metrics: {} label {} at row {} is outside 0..{}", what, label, row, n_classes - 1);
}

void check_mask(const std::vector<char>* mask, std::size_t n) {
  if (mask != nullptr && mask->size() != n)
    fail("metrics: mask has {} entries for {} sources", mask->size(), n);
}

bool selected(const std::vector<char>* mask, std::size_t i) { return mask == nullptr || (*mask)[i] != 0; }

}  // namespace

Eigen::MatrixXd ConfusionMatrix::by_true() const {
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(counts.rows(), counts.cols());
  for (Eigen::Index r = 0; r < counts.rows(); ++r) {
    const double sum = counts.row(r).sum();
    if (sum > 0) out.row(r) = counts.row(r) / sum;
  }
  return out;
}

Eigen::MatrixXd ConfusionMatrix::by_predicted() const {
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(counts.rows(), counts.cols());
  for (Eigen::Index c = 0; c < counts.cols(); ++c) {
    const double sum = counts.col(c).sum();
    if (sum > 0) out.col(c) = counts.col(c) / sum;
  }
  return out;
}

ConfusionMatrix confusion(const Labels& truth, const Labels& predicted, int n_classes,
                          const std::vector<char>* mask) {
  check_classes(n_classes);
  if (truth.size() != predicted.size())
    fail("metrics: {} true labels but {} predicted labels", truth.size(), predicted.size());
  check_mask(mask, truth.size());
  ConfusionMatrix cm;
  cm.n_classes = n_classes;
  cm.counts = Eigen::MatrixXd::Zero(n_classes, n_classes);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (!selected(mask, i)) continue;
    check_label(truth[i], i, n_classes, "true");
    check_label(predicted[i], i, n_classes, "predicted");
    cm.counts(truth[i], predicted[i]) += 1;
  }
  return cm;
}

Scores scores(const ConfusionMatrix& cm) {
  check_classes(cm.n_classes);
  if (cm.counts.rows() != cm.n_classes || cm.counts.cols() != cm.n_classes)
    fail("metrics: confusion matrix is {}x{} for {} classes", cm.counts.rows(), cm.counts.cols(),
         cm.n_classes);
  const int k = cm.n_classes;
  const Eigen::VectorXd t = cm.counts.rowwise().sum();  // true-class totals
  const Eigen::VectorXd p = cm.counts.colwise().sum().transpose();  // predicted totals
  const double s = t.sum();
  const double c = cm.counts.trace();

  Scores out;
  out.n = static_cast<int>(std::lround(s));
  out.per_class.resize(static_cast<std::size_t>(k));
  double recall_sum = 0, f1_sum = 0;
  int n_true = 0, n_union = 0;
  for (int j = 0; j < k; ++j) {
    ClassScores& cs = out.per_class[static_cast<std::size_t>(j)];
    const double tp = cm.counts(j, j);
    cs.support = static_cast<int>(std::lround(t(j)));
    cs.recall = t(j) > 0 ? tp / t(j) : 0.0;
    cs.precision = p(j) > 0 ? tp / p(j) : 0.0;
    const double pr = cs.precision + cs.recall;
    cs.f1 = pr > 0 ? 2 * cs.precision * cs.recall / pr : 0.0;
    if (t(j) > 0) {
      recall_sum += cs.recall;
      ++n_true;
    }
    if (t(j) > 0 || p(j) > 0) {
      f1_sum += cs.f1;
      ++n_union;
    }
  }
  if (s <= 0) return out;  // aggregates stay NaN

  out.accuracy = c / s;
  out.balanced_accuracy = recall_sum / n_true;
  out.macro_f1 = f1_sum / n_union;
  const double cov_tp = c * s - p.dot(t);
  const double cov_pp = s * s - p.squaredNorm();
  const double cov_tt = s * s - t.squaredNorm();
  const double denom = cov_pp * cov_tt;
  out.mcc = denom > 0 ? cov_tp / std::sqrt(denom) : 0.0;
  return out;
}

double roc_auc(const std::vector<double>& score, const std::vector<char>& positive) {
  const std::size_t n = score.size();
  if (positive.size() != n)
    fail("metrics: roc_auc got {} scores but {} positive flags", n, positive.size());
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(score[i])) fail("metrics: roc_auc score at row {} is not finite", i);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // Sum of the (1-based, tie-averaged) ranks of the positives.
  double rank_sum = 0;
  double n_pos = 0;
  for (std::size_t lo = 0; lo < n;) {
    std::size_t hi = lo + 1;
    while (hi < n && score[order[hi]] == score[order[lo]]) ++hi;
    const double avg_rank = 0.5 * static_cast<double>(lo + 1 + hi);  // mean of lo+1..hi
    for (std::size_t j = lo; j < hi; ++j)
      if (positive[order[j]] != 0) {
        rank_sum += avg_rank;
        n_pos += 1;
      }
    lo = hi;
  }
  const double n_neg = static_cast<double>(n) - n_pos;
  if (n_pos == 0 || n_neg == 0) return kNaN;
  return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

double macro_ovr_auc(const Labels& truth, const Matrix& probabilities,
                     const std::vector<char>* mask) {
  const std::size_t n = truth.size();
  if (static_cast<std::size_t>(probabilities.rows()) != n)
    fail("metrics: {} true labels but {} probability rows", n, probabilities.rows());
  check_mask(mask, n);
  const int k = static_cast<int>(probabilities.cols());
  check_classes(k);
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < n; ++i)
    if (selected(mask, i)) {
      check_label(truth[i], i, k, "true");
      rows.push_back(i);
    }
  double sum = 0;
  int used = 0;
  std::vector<double> score(rows.size());
  std::vector<char> positive(rows.size());
  for (int c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < rows.size(); ++j) {
      score[j] = probabilities(static_cast<Eigen::Index>(rows[j]), c);
      positive[j] = truth[rows[j]] == c ? 1 : 0;
    }
    const double auc = roc_auc(score, positive);
    if (std::isnan(auc)) continue;  // class absent from truth, or no negative
    sum += auc;
    ++used;
  }
  return used > 0 ? sum / used : kNaN;
}

Completeness completeness(const Labels& truth, const std::vector<char>& kept, int n_classes) {
  check_classes(n_classes);
  if (kept.size() != truth.size())
    fail("metrics: completeness got {} kept flags for {} sources", kept.size(), truth.size());
  std::vector<double> total(static_cast<std::size_t>(n_classes), 0.0), surviving(total);
  double n_kept = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    check_label(truth[i], i, n_classes, "true");
    const auto c = static_cast<std::size_t>(truth[i]);
    total[c] += 1;
    if (kept[i] != 0) {
      surviving[c] += 1;
      n_kept += 1;
    }
  }
  Completeness out;
  out.per_class.assign(static_cast<std::size_t>(n_classes), kNaN);
  if (truth.empty()) return out;
  out.fraction = n_kept / static_cast<double>(truth.size());
  double sum = 0;
  int present = 0;
  for (std::size_t c = 0; c < total.size(); ++c) {
    if (total[c] == 0) continue;
    out.per_class[c] = surviving[c] / total[c];
    sum += out.per_class[c];
    ++present;
  }
  out.balanced = sum / present;
  return out;
}

std::vector<ThresholdPoint> threshold_curve(const Labels& truth, const Labels& predicted,
                                            const std::vector<double>& ct, int n_classes,
                                            const std::vector<double>& thresholds) {
  if (ct.size() != truth.size())
    fail("metrics: {} CT values for {} sources", ct.size(), truth.size());
  std::vector<ThresholdPoint> out;
  out.reserve(thresholds.size());
  std::vector<char> kept(truth.size());
  for (const double t : thresholds) {
    for (std::size_t i = 0; i < ct.size(); ++i) kept[i] = ct[i] >= t ? 1 : 0;  // NaN -> 0
    ThresholdPoint point;
    point.threshold = t;
    point.scores = scores(confusion(truth, predicted, n_classes, &kept));
    point.completeness = completeness(truth, kept, n_classes);
    out.push_back(std::move(point));
  }
  return out;
}

std::vector<double> convergence(const std::vector<double>& per_iteration) {
  const std::size_t m = per_iteration.size();
  std::vector<double> out(m, 0.0);
  if (m == 0) return out;
  const auto [lo, hi] = std::minmax_element(per_iteration.begin(), per_iteration.end());
  if (*lo == *hi) return out;  // constant: ref_std == 0 (avoid a rounding-sized std)
  std::vector<double> running(m);  // mean of the first N values, N = 1..m
  double sum = 0;
  for (std::size_t i = 0; i < m; ++i) {
    sum += per_iteration[i];
    running[i] = sum / static_cast<double>(i + 1);
  }
  const double ref_mean = running[m - 1];
  double ss = 0;
  for (const double v : per_iteration) ss += (v - ref_mean) * (v - ref_mean);
  const double ref_std = std::sqrt(ss / static_cast<double>(m));
  if (!(ref_std > 0)) return out;
  for (std::size_t i = 0; i < m; ++i) out[i] = std::abs(running[i] - ref_mean) / ref_std;
  return out;
}

CutSummary probability_cut(const Labels& truth, const Matrix& probabilities, double cut) {
  const std::size_t n = truth.size();
  if (static_cast<std::size_t>(probabilities.rows()) != n)
    fail("metrics: {} true labels but {} probability rows", n, probabilities.rows());
  const int k = static_cast<int>(probabilities.cols());
  check_classes(k);
  CutSummary out;
  out.cut = cut;
  int correct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    check_label(truth[i], i, k, "true");
    const auto r = static_cast<Eigen::Index>(i);
    int best = 0;
    for (int c = 1; c < k; ++c)
      if (probabilities(r, c) > probabilities(r, best)) best = c;
    if (!(probabilities(r, best) > cut)) continue;
    ++out.count;
    if (best == truth[i]) ++correct;
  }
  if (out.count > 0) out.precision = static_cast<double>(correct) / out.count;
  return out;
}

}  // namespace mwclass::evaluation
