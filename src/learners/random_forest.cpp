// Random forest with scikit-learn's RandomForestClassifier semantics: the
// public API. The engine lives in src/learners/forest/, one concept a file:
//   encoding.*      rank encoding of the columns into codes (and max_bins groups)
//   bootstrap.*     a tree's row weights: bootstrap counts, class weights
//   tree_builder.*  the growth loop and sklearn's feature sampling
//   split.hpp       the split record, the node's counts, the Gini sweep
//   sorted_scan.hpp the sort path (gather, counting/radix sort, row-by-row scan)
//   histogram.hpp   the histogram path (per (code, class) counts, code-by-code scan)
//   compact.hpp     the compact histogram path of the binned case, on
//   lanes.hpp       its lane type (SSE2 or scalar, selected there)
//   partition.hpp   the stable row partition shared by builder and router
//   router.*        routing rows through a tree node by node (predict, out-of-bag members)
// The three split engines choose the same split bit for bit
// (tests/unit/learners/test_split_engines.cpp).
#include "mwclass/learners/random_forest.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <utility>

#include "forest/bootstrap.hpp"
#include "forest/encoding.hpp"
#include "forest/router.hpp"
#include "forest/tree_builder.hpp"
#include "mwclass/core/config_keys.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::learners {
namespace {

// Grows trees [0, n_trees) of one fit into `trees`, in parallel, each from
// its own stream, so the result does not depend on n_threads.
// members (the first members.n_rows rows of X, row-major X) receives each
// member's leaf in every tree — in-bag rows from the growth itself, the
// others by traversal — and out-of-bag flags (1 where the tree's sample
// missed the member row).
void grow(const forest::Encoded& data, const ForestParams& params, int mtry, std::uint64_t key,
          int n_threads, std::vector<Tree>& trees, const Matrix& X, LeafTable& members) {
  const forest::Bootstrap bootstrap(data.y, data.n_classes, params);
  const std::vector<double> member_columns = forest::columns_of(X, 0, members.n_rows);
  std::exception_ptr error;
  // Exceptions (only std::bad_alloc is possible) must not leave the parallel
  // region; the first one is rethrown after it.
#pragma omp parallel num_threads(n_threads)
  {
    forest::TreeBuilders builders(data, params, mtry);
    std::vector<std::uint32_t> weight;
    std::vector<std::int32_t> row_leaf(data.n_rows);
    std::vector<std::uint32_t> out_of_bag;
    forest::Router router;
#pragma omp for schedule(dynamic)
    for (int t = 0; t < params.n_trees; ++t) {
      try {
        weight.resize(data.n_rows);
        trees[static_cast<std::size_t>(t)] = builders.build(rng::derive_key({key, static_cast<std::uint64_t>(t)}),
                                                            bootstrap, weight, row_leaf.data());
        Tree& tree = trees[static_cast<std::size_t>(t)];
        forest::pack(tree);
        // Members are the first rows: the out-of-bag ones are routed into row_leaf too.
        out_of_bag.clear();
        for (std::size_t m = 0; m < members.n_rows; ++m)
          if (weight[m] == 0) out_of_bag.push_back(static_cast<std::uint32_t>(m));
        router.route(tree, member_columns.data(), members.n_rows, out_of_bag.data(),
                     out_of_bag.size(), row_leaf.data());
        for (std::size_t m = 0; m < members.n_rows; ++m) {
          const std::size_t at = m * members.n_trees + static_cast<std::size_t>(t);
          members.out_of_bag[at] = weight[m] == 0;
          members.leaf[at] = row_leaf[m];
        }
      } catch (...) {
#pragma omp critical(mwclass_forest_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

void check_finite(const Matrix& X, const char* what) {
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (!std::isfinite(X(i, j)))
        fail("random forest {}: X({}, {}) is {}; encode missing values before the forest", what,
             i, j, X(i, j));
}

}  // namespace

RandomForest::RandomForest(ForestParams params) : params_(params) {
  config_keys::check_section(params_, "random forest: ");  // the ranges of [classifier.forest]
}

void RandomForest::fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t key,
                       int n_threads) {
  if (X.rows() == 0 || X.cols() == 0)
    fail("random forest fit: empty training matrix ({} x {})", X.rows(), X.cols());
  if (static_cast<std::size_t>(X.rows()) != y.size())
    fail("random forest fit: X has {} rows but y has {} labels", X.rows(), y.size());
  if (X.rows() >= std::numeric_limits<std::int32_t>::max())
    fail("random forest fit: too many rows ({})", X.rows());
  if (n_classes < 1) fail("random forest fit: n_classes must be >= 1 (got {})", n_classes);
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || y[i] >= n_classes)
      fail("random forest fit: label {} of row {} is outside [0, {})", y[i], i, n_classes);
  check_finite(X, "fit");
  n_threads = std::max(1, n_threads);

  // The compact histogram layout needs min_samples_leaf = 1 and every
  // tree's total weight below 2^15 (its 16-bit counts).
  const bool compact_fits =
      params_.min_samples_leaf == 1 && forest::max_tree_weight(y, n_classes, params_) < (1u << 15);
  const forest::Encoded data = forest::encode(X, y, n_classes, params_.max_bins, compact_fits, n_threads);
  const int p = static_cast<int>(X.cols());
  int mtry = params_.max_features;
  if (mtry == 0) {
    mtry = static_cast<int>(std::sqrt(static_cast<double>(p)));
    while ((mtry + 1) * (mtry + 1) <= p) ++mtry;
    while (mtry * mtry > p) --mtry;
  }
  mtry = std::clamp(mtry, 1, p);

  std::vector<Tree> trees(static_cast<std::size_t>(params_.n_trees));
  const auto n_members = static_cast<std::size_t>(outlier_members(X.rows()));
  LeafTable members{n_members, trees.size(), std::vector<std::int32_t>(n_members * trees.size()),
                    std::vector<std::uint8_t>(n_members * trees.size())};
  grow(data, params_, mtry, key, n_threads, trees, X, members);

  trees_ = std::move(trees);
  n_classes_ = n_classes;
  n_features_ = p;
  member_leaves_ = std::move(members);
  member_class_.assign(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n_members));
}

std::vector<std::int32_t> RandomForest::leaves(const Matrix& X, int n_threads) const {
  if (trees_.empty()) fail("random forest leaves: the forest has not been fitted");
  if (X.cols() != n_features_)
    fail("random forest leaves: X has {} columns, the forest was fitted on {}", X.cols(), n_features_);
  check_finite(X, "leaves");
  // Tree by tree, as predict_proba; the output does not depend on the thread count.
  const auto n_rows = static_cast<std::size_t>(X.rows());
  const auto T = static_cast<std::ptrdiff_t>(trees_.size());
  const std::vector<double> columns = forest::columns_of(X, 0, n_rows);
  std::vector<std::uint32_t> all(n_rows);
  for (std::size_t i = 0; i < n_rows; ++i) all[i] = static_cast<std::uint32_t>(i);
  std::vector<std::int32_t> out(n_rows * trees_.size());
#pragma omp parallel num_threads(std::max(1, n_threads))
  {
    forest::Router router;
    std::vector<std::int32_t> leaf(n_rows);
#pragma omp for schedule(static)
    for (std::ptrdiff_t t = 0; t < T; ++t) {
      router.route(trees_[static_cast<std::size_t>(t)], columns.data(), n_rows, all.data(), n_rows,
                   leaf.data());
      for (std::size_t i = 0; i < n_rows; ++i) out[i * trees_.size() + static_cast<std::size_t>(t)] = leaf[i];
    }
  }
  return out;
}

std::vector<OutlierScore> RandomForest::outlier_scores(const Matrix& X, int n_threads) const {
  return predict(X, n_threads).outlier;
}

Prediction RandomForest::predict(const Matrix& X, int n_threads) const {
  Prediction out;
  LeafTable sources{static_cast<std::size_t>(X.rows()), trees_.size(), {}, {}};
  sources.leaf.resize(sources.n_rows * sources.n_trees);
  out.proba = traverse(X, n_threads, "predict", sources.leaf.data());
  // The most probable class is predict_proba's argmax exactly (same sums).
  std::vector<int> best(sources.n_rows);
  for (Eigen::Index i = 0; i < X.rows(); ++i) out.proba.row(i).maxCoeff(&best[static_cast<std::size_t>(i)]);
  out.outlier = proximity_outlier_scores(member_leaves_, member_class_, sources, best, n_classes_);
  return out;
}

Matrix RandomForest::predict_proba(const Matrix& X, int n_threads) const {
  return traverse(X, n_threads, "predict", nullptr);
}

Matrix RandomForest::traverse(const Matrix& X, int n_threads, const char* what,
                              std::int32_t* leaf) const {
  if (trees_.empty()) fail("random forest {}: the forest has not been fitted", what);
  if (X.cols() != n_features_)
    fail("random forest {}: X has {} columns, the forest was fitted on {}", what, X.cols(),
         n_features_);
  check_finite(X, what);
  n_threads = std::max(1, n_threads);

  // Each thread takes one contiguous block of rows and routes it tree by tree
  // (Router). Each row still sums its trees in index order, so the result
  // does not depend on the thread count.
  const auto n_rows = static_cast<std::ptrdiff_t>(X.rows());
  const std::ptrdiff_t block_size = std::max<std::ptrdiff_t>(1, (n_rows + n_threads - 1) / n_threads);
  const std::ptrdiff_t n_blocks = (n_rows + block_size - 1) / block_size;
  const auto c = static_cast<std::size_t>(n_classes_);
  const std::size_t T = trees_.size();
  const double n_trees = static_cast<double>(T);
  Matrix proba = Matrix::Zero(X.rows(), n_classes_);
#pragma omp parallel for num_threads(n_threads) schedule(static)
  for (std::ptrdiff_t block = 0; block < n_blocks; ++block) {
    const std::ptrdiff_t begin = block * block_size, end = std::min(n_rows, begin + block_size);
    const auto n_block = static_cast<std::size_t>(end - begin);
    const std::vector<double> columns =
        forest::columns_of(X, static_cast<std::size_t>(begin), static_cast<std::size_t>(end));
    std::vector<std::uint32_t> all(n_block);
    for (std::size_t i = 0; i < n_block; ++i) all[i] = static_cast<std::uint32_t>(i);
    std::vector<std::int32_t> block_leaf(n_block);
    forest::Router router;
    for (std::size_t t = 0; t < T; ++t) {
      const Tree& tree = trees_[t];
      router.route(tree, columns.data(), n_block, all.data(), n_block, block_leaf.data());
      for (std::ptrdiff_t i = begin; i < end; ++i) {
        const auto row = static_cast<std::size_t>(i);
        const std::int32_t at = block_leaf[row - static_cast<std::size_t>(begin)];
        if (leaf != nullptr) leaf[row * T + t] = at;
        const double* value = tree.leaf_values.data() + tree.packed[static_cast<std::size_t>(at)].next;
        double* out = proba.data() + row * c;
        for (std::size_t k = 0; k < c; ++k) out[k] += value[k];
      }
    }
    for (std::size_t q = static_cast<std::size_t>(begin) * c; q < static_cast<std::size_t>(end) * c; ++q)
      proba.data()[q] /= n_trees;
  }
  return proba;
}

std::vector<double> RandomForest::feature_importances() const {
  std::vector<double> result(static_cast<std::size_t>(n_features_), 0.0);
  for (const Tree& tree : trees_) {
    double total = 0.0;
    for (double v : tree.importances) total += v;
    if (!(total > 0.0)) continue;
    for (std::size_t f = 0; f < result.size(); ++f) result[f] += tree.importances[f] / total;
  }
  // Mean over trees then renormalize (sklearn); the mean's divisor cancels.
  double total = 0.0;
  for (double v : result) total += v;
  if (total > 0.0)
    for (double& v : result) v /= total;
  return result;
}

}  // namespace mwclass::learners
