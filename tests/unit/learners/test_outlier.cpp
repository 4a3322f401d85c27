#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/gradient_boosting.hpp"
#include "mwclass/learners/outlier.hpp"
#include "mwclass/learners/random_forest.hpp"

using namespace mwclass;
using learners::LeafTable;

namespace {

// Four members, two trees. Class 0: m0, m1, m2; class 1: m3.
//   tree 0: m0 -> 1, m1 -> 1, m2 -> 2, m3 -> 2
//   tree 1: m0 -> 3, m1 -> 4, m2 -> 4, m3 -> 3
LeafTable members() { return {4, 2, {1, 3, 1, 4, 2, 4, 2, 3}, {}}; }
const Labels kMemberClass{0, 0, 0, 1};

// Sources: s0 (1, 4), s1 (2, 3), s2 (5, 5: shares no leaf), s3 (2, 3) as class 1.
LeafTable sources() { return {4, 2, {1, 4, 2, 3, 5, 5, 2, 3}, {}}; }
const std::vector<int> kBest{0, 0, 0, 1};

double score(double q) { return -std::log10(q); }

}  // namespace

TEST_CASE("proximity outlier measure by hand: every tree counts") {
  // Members left out (n_C - 1 = 2 others, 2 trees):
  //   m0: tree 0 shares with m1 (1), tree 1 with nobody (0): q = 1/4
  //   m1: 1 + 1 (m2 in tree 1): q = 2/4;  m2: 0 + 1: q = 1/4
  // s0: tree 0 leaf 1 holds m0, m1 (2), tree 1 leaf 4 holds m1, m2 (2):
  //   q = 4 / (2 * 3) -> below every member's score: percentile 1.
  // s1: 1 + 1: q = 2/6 = 1/3, between 1/4 and 1/2: percentile 2/3.
  // s2: q = 0, floored at 1 / (2 * 2 * 3): percentile 0.
  // s3 (class 1): m3 shares both leaves, q = 1; a class of one member has no
  //   left-out reference: percentile 0.
  const auto o = learners::proximity_outlier_scores(members(), kMemberClass, sources(), kBest, 2);
  REQUIRE(o.size() == 4);
  CHECK(o[0].best_class == 0);
  CHECK(o[0].score == doctest::Approx(score(4.0 / 6.0)));
  CHECK(o[0].percentile == 1.0);
  CHECK(o[1].score == doctest::Approx(score(1.0 / 3.0)));
  CHECK(o[1].percentile == doctest::Approx(2.0 / 3.0));
  CHECK(o[2].score == doctest::Approx(score(1.0 / 12.0)));
  CHECK(o[2].percentile == 0.0);
  CHECK(o[3].best_class == 1);
  CHECK(o[3].score == doctest::Approx(0.0));
  CHECK(o[3].percentile == 0.0);
}

TEST_CASE("proximity outlier measure by hand: members scored on their out-of-bag trees") {
  // m2 was in tree 0's sample: only tree 1 counts for it, q = 1 / (1 * 2).
  // Reference scores: m0 1/4, m1 1/2, m2 1/2 -> s1 (q = 1/3) has 1 of 3 at
  // least as unusual.
  LeafTable m = members();
  m.out_of_bag = {1, 1, 1, 1, 0, 1, 1, 1};
  const auto o = learners::proximity_outlier_scores(m, kMemberClass, sources(), kBest, 2);
  CHECK(o[1].percentile == doctest::Approx(1.0 / 3.0));
  CHECK(o[0].percentile == 1.0);
  // In the sample of every tree: no reference left for m2; m0, m1 remain.
  m.out_of_bag = {1, 1, 1, 1, 0, 0, 1, 1};
  const auto p = learners::proximity_outlier_scores(m, kMemberClass, sources(), kBest, 2);
  CHECK(p[1].percentile == doctest::Approx(1.0 / 2.0));
}

TEST_CASE("proximity outlier measure: inconsistent tables are refused") {
  LeafTable bad = members();
  bad.leaf.pop_back();
  CHECK_THROWS_AS(learners::proximity_outlier_scores(bad, kMemberClass, sources(), kBest, 2), Error);
  CHECK_THROWS_AS(learners::proximity_outlier_scores(members(), kMemberClass, sources(), {0, 0, 0, 2}, 2),
                  Error);
  LeafTable one_tree{4, 1, {1, 1, 2, 2}, {}};
  CHECK_THROWS_AS(learners::proximity_outlier_scores(one_tree, kMemberClass, sources(), kBest, 2), Error);
}

TEST_CASE("tree models: outlier members are the first rows; a far source is unusual") {
  // Two classes in two blobs; rows after the first 200 are far copies of
  // class 0 (as SMOTE rows would be) and must not count as members.
  Matrix X(240, 2);
  Labels y(240);
  for (int i = 0; i < 200; ++i) {
    const int c = i % 2;
    X(i, 0) = c * 10.0 + std::sin(i * 1.3);
    X(i, 1) = c * 10.0 + std::cos(i * 0.7);
    y[static_cast<std::size_t>(i)] = c;
  }
  for (int i = 200; i < 240; ++i) {
    X(i, 0) = -40.0 + std::sin(i * 1.3);
    X(i, 1) = 40.0 + std::cos(i * 0.7);
    y[static_cast<std::size_t>(i)] = 0;
  }
  Matrix S(2, 2);
  S << 0.1, 0.2,     // inside class 0's blob
      -40.0, 40.0;   // where only the non-member rows are
  learners::RandomForest rf;
  learners::GradientBoosting gbdt;
  for (learners::Classifier* model : {static_cast<learners::Classifier*>(&rf),
                                      static_cast<learners::Classifier*>(&gbdt)}) {
    model->set_outlier_members(200);
    model->fit(X, y, 2, 99, 1);
    const auto o = model->outlier_scores(S, 1);
    REQUIRE(o.size() == 2);
    CHECK(o[0].best_class == 0);
    CHECK(o[1].best_class == 0);
    CHECK(o[0].percentile > 0.2);
    CHECK(o[1].percentile < 0.01);
    // The best class is predict_proba's most probable class, row by row.
    Matrix grid(60, 2);
    for (int i = 0; i < 60; ++i) {
      grid(i, 0) = -45.0 + 1.0 * i;
      grid(i, 1) = 45.0 - 0.8 * i;
    }
    const Matrix proba = model->predict_proba(grid, 1);
    const auto g = model->outlier_scores(grid, 1);
    for (Eigen::Index i = 0; i < grid.rows(); ++i) {
      int best = -1;
      proba.row(i).maxCoeff(&best);
      CHECK(g[static_cast<std::size_t>(i)].best_class == best);
    }
  }
}
