#pragma once
// The evaluation report of a results file with known true classes (loocv, cv):
// scores of all and of confident sources, confusion matrices, scores versus
// the CT threshold, feature importances, the peers' probability cuts, the MC
// convergence statistic, and for cv the scores of every repeat.
#include <string>
#include <vector>

#include "mwclass/ensemble/result.hpp"
#include "mwclass/evaluation/bootstrap.hpp"
#include "mwclass/evaluation/metrics.hpp"

namespace mwclass::evaluation {

struct ReportOptions {
  double ct_threshold = 2.0;
  std::vector<double> ct_grid;  // thresholds of the CT curve (default 0, 0.25, ..., 5)
  std::vector<double> probability_cuts = {0.997, 0.9999};  // Kumaran et al.'s 3 and 4 sigma
  bool convergence = false;     // needs per-iteration probabilities
  BootstrapOptions bootstrap;   // scores with confidence intervals (replicates = 0: none)
};

struct Summary {  // one row of the summary table
  Scores scores;
  Completeness completeness;
};

struct Report {
  std::string kind;
  std::vector<std::string> class_names, feature_names;
  double ct_threshold = 2.0;
  Summary all, confident;
  ConfusionMatrix confusion_all, confusion_confident;
  std::vector<ThresholdPoint> ct_curve;
  std::vector<double> importance_mean, importance_std;
  std::vector<CutSummary> cuts;
  std::vector<double> convergence;  // mean over sources, N = 1..M (empty if not asked)
  std::vector<Summary> repeats;     // cv: all sources, per repeat
  // Scores with bootstrap intervals (evaluation/bootstrap.hpp): all sources (with the
  // confident fraction) and confident sources.
  BootstrapOptions bootstrap;
  std::vector<Interval> intervals_all, intervals_confident;
};

// Needs result.truth (an evaluation run). Errors name what is missing.
Report make_report(const ensemble::ClassificationResult& result, const ReportOptions& options);

// Human-readable tables (what `mwclass report` prints).
std::string format_report(const Report& report);

// Column names of a summary row, in the order of summary_row().
const std::vector<std::string>& summary_columns();
std::vector<double> summary_row(const Summary& s);

}  // namespace mwclass::evaluation
