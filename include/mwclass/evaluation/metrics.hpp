#pragma once
// Classification metrics for the leave-one-out evaluation of MUWCLASS
// (Yang et al. 2022, ApJ 941, 104): confusion matrices, accuracy, balanced
// accuracy, macro-F1, multi-class MCC, per-class precision/recall/F1,
// one-vs-rest ROC AUC, completeness of confident subsets, metrics versus a
// confidence-threshold (CT) cut, the Appendix B convergence curve and the
// probability cuts of Kumaran et al.
//
// Pure functions, no I/O. Definitions follow scikit-learn wherever it has the
// metric (zero_division = 0). Invalid input (size mismatch, label outside
// 0..n_classes-1, non-finite AUC score) throws mwclass::Error.
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "mwclass/core/matrix.hpp"

namespace mwclass::evaluation {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// counts(t, p): number of sources of true class t predicted as class p.
struct ConfusionMatrix {
  int n_classes = 0;
  Eigen::MatrixXd counts;  // rows = true class, cols = predicted class

  double total() const { return counts.sum(); }
  Eigen::MatrixXd by_true() const;       // row-normalized (recall); empty rows are 0
  Eigen::MatrixXd by_predicted() const;  // column-normalized (precision); empty columns are 0
};

// mask (optional, same length as truth): count only rows i with (*mask)[i] != 0.
ConfusionMatrix confusion(const Labels& truth, const Labels& predicted, int n_classes,
                          const std::vector<char>* mask = nullptr);

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;  // 0 where undefined (zero_division = 0)
  int support = 0;                           // sources of this true class
};

struct Scores {
  int n = 0;  // sources counted
  // accuracy = trace / total; balanced_accuracy = mean recall over classes present
  // in truth; macro_f1 = mean F1 over classes present in truth or predictions;
  // mcc = multi-class Matthews correlation (Gorodkin 2004), 0 if undefined.
  // All NaN when n == 0.
  double accuracy = kNaN, balanced_accuracy = kNaN, macro_f1 = kNaN, mcc = kNaN;
  double macro_auc = kNaN;  // macro one-vs-rest ROC AUC; set only when probabilities are given
  std::vector<ClassScores> per_class;  // n_classes entries
};

Scores scores(const ConfusionMatrix& cm);

// ROC AUC of `score` for positive[i] != 0 versus the rest: the Mann-Whitney
// statistic with average ranks for ties (= sklearn roc_auc_score).
// NaN when there is no positive or no negative.
double roc_auc(const std::vector<double>& score, const std::vector<char>& positive);

// Macro one-vs-rest ROC AUC from an n x C probability matrix (e.g. mean MC
// probabilities): for each class c present in truth with at least one negative,
// roc_auc(P(:, c), truth == c); the mean over those classes, NaN if none.
double macro_ovr_auc(const Labels& truth, const Matrix& probabilities,
                     const std::vector<char>* mask = nullptr);

// fraction: share of sources with kept[i] != 0 (NaN if there are none);
// per_class[c]: surviving share of TRUE class c (NaN if c is absent from truth);
// balanced: mean of per_class over the classes present in truth.
struct Completeness {
  double fraction = kNaN;
  double balanced = kNaN;
  std::vector<double> per_class;
};

Completeness completeness(const Labels& truth, const std::vector<char>& kept, int n_classes);

// For each t in thresholds: scores and completeness of the sources with ct >= t
// (a NaN CT never passes).
struct ThresholdPoint {
  double threshold = 0;
  Scores scores;
  Completeness completeness;
};

std::vector<ThresholdPoint> threshold_curve(const Labels& truth, const Labels& predicted,
                                            const std::vector<double>& ct, int n_classes,
                                            const std::vector<double>& thresholds);

// MUWCLASS Appendix B: given one source's per-iteration probabilities of its
// predicted class p[0..M-1], with ref_mean and ref_std (population, ddof = 0)
// over all M, returns for N = 1..M the value |mean(p[0..N-1]) - ref_mean| / ref_std
// (all 0 when the values are all equal). Empty input gives an empty result.
std::vector<double> convergence(const std::vector<double>& per_iteration);

// Kumaran et al.'s probability cuts: sources whose maximum class probability
// exceeds `cut` (strictly), and the share of them whose argmax (first on ties)
// is the true class (NaN if count == 0).
struct CutSummary {
  double cut = 0;
  int count = 0;
  double precision = kNaN;
};

CutSummary probability_cut(const Labels& truth, const Matrix& probabilities, double cut);

}  // namespace mwclass::evaluation
