// Engine paths of the random forest (issue 5): bootstrap-weighted exhaustive
// splits with ties and -100 flags, wide (uint32) codes when a feature has more
// than 65,536 distinct values, unpacked keys for more than 256 classes, and
// thread-count determinism on data shaped like the MUWCLASS training set; the
// histogram path on byte codes and the binned mode (max_bins).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/learners/random_forest.hpp"

using mwclass::Labels;
using mwclass::Matrix;
using mwclass::learners::ForestParams;
using mwclass::learners::RandomForest;
using mwclass::learners::Tree;
using mwclass::learners::TreeNode;

namespace {

// Bootstrap counts of tree t, drawn as the documented stream does.
std::vector<double> bootstrap_weights(std::uint64_t key, int t, std::size_t n) {
  mwclass::rng::Stream stream(mwclass::rng::derive_key({key, static_cast<std::uint64_t>(t)}));
  std::vector<double> w(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) w[stream.below(n)] += 1.0;
  return w;
}

// Checks that every split of `tree` is a best weighted-Gini split over all
// features and boundaries between distinct values (O(m log m) per feature),
// with the midpoint threshold. Returns the number of internal nodes checked.
int check_exhaustive(const Matrix& X, const Labels& y, int classes, const Tree& tree,
                     const std::vector<double>& w) {
  const auto n = static_cast<int>(X.rows());
  const auto p = static_cast<int>(X.cols());
  std::vector<std::vector<int>> node_rows(tree.nodes.size());
  for (int i = 0; i < n; ++i) {
    if (w[static_cast<std::size_t>(i)] == 0.0) continue;
    int node = 0;
    while (true) {
      node_rows[static_cast<std::size_t>(node)].push_back(i);
      const TreeNode& nd = tree.nodes[static_cast<std::size_t>(node)];
      if (nd.feature < 0) break;
      node = X(i, nd.feature) <= nd.threshold ? nd.left : nd.right;
    }
  }
  auto impurity = [&](const std::vector<double>& counts) {  // W * gini
    double total = 0.0, sq = 0.0;
    for (double c : counts) {
      total += c;
      sq += c * c;
    }
    return total > 0.0 ? total - sq / total : 0.0;
  };
  int checked = 0;
  for (std::size_t id = 0; id < tree.nodes.size(); ++id) {
    const TreeNode& nd = tree.nodes[id];
    const auto& rows = node_rows[id];
    if (nd.feature < 0) continue;
    std::vector<double> all(static_cast<std::size_t>(classes), 0.0);
    for (int r : rows) all[static_cast<std::size_t>(y[static_cast<std::size_t>(r)])] += w[static_cast<std::size_t>(r)];
    const double parent = impurity(all);
    double best = -1.0;
    for (int f = 0; f < p; ++f) {
      std::vector<int> sorted = rows;
      std::sort(sorted.begin(), sorted.end(), [&](int a, int b) { return X(a, f) < X(b, f); });
      std::vector<double> left(static_cast<std::size_t>(classes), 0.0), right = all;
      for (std::size_t k = 0; k + 1 < sorted.size(); ++k) {
        const auto r = static_cast<std::size_t>(sorted[k]);
        left[static_cast<std::size_t>(y[r])] += w[r];
        right[static_cast<std::size_t>(y[r])] -= w[r];
        if (X(sorted[k], f) == X(sorted[k + 1], f)) continue;
        best = std::max(best, parent - impurity(left) - impurity(right));
      }
    }
    std::vector<double> left(static_cast<std::size_t>(classes), 0.0), right(left);
    double left_max = -1e300, right_min = 1e300;
    for (int r : rows) {
      const double v = X(r, nd.feature);
      const auto k = static_cast<std::size_t>(y[static_cast<std::size_t>(r)]);
      if (v <= nd.threshold) {
        left[k] += w[static_cast<std::size_t>(r)];
        left_max = std::max(left_max, v);
      } else {
        right[k] += w[static_cast<std::size_t>(r)];
        right_min = std::min(right_min, v);
      }
    }
    REQUIRE(left_max > -1e300);
    REQUIRE(right_min < 1e300);
    double midpoint = left_max / 2.0 + right_min / 2.0;
    if (midpoint == right_min || std::isinf(midpoint)) midpoint = left_max;
    CHECK(nd.threshold == midpoint);
    CHECK(parent - impurity(left) - impurity(right) >= best - 1e-9 * (1.0 + best));
    ++checked;
  }
  return checked;
}

// Rows like the MUWCLASS matrix: continuous, coarse (many ties) and
// mostly-flagged (-100) features, classes from a noisy rule.
void muwclass_like(std::uint64_t key, int n, int p, int classes, Matrix& X, Labels& y) {
  mwclass::rng::Stream s(key);
  X.resize(n, p);
  y.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (int f = 0; f < p; ++f) {
      double v = s.normal();
      if (f % 3 == 1) v = std::round(v * 2.0) / 2.0;    // ties
      if (f % 3 == 2 && s.uniform() < 0.6) v = -100.0;  // missing flag
      X(i, f) = v;
    }
    const double score = X(i, 0) + 0.5 * X(i, 1) + (X(i, 2) == -100.0 ? 1.0 : 0.0);
    const int signal = std::clamp(static_cast<int>(std::floor(score + classes / 2.0)), 0, classes - 1);
    y[static_cast<std::size_t>(i)] = s.uniform() < 0.2 ? static_cast<int>(s.below(static_cast<std::uint64_t>(classes))) : signal;
  }
}

bool bit_identical(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

}  // namespace

TEST_CASE("forest engine: bootstrap-weighted splits are exhaustive best (ties, -100 flags)") {
  Matrix X;
  Labels y;
  muwclass_like(5, 2500, 6, 5, X, y);
  ForestParams params;
  params.n_trees = 3;
  params.max_features = 6;  // every feature: the split must be the global best
  RandomForest forest(params);
  const std::uint64_t key = 1234;
  forest.fit(X, y, 5, key);
  int checked = 0;
  for (int t = 0; t < params.n_trees; ++t) {
    const auto w = bootstrap_weights(key, t, static_cast<std::size_t>(X.rows()));
    checked += check_exhaustive(X, y, 5, forest.trees()[static_cast<std::size_t>(t)], w);
  }
  CHECK(checked > 300);
}

TEST_CASE("forest engine: min_samples_leaf holds on the histogram and sort paths") {
  // Without bootstrap every training row is in every tree: each leaf must
  // receive at least min_samples_leaf of them. Coarse values (compact
  // histogram layout) and continuous ones (sort path below 11,000 rows).
  for (double scale : {4.0, 0.0}) {
    CAPTURE(scale);
    Matrix X;
    Labels y;
    muwclass_like(23, 1500, 5, 6, X, y);
    if (scale > 0.0)
      for (Eigen::Index i = 0; i < X.rows(); ++i)
        for (Eigen::Index f = 0; f < X.cols(); ++f)
          if (X(i, f) != -100.0) X(i, f) = std::round(X(i, f) * scale) / scale;
    for (int min_leaf : {1, 5, 40}) {
      CAPTURE(min_leaf);
      ForestParams params;
      params.n_trees = 3;
      params.bootstrap = false;
      params.min_samples_leaf = min_leaf;
      RandomForest forest(params);
      forest.fit(X, y, 6, 5);
      const auto leaves = forest.leaves(X);
      for (std::size_t t = 0; t < forest.trees().size(); ++t) {
        std::vector<int> rows(forest.trees()[t].nodes.size(), 0);
        for (Eigen::Index i = 0; i < X.rows(); ++i)
          ++rows[static_cast<std::size_t>(leaves[static_cast<std::size_t>(i) * forest.trees().size() + t])];
        int smallest = 1 << 30, n_leaves = 0;
        for (std::size_t id = 0; id < rows.size(); ++id)
          if (forest.trees()[t].nodes[id].feature < 0) {
            smallest = std::min(smallest, rows[id]);
            ++n_leaves;
          }
        CHECK(smallest >= min_leaf);
        CHECK(n_leaves > 1500 / (4 * min_leaf + 40));  // the trees did grow
        if (min_leaf == 1) CHECK(smallest == 1);
      }
    }
  }
}

TEST_CASE("forest engine: more than 65536 distinct values (wide codes)") {
  // 70,000 distinct values in feature 0, a coarse feature 1; depth-limited
  // single tree without bootstrap, so the weights are all 1.
  mwclass::rng::Stream s(9);
  const int n = 70000;
  Matrix X(n, 2);
  Labels y(n);
  for (int i = 0; i < n; ++i) {
    X(i, 0) = s.uniform() + 1e-9 * i;  // distinct
    X(i, 1) = std::round(s.normal() * 3.0);
    y[static_cast<std::size_t>(i)] = (X(i, 0) > 0.37 ? 1 : 0) + (X(i, 1) > 1 ? 2 : 0);
    if (s.uniform() < 0.1) y[static_cast<std::size_t>(i)] = static_cast<int>(s.below(4));
  }
  ForestParams params;
  params.n_trees = 1;
  params.bootstrap = false;
  params.max_features = 2;
  params.max_depth = 4;
  RandomForest forest(params);
  forest.fit(X, y, 4, 3);
  const std::vector<double> w(static_cast<std::size_t>(n), 1.0);
  CHECK(check_exhaustive(X, y, 4, forest.trees()[0], w) >= 7);
}

TEST_CASE("forest engine: more than 256 classes (unpacked keys)") {
  Matrix X;
  Labels y;
  muwclass_like(6, 1500, 4, 300, X, y);
  ForestParams params;
  params.n_trees = 2;
  params.max_features = 4;
  RandomForest forest(params);
  forest.fit(X, y, 300, 77);
  int checked = 0;
  for (int t = 0; t < params.n_trees; ++t) {
    const auto w = bootstrap_weights(77, t, static_cast<std::size_t>(X.rows()));
    checked += check_exhaustive(X, y, 300, forest.trees()[static_cast<std::size_t>(t)], w);
  }
  CHECK(checked > 50);
  // Fully grown without bootstrap: the training labels are reproduced
  // wherever two rows are not identical in every feature.
  ForestParams exact;
  exact.n_trees = 1;
  exact.bootstrap = false;
  RandomForest tree(exact);
  tree.fit(X, y, 300, 1);
  const Matrix proba = tree.predict_proba(X);
  int reproduced = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) reproduced += proba(i, y[static_cast<std::size_t>(i)]) == 1.0;
  CHECK(reproduced > 1400);
}

TEST_CASE("forest engine: bit-identical for 1, 2 and 3 threads on MUWCLASS-like data") {
  Matrix X, X_test;
  Labels y, y_test;
  muwclass_like(11, 3000, 29, 8, X, y);
  muwclass_like(12, 500, 29, 8, X_test, y_test);
  ForestParams params;
  params.n_trees = 12;
  RandomForest a(params), b(params), c(params);
  a.fit(X, y, 8, 5, 1);
  b.fit(X, y, 8, 5, 2);
  c.fit(X, y, 8, 5, 3);
  const Matrix pa = a.predict_proba(X_test, 1);
  CHECK(bit_identical(pa, b.predict_proba(X_test, 2)));
  CHECK(bit_identical(pa, c.predict_proba(X_test, 3)));
  CHECK(a.feature_importances() == c.feature_importances());
  for (std::size_t t = 0; t < a.trees().size(); ++t) {
    CHECK(a.trees()[t].nodes.size() == c.trees()[t].nodes.size());
    CHECK(a.trees()[t].importances == c.trees()[t].importances);
  }
}

TEST_CASE("forest engine: histogram path on byte codes gives the exhaustive best splits") {
  // Every feature with at most 256 distinct values: codes are bytes and every
  // node of >= 4 rows takes the histogram path. ~150 values and 6 classes,
  // or ~40 values (<= 64 codes) with 12 classes: the general layout; ~40
  // values with 6 or 8 classes: the compact one, whose nodes of >= 256 rows
  // read the codes present off the filled histogram.
  struct Case {
    double scale;
    int classes;
  };
  for (const Case c : {Case{20.0, 6}, Case{4.0, 12}, Case{4.0, 6}, Case{4.0, 8}}) {
    CAPTURE(c.scale);
    CAPTURE(c.classes);
    Matrix X;
    Labels y;
    muwclass_like(21, 2000, 5, c.classes, X, y);
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      for (Eigen::Index f = 0; f < X.cols(); ++f)
        if (X(i, f) != -100.0) X(i, f) = std::round(X(i, f) * c.scale) / c.scale;
    ForestParams params;
    params.n_trees = 3;
    params.max_features = 5;
    RandomForest forest(params);
    forest.fit(X, y, c.classes, 99);
    int checked = 0;
    for (int t = 0; t < params.n_trees; ++t) {
      const auto w = bootstrap_weights(99, t, static_cast<std::size_t>(X.rows()));
      checked += check_exhaustive(X, y, c.classes, forest.trees()[static_cast<std::size_t>(t)], w);
    }
    CHECK(checked > 300);
  }
}

namespace {

// Feature 0: 100 rows at the -100 flag, 900 distinct values; features 1-3 at
// most 9 distinct values each (never grouped with max_bins = 10). With
// max_bins = 10 the documented grouping is {-100} and nine groups of exactly
// 100 consecutive values. `group` receives each row's group of feature 0.
void grouped_data(Matrix& X, Labels& y, std::vector<int>& group) {
  const int n = 1000;
  mwclass::rng::Stream s(31);
  X.resize(n, 4);
  y.resize(n);
  group.resize(n);
  std::vector<int> order(900);
  for (int i = 0; i < 900; ++i) order[static_cast<std::size_t>(i)] = i;
  for (int i = 899; i > 0; --i) std::swap(order[static_cast<std::size_t>(i)], order[s.below(static_cast<std::uint64_t>(i) + 1)]);
  for (int i = 0; i < n; ++i) {
    const bool flagged = i < 100;
    const int rank = flagged ? -1 : order[static_cast<std::size_t>(i - 100)];
    X(i, 0) = flagged ? -100.0 : 0.01 * rank + 0.003 * std::sin(rank);  // distinct, ascending in rank
    group[static_cast<std::size_t>(i)] = flagged ? 0 : 1 + rank / 100;
    for (int f = 1; f < 4; ++f) X(i, f) = static_cast<double>(s.below(9));
    const double score = (flagged ? 3.0 : 0.005 * rank) + 0.3 * X(i, 1);
    y[static_cast<std::size_t>(i)] = s.uniform() < 0.15 ? static_cast<int>(s.below(4))
                                                        : std::clamp(static_cast<int>(score), 0, 3);
  }
}

}  // namespace

TEST_CASE("forest engine: binned mode is the exact forest on the value groups") {
  Matrix X;
  Labels y;
  std::vector<int> group;
  grouped_data(X, y, group);
  Matrix X_groups = X;  // feature 0 replaced by its group index
  for (Eigen::Index i = 0; i < X.rows(); ++i) X_groups(i, 0) = group[static_cast<std::size_t>(i)];
  // Largest and smallest feature-0 value of each group, for the thresholds.
  std::vector<double> g_max(10, -1e300), g_min(10, 1e300);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const auto g = static_cast<std::size_t>(group[static_cast<std::size_t>(i)]);
    g_max[g] = std::max(g_max[g], X(i, 0));
    g_min[g] = std::min(g_min[g], X(i, 0));
  }

  ForestParams binned;
  binned.n_trees = 6;
  binned.max_features = 2;
  binned.max_bins = 10;
  ForestParams exact = binned;
  exact.max_bins = 0;
  RandomForest a(binned), b(exact);
  a.fit(X, y, 4, 17);
  b.fit(X_groups, y, 4, 17);
  int on_feature_0 = 0;
  for (std::size_t t = 0; t < a.trees().size(); ++t) {
    const Tree& ta = a.trees()[t];
    const Tree& tb = b.trees()[t];
    REQUIRE(ta.nodes.size() == tb.nodes.size());
    CHECK(ta.leaf_values == tb.leaf_values);
    for (std::size_t id = 0; id < ta.nodes.size(); ++id) {
      const TreeNode& na = ta.nodes[id];
      const TreeNode& nb = tb.nodes[id];
      REQUIRE(na.feature == nb.feature);
      CHECK(na.left == nb.left);
      CHECK(na.right == nb.right);
      if (na.feature == 0) {
        // b splits between the node's neighbouring groups lo < hi at
        // (lo + hi) / 2; a at the midpoint of lo's largest and hi's smallest value.
        bool matched = false;
        for (std::size_t lo = 0; lo < 10; ++lo)
          for (std::size_t hi = lo + 1; hi < 10; ++hi)
            matched = matched || (nb.threshold == (lo + hi) / 2.0 &&
                                  na.threshold == g_max[lo] / 2.0 + g_min[hi] / 2.0);
        CHECK(matched);
        ++on_feature_0;
      } else if (na.feature > 0) {
        CHECK(na.threshold == nb.threshold);
      }
    }
  }
  CHECK(on_feature_0 > 10);
}

TEST_CASE("forest engine: binned mode keeps the -100 flag alone and is exact when groups are values") {
  Matrix X;
  Labels y;
  std::vector<int> group;
  grouped_data(X, y, group);
  // max_bins = 2: feature 0 has one boundary, the flag against everything else.
  ForestParams two;
  two.n_trees = 8;
  two.max_features = 4;
  two.max_bins = 2;
  RandomForest forest(two);
  forest.fit(X, y, 4, 3);
  double lowest_value = 1e300;
  for (Eigen::Index i = 100; i < X.rows(); ++i) lowest_value = std::min(lowest_value, X(i, 0));
  int splits = 0;
  for (const Tree& tree : forest.trees())
    for (const TreeNode& node : tree.nodes)
      if (node.feature == 0) {
        CHECK(node.threshold == -100.0 / 2.0 + lowest_value / 2.0);
        ++splits;
      }
  CHECK(splits > 0);

  // max_bins at least the number of distinct values: the exact forest, bit for bit.
  ForestParams exact;
  exact.n_trees = 8;
  ForestParams wide = exact;
  wide.max_bins = 901;
  RandomForest e(exact), w(wide);
  e.fit(X, y, 4, 5);
  w.fit(X, y, 4, 5);
  CHECK(bit_identical(e.predict_proba(X), w.predict_proba(X)));
  CHECK(e.feature_importances() == w.feature_importances());
}

TEST_CASE("forest engine: binned mode is bit-identical for 1 and 3 threads; max_bins is checked") {
  Matrix X, X_test;
  Labels y, y_test;
  muwclass_like(13, 3000, 29, 8, X, y);
  muwclass_like(14, 400, 29, 8, X_test, y_test);
  ForestParams params;
  params.n_trees = 9;
  params.max_bins = 64;
  RandomForest a(params), b(params);
  a.fit(X, y, 8, 8, 1);
  b.fit(X, y, 8, 8, 3);
  CHECK(bit_identical(a.predict_proba(X_test, 1), b.predict_proba(X_test, 3)));
  CHECK(a.feature_importances() == b.feature_importances());

  ForestParams bad;
  bad.max_bins = 1;
  CHECK_THROWS_AS(RandomForest{bad}, mwclass::Error);
  bad.max_bins = -3;
  CHECK_THROWS_AS(RandomForest{bad}, mwclass::Error);
  bad.max_bins = 70000;
  CHECK_THROWS_AS(RandomForest{bad}, mwclass::Error);
}

TEST_CASE("forest engine: members' leaves recorded while growing equal a traversal") {
  Matrix X;
  Labels y;
  muwclass_like(15, 1500, 10, 5, X, y);
  for (int max_bins : {0, 16}) {
    ForestParams params;
    params.n_trees = 7;
    params.max_bins = max_bins;
    RandomForest forest(params);
    forest.set_outlier_members(1000);  // rows 1000.. play the SMOTE rows
    forest.fit(X, y, 5, 41);
    const auto& members = forest.member_leaves();
    REQUIRE(members.n_rows == 1000);
    CHECK(members.leaf == forest.leaves(X.topRows(1000)));
    std::size_t out = 0;
    for (std::uint8_t flag : members.out_of_bag) out += flag;
    CHECK(out > 1000 * 7 / 4);  // ~37 % of rows are out of each bootstrap sample
    CHECK(out < 1000 * 7 / 2);
  }
}

// The leaf a plain root-to-leaf walk over Tree::nodes reaches.
int walk(const Tree& tree, const Matrix& X, Eigen::Index row) {
  int at = 0;
  while (tree.nodes[static_cast<std::size_t>(at)].feature >= 0) {
    const TreeNode& node = tree.nodes[static_cast<std::size_t>(at)];
    at = X(row, node.feature) <= node.threshold ? node.left : node.right;
  }
  return at;
}

TEST_CASE("forest engine: routing rows node by node reaches the leaves of a walk") {
  Matrix X, X_test;
  Labels y, y_test;
  muwclass_like(18, 1500, 10, 5, X, y);
  muwclass_like(19, 400, 10, 5, X_test, y_test);
  ForestParams params;
  params.n_trees = 6;
  RandomForest forest(params);
  forest.fit(X, y, 5, 12);
  // Rows on a threshold go left; put some there, and make one row a copy of another.
  for (Eigen::Index i = 0; i < 40; ++i) {
    const TreeNode& node = forest.trees()[static_cast<std::size_t>(i % 6)].nodes[static_cast<std::size_t>(i % 5)];
    if (node.feature >= 0) X_test(i, node.feature) = node.threshold;
  }
  X_test.row(41) = X_test.row(40);
  for (int threads : {1, 2}) {
    const auto leaves = forest.leaves(X_test, threads);
    std::size_t mismatches = 0, planted = 0;
    for (std::size_t t = 0; t < forest.trees().size(); ++t)
      for (Eigen::Index i = 0; i < X_test.rows(); ++i)
        mismatches += leaves[static_cast<std::size_t>(i) * forest.trees().size() + t] !=
                      walk(forest.trees()[t], X_test, i);
    for (Eigen::Index i = 0; i < 40; ++i) {
      const Tree& tree = forest.trees()[static_cast<std::size_t>(i % 6)];
      const TreeNode& node = tree.nodes[static_cast<std::size_t>(i % 5)];
      if (node.feature >= 0 && X_test(i, node.feature) == node.threshold) ++planted;
    }
    CHECK(mismatches == 0);
    CHECK(planted > 10);  // rows sitting on a threshold were tested
    // predict_proba sums the routed leaves' values in tree order.
    const Matrix proba = forest.predict_proba(X_test, threads);
    Matrix expected = Matrix::Zero(X_test.rows(), 5);
    for (const Tree& tree : forest.trees())
      for (Eigen::Index i = 0; i < X_test.rows(); ++i) {
        const int leaf = walk(tree, X_test, i);
        for (int k = 0; k < 5; ++k)
          expected(i, k) += tree.leaf_values[static_cast<std::size_t>(tree.nodes[static_cast<std::size_t>(leaf)].value_offset + k)];
      }
    expected /= static_cast<double>(forest.trees().size());
    CHECK(bit_identical(proba, expected));
  }
}

TEST_CASE("forest engine: predict gives predict_proba and outlier_scores from one traversal") {
  Matrix X, X_test;
  Labels y, y_test;
  muwclass_like(16, 1200, 12, 5, X, y);
  muwclass_like(17, 300, 12, 5, X_test, y_test);
  ForestParams params;
  params.n_trees = 10;
  RandomForest forest(params);
  forest.set_outlier_members(900);
  forest.fit(X, y, 5, 8);
  for (int threads : {1, 3}) {
    const auto both = forest.predict(X_test, threads);
    CHECK(bit_identical(both.proba, forest.predict_proba(X_test, 1)));
    const auto alone = forest.outlier_scores(X_test, 1);
    REQUIRE(both.outlier.size() == alone.size());
    for (std::size_t i = 0; i < alone.size(); ++i) {
      CHECK(both.outlier[i].score == alone[i].score);
      CHECK(both.outlier[i].percentile == alone[i].percentile);
    }
  }
}
