#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "mwclass/core/error.hpp"
#include "mwclass/evaluation/metrics.hpp"

using namespace mwclass;
using namespace mwclass::evaluation;

namespace {
// Relative+absolute tolerance tight enough to check >= 10 significant digits.
doctest::Approx exact(double v) { return doctest::Approx(v).epsilon(1e-12); }
}  // namespace

TEST_CASE("3-class example: every metric by hand") {
  // truth:     0 0 0 0 1 1 1 2 2 2
  // predicted: 0 0 1 2 1 1 0 2 2 1
  // counts (rows true, cols predicted):
  //   [2 1 1]   t = (4, 3, 3)
  //   [1 2 0]   p = (3, 4, 3)
  //   [0 1 2]   trace c = 6, total s = 10
  // accuracy = 6/10 = 0.6
  // recall = (2/4, 2/3, 2/3); precision = (2/3, 2/4, 2/3)
  // balanced accuracy = (1/2 + 2/3 + 2/3) / 3 = 11/18 = 0.611111111111111111
  // F1 = (4/7, 4/7, 2/3); macro-F1 = 38/63 = 0.603174603174603175
  // MCC = (6*10 - (12+12+9)) / sqrt((100-34)(100-34)) = 27/66 = 9/22 = 0.409090909090909091
  // (all confirmed with python fractions and sklearn 1.2.1)
  const Labels truth = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  const Labels pred = {0, 0, 1, 2, 1, 1, 0, 2, 2, 1};
  const ConfusionMatrix cm = confusion(truth, pred, 3);
  Eigen::MatrixXd expected(3, 3);
  expected << 2, 1, 1, 1, 2, 0, 0, 1, 2;
  CHECK(cm.n_classes == 3);
  CHECK(cm.counts == expected);
  CHECK(cm.total() == 10);

  const Scores s = scores(cm);
  CHECK(s.n == 10);
  CHECK(s.accuracy == exact(0.6));
  CHECK(s.balanced_accuracy == exact(0.611111111111111111));
  CHECK(s.macro_f1 == exact(0.603174603174603175));
  CHECK(s.mcc == exact(0.409090909090909091));
  CHECK(std::isnan(s.macro_auc));
  REQUIRE(s.per_class.size() == 3);
  CHECK(s.per_class[0].precision == exact(2.0 / 3));
  CHECK(s.per_class[0].recall == exact(0.5));
  CHECK(s.per_class[0].f1 == exact(4.0 / 7));
  CHECK(s.per_class[1].precision == exact(0.5));
  CHECK(s.per_class[1].recall == exact(2.0 / 3));
  CHECK(s.per_class[1].f1 == exact(4.0 / 7));
  CHECK(s.per_class[2].f1 == exact(2.0 / 3));
  CHECK(s.per_class[0].support == 4);
  CHECK(s.per_class[1].support == 3);
  CHECK(s.per_class[2].support == 3);
}

TEST_CASE("a class that is never predicted: precision 0, F1 0, still in macro-F1") {
  // truth 0 0 1 1 2 2, predicted 0 0 1 1 1 0 -> counts [2 0 0; 0 2 0; 1 1 0]
  // class 0: P = 2/3, R = 1, F1 = 4/5; class 1 likewise; class 2: P = 0 (0/0), R = 0, F1 = 0
  // macro-F1 = (4/5 + 4/5 + 0)/3 = 8/15; balanced = (1 + 1 + 0)/3 = 2/3; accuracy = 4/6
  // MCC: t = (2,2,2), p = (3,3,0): (24 - 12)/sqrt((36-18)(36-12)) = 12/sqrt(432) = 1/sqrt(3)
  const Scores s = scores(confusion({0, 0, 1, 1, 2, 2}, {0, 0, 1, 1, 1, 0}, 3));
  CHECK(s.per_class[2].precision == 0.0);
  CHECK(s.per_class[2].recall == 0.0);
  CHECK(s.per_class[2].f1 == 0.0);
  CHECK(s.per_class[2].support == 2);
  CHECK(s.per_class[0].f1 == exact(0.8));
  CHECK(s.macro_f1 == exact(0.533333333333333333));
  CHECK(s.balanced_accuracy == exact(0.666666666666666667));
  CHECK(s.accuracy == exact(0.666666666666666667));
  CHECK(s.mcc == exact(0.577350269189625765));
}

TEST_CASE("a class absent from truth but predicted: in macro-F1 with F1 0, not in balanced accuracy") {
  // truth 0 0 1 1, predicted 0 2 1 1 -> counts [1 0 1; 0 2 0; 0 0 0]
  // recall = (1/2, 1, -): balanced = 3/4 (class 2 has no true sources)
  // F1 = (2/3, 1, 0): macro over the union {0,1,2} = 5/9 = 0.555555555555555556
  // A 4th class neither true nor predicted changes nothing.
  // MCC: t = (2,2,0), p = (1,2,1): (12 - 6)/sqrt((16-6)(16-8)) = 6/sqrt(80) = 0.670820393249936909
  for (int k : {3, 4}) {
    CAPTURE(k);
    const Scores s = scores(confusion({0, 0, 1, 1}, {0, 2, 1, 1}, k));
    CHECK(s.per_class.size() == static_cast<std::size_t>(k));
    CHECK(s.per_class[2].f1 == 0.0);
    CHECK(s.per_class[2].support == 0);
    CHECK(s.balanced_accuracy == exact(0.75));
    CHECK(s.macro_f1 == exact(0.555555555555555556));
    CHECK(s.accuracy == exact(0.75));
    CHECK(s.mcc == exact(0.670820393249936909));
  }
}

TEST_CASE("perfect prediction has MCC 1; a constant predictor has MCC 0") {
  const Scores perfect = scores(confusion({0, 1, 2, 2, 1}, {0, 1, 2, 2, 1}, 3));
  CHECK(perfect.mcc == exact(1.0));
  CHECK(perfect.accuracy == 1.0);
  CHECK(perfect.balanced_accuracy == 1.0);
  CHECK(perfect.macro_f1 == 1.0);
  // all predicted as 1: s^2 - sum p^2 = 16 - 16 = 0 -> MCC defined as 0
  const Scores constant = scores(confusion({0, 1, 2, 0}, {1, 1, 1, 1}, 3));
  CHECK(constant.mcc == 0.0);
  CHECK(constant.accuracy == exact(0.25));
  // a single true class (s^2 - sum t^2 = 0) also gives 0
  CHECK(scores(confusion({1, 1, 1}, {0, 1, 2}, 3)).mcc == 0.0);
}

TEST_CASE("binary MCC equals the classic TP/TN/FP/FN formula") {
  // TP = 5, TN = 3, FP = 2, FN = 1 (class 1 = positive):
  // (TP*TN - FP*FN)/sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = 13/sqrt(840) = 0.448542613572530312
  Labels truth, pred;
  auto add = [&](int t, int p, int times) {
    for (int i = 0; i < times; ++i) {
      truth.push_back(t);
      pred.push_back(p);
    }
  };
  add(1, 1, 5);
  add(0, 0, 3);
  add(0, 1, 2);
  add(1, 0, 1);
  const double tp = 5, tn = 3, fp = 2, fn = 1;
  const double classic = (tp * tn - fp * fn) / std::sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  const double mcc = scores(confusion(truth, pred, 2)).mcc;
  CHECK(mcc == exact(classic));
  CHECK(mcc == exact(0.448542613572530312));
}

TEST_CASE("mask selects rows; an empty selection gives NaN scores") {
  const Labels truth = {0, 1, 2, 0, 1};
  const Labels pred = {0, 2, 2, 1, 1};
  const std::vector<char> mask = {1, 0, 1, 0, 1};  // keeps (0,0), (2,2), (1,1)
  const ConfusionMatrix cm = confusion(truth, pred, 3, &mask);
  CHECK(cm.total() == 3);
  CHECK(cm.counts == Eigen::MatrixXd::Identity(3, 3));
  CHECK(scores(cm).accuracy == 1.0);
  CHECK(scores(confusion(truth, pred, 3)).accuracy == exact(0.6));

  const std::vector<char> none(5, 0);
  const Scores empty = scores(confusion(truth, pred, 3, &none));
  CHECK(empty.n == 0);
  CHECK(std::isnan(empty.accuracy));
  CHECK(std::isnan(empty.balanced_accuracy));
  CHECK(std::isnan(empty.macro_f1));
  CHECK(std::isnan(empty.mcc));
  CHECK(empty.per_class.size() == 3);
  CHECK(std::isnan(scores(confusion({}, {}, 3)).accuracy));
}

TEST_CASE("bad input throws Error") {
  const std::vector<char> short_mask = {1};
  CHECK_THROWS_AS(confusion({0, 1}, {0}, 2), Error);
  CHECK_THROWS_AS(confusion({0, 2}, {0, 1}, 2), Error);
  CHECK_THROWS_AS(confusion({0, 1}, {0, -1}, 2), Error);
  CHECK_THROWS_AS(confusion({0, 1}, {0, 1}, 2, &short_mask), Error);
  CHECK_THROWS_AS(roc_auc({0.1, 0.2}, {1}), Error);
  CHECK_THROWS_AS(roc_auc({0.1, std::nan("")}, {1, 0}), Error);
  CHECK_THROWS_AS(completeness({0, 1}, {1}, 2), Error);
  CHECK_THROWS_AS(macro_ovr_auc({0, 1}, Matrix::Zero(3, 2)), Error);
}

TEST_CASE("by_true and by_predicted normalize rows and columns; empty ones stay 0") {
  // counts [2 1 1; 1 2 0; 0 0 0] (class 2 never true) plus column 2 from row 0 only
  const ConfusionMatrix cm = confusion({0, 0, 0, 0, 1, 1, 1}, {0, 0, 1, 2, 1, 1, 0}, 3);
  const Eigen::MatrixXd r = cm.by_true();
  CHECK(r(0, 0) == exact(0.5));
  CHECK(r(0, 1) == exact(0.25));
  CHECK(r(0, 2) == exact(0.25));
  CHECK(r(1, 0) == exact(1.0 / 3));
  CHECK(r(1, 1) == exact(2.0 / 3));
  CHECK(r.row(2).isZero(0));
  const Eigen::MatrixXd c = cm.by_predicted();
  CHECK(c(0, 0) == exact(2.0 / 3));  // column 0 = (2, 1, 0)
  CHECK(c(1, 0) == exact(1.0 / 3));
  CHECK(c(0, 1) == exact(1.0 / 3));  // column 1 = (1, 2, 0)
  CHECK(c(1, 1) == exact(2.0 / 3));
  CHECK(c(0, 2) == 1.0);  // column 2 = (1, 0, 0)
  const ConfusionMatrix never = confusion({0, 1}, {0, 0}, 3);
  CHECK(never.by_predicted().col(1).isZero(0));
  CHECK(never.by_predicted().col(2).isZero(0));
}

TEST_CASE("ROC AUC with ties, perfect separation and constant scores") {
  // scores 0.2 0.2 0.5 0.5 0.5 0.9, positive 1 0 1 0 0 1
  // pairs (pos, neg): pos 0.2 -> vs 0.2: 1/2, vs 0.5: 0, 0  = 0.5
  //                   pos 0.5 -> vs 0.2: 1, vs 0.5: 1/2, 1/2 = 2
  //                   pos 0.9 -> 1 + 1 + 1 = 3
  // AUC = 5.5 / 9 = 11/18 = 0.611111111111111111 (sklearn agrees)
  CHECK(roc_auc({0.2, 0.2, 0.5, 0.5, 0.5, 0.9}, {1, 0, 1, 0, 0, 1}) == exact(0.611111111111111111));
  CHECK(roc_auc({0.9, 0.1, 0.8, 0.2}, {1, 0, 1, 0}) == 1.0);
  CHECK(roc_auc({0.9, 0.1, 0.8, 0.2}, {0, 1, 0, 1}) == 0.0);
  CHECK(roc_auc({0.3, 0.3, 0.3, 0.3}, {1, 0, 1, 0}) == exact(0.5));
  CHECK(std::isnan(roc_auc({0.1, 0.2}, {1, 1})));
  CHECK(std::isnan(roc_auc({0.1, 0.2}, {0, 0})));
}

TEST_CASE("macro one-vs-rest AUC skips classes absent from truth") {
  // 3 classes, class 2 never true: average of the class-0 and class-1 AUCs.
  Matrix p(4, 3);
  p << 0.7, 0.2, 0.1,   // true 0
      0.4, 0.5, 0.1,    // true 0
      0.5, 0.4, 0.1,    // true 1
      0.1, 0.8, 0.1;    // true 1
  const Labels truth = {0, 0, 1, 1};
  // class 0: pos {0.7, 0.4}, neg {0.5, 0.1}: 1 + 1 + 0 + 1 = 3/4
  // class 1: pos {0.4, 0.8}, neg {0.2, 0.5}: 1 + 0 + 1 + 1 = 3/4
  CHECK(macro_ovr_auc(truth, p) == exact(0.75));
  const std::vector<char> mask = {1, 0, 0, 1};  // perfectly separated
  CHECK(macro_ovr_auc(truth, p, &mask) == 1.0);
  const std::vector<char> one_class = {1, 1, 0, 0};  // no negatives for class 0
  CHECK(std::isnan(macro_ovr_auc(truth, p, &one_class)));
}

TEST_CASE("completeness and balanced completeness by hand") {
  // truth 0 0 0 1 1 2, kept 1 1 0 1 0 0, 4 classes (class 3 absent)
  // fraction = 3/6; per class = (2/3, 1/2, 0, NaN); balanced = (2/3 + 1/2 + 0)/3 = 7/18
  const Completeness c = completeness({0, 0, 0, 1, 1, 2}, {1, 1, 0, 1, 0, 0}, 4);
  CHECK(c.fraction == exact(0.5));
  REQUIRE(c.per_class.size() == 4);
  CHECK(c.per_class[0] == exact(2.0 / 3));
  CHECK(c.per_class[1] == exact(0.5));
  CHECK(c.per_class[2] == 0.0);
  CHECK(std::isnan(c.per_class[3]));
  CHECK(c.balanced == exact(0.388888888888888889));
  const Completeness none = completeness({}, {}, 2);
  CHECK(std::isnan(none.fraction));
  CHECK(std::isnan(none.balanced));
}

TEST_CASE("threshold_curve: hand example and monotone completeness") {
  // CT = 0.5, 1, 2, 3, NaN; thresholds 0, 2, 5 keep 4, 2, 0 sources (NaN never kept)
  const Labels truth = {0, 1, 1, 0, 1};
  const Labels pred = {1, 1, 0, 0, 1};
  const std::vector<double> ct = {0.5, 1, 2, 3, std::nan("")};
  const auto curve = threshold_curve(truth, pred, ct, 2, {0, 2, 5});
  REQUIRE(curve.size() == 3);
  CHECK(curve[0].threshold == 0);
  CHECK(curve[0].scores.n == 4);
  CHECK(curve[0].scores.accuracy == exact(0.5));
  CHECK(curve[0].completeness.fraction == exact(0.8));
  CHECK(curve[1].scores.n == 2);  // rows 2 (1 -> 0) and 3 (0 -> 0)
  CHECK(curve[1].scores.accuracy == exact(0.5));
  CHECK(curve[1].completeness.fraction == exact(0.4));
  CHECK(curve[1].completeness.per_class[0] == exact(0.5));
  CHECK(curve[1].completeness.per_class[1] == exact(1.0 / 3));
  CHECK(curve[2].scores.n == 0);
  CHECK(std::isnan(curve[2].scores.accuracy));
  CHECK(curve[2].completeness.fraction == 0.0);
  CHECK(curve[2].completeness.balanced == 0.0);

  std::mt19937 rng(7);
  std::uniform_int_distribution<int> label(0, 7);
  std::exponential_distribution<double> ct_dist(0.5);
  Labels t(500), p(500);
  std::vector<double> c(500);
  for (int i = 0; i < 500; ++i) {
    t[i] = label(rng);
    p[i] = (rng() % 3 == 0) ? label(rng) : t[i];
    c[i] = ct_dist(rng);
  }
  std::vector<double> thresholds;
  for (double x = 0; x <= 10; x += 0.25) thresholds.push_back(x);
  const auto random_curve = threshold_curve(t, p, c, 8, thresholds);
  REQUIRE(random_curve.size() == thresholds.size());
  CHECK(random_curve.front().completeness.fraction == 1.0);
  CHECK(random_curve.front().completeness.balanced == 1.0);
  for (std::size_t i = 1; i < random_curve.size(); ++i) {
    CAPTURE(i);
    CHECK(random_curve[i].completeness.fraction <= random_curve[i - 1].completeness.fraction);
    CHECK(random_curve[i].scores.n <= random_curve[i - 1].scores.n);
    for (int k = 0; k < 8; ++k)
      CHECK(random_curve[i].completeness.per_class[k] <= random_curve[i - 1].completeness.per_class[k]);
  }
}

TEST_CASE("convergence (MUWCLASS Appendix B) on a hand example") {
  // p = 0.6 0.8 0.7 0.9: mean 0.75, population variance 0.05/4 = 0.0125, std = sqrt(5)/20
  // running means 0.6 0.7 0.7 0.75 -> |diff| 0.15 0.05 0.05 0 -> / std = 3/sqrt5, 1/sqrt5, 1/sqrt5, 0
  const auto c = convergence({0.6, 0.8, 0.7, 0.9});
  REQUIRE(c.size() == 4);
  CHECK(c[0] == exact(1.34164078649987381));
  CHECK(c[1] == exact(0.447213595499957939));
  CHECK(c[2] == exact(0.447213595499957939));
  CHECK(c[3] == 0.0);
  const auto flat = convergence({0.1, 0.1, 0.1});
  CHECK(flat == std::vector<double>{0, 0, 0});
  CHECK(convergence({}).empty());
}

TEST_CASE("probability cuts count sources above the cut and their precision") {
  Matrix p(5, 3);
  p << 0.998, 0.001, 0.001,     // true 0, correct, > 0.997
      0.0005, 0.9995, 0.0,      // true 2, wrong,   > 0.997
      0.5, 0.5, 0.0,            // true 0, below
      0.99995, 0.00005, 0.0,    // true 0, correct, > 0.9999
      0.0, 0.003, 0.997;        // true 2, exactly 0.997: not above
  const Labels truth = {0, 2, 0, 0, 2};
  const CutSummary a = probability_cut(truth, p, 0.997);
  CHECK(a.cut == 0.997);
  CHECK(a.count == 3);
  CHECK(a.precision == exact(2.0 / 3));
  const CutSummary b = probability_cut(truth, p, 0.9999);
  CHECK(b.count == 1);
  CHECK(b.precision == 1.0);
  const CutSummary c = probability_cut(truth, p, 0.99999);
  CHECK(c.count == 0);
  CHECK(std::isnan(c.precision));
}

TEST_CASE("random 8-class examples agree with scikit-learn") {
  const char* python = "/usr/bin/python3";
  if (!std::filesystem::exists(python) ||
      std::system("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1") != 0) {
    MESSAGE("SKIP: /usr/bin/python3 with sklearn not available");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mwclass_metrics_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto data = dir / "data.txt", script = dir / "check.py", result = dir / "result.txt";

  constexpr int k = 8;
  struct Case {
    Labels truth, pred;
    std::vector<char> mask;
    Matrix prob;
  };
  std::vector<Case> cases;
  std::mt19937 rng(20221104);
  std::uniform_real_distribution<double> unif(0, 1);
  for (int variant = 0; variant < 3; ++variant) {
    // 0: all classes; 1: class 7 never true but sometimes predicted; 2: with a mask
    const int n = 400;
    const int n_true = variant == 1 ? 7 : 8;
    Case cs;
    cs.truth.resize(n);
    cs.pred.resize(n);
    cs.mask.resize(n);
    cs.prob.resize(n, k);
    for (int i = 0; i < n; ++i) {
      const int t = i < n_true ? i : static_cast<int>(rng() % n_true);  // every class occurs
      cs.truth[i] = t;
      cs.pred[i] = unif(rng) < 0.55 ? t : static_cast<int>(rng() % k);
      cs.mask[i] = variant == 2 ? (unif(rng) < 0.6) : 1;
      for (int c = 0; c < k; ++c)  // 2 decimals: many ties
        cs.prob(i, c) = std::round(100 * (unif(rng) + (c == t ? 0.5 : 0.0))) / 100;
    }
    cases.push_back(std::move(cs));
  }
  {
    std::ofstream out(data);
    out.precision(17);
    out << cases.size() << '\n';
    for (const Case& cs : cases) {
      out << cs.truth.size() << '\n';
      for (std::size_t i = 0; i < cs.truth.size(); ++i) {
        out << cs.truth[i] << ' ' << cs.pred[i] << ' ' << int(cs.mask[i]);
        for (int c = 0; c < k; ++c) out << ' ' << cs.prob(static_cast<Eigen::Index>(i), c);
        out << '\n';
      }
    }
    std::ofstream py(script);
    py << R"(import sys, warnings
import numpy as np
from sklearn import metrics as m
warnings.filterwarnings("ignore")
lines = open(sys.argv[1]).read().split("\n")
pos = 1
out = open(sys.argv[2], "w")
for _ in range(int(lines[0])):
    n = int(lines[pos]); pos += 1
    rows = np.array([[float(x) for x in lines[pos + i].split()] for i in range(n)]); pos += n
    rows = rows[rows[:, 2] != 0]
    t = rows[:, 0].astype(int); p = rows[:, 1].astype(int); P = rows[:, 3:]
    aucs = [m.roc_auc_score(t == c, P[:, c]) for c in range(P.shape[1]) if 0 < (t == c).sum() < len(t)]
    vals = [len(t), m.accuracy_score(t, p), m.balanced_accuracy_score(t, p),
            m.f1_score(t, p, average="macro", zero_division=0), m.matthews_corrcoef(t, p), np.mean(aucs)]
    pr, rc, f1, sup = m.precision_recall_fscore_support(t, p, labels=range(8), zero_division=0)
    vals += list(pr) + list(rc) + list(f1) + list(sup)
    out.write(" ".join(repr(float(v)) for v in vals) + "\n")
)";
  }
  const std::string cmd = std::string(python) + " " + script.string() + " " + data.string() + " " +
                          result.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(result);
  for (std::size_t v = 0; v < cases.size(); ++v) {
    CAPTURE(v);
    const Case& cs = cases[v];
    std::vector<double> ref(6 + 4 * k);
    for (double& x : ref) REQUIRE(static_cast<bool>(in >> x));
    Scores s = scores(confusion(cs.truth, cs.pred, k, &cs.mask));
    s.macro_auc = macro_ovr_auc(cs.truth, cs.prob, &cs.mask);
    CHECK(s.n == ref[0]);
    CHECK(s.accuracy == exact(ref[1]));
    CHECK(s.balanced_accuracy == exact(ref[2]));
    CHECK(s.macro_f1 == exact(ref[3]));
    CHECK(s.mcc == exact(ref[4]));
    CHECK(s.macro_auc == exact(ref[5]));
    for (int c = 0; c < k; ++c) {
      CAPTURE(c);
      CHECK(s.per_class[c].precision == exact(ref[6 + c]));
      CHECK(s.per_class[c].recall == exact(ref[6 + k + c]));
      CHECK(s.per_class[c].f1 == exact(ref[6 + 2 * k + c]));
      CHECK(s.per_class[c].support == ref[6 + 3 * k + c]);
    }
  }
  std::filesystem::remove_all(dir);
}
