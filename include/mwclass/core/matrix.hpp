#pragma once
// Shared numeric types. Rows are sources, columns are features or classes.
// Missing values are quiet NaN until the learner-specific encoding step.
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace mwclass {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
using Labels = std::vector<int>;  // class index per row, 0..n_classes-1

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

}  // namespace mwclass
