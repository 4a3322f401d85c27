#pragma once
// Feature standardization (MUWCLASS step 4): z = (x - mean) / std with the
// training set's mean and population standard deviation, missing values
// ignored and kept missing. A feature with zero spread is only centred.
#include "mwclass/core/matrix.hpp"

namespace mwclass::learners {

class Standardizer {
 public:
  void fit(const Matrix& X);
  void transform(Matrix& X) const;  // in place
  const Eigen::RowVectorXd& mean() const { return mean_; }
  const Eigen::RowVectorXd& scale() const { return scale_; }

 private:
  Eigen::RowVectorXd mean_, scale_;
};

// Replaces every NaN by `flag` (MUWCLASS: -100) for learners without missing-value support.
void encode_missing(Matrix& X, double flag);

}  // namespace mwclass::learners
