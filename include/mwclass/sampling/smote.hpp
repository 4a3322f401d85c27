#pragma once
// SMOTE oversampling (Chawla et al. 2002) as MUWCLASS uses it: every class is
// filled up to the size of the largest with synthetic points x + u (x_nn - x),
// u ~ U[0,1), x_nn one of the k nearest same-class neighbours of a randomly
// chosen member x (Euclidean, in the standardized feature space). Missing
// values take `missing_fill` (a huge negative number) for the neighbour search
// and the interpolation; afterwards a synthetic value below its feature's
// training minimum becomes missing again.
#include "mwclass/core/matrix.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::sampling {

struct SmoteParams {
  int k_neighbors = 4;
  double missing_fill = -1e9;
};

struct Oversampled {
  Matrix X;   // the original rows first, then the synthetic ones
  Labels y;
};

// `class_names` only serves error messages. A class with fewer than k+1
// members is an Error.
Oversampled smote(const Matrix& X, const Labels& y, const std::vector<std::string>& class_names,
                  const SmoteParams& params, rng::Stream& stream);

}  // namespace mwclass::sampling
