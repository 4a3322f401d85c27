// Gradient boosting on XGBoost's C API (the only XGBoost user in mwclass).
//
// Data reaches XGBoost without a copy on our side: the row-major double
// matrix is described by a NumPy-style __array_interface__ (pointer, shape,
// "<f8") and handed to XGDMatrixCreateFromDense for training and to
// XGBoosterPredictFromDense (in-place prediction, no DMatrix, no prediction
// cache) for prediction. XGBoost converts each value to float itself, exactly
// as XGDMatrixCreateFromMat would after we had made a float copy. NaN is the
// missing value in both calls.
//
// Every C API call goes through check(), which turns a non-zero return code
// into mwclass::Error naming the call and carrying XGBGetLastError()'s text.
// Handles are owned by std::unique_ptr with the matching XGB*Free deleter, so
// an exception at any step releases everything created so far.
#include "mwclass/learners/gradient_boosting.hpp"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "mwclass/core/config_keys.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::learners {
namespace {

void check(int rc, const char* call) {
  if (rc == 0) return;
  std::string message = XGBGetLastError();
  // XGBoost appends a stack trace to some messages; the first part is the reason.
  if (const auto trace = message.find("Stack trace:"); trace != std::string::npos)
    message.erase(trace);
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
    message.pop_back();
  fail("gradient boosting: XGBoost {} failed: {}", call, message);
}

struct DMatrixFree {
  void operator()(void* handle) const noexcept { XGDMatrixFree(handle); }
};
using DMatrix = std::unique_ptr<void, DMatrixFree>;

// __array_interface__ of a row-major double matrix (read-only, no strides:
// C-contiguous). The pointer travels as an integer, as NumPy's does.
std::string array_interface(const Matrix& X) {
  return fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f8", "version": 3}})",
                     reinterpret_cast<std::uintptr_t>(X.data()), X.rows(), X.cols());
}

void set_param(BoosterHandle booster, const char* name, const std::string& value) {
  check(XGBoosterSetParam(booster, name, value.c_str()), "XGBoosterSetParam");
}

// Feature names XGBoost reports when none were set: "f<index>".
int feature_index(std::string_view name, int n_features) {
  int index = -1;
  if (name.size() < 2 || name[0] != 'f' ||
      std::from_chars(name.data() + 1, name.data() + name.size(), index).ec != std::errc{} ||
      index < 0 || index >= n_features)
    fail("gradient boosting: XGBoost reported an unexpected feature name '{}'", name);
  return index;
}

// A DMatrix over X (NaN = missing), no copy on our side.
DMatrix make_dmatrix(const Matrix& X, int n_threads) {
  DMatrixHandle handle = nullptr;
  const std::string config = fmt::format(R"({{"missing": NaN, "nthread": {}}})", n_threads);
  check(XGDMatrixCreateFromDense(array_interface(X).c_str(), config.c_str(), &handle),
        "XGDMatrixCreateFromDense");
  return DMatrix(handle);
}

// The leaf every row of `data` reaches in every tree, row-major n_rows x
// n_trees (trees in XGBoost's order: round-major, then class).
std::vector<std::int32_t> leaf_indices(BoosterHandle booster, DMatrixHandle data,
                                       std::size_t n_rows, std::size_t& n_trees) {
  bst_ulong const* shape = nullptr;
  bst_ulong dim = 0;
  float const* result = nullptr;
  const char* config = R"({"type": 6, "training": false, "iteration_begin": 0, )"
                       R"("iteration_end": 0, "strict_shape": true})";
  check(XGBoosterPredictFromDMatrix(booster, data, config, &shape, &dim, &result),
        "XGBoosterPredictFromDMatrix(leaf)");
  if (dim < 2 || shape[0] != static_cast<bst_ulong>(n_rows))
    fail("gradient boosting: XGBoost returned leaf indices of an unexpected shape");
  n_trees = 1;
  for (bst_ulong d = 1; d < dim; ++d) n_trees *= static_cast<std::size_t>(shape[d]);
  std::vector<std::int32_t> leaves(n_rows * n_trees);
  for (std::size_t k = 0; k < leaves.size(); ++k) leaves[k] = static_cast<std::int32_t>(result[k]);
  return leaves;
}

}  // namespace

void GradientBoosting::BoosterFree::operator()(void* handle) const noexcept {
  XGBoosterFree(handle);
}

std::vector<float> balanced_sample_weights(const Labels& y, int n_classes) {
  if (n_classes < 1) fail("balanced weights: n_classes must be >= 1 (got {})", n_classes);
  std::vector<std::size_t> count(static_cast<std::size_t>(n_classes), 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes)
      fail("balanced weights: label {} of row {} is outside [0, {})", y[i], i, n_classes);
    ++count[static_cast<std::size_t>(y[i])];
  }
  const auto present =
      static_cast<double>(std::count_if(count.begin(), count.end(), [](std::size_t c) { return c > 0; }));
  std::vector<float> per_class(count.size(), 0.0f);
  for (std::size_t c = 0; c < count.size(); ++c)
    if (count[c] > 0)
      per_class[c] = static_cast<float>(static_cast<double>(y.size()) /
                                        (present * static_cast<double>(count[c])));
  std::vector<float> weights(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) weights[i] = per_class[static_cast<std::size_t>(y[i])];
  return weights;
}

int xgboost_seed(std::uint64_t key) { return static_cast<int>(rng::mix64(key) >> 33); }

GradientBoosting::GradientBoosting(GradientBoostingParams params) : params_(params) {
  config_keys::check_section(params_, "gradient boosting: ");  // the ranges of [classifier.gbdt]
}

GradientBoosting::~GradientBoosting() = default;
GradientBoosting::GradientBoosting(GradientBoosting&&) noexcept = default;
GradientBoosting& GradientBoosting::operator=(GradientBoosting&&) noexcept = default;

void GradientBoosting::fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t key,
                           int n_threads) {
  if (X.rows() == 0 || X.cols() == 0)
    fail("gradient boosting fit: empty training matrix ({} x {})", X.rows(), X.cols());
  if (static_cast<std::size_t>(X.rows()) != y.size())
    fail("gradient boosting fit: X has {} rows but y has {} labels", X.rows(), y.size());
  if (X.cols() > std::numeric_limits<int>::max())
    fail("gradient boosting fit: too many features ({})", X.cols());
  if (n_classes < 2) fail("gradient boosting fit: n_classes must be >= 2 (got {})", n_classes);
  std::vector<float> labels(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= n_classes)
      fail("gradient boosting fit: label {} of row {} is outside [0, {})", y[i], i, n_classes);
    labels[i] = static_cast<float>(y[i]);
  }
  n_threads = std::max(1, n_threads);

  DMatrix train = make_dmatrix(X, n_threads);
  check(XGDMatrixSetFloatInfo(train.get(), "label", labels.data(), labels.size()),
        "XGDMatrixSetFloatInfo(label)");
  if (params_.balance_classes) {
    const std::vector<float> weights = balanced_sample_weights(y, n_classes);
    check(XGDMatrixSetFloatInfo(train.get(), "weight", weights.data(), weights.size()),
          "XGDMatrixSetFloatInfo(weight)");
  }

  Booster booster;
  {
    BoosterHandle handle = nullptr;
    DMatrixHandle cache[] = {train.get()};
    check(XGBoosterCreate(cache, 1, &handle), "XGBoosterCreate");
    booster.reset(handle);
  }
  BoosterHandle b = booster.get();
  set_param(b, "verbosity", "0");
  set_param(b, "objective", "multi:softprob");
  set_param(b, "num_class", fmt::format("{}", n_classes));
  set_param(b, "tree_method", "hist");
  set_param(b, "nthread", fmt::format("{}", n_threads));
  set_param(b, "seed", fmt::format("{}", xgboost_seed(key)));
  set_param(b, "eta", fmt::format("{}", params_.learning_rate));
  set_param(b, "max_depth", fmt::format("{}", params_.max_depth));
  set_param(b, "min_child_weight", fmt::format("{}", params_.min_child_weight));
  set_param(b, "subsample", fmt::format("{}", params_.subsample));
  set_param(b, "colsample_bytree", fmt::format("{}", params_.colsample_bytree));
  set_param(b, "lambda", fmt::format("{}", params_.reg_lambda));
  set_param(b, "max_bin", fmt::format("{}", params_.max_bin));
  for (int round = 0; round < params_.n_rounds; ++round)
    check(XGBoosterUpdateOneIter(b, round, train.get()), "XGBoosterUpdateOneIter");

  // Importances now, while the booster is known good: feature_importances()
  // then needs no C API call.
  const int p = static_cast<int>(X.cols());
  std::vector<double> importances(static_cast<std::size_t>(p), 0.0);
  {
    bst_ulong n_named = 0, dim = 0;
    char const** names = nullptr;
    bst_ulong const* shape = nullptr;
    float const* scores = nullptr;
    check(XGBoosterFeatureScore(b, R"({"importance_type": "total_gain"})", &n_named, &names, &dim,
                                &shape, &scores),
          "XGBoosterFeatureScore");
    if (n_named > 0 && (dim != 1 || shape[0] != n_named))
      fail("gradient boosting: XGBoost returned feature scores of an unexpected shape");
    for (bst_ulong k = 0; k < n_named; ++k)
      importances[static_cast<std::size_t>(feature_index(names[k], p))] += scores[k];
    double total = 0.0;
    for (double v : importances) total += v;
    if (total > 0.0)
      for (double& v : importances) v /= total;
    else
      std::fill(importances.begin(), importances.end(), 0.0);
  }

  // Outlier reference: the members' leaves (no subsampling by default, so
  // every tree counts for every member).
  LeafTable members;
  members.n_rows = static_cast<std::size_t>(outlier_members(X.rows()));
  members.leaf = leaf_indices(b, train.get(), static_cast<std::size_t>(X.rows()), members.n_trees);
  members.leaf.resize(members.n_rows * members.n_trees);

  booster_ = std::move(booster);
  booster_threads_ = n_threads;
  member_leaves_ = std::move(members);
  member_class_.assign(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(member_leaves_.n_rows));
  n_classes_ = n_classes;
  n_features_ = p;
  importances_ = std::move(importances);
}

Matrix GradientBoosting::predict_proba(const Matrix& X, int n_threads) const {
  if (!booster_) fail("gradient boosting predict: the model has not been fitted");
  if (X.cols() != n_features_)
    fail("gradient boosting predict: X has {} columns, the model was fitted on {}", X.cols(),
         n_features_);
  Matrix proba(X.rows(), n_classes_);
  if (X.rows() == 0) return proba;
  n_threads = std::max(1, n_threads);
  if (n_threads != booster_threads_) {
    set_param(booster_.get(), "nthread", fmt::format("{}", n_threads));
    booster_threads_ = n_threads;
  }

  bst_ulong const* shape = nullptr;
  bst_ulong dim = 0;
  float const* result = nullptr;
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": true, "missing": NaN, "cache_id": 0})";
  check(XGBoosterPredictFromDense(booster_.get(), array_interface(X).c_str(), config, nullptr,
                                  &shape, &dim, &result),
        "XGBoosterPredictFromDense");
  if (dim != 2 || shape[0] != static_cast<bst_ulong>(X.rows()) ||
      shape[1] != static_cast<bst_ulong>(n_classes_))
    fail("gradient boosting predict: XGBoost returned a prediction of an unexpected shape");

  const auto c = static_cast<std::size_t>(n_classes_);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const float* row = result + static_cast<std::size_t>(i) * c;
    double total = 0.0;
    for (std::size_t k = 0; k < c; ++k) total += static_cast<double>(row[k]);
    for (std::size_t k = 0; k < c; ++k)
      proba(i, static_cast<Eigen::Index>(k)) = static_cast<double>(row[k]) / total;
  }
  return proba;
}

std::vector<OutlierScore> GradientBoosting::outlier_scores(const Matrix& X, int n_threads) const {
  return predict(X, n_threads).outlier;
}

Prediction GradientBoosting::predict(const Matrix& X, int n_threads) const {
  Prediction out{predict_proba(X, n_threads), {}, {}};  // checks fit and shape, sets nthread
  const Matrix& proba = out.proba;
  std::vector<int> best(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) proba.row(i).maxCoeff(&best[static_cast<std::size_t>(i)]);
  LeafTable sources;
  sources.n_rows = static_cast<std::size_t>(X.rows());
  sources.n_trees = member_leaves_.n_trees;
  if (X.rows() > 0) {
    const DMatrix data = make_dmatrix(X, std::max(1, n_threads));
    sources.leaf = leaf_indices(booster_.get(), data.get(), sources.n_rows, sources.n_trees);
  }
  out.outlier = proximity_outlier_scores(member_leaves_, member_class_, sources, best, n_classes_);
  return out;
}

std::vector<double> GradientBoosting::feature_importances() const {
  return importances_;  // empty before fit, as the forest's
}

}  // namespace mwclass::learners
