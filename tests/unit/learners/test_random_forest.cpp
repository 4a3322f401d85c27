#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
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

Matrix column(const std::vector<double>& values) {
  Matrix X(static_cast<Eigen::Index>(values.size()), 1);
  for (std::size_t i = 0; i < values.size(); ++i) X(static_cast<Eigen::Index>(i), 0) = values[i];
  return X;
}

ForestParams single_tree(int max_features = 0) {
  ForestParams params;
  params.n_trees = 1;
  params.bootstrap = false;
  params.max_features = max_features;
  return params;
}

const double* leaf_value(const Tree& tree, int node) {
  const TreeNode& n = tree.nodes.at(static_cast<std::size_t>(node));
  REQUIRE(n.feature == -1);
  REQUIRE(n.value_offset >= 0);
  return tree.leaf_values.data() + n.value_offset;
}

bool bit_identical(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (std::memcmp(a.data() + i, b.data() + i, sizeof(double)) != 0) return false;
  return true;
}

// Two Gaussian blobs in 2-D: class 0 around (0, 0), class 1 around (3, 3).
void blobs(std::uint64_t key, int n, Matrix& X, Labels& y) {
  mwclass::rng::Stream stream(key);
  X.resize(n, 2);
  y.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;
    y[static_cast<std::size_t>(i)] = label;
    X(i, 0) = 3.0 * label + stream.normal();
    X(i, 1) = 3.0 * label + stream.normal();
  }
}

int argmax(const Matrix& proba, Eigen::Index row) {
  Eigen::Index best = 0;
  proba.row(row).maxCoeff(&best);
  return static_cast<int>(best);
}

}  // namespace

TEST_CASE("random forest: one obvious split on one feature") {
  const Matrix X = column({1, 2, 3, 10, 11, 12});
  const Labels y = {0, 0, 0, 1, 1, 1};
  RandomForest forest(single_tree());
  forest.fit(X, y, 2, 7);
  REQUIRE(forest.trees().size() == 1);
  const Tree& tree = forest.trees()[0];
  REQUIRE(tree.nodes.size() == 3);
  CHECK(tree.depth == 1);
  CHECK(tree.nodes[0].feature == 0);
  CHECK(tree.nodes[0].threshold == 6.5);
  const double* left = leaf_value(tree, tree.nodes[0].left);
  const double* right = leaf_value(tree, tree.nodes[0].right);
  CHECK(left[0] == 1.0);
  CHECK(left[1] == 0.0);
  CHECK(right[0] == 0.0);
  CHECK(right[1] == 1.0);

  // Importance: weighted impurity decrease 6 * 0.5 - 0 - 0.
  CHECK(tree.importances == std::vector<double>{3.0});
  CHECK(forest.feature_importances() == std::vector<double>{1.0});

  // x <= threshold goes left.
  const Matrix proba = forest.predict_proba(column({6.5, std::nextafter(6.5, 7.0), -100, 100}));
  CHECK(proba(0, 0) == 1.0);
  CHECK(proba(1, 1) == 1.0);
  CHECK(proba(2, 0) == 1.0);
  CHECK(proba(3, 1) == 1.0);
}

TEST_CASE("random forest: duplicate values split only between distinct values") {
  SUBCASE("duplicates of one class") {
    RandomForest forest(single_tree());
    forest.fit(column({5, 7, 5, 9, 7, 5}), {0, 1, 0, 1, 1, 0}, 2, 1);
    const Tree& tree = forest.trees()[0];
    REQUIRE(tree.nodes.size() == 3);
    CHECK(tree.nodes[0].threshold == 6.0);
  }
  SUBCASE("mixed classes on equal values: zero-gain split is still made, as in sklearn") {
    RandomForest forest(single_tree());
    forest.fit(column({1, 1, 2, 2}), {0, 1, 0, 1}, 2, 1);
    const Tree& tree = forest.trees()[0];
    REQUIRE(tree.nodes.size() == 3);
    CHECK(tree.nodes[0].threshold == 1.5);
    for (int child : {tree.nodes[0].left, tree.nodes[0].right}) {
      const double* value = leaf_value(tree, child);
      CHECK(value[0] == 0.5);
      CHECK(value[1] == 0.5);
    }
    CHECK(forest.feature_importances()[0] == 0.0);
  }
  SUBCASE("equal-quality splits: the first one found is kept") {
    // Splits after 1 and after 3 both give proxy 1 + 5/3; the one at 1.5 comes first.
    RandomForest forest(single_tree());
    forest.fit(column({4, 1, 3, 2}), {0, 0, 1, 1}, 2, 1);
    CHECK(forest.trees()[0].nodes[0].threshold == 1.5);
  }
  SUBCASE("midpoint rounding to the upper value uses the lower value") {
    const double a = 1.0 + std::ldexp(1.0, -52);
    const double b = 1.0 + std::ldexp(1.0, -51);
    REQUIRE(a / 2.0 + b / 2.0 == b);
    RandomForest forest(single_tree());
    forest.fit(column({a, b}), {0, 1}, 2, 1);
    const Tree& tree = forest.trees()[0];
    REQUIRE(tree.nodes.size() == 3);
    CHECK(tree.nodes[0].threshold == a);
    const Matrix proba = forest.predict_proba(column({a, b}));
    CHECK(proba(0, 0) == 1.0);
    CHECK(proba(1, 1) == 1.0);
  }
}

TEST_CASE("random forest: constant features are never split on") {
  // Feature 0 and 2 constant, feature 1 informative; max_features = 1 must
  // keep drawing after a constant feature.
  Matrix X(8, 3);
  Labels y(8);
  for (int i = 0; i < 8; ++i) {
    X(i, 0) = 4.0;
    X(i, 1) = i;
    X(i, 2) = -1.0;
    y[static_cast<std::size_t>(i)] = (i * 7) % 3;
  }
  ForestParams params;
  params.n_trees = 20;
  params.max_features = 1;
  RandomForest forest(params);
  forest.fit(X, y, 3, 11);
  for (const Tree& tree : forest.trees()) {
    CHECK(tree.nodes.size() > 1);
    for (const TreeNode& node : tree.nodes) CHECK((node.feature == -1 || node.feature == 1));
  }
  const auto importances = forest.feature_importances();
  CHECK(importances[0] == 0.0);
  CHECK(importances[1] == 1.0);
  CHECK(importances[2] == 0.0);
  // Without bootstrap the fully grown tree reproduces the training labels.
  RandomForest exact(single_tree(1));
  exact.fit(X, y, 3, 11);
  const Matrix proba = exact.predict_proba(X);
  for (int i = 0; i < 8; ++i) CHECK(proba(i, y[static_cast<std::size_t>(i)]) == 1.0);
}

TEST_CASE("random forest: all features constant gives one leaf with the class fractions") {
  Matrix X = Matrix::Constant(6, 2, 3.5);
  const Labels y = {0, 2, 2, 0, 2, 2};
  RandomForest forest(single_tree());
  forest.fit(X, y, 3, 5);
  const Tree& tree = forest.trees()[0];
  REQUIRE(tree.nodes.size() == 1);
  CHECK(tree.depth == 0);
  const double* value = leaf_value(tree, 0);
  CHECK(value[0] == doctest::Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(value[1] == 0.0);
  CHECK(value[2] == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
  const auto importances = forest.feature_importances();
  CHECK(importances == std::vector<double>{0.0, 0.0});
}

TEST_CASE("random forest: bootstrap counts weight the leaf fractions") {
  // All-constant X: each tree is a single leaf holding its bootstrap-weighted
  // class fractions. Recompute the bootstrap draw with the documented stream.
  const int n = 10;
  Matrix X = Matrix::Zero(n, 1);
  Labels y(n);
  for (int i = 0; i < n; ++i) y[static_cast<std::size_t>(i)] = i < 3 ? 1 : 0;
  ForestParams params;
  params.n_trees = 4;
  RandomForest forest(params);
  const std::uint64_t key = 99;
  forest.fit(X, y, 2, key);
  for (int t = 0; t < params.n_trees; ++t) {
    mwclass::rng::Stream stream(mwclass::rng::derive_key({key, static_cast<std::uint64_t>(t)}));
    double counts[2] = {0.0, 0.0};
    for (int i = 0; i < n; ++i) counts[y[stream.below(n)]] += 1.0;
    const Tree& tree = forest.trees()[static_cast<std::size_t>(t)];
    REQUIRE(tree.nodes.size() == 1);
    const double* value = leaf_value(tree, 0);
    CHECK(value[0] == counts[0] / n);
    CHECK(value[1] == counts[1] / n);
  }
}

TEST_CASE("random forest: a pure node is a leaf with probability 1") {
  Matrix X(5, 2);
  X << 1, 5, 2, 4, 3, 3, 4, 2, 5, 1;
  const Labels y(5, 1);
  for (bool bootstrap : {false, true}) {
    ForestParams params;
    params.n_trees = 3;
    params.bootstrap = bootstrap;
    RandomForest forest(params);
    forest.fit(X, y, 3, 2);
    for (const Tree& tree : forest.trees()) CHECK(tree.nodes.size() == 1);
    const Matrix proba = forest.predict_proba(X);
    for (int i = 0; i < 5; ++i) {
      CHECK(proba(i, 0) == 0.0);
      CHECK(proba(i, 1) == 1.0);
      CHECK(proba(i, 2) == 0.0);
    }
    CHECK(forest.feature_importances() == std::vector<double>{0.0, 0.0});
  }
}

TEST_CASE("random forest: best split chosen by hand-computed Gini over two features") {
  // Classes: rows 0-5 are class 0, rows 6-9 class 1 (root Gini 0.48).
  // f0 sorted classes: 0 0 0 0 1 0 1 0 1 1 -> best [4,0]|[2,4], child Gini 0.2667.
  // f1 sorted classes: 0 0 0 1 0 0 0 1 1 1 -> best [6,1]|[0,3], child Gini 0.1714.
  Matrix X(10, 2);
  const double f0[10] = {1, 2, 3, 4, 6, 8, 5, 7, 9, 10};
  const double f1[10] = {10, 20, 30, 50, 60, 70, 40, 80, 90, 100};
  Labels y(10);
  for (int i = 0; i < 10; ++i) {
    X(i, 0) = f0[i];
    X(i, 1) = f1[i];
    y[static_cast<std::size_t>(i)] = i < 6 ? 0 : 1;
  }
  for (std::uint64_t key : {1u, 2u, 3u, 4u}) {
    RandomForest forest(single_tree(2));
    forest.fit(X, y, 2, key);
    const Tree& tree = forest.trees()[0];
    const TreeNode& root = tree.nodes[0];
    CHECK(root.feature == 1);
    CHECK(root.threshold == 75.0);
    const double* right = leaf_value(tree, root.right);
    CHECK(right[0] == 0.0);
    CHECK(right[1] == 1.0);
    // Left child rows 0-6: f0 isolates row 6 with [4,0]|[2,1] (proxy 5.667)
    // which beats f1's best [3,0]|[3,1] (5.5).
    const TreeNode& left = tree.nodes.at(static_cast<std::size_t>(root.left));
    CHECK(left.feature == 0);
    CHECK(left.threshold == 4.5);
    // Root decrease 10*0.48 - 7*(12/49) = 3.0857...; the left subtree adds to
    // f1 only if its final split (a tie) picks f1.
    CHECK(tree.importances[1] >= 10 * 0.48 - 7 * 12.0 / 49 - 1e-12);
    CHECK(tree.importances[0] > 0.0);
    const Matrix proba = forest.predict_proba(X);
    for (int i = 0; i < 10; ++i) CHECK(proba(i, y[static_cast<std::size_t>(i)]) == 1.0);
  }
}

TEST_CASE("random forest: every split is the exhaustive best (all sort paths)") {
  // 3000 rows: a coarse feature (few distinct values), a medium one and a
  // continuous one, so nodes use counting sort, radix sort and std::sort.
  // A single unweighted tree trying all features must make, at every node,
  // a split whose Gini decrease equals the brute-force maximum.
  mwclass::rng::Stream stream(31);
  const int n = 3000, p = 3, classes = 4;
  Matrix X(n, p);
  Labels y(n);
  for (int i = 0; i < n; ++i) {
    X(i, 0) = std::round(stream.normal() * 3.0);
    X(i, 1) = std::round(stream.normal() * 100.0) / 100.0;
    X(i, 2) = stream.normal();
    const int signal = (X(i, 1) > 0.2 ? 1 : 0) + (X(i, 2) + 0.1 * X(i, 0) > 0 ? 2 : 0);
    y[static_cast<std::size_t>(i)] = stream.uniform() < 0.3 ? static_cast<int>(stream.below(4)) : signal;
  }
  RandomForest forest(single_tree(p));
  forest.fit(X, y, classes, 8);
  const Tree& tree = forest.trees()[0];

  // Rows reaching each node.
  std::vector<std::vector<int>> node_rows(tree.nodes.size());
  for (int i = 0; i < n; ++i) {
    int node = 0;
    while (true) {
      node_rows[static_cast<std::size_t>(node)].push_back(i);
      const TreeNode& nd = tree.nodes[static_cast<std::size_t>(node)];
      if (nd.feature < 0) break;
      node = X(i, nd.feature) <= nd.threshold ? nd.left : nd.right;
    }
  }
  auto weighted_gini = [&](const std::vector<int>& rows) {  // N * gini
    std::vector<double> counts(classes, 0.0);
    for (int r : rows) counts[static_cast<std::size_t>(y[static_cast<std::size_t>(r)])] += 1.0;
    const double total = static_cast<double>(rows.size());
    double sq = 0.0;
    for (double c : counts) sq += c * c;
    return total - sq / total;
  };
  int checked = 0;
  for (std::size_t id = 0; id < tree.nodes.size(); ++id) {
    const TreeNode& nd = tree.nodes[id];
    const auto& rows = node_rows[id];
    if (nd.feature < 0) continue;
    const double parent = weighted_gini(rows);
    double best = -1.0;
    for (int f = 0; f < p; ++f) {
      std::vector<int> sorted = rows;
      std::sort(sorted.begin(), sorted.end(), [&](int a, int b) { return X(a, f) < X(b, f); });
      for (std::size_t k = 1; k < sorted.size(); ++k) {
        if (X(sorted[k - 1], f) == X(sorted[k], f)) continue;
        const std::vector<int> left(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k));
        const std::vector<int> right(sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
        best = std::max(best, parent - weighted_gini(left) - weighted_gini(right));
      }
    }
    std::vector<int> left, right;
    double left_max = -1e300, right_min = 1e300;
    for (int r : rows) {
      const double v = X(r, nd.feature);
      if (v <= nd.threshold) {
        left.push_back(r);
        left_max = std::max(left_max, v);
      } else {
        right.push_back(r);
        right_min = std::min(right_min, v);
      }
    }
    REQUIRE(!left.empty());
    REQUIRE(!right.empty());
    CHECK(nd.threshold == left_max / 2.0 + right_min / 2.0);
    CHECK(parent - weighted_gini(left) - weighted_gini(right) >= best - 1e-9 * (1.0 + best));
    if (rows.size() >= 200) ++checked;
  }
  CHECK(checked > 5);
  CHECK(tree.nodes.size() > 100);
}

TEST_CASE("random forest: -0.0 and 0.0 are one value, also as the lowest value") {
  // Labels 0 for the zeros, 1 above: the only split is between 0 and 1 (at
  // 0.5); a split between -0.0 and 0.0 would isolate rows of equal value.
  for (bool zero_lowest : {true, false}) {
    CAPTURE(zero_lowest);
    std::vector<double> values = {-0.0, 0.0, 0.0, -0.0, 1.0, 2.0, 1.0};
    Labels y = {0, 0, 0, 0, 1, 1, 1};
    if (!zero_lowest) {
      values.push_back(-3.0);
      y.push_back(1);
    }
    for (int max_bins : {0, 3}) {  // exact, and the flag alone + two groups
      CAPTURE(max_bins);
      ForestParams params = single_tree();
      params.max_bins = max_bins;
      RandomForest forest(params);
      forest.fit(column(values), y, 2, 1);
      const Matrix proba = forest.predict_proba(column(values));
      for (std::size_t i = 0; i < values.size(); ++i)
        CHECK(proba(static_cast<Eigen::Index>(i), y[i]) == 1.0);  // -0.0 and 0.0 rows share leaves
      for (const auto& node : forest.trees()[0].nodes)
        if (node.feature >= 0) CHECK((node.threshold == 0.5 || node.threshold == -1.5));
    }
  }
}

TEST_CASE("random forest: min_samples_leaf and max_depth") {
  const Matrix X = column({1, 2, 3, 4, 5});
  const Labels y = {0, 1, 1, 1, 1};
  SUBCASE("min_samples_leaf = 2 forbids isolating the first row") {
    ForestParams params = single_tree();
    params.min_samples_leaf = 2;
    RandomForest forest(params);
    forest.fit(X, y, 2, 1);
    const Tree& tree = forest.trees()[0];
    CHECK(tree.nodes[0].threshold == 2.5);
    const double* left = leaf_value(tree, tree.nodes[0].left);
    CHECK(left[0] == 0.5);
  }
  SUBCASE("max_depth = 1 gives a stump") {
    ForestParams params = single_tree();
    params.max_depth = 1;
    RandomForest forest(params);
    forest.fit(column({1, 2, 3, 4, 5, 6}), {0, 1, 0, 1, 0, 1}, 2, 1);
    const Tree& tree = forest.trees()[0];
    CHECK(tree.nodes.size() == 3);
    CHECK(tree.depth == 1);
  }
  SUBCASE("min_samples_split = 3 stops at two rows") {
    ForestParams params = single_tree();
    params.min_samples_split = 3;
    RandomForest forest(params);
    forest.fit(column({1, 2, 3, 4}), {0, 1, 1, 1}, 2, 1);
    // 4 rows: the root splits at 1.5 into two pure children.
    CHECK(forest.trees()[0].nodes[0].threshold == 1.5);
    // A mixed node of two rows stays a leaf.
    RandomForest two(params);
    two.fit(column({1, 2}), {0, 1}, 2, 1);
    CHECK(two.trees()[0].nodes.size() == 1);
    CHECK(forest.trees()[0].nodes.size() == 3);
  }
}

TEST_CASE("random forest: importances sum to 1 and find the informative feature") {
  mwclass::rng::Stream stream(123);
  const int n = 400;
  Matrix X(n, 4);
  Labels y(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j) X(i, j) = stream.normal();
    y[static_cast<std::size_t>(i)] = X(i, 2) > 0.3 ? 1 : 0;
  }
  ForestParams params;
  params.n_trees = 50;
  RandomForest forest(params);
  forest.fit(X, y, 2, 5);
  const auto importances = forest.feature_importances();
  REQUIRE(importances.size() == 4);
  double total = 0.0;
  for (double v : importances) {
    CHECK(v >= 0.0);
    total += v;
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(importances[2] > 0.5);
  // sklearn: normalize each tree's decreases, average, normalize.
  std::vector<double> expected(4, 0.0);
  for (const Tree& tree : forest.trees()) {
    double tree_total = 0.0;
    for (double v : tree.importances) tree_total += v;
    REQUIRE(tree_total > 0.0);
    for (int j = 0; j < 4; ++j)
      expected[static_cast<std::size_t>(j)] +=
          tree.importances[static_cast<std::size_t>(j)] / tree_total / params.n_trees;
  }
  for (int j = 0; j < 4; ++j)
    CHECK(importances[static_cast<std::size_t>(j)] ==
          doctest::Approx(expected[static_cast<std::size_t>(j)]).epsilon(1e-12));
  // Trees differ in how much impurity they remove: unnormalized averaging differs.
  double min_total = 1e300, max_total = 0.0;
  for (const Tree& tree : forest.trees()) {
    double tree_total = 0.0;
    for (double v : tree.importances) tree_total += v;
    min_total = std::min(min_total, tree_total);
    max_total = std::max(max_total, tree_total);
  }
  CHECK(max_total > min_total);
  for (int j : {0, 1, 3}) CHECK(importances[static_cast<std::size_t>(j)] < importances[2]);
}

TEST_CASE("random forest: separates two Gaussian blobs") {
  Matrix X_train, X_test;
  Labels y_train, y_test;
  blobs(mwclass::rng::derive_key({1, 1}), 400, X_train, y_train);
  blobs(mwclass::rng::derive_key({1, 2}), 2000, X_test, y_test);
  RandomForest forest;
  forest.fit(X_train, y_train, 2, 17);
  const Matrix proba = forest.predict_proba(X_test);
  int correct = 0;
  for (Eigen::Index i = 0; i < X_test.rows(); ++i) {
    CHECK(proba.row(i).sum() == doctest::Approx(1.0).epsilon(1e-12));
    correct += argmax(proba, i) == y_test[static_cast<std::size_t>(i)];
  }
  const double accuracy = static_cast<double>(correct) / static_cast<double>(X_test.rows());
  MESSAGE("blob accuracy " << accuracy);
  CHECK(accuracy > 0.95);
}

TEST_CASE("random forest: deterministic across threads and keyed") {
  mwclass::rng::Stream stream(77);
  const int n = 600, p = 9, classes = 4;
  Matrix X(n, p);
  Labels y(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) X(i, j) = std::round(stream.normal() * 4.0) / 4.0;  // ties
    y[static_cast<std::size_t>(i)] =
        static_cast<int>((X(i, 0) + X(i, 1) > 0 ? 2 : 0) + stream.below(2));
  }
  Matrix X_test(200, p);
  for (Eigen::Index i = 0; i < X_test.size(); ++i) X_test.data()[i] = stream.normal();

  ForestParams params;
  params.n_trees = 24;
  RandomForest one(params), two(params), again(params), other(params);
  one.fit(X, y, classes, 42, 1);
  two.fit(X, y, classes, 42, 2);
  again.fit(X, y, classes, 42, 1);
  other.fit(X, y, classes, 43, 1);
  const Matrix p1 = one.predict_proba(X_test, 1);
  CHECK(bit_identical(p1, two.predict_proba(X_test, 1)));
  CHECK(bit_identical(p1, one.predict_proba(X_test, 2)));
  CHECK(bit_identical(p1, two.predict_proba(X_test, 3)));
  CHECK(bit_identical(p1, again.predict_proba(X_test, 1)));
  CHECK(one.feature_importances() == two.feature_importances());
  CHECK_FALSE(bit_identical(p1, other.predict_proba(X_test, 1)));
}

TEST_CASE("random forest: invalid input throws mwclass::Error") {
  Matrix X(3, 2);
  X << 1, 2, 3, 4, 5, 6;
  const Labels y = {0, 1, 0};
  RandomForest forest;
  CHECK_THROWS_AS(forest.predict_proba(X), mwclass::Error);  // not fitted

  Matrix nan = X;
  nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(forest.fit(nan, y, 2, 1), mwclass::Error);
  CHECK_THROWS_AS(forest.fit(X, {0, 2, 0}, 2, 1), mwclass::Error);
  CHECK_THROWS_AS(forest.fit(X, {0, -1, 0}, 2, 1), mwclass::Error);
  CHECK_THROWS_AS(forest.fit(X, {0, 1}, 2, 1), mwclass::Error);
  CHECK_THROWS_AS(forest.fit(X, y, 0, 1), mwclass::Error);
  CHECK_THROWS_AS(forest.fit(Matrix(0, 2), {}, 2, 1), mwclass::Error);
  CHECK_THROWS_AS(forest.fit(Matrix(3, 0), y, 2, 1), mwclass::Error);

  ForestParams bad;
  bad.n_trees = 0;
  CHECK_THROWS_AS(RandomForest{bad}, mwclass::Error);
  bad = ForestParams{};
  bad.min_samples_split = 1;
  CHECK_THROWS_AS(RandomForest{bad}, mwclass::Error);

  forest.fit(X, y, 2, 1);
  CHECK_THROWS_AS(forest.predict_proba(nan), mwclass::Error);
  CHECK_THROWS_AS(forest.predict_proba(Matrix::Zero(2, 3)), mwclass::Error);
}

TEST_CASE("random forest: balanced class weights, integer and exact on a 90:10 leaf") {
  // Counts 100, 10, 0, 25: three classes present, n_max = 100,
  // Q = floor(65536 / 300) = 218; w = round(218 * 100 / n_c).
  Labels y;
  for (int c : {0, 1, 3})
    for (int i = 0; i < (c == 0 ? 100 : c == 1 ? 10 : 25); ++i) y.push_back(c);
  const auto w = mwclass::learners::balanced_class_weights(y, 4);
  CHECK(w == std::vector<std::uint32_t>{218, 2180, 1, 872});

  // One all-constant leaf without bootstrap: 90 rows of class 0, 10 of class 1.
  // Q = floor(65536 / 180) = 364, weights 364 and 3276 = 9 x 364: the weighted
  // class totals are equal, so the leaf holds exactly (0.5, 0.5).
  Matrix X = Matrix::Zero(100, 2);
  Labels y2(100, 0);
  for (int i = 90; i < 100; ++i) y2[static_cast<std::size_t>(i)] = 1;
  ForestParams params = single_tree();
  params.class_weight_balanced = true;
  RandomForest forest(params);
  forest.fit(X, y2, 2, 3);
  const double* value = leaf_value(forest.trees()[0], 0);
  CHECK(value[0] == 0.5);
  CHECK(value[1] == 0.5);
  // Splits stay exhaustive-best with weights beyond the packed-key range.
  mwclass::rng::Stream s(4);
  Matrix Xs(400, 2);
  Labels ys(400);
  for (int i = 0; i < 400; ++i) {
    Xs(i, 0) = s.normal();
    Xs(i, 1) = std::round(s.normal() * 2.0);
    ys[static_cast<std::size_t>(i)] = i < 40 ? 1 : 0;
    if (i < 40) Xs(i, 0) += 1.5;
  }
  // Shallow trees keep mixed leaves, whose fractions the weights tilt towards
  // the minority: its recall rises.
  ForestParams plain;
  plain.n_trees = 30;
  plain.max_depth = 2;
  ForestParams weighted = plain;
  weighted.class_weight_balanced = true;
  RandomForest a(weighted), b(plain);
  a.fit(Xs, ys, 2, 8);
  b.fit(Xs, ys, 2, 8);
  auto minority_recall = [&](const RandomForest& f) {
    const Matrix p = f.predict_proba(Xs);
    int hit = 0;
    for (int i = 0; i < 40; ++i) hit += p(i, 1) > p(i, 0);
    return hit / 40.0;
  };
  INFO("minority recall weighted ", minority_recall(a), ", plain ", minority_recall(b));
  CHECK(minority_recall(a) > minority_recall(b) + 0.2);
}

TEST_CASE("random forest: balanced bootstrap draws the same number of rows per class") {
  // All-constant X: each tree is one leaf holding its drawn class fractions,
  // round(n / k) = round(30 / 3) = 10 draws per class: exactly 1/3 each.
  Matrix X = Matrix::Zero(30, 1);
  Labels y(30, 0);
  for (int i = 20; i < 27; ++i) y[static_cast<std::size_t>(i)] = 1;
  for (int i = 27; i < 30; ++i) y[static_cast<std::size_t>(i)] = 2;
  ForestParams params;
  params.n_trees = 5;
  params.balanced_bootstrap = true;
  RandomForest forest(params);
  forest.fit(X, y, 3, 12);
  for (const Tree& tree : forest.trees()) {
    REQUIRE(tree.nodes.size() == 1);
    const double* value = leaf_value(tree, 0);
    for (int c = 0; c < 3; ++c) CHECK(value[c] == doctest::Approx(1.0 / 3.0).epsilon(1e-15));
  }
}

TEST_CASE("random forest: an all-missing feature is never split on; the missing flag is a group") {
  // Feature 0 missing (-100) for every row; feature 1 missing for the class-2
  // rows only, so the first split separates them at the flag's midpoint.
  Matrix X(9, 2);
  const Labels y = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const double f1[9] = {1.0, 2.0, 3.0, 7.0, 8.0, 9.0, -100.0, -100.0, -100.0};
  for (int i = 0; i < 9; ++i) {
    X(i, 0) = -100.0;
    X(i, 1) = f1[i];
  }
  // max_bins = 3: {-100}, {1, 2, 3}, {7, 8, 9} — the same boundaries.
  for (int max_bins : {0, 3}) {
    ForestParams params = single_tree(2);
    params.max_bins = max_bins;
    RandomForest forest(params);
    forest.fit(X, y, 3, 7);
    const Tree& tree = forest.trees()[0];
    for (const TreeNode& node : tree.nodes) CHECK(node.feature != 0);
    // Two splits, both on feature 1: {-100} | {1..9} (Gini proxy ties with
    // {..3} | {7..}: the first boundary in value order wins), then 3 | 7.
    REQUIRE(tree.nodes.size() == 5);
    CHECK(tree.nodes[0].feature == 1);
    CHECK(tree.nodes[0].threshold == -49.5);
    CHECK(tree.nodes[2].feature == 1);
    CHECK(tree.nodes[2].threshold == 5.0);
    const Matrix proba = forest.predict_proba(X);
    for (int i = 0; i < 9; ++i) CHECK(proba(i, y[static_cast<std::size_t>(i)]) == 1.0);
    CHECK(forest.feature_importances()[0] == 0.0);
  }
}
