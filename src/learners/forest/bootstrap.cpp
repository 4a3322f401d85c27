#include "bootstrap.hpp"

#include <algorithm>
#include <cmath>

namespace mwclass::learners {

std::vector<std::uint32_t> balanced_class_weights(const Labels& y, int n_classes) {
  std::vector<double> count(static_cast<std::size_t>(n_classes), 0.0);
  for (int label : y) count[static_cast<std::size_t>(label)] += 1.0;
  double n_max = 0.0;
  int present = 0;
  for (double c : count) {
    n_max = std::max(n_max, c);
    present += c > 0.0;
  }
  std::vector<std::uint32_t> weight(count.size(), 1);
  if (present == 0) return weight;
  const double q = std::max(1.0, std::floor(65536.0 / (present * n_max)));
  for (std::size_t c = 0; c < count.size(); ++c)
    if (count[c] > 0.0)
      weight[c] = static_cast<std::uint32_t>(std::max(1.0, std::round(q * n_max / count[c])));
  return weight;
}

namespace forest {

Bootstrap::Bootstrap(const Labels& y, int n_classes, const ForestParams& params)
    : y_(y), params_(params) {
  if (params.balanced_bootstrap) {
    by_class_.resize(static_cast<std::size_t>(n_classes));
    for (std::size_t r = 0; r < y.size(); ++r)
      by_class_[static_cast<std::size_t>(y[r])].push_back(static_cast<std::uint32_t>(r));
  }
  if (params.class_weight_balanced) class_weight_ = balanced_class_weights(y, n_classes);
}

void Bootstrap::draw(rng::Stream& stream, std::vector<std::uint32_t>& weight) const {
  const std::size_t n = y_.size();
  std::fill(weight.begin(), weight.end(), params_.bootstrap ? 0u : 1u);
  if (params_.bootstrap && params_.balanced_bootstrap) {
    std::size_t present = 0;
    for (const auto& rows : by_class_) present += !rows.empty();
    const std::size_t per_class = std::max<std::size_t>(1, (n + present / 2) / present);
    for (const auto& rows : by_class_)
      if (!rows.empty())
        for (std::size_t i = 0; i < per_class; ++i) ++weight[rows[stream.below(rows.size())]];
  } else if (params_.bootstrap) {
    for (std::size_t i = 0; i < n; ++i) ++weight[stream.below(n)];
  }
  if (!class_weight_.empty())
    for (std::size_t r = 0; r < n; ++r) weight[r] *= class_weight_[static_cast<std::size_t>(y_[r])];
}

std::uint64_t max_tree_weight(const Labels& y, int n_classes, const ForestParams& params) {
  std::uint64_t largest_weight = 1;
  if (params.class_weight_balanced)
    for (std::uint32_t w : balanced_class_weights(y, n_classes))
      largest_weight = std::max<std::uint64_t>(largest_weight, w);
  return (static_cast<std::uint64_t>(y.size()) + static_cast<std::uint64_t>(n_classes)) * largest_weight;
}

}  // namespace forest
}  // namespace mwclass::learners
