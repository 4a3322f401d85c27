#include "mwclass/sampling/smote.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "mwclass/core/error.hpp"

namespace mwclass::sampling {

namespace {

// Indices (into `members`) of the k nearest other members of member i; ties
// broken by index so that the result is deterministic.
void nearest_neighbours(const Matrix& filled, const std::vector<int>& members, std::size_t i,
                        int k, std::vector<std::pair<double, int>>& scratch, int* out) {
  scratch.clear();
  const auto xi = filled.row(members[i]);
  for (std::size_t j = 0; j < members.size(); ++j) {
    if (j == i) continue;
    const double d = (filled.row(members[j]) - xi).squaredNorm();
    scratch.emplace_back(d, static_cast<int>(j));
  }
  std::partial_sort(scratch.begin(), scratch.begin() + k, scratch.end());
  for (int n = 0; n < k; ++n) out[n] = scratch[n].second;
}

}  // namespace

Oversampled smote(const Matrix& X, const Labels& y, const std::vector<std::string>& class_names,
                  const SmoteParams& params, rng::Stream& stream) {
  const int n_classes = static_cast<int>(class_names.size());
  const int k = params.k_neighbors;
  std::vector<std::vector<int>> members(n_classes);
  for (std::size_t i = 0; i < y.size(); ++i) members[y[i]].push_back(static_cast<int>(i));
  std::size_t target = 0;
  for (const auto& m : members) target = std::max(target, m.size());
  for (int c = 0; c < n_classes; ++c)
    if (members[c].size() < static_cast<std::size_t>(k) + 1)
      fail("class '{}' has {} member(s) in the training set; SMOTE with k = {} neighbours needs "
           "at least {} (add sources, drop the class from [classifier] classes, or lower "
           "[smote] k_neighbors)",
           class_names[c], members[c].size(), k, k + 1);

  Matrix filled = X;
  for (Eigen::Index i = 0; i < filled.size(); ++i)
    if (std::isnan(filled.data()[i])) filled.data()[i] = params.missing_fill;
  Eigen::RowVectorXd feature_min = Eigen::RowVectorXd::Constant(X.cols(), std::numeric_limits<double>::infinity());
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index f = 0; f < X.cols(); ++f)
      if (!std::isnan(X(i, f))) feature_min[f] = std::min(feature_min[f], X(i, f));

  std::size_t n_new = 0;
  for (const auto& m : members) n_new += target - m.size();
  Oversampled out;
  out.X.resize(X.rows() + static_cast<Eigen::Index>(n_new), X.cols());
  out.X.topRows(X.rows()) = X;
  out.y = y;
  out.y.reserve(y.size() + n_new);

  Eigen::Index row = X.rows();
  std::vector<std::pair<double, int>> scratch;
  std::vector<int> neighbours;
  std::vector<char> known;
  for (int c = 0; c < n_classes; ++c) {
    const auto& m = members[c];
    const std::size_t need = target - m.size();
    if (need == 0) continue;
    neighbours.assign(m.size() * k, -1);
    known.assign(m.size(), 0);
    for (std::size_t s = 0; s < need; ++s) {
      const auto base = static_cast<std::size_t>(stream.below(m.size()));
      const int pick = static_cast<int>(stream.below(static_cast<std::uint64_t>(k)));
      const double gap = stream.uniform();
      if (!known[base]) {  // neighbours are found lazily: only for drawn members
        nearest_neighbours(filled, m, base, k, scratch, &neighbours[base * k]);
        known[base] = 1;
      }
      const auto xb = filled.row(m[base]);
      const auto xn = filled.row(m[neighbours[base * k + pick]]);
      for (Eigen::Index f = 0; f < X.cols(); ++f) {
        const double v = xb[f] + gap * (xn[f] - xb[f]);
        out.X(row, f) = v < feature_min[f] ? kMissing : v;
      }
      out.y.push_back(c);
      ++row;
    }
  }
  return out;
}

}  // namespace mwclass::sampling
