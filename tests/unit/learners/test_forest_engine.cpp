// Engine paths of the random forest (issue 5): bootstrap-weighted exhaustive
// splits with ties and -100 flags, wide (uint32) codes when a feature has more
// than 65,536 distinct values, unpacked keys for more than 256 classes, and
// thread-count determinism on data shaped like the MUWCLASS training set.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

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
