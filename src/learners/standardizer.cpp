#include "mwclass/learners/standardizer.hpp"

#include <cmath>

namespace mwclass::learners {

void Standardizer::fit(const Matrix& X) {
  const Eigen::Index p = X.cols();
  mean_ = Eigen::RowVectorXd::Zero(p);
  scale_ = Eigen::RowVectorXd::Ones(p);
  for (Eigen::Index f = 0; f < p; ++f) {
    double sum = 0;
    long n = 0;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      if (!std::isnan(X(i, f))) {
        sum += X(i, f);
        ++n;
      }
    if (n == 0) continue;  // all missing: nothing to scale
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      if (!std::isnan(X(i, f))) ss += (X(i, f) - mean) * (X(i, f) - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n));
    mean_[f] = mean;
    scale_[f] = sd > 0 ? sd : 1.0;
  }
}

void Standardizer::transform(Matrix& X) const {
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index f = 0; f < X.cols(); ++f) X(i, f) = (X(i, f) - mean_[f]) / scale_[f];
}

void encode_missing(Matrix& X, double flag) {
  for (Eigen::Index i = 0; i < X.size(); ++i)
    if (std::isnan(X.data()[i])) X.data()[i] = flag;
}

}  // namespace mwclass::learners
