#include "mwclass/evaluation/report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "mwclass/core/error.hpp"

namespace mwclass::evaluation {

namespace {

Labels predicted_of(const ensemble::ClassificationResult& r) {
  Labels p;
  p.reserve(r.decisions.size());
  for (const auto& d : r.decisions) p.push_back(d.predicted_class);
  return p;
}

Summary summarize(const Labels& truth, const Labels& predicted, const Matrix& probabilities,
                  const std::vector<char>& kept, int n_classes, bool all) {
  Summary s;
  const ConfusionMatrix cm = confusion(truth, predicted, n_classes, all ? nullptr : &kept);
  s.scores = scores(cm);
  s.scores.macro_auc = macro_ovr_auc(truth, probabilities, all ? nullptr : &kept);
  s.completeness = completeness(truth, kept, n_classes);
  return s;
}

// Pooled mean and standard deviation over all iterations of all items, from
// per-item means and standard deviations (items of equal iteration counts):
// var = mean(within-item variance) + variance of the item means.
void pooled_importances(const ensemble::ClassificationResult& r, std::vector<double>& mean,
                        std::vector<double>& sd) {
  const auto items = r.importance_mean.rows(), F = r.importance_mean.cols();
  mean.assign(static_cast<std::size_t>(F), kNaN);
  sd.assign(static_cast<std::size_t>(F), kNaN);
  if (items == 0) return;
  for (Eigen::Index f = 0; f < F; ++f) {
    const double m = r.importance_mean.col(f).mean();
    double within = 0, between = 0;
    for (Eigen::Index i = 0; i < items; ++i) {
      within += r.importance_std(i, f) * r.importance_std(i, f);
      between += (r.importance_mean(i, f) - m) * (r.importance_mean(i, f) - m);
    }
    mean[static_cast<std::size_t>(f)] = m;
    sd[static_cast<std::size_t>(f)] = std::sqrt((within + between) / static_cast<double>(items));
  }
}

}  // namespace

const std::vector<std::string>& summary_columns() {
  static const std::vector<std::string> c = {"n", "accuracy", "balanced_accuracy", "macro_f1",
                                             "mcc", "macro_auc", "completeness",
                                             "balanced_completeness"};
  return c;
}

std::vector<double> summary_row(const Summary& s) {
  return {static_cast<double>(s.scores.n), s.scores.accuracy, s.scores.balanced_accuracy,
          s.scores.macro_f1, s.scores.mcc, s.scores.macro_auc, s.completeness.fraction,
          s.completeness.balanced};
}

Report make_report(const ensemble::ClassificationResult& r, const ReportOptions& options) {
  if (r.truth.empty())
    fail("the file has no true classes (/sources/true_class_index): `report` evaluates the output "
         "of `mwclass loocv` or `mwclass cv`");
  const int C = static_cast<int>(r.class_names.size());
  Report rep;
  rep.kind = r.evaluation.empty() ? "classify" : r.evaluation;
  rep.class_names = r.class_names;
  rep.feature_names = r.feature_names;
  rep.ct_threshold = options.ct_threshold;
  const Labels predicted = predicted_of(r);
  std::vector<double> ct;
  std::vector<char> confident;
  for (const auto& d : r.decisions) {
    ct.push_back(d.confidence_threshold);
    confident.push_back(d.confidence_threshold >= options.ct_threshold ? 1 : 0);
  }
  const std::vector<char> everyone(r.truth.size(), 1);
  rep.all = summarize(r.truth, predicted, r.probabilities.mean, everyone, C, true);
  rep.confident = summarize(r.truth, predicted, r.probabilities.mean, confident, C, false);
  rep.confusion_all = confusion(r.truth, predicted, C);
  rep.confusion_confident = confusion(r.truth, predicted, C, &confident);

  rep.bootstrap = options.bootstrap;
  rep.intervals_all = bootstrap_scores(r.truth, predicted, r.probabilities.mean, r.class_names, nullptr,
                                       &confident, options.bootstrap);
  rep.intervals_confident = bootstrap_scores(r.truth, predicted, r.probabilities.mean, r.class_names,
                                             &confident, nullptr, options.bootstrap);

  std::vector<double> grid = options.ct_grid;
  if (grid.empty())
    for (int k = 0; k <= 20; ++k) grid.push_back(0.25 * k);
  rep.ct_curve = threshold_curve(r.truth, predicted, ct, C, grid);
  pooled_importances(r, rep.importance_mean, rep.importance_std);
  for (double cut : options.probability_cuts)
    rep.cuts.push_back(probability_cut(r.truth, r.probabilities.mean, cut));

  if (options.convergence) {
    if (r.per_iteration.empty())
      fail("--convergence needs every iteration's probabilities: rerun with --keep-iterations");
    const int M = r.kept_iterations;
    rep.convergence.assign(static_cast<std::size_t>(M), 0.0);
    std::vector<double> series(static_cast<std::size_t>(M));
    for (std::size_t s = 0; s < r.truth.size(); ++s) {
      const int k = predicted[s];
      for (int m = 0; m < M; ++m)
        series[static_cast<std::size_t>(m)] =
            r.per_iteration[(s * static_cast<std::size_t>(M) + static_cast<std::size_t>(m)) * static_cast<std::size_t>(C) + static_cast<std::size_t>(k)];
      const auto stat = convergence(series);
      for (int m = 0; m < M; ++m) rep.convergence[static_cast<std::size_t>(m)] += stat[static_cast<std::size_t>(m)];
    }
    for (auto& v : rep.convergence) v /= static_cast<double>(r.truth.size());
  }

  for (std::size_t k = 0; k < r.repeat_mean.size(); ++k) {
    Labels pred;
    for (Eigen::Index s = 0; s < r.repeat_mean[k].rows(); ++s) {
      Eigen::Index best = 0;
      r.repeat_mean[k].row(s).maxCoeff(&best);  // first maximum, as decide()
      pred.push_back(static_cast<int>(best));
    }
    rep.repeats.push_back(summarize(r.truth, pred, r.repeat_mean[k], everyone, C, true));
  }
  return rep;
}

std::string format_report(const Report& rep) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  auto row = [&](const char* label, const Summary& s) {
    line(fmt::format("{:<22} {:>6} {:>9.3f} {:>9.3f} {:>9.3f} {:>7.3f} {:>7.3f} {:>9.3f} {:>9.3f}",
                     label, s.scores.n, s.scores.accuracy, s.scores.balanced_accuracy,
                     s.scores.macro_f1, s.scores.mcc, s.scores.macro_auc, s.completeness.fraction,
                     s.completeness.balanced));
  };
  line(fmt::format("{} evaluation; confident: CT >= {}", rep.kind, rep.ct_threshold));
  line(fmt::format("{:<22} {:>6} {:>9} {:>9} {:>9} {:>7} {:>7} {:>9} {:>9}", "", "n", "accuracy",
                   "bal.acc", "macro-F1", "MCC", "AUC", "complete", "bal.comp"));
  row("all sources", rep.all);
  row(fmt::format("confident (CT >= {})", rep.ct_threshold).c_str(), rep.confident);

  line(fmt::format("\nscores with {:.0f} % bootstrap intervals ({} resamples of the sources; Brier: sum over "
                   "classes; log loss: P clipped at 1e-15; ECE: top label, {} equal bins):",
                   100 * rep.bootstrap.level, rep.bootstrap.replicates, rep.bootstrap.ece_bins));
  line(fmt::format("{:<28} {:>24} {:>24}", "", "all sources", "confident"));
  for (std::size_t k = 0; k < rep.intervals_all.size(); ++k) {
    const auto& a = rep.intervals_all[k];
    const auto* c = k < rep.intervals_confident.size() ? &rep.intervals_confident[k] : nullptr;
    std::string r = fmt::format("{:<28} {:>7.3f} [{:>6.3f}, {:>6.3f}]", a.name, a.value, a.lo, a.hi);
    if (c) r += fmt::format(" {:>7.3f} [{:>6.3f}, {:>6.3f}]", c->value, c->lo, c->hi);
    line(r);
  }

  line("\nper class (all | confident):");
  line(fmt::format("{:<9} {:>7} {:>9} {:>7} {:>7} | {:>7} {:>9} {:>7} {:>7}", "class", "support",
                   "precision", "recall", "F1", "support", "precision", "recall", "F1"));
  for (std::size_t c = 0; c < rep.class_names.size(); ++c) {
    const auto& a = rep.all.scores.per_class[c];
    const auto& b = rep.confident.scores.per_class[c];
    line(fmt::format("{:<9} {:>7} {:>9.3f} {:>7.3f} {:>7.3f} | {:>7} {:>9.3f} {:>7.3f} {:>7.3f}",
                     rep.class_names[c], a.support, a.precision, a.recall, a.f1, b.support,
                     b.precision, b.recall, b.f1));
  }
  auto matrix = [&](const char* title, const ConfusionMatrix& cm) {
    line(fmt::format("\nconfusion matrix, {} (rows: true class, columns: predicted)", title));
    std::string head = fmt::format("{:<9}", "");
    for (const auto& n : rep.class_names) head += fmt::format(" {:>8}", n.substr(0, 8));
    line(head);
    for (int i = 0; i < cm.n_classes; ++i) {
      std::string r = fmt::format("{:<9}", rep.class_names[static_cast<std::size_t>(i)].substr(0, 9));
      for (int j = 0; j < cm.n_classes; ++j) r += fmt::format(" {:>8.0f}", cm.counts(i, j));
      line(r);
    }
  };
  matrix("all sources", rep.confusion_all);
  matrix("confident sources", rep.confusion_confident);

  line("\nscores versus the CT threshold:");
  line(fmt::format("{:>6} {:>6} {:>9} {:>9} {:>9} {:>7} {:>9} {:>9}", "CT>=", "n", "accuracy",
                   "bal.acc", "macro-F1", "MCC", "complete", "bal.comp"));
  for (const auto& p : rep.ct_curve)
    line(fmt::format("{:>6.2f} {:>6} {:>9.3f} {:>9.3f} {:>9.3f} {:>7.3f} {:>9.3f} {:>9.3f}", p.threshold,
                     p.scores.n, p.scores.accuracy, p.scores.balanced_accuracy, p.scores.macro_f1,
                     p.scores.mcc, p.completeness.fraction, p.completeness.balanced));

  line("\nprobability cuts (Kumaran et al.: 3 sigma = 0.997, 4 sigma = 0.9999) beside CT:");
  for (const auto& c : rep.cuts)
    line(fmt::format("  max P > {:<7} {:>6} sources, precision {:.3f}", c.cut, c.count, c.precision));
  line(fmt::format("  CT >= {:<8} {:>6} sources, precision {:.3f}", rep.ct_threshold,
                   rep.confident.scores.n, rep.confident.scores.accuracy));

  if (!rep.importance_mean.empty()) {
    line("\nfeature importances (mean decrease in impurity; mean +- std over iterations):");
    std::vector<std::size_t> order(rep.importance_mean.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return rep.importance_mean[a] > rep.importance_mean[b];
    });
    for (std::size_t i : order)
      line(fmt::format("  {:<8} {:.4f} +- {:.4f}", rep.feature_names[i], rep.importance_mean[i],
                       rep.importance_std[i]));
  }
  if (!rep.convergence.empty()) {
    line("\nMC convergence (Appendix B): mean over sources of |P_N - P_ref| / sigma_ref, predicted class");
    for (std::size_t n = 1; n <= rep.convergence.size(); n = n < 10 ? n + 1 : n * 2)
      line(fmt::format("  N = {:>5}: {:.4f}", n, rep.convergence[n - 1]));
  }
  if (!rep.repeats.empty()) {
    line(fmt::format("\ncv: {} repeats, all sources:", rep.repeats.size()));
    const auto& cols = summary_columns();
    std::vector<double> mean(cols.size(), 0), sd(cols.size(), 0);
    for (const auto& s : rep.repeats) {
      const auto v = summary_row(s);
      for (std::size_t j = 0; j < v.size(); ++j) mean[j] += v[j] / static_cast<double>(rep.repeats.size());
    }
    for (const auto& s : rep.repeats) {
      const auto v = summary_row(s);
      for (std::size_t j = 0; j < v.size(); ++j) sd[j] += (v[j] - mean[j]) * (v[j] - mean[j]);
    }
    for (std::size_t j = 1; j < 6; ++j)
      line(fmt::format("  {:<18} {:.4f} +- {:.4f}", cols[j], mean[j],
                       std::sqrt(sd[j] / static_cast<double>(rep.repeats.size()))));
  }
  return out;
}

}  // namespace mwclass::evaluation
