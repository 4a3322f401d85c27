// `mwclass report`: scores of an evaluation run, printed and stored in /report.
#include <fmt/format.h>

#include "commands.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/evaluation/report.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

namespace {

output::TableGroup report_group(const evaluation::Report& rep) {
  using output::NumericTable;
  output::TableGroup g;
  g.name = "report";
  g.number_attributes = {{"ct_threshold", rep.ct_threshold}};
  g.text_attributes = {{"kind", rep.kind}};
  const auto& cols = evaluation::summary_columns();
  const std::size_t C = rep.class_names.size();

  NumericTable summary{"summary", {2, cols.size()}, {}, "rows: all sources, confident (CT >= ct_threshold); columns: summary_columns"};
  for (const auto* s : {&rep.all, &rep.confident}) {
    const auto v = evaluation::summary_row(*s);
    summary.values.insert(summary.values.end(), v.begin(), v.end());
  }
  g.tables.push_back(summary);
  g.texts.push_back({"summary_columns", cols, "column names of summary, ct_curve (after the threshold) and repeat_summary"});

  NumericTable per_class{"per_class", {2, C, 4}, {}, "[all, confident] x class x [precision, recall, f1, support]"};
  for (const auto* s : {&rep.all, &rep.confident})
    for (const auto& c : s->scores.per_class)
      per_class.values.insert(per_class.values.end(), {c.precision, c.recall, c.f1, static_cast<double>(c.support)});
  g.tables.push_back(per_class);

  auto matrix = [&](const char* name, const evaluation::ConfusionMatrix& cm, const char* what) {
    NumericTable t{name, {C, C}, {}, what};
    for (std::size_t i = 0; i < C; ++i)
      for (std::size_t j = 0; j < C; ++j) t.values.push_back(cm.counts(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    g.tables.push_back(t);
  };
  matrix("confusion_all", rep.confusion_all, "counts, rows: true class, columns: predicted class");
  matrix("confusion_confident", rep.confusion_confident, "counts of confident sources, rows: true, columns: predicted");

  std::vector<std::string> curve_cols = {"ct_threshold"};
  curve_cols.insert(curve_cols.end(), cols.begin(), cols.end());
  NumericTable curve{"ct_curve", {rep.ct_curve.size(), curve_cols.size()}, {}, "scores of sources with CT >= threshold (columns: ct_curve_columns)"};
  for (const auto& p : rep.ct_curve) {
    curve.values.push_back(p.threshold);
    const auto v = evaluation::summary_row({p.scores, p.completeness});
    curve.values.insert(curve.values.end(), v.begin(), v.end());
  }
  g.tables.push_back(curve);
  g.texts.push_back({"ct_curve_columns", curve_cols, "column names of ct_curve"});

  NumericTable imp{"importance", {rep.importance_mean.size(), 2}, {}, "feature importance (rows: /features): mean, std over all iterations"};
  for (std::size_t f = 0; f < rep.importance_mean.size(); ++f)
    imp.values.insert(imp.values.end(), {rep.importance_mean[f], rep.importance_std[f]});
  g.tables.push_back(imp);

  NumericTable cuts{"probability_cuts", {rep.cuts.size(), 3}, {}, "columns: cut on max P, count, precision"};
  for (const auto& c : rep.cuts) cuts.values.insert(cuts.values.end(), {c.cut, static_cast<double>(c.count), c.precision});
  g.tables.push_back(cuts);

  std::vector<std::string> interval_names;
  for (const auto& v : rep.intervals_all) interval_names.push_back(v.name);
  for (const auto* set : {&rep.intervals_all, &rep.intervals_confident}) {
    NumericTable t{set == &rep.intervals_all ? "intervals_all" : "intervals_confident", {set->size(), 3}, {},
                   "rows: interval_names; columns: value, lower, upper bound of the bootstrap percentile interval"};
    for (const auto& v : *set) t.values.insert(t.values.end(), {v.value, v.lo, v.hi});
    g.tables.push_back(t);
  }
  g.texts.push_back({"interval_names", interval_names,
                     "scores of intervals_all (intervals_confident: all but the last, confident_fraction)"});
  g.number_attributes.push_back({"bootstrap_replicates", static_cast<double>(rep.bootstrap.replicates)});
  g.number_attributes.push_back({"bootstrap_level", rep.bootstrap.level});
  g.number_attributes.push_back({"ece_bins", static_cast<double>(rep.bootstrap.ece_bins)});

  if (!rep.convergence.empty())
    g.tables.push_back({"convergence", {rep.convergence.size()}, rep.convergence,
                        "mean over sources of |P_N - P_ref| / sigma_ref of the predicted class, N = 1..M (Yang et al. 2022, App. B)"});
  if (!rep.repeats.empty()) {
    NumericTable rs{"repeat_summary", {rep.repeats.size(), cols.size()}, {}, "cv: scores of all sources per repeat (columns: summary_columns)"};
    std::vector<double> mean(cols.size(), 0), sd(cols.size(), 0);
    const double R = static_cast<double>(rep.repeats.size());
    for (const auto& s : rep.repeats) {
      const auto v = evaluation::summary_row(s);
      rs.values.insert(rs.values.end(), v.begin(), v.end());
      for (std::size_t j = 0; j < v.size(); ++j) mean[j] += v[j] / R;
    }
    for (const auto& s : rep.repeats) {
      const auto v = evaluation::summary_row(s);
      for (std::size_t j = 0; j < v.size(); ++j) sd[j] += (v[j] - mean[j]) * (v[j] - mean[j]) / R;
    }
    for (auto& v : sd) v = std::sqrt(v);
    g.tables.push_back(rs);
    g.tables.push_back({"repeat_summary_mean", {cols.size()}, mean, "cv: mean over repeats"});
    g.tables.push_back({"repeat_summary_std", {cols.size()}, sd, "cv: standard deviation over repeats"});
  }
  return g;
}

}  // namespace

Runner add_report(CLI::App& app) {
  struct Options {
    std::string in;
    double ct = 2.0;
    bool convergence = false, no_store = false;
    evaluation::BootstrapOptions bootstrap;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Score a loocv or cv results file against its true classes: accuracy, balanced accuracy, "
      "macro-F1, MCC, macro one-vs-rest ROC AUC, Brier score, log loss, expected calibration error, "
      "per-class precision/recall/F1 for all and for "
      "confident sources (CT >= --ct), completeness, confusion matrices, scores versus the CT "
      "threshold (0..5), bootstrap confidence intervals of the scores, feature importances, the peers' probability cuts, and for cv the "
      "mean +- std over repeats. Prints them and stores them in the file's /report group "
      "(plots: tools/plot_*.py).");
  app.add_option("results", o->in, "Results HDF5 file of `mwclass loocv` or `mwclass cv`")
      ->required()->check(CLI::ExistingFile);
  app.add_option("--ct", o->ct, "Confidence threshold for 'confident' sources")->capture_default_str();
  app.add_flag("--convergence", o->convergence,
               "MC convergence statistic of the paper's Appendix B (needs --keep-iterations)");
  app.add_option("--bootstrap", o->bootstrap.replicates,
                 "Bootstrap resamples of the sources for the confidence intervals (0: none)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--level", o->bootstrap.level, "Confidence level of the percentile intervals")
      ->capture_default_str()->check(CLI::Range(0.5, 0.999));
  app.add_option("--ece-bins", o->bootstrap.ece_bins, "Equal-width bins of the expected calibration error")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--bootstrap-seed", o->bootstrap.seed, "Seed of the bootstrap's keyed streams")
      ->capture_default_str();
  app.add_flag("--no-store", o->no_store, "Only print; do not write /report into the file");
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    evaluation::ReportOptions options;
    options.ct_threshold = o->ct;
    options.convergence = o->convergence;
    options.bootstrap = o->bootstrap;
    const auto rep = evaluation::make_report(output::read_results(o->in), options);
    fmt::print("{}", evaluation::format_report(rep));
    if (!o->no_store) {
      output::write_group(o->in, report_group(rep));
      fmt::print("\nstored in {} (/report)\n", o->in);
    }
    return 0;
  };
}

}  // namespace mwclass::app
