#pragma once
// What every split engine shares: the split record, the node it is searched
// for, the tree's sample as the engines read it, and the Gini sweep that
// evaluates boundaries. The engines (sorted_scan.hpp, histogram.hpp,
// compact.hpp) differ only in how they move a feature's rows from the right
// side to the left in code order; each evaluates the same boundaries, in the
// same order, with the same exact integer sums, so all choose the same split
// bit for bit (tests/unit/learners/test_split_engines.cpp).
//
// Class weights are bootstrap counts, so every count and sum of squared
// counts is an exact integer: sums do not depend on the order rows are visited.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace mwclass::learners::forest {

struct Split {
  int feature = -1;
  std::uint32_t code_lo = 0;  // rows with code <= code_lo go left
  std::uint32_t code_hi = 0;  // next code present in the node
  double proxy = -std::numeric_limits<double>::infinity();  // sklearn's proxy improvement
};

// The best split of a node so far and its left child's class counts.
struct BestSplit {
  Split split;
  std::vector<std::int64_t> left;  // n_classes entries
};

// The node being split: its class counts (bootstrap-weighted) and their sums.
struct NodeCounts {
  const std::int64_t* counts = nullptr;  // n_classes entries
  std::size_t n_classes = 0;
  std::int64_t total = 0;  // sum of counts
  std::int64_t sq = 0;     // sum of squared counts
};

// One tree's sample as the engines read it, per row of the training set.
struct Sample {
  const int* y = nullptr;                 // class
  const std::uint32_t* weight = nullptr;  // bootstrap count (0: out of bag)
  const std::uint16_t* yw = nullptr;      // narrow keys only: class_count(weight, y)
};

// Bootstrap count << 8 | class in 16 bits (counts below 256, at most 256 classes).
inline std::uint16_t class_count(std::uint32_t weight, int y) {
  return static_cast<std::uint16_t>(weight << 8 | static_cast<std::uint32_t>(y));
}

// Running left and right class counts of a sweep (n_classes entries each).
struct SweepScratch {
  std::vector<std::int64_t> left, right;
  explicit SweepScratch(std::size_t n_classes = 0) : left(n_classes), right(n_classes) {}
};

// The state of one feature's scan: rows are moved from the right side to the
// left in code order and the boundaries between distinct codes evaluated.
// Sums of squared class counts are updated exactly in integers, so the Gini
// proxy needs O(1) work per move; a division-free pre-test skips boundaries
// that cannot beat the best split so far.
class Sweep {
 public:
  Sweep(const NodeCounts& node, SweepScratch& scratch, int f, BestSplit& best)
      : c_(node.n_classes), left_(scratch.left.data()), right_(scratch.right.data()),
        best_left_(best.left.data()), f_(f), best_(best.split), n_right_(node.total),
        w_total_(static_cast<double>(node.total)), margin_(1e-9 * w_total_),
        pretest_(node.total < (std::int64_t{1} << 17)) {
    std::fill(left_, left_ + c_, 0);
    std::copy(node.counts, node.counts + c_, right_);
    sq_right_ = node.sq;
    bar_ = best_.proxy + w_total_ - margin_;
  }

  void move(std::size_t k, std::int64_t w) {
    sq_left_ += w * (2 * left_[k] + w);
    sq_right_ -= w * (2 * right_[k] - w);
    left_[k] += w;
    right_[k] -= w;
    n_left_ += w;
    n_right_ -= w;
  }

  // Evaluates the boundary between codes `code` and `next` with the rows
  // moved so far on the left.
  //
  // Pre-test: the proxy equals sq_left / n_left + sq_right / n_right - total
  // in exact arithmetic, so it can exceed best.proxy only if
  //   sq_left * n_right + sq_right * n_left >= (best.proxy + total) * n_left * n_right.
  // For total < 2^17 the left side is an exact integer below 2^53; the
  // rounding of the floating proxy and of the right-hand side is a few ulps
  // of total, far inside the margin. A candidate failing the pre-test cannot
  // win, so the chosen split is the plain scan's, bit for bit.
  void consider(std::uint32_t code, std::uint32_t next) {
    if (evaluate(code, next, sq_left_, sq_right_, n_left_, n_right_))
      std::copy(left_, left_ + c_, best_left_);
  }

  // consider() for sums kept by the caller: true when the boundary became
  // the best split (the caller then records the left class counts).
  bool evaluate(std::uint32_t code, std::uint32_t next, std::int64_t sq_left, std::int64_t sq_right,
                std::int64_t n_left, std::int64_t n_right) {
    const auto nl = static_cast<double>(n_left), nr = static_cast<double>(n_right);
    if (pretest_ && static_cast<double>(sq_left * n_right + sq_right * n_left) < bar_ * (nl * nr))
      return false;
    // sklearn's Gini proxy_impurity_improvement, in its exact expression
    // so that near-ties round the same way.
    const double gini_left = 1.0 - static_cast<double>(sq_left) / (nl * nl);
    const double gini_right = 1.0 - static_cast<double>(sq_right) / (nr * nr);
    const double proxy = -nr * gini_right - nl * gini_left;
    if (!(proxy > best_.proxy)) return false;
    best_.proxy = proxy;
    best_.feature = f_;
    best_.code_lo = code;
    best_.code_hi = next;
    bar_ = best_.proxy + w_total_ - margin_;
    return true;
  }

 private:
  const std::size_t c_;
  std::int64_t* left_;
  std::int64_t* right_;
  std::int64_t* best_left_;
  const int f_;
  Split& best_;
  std::int64_t sq_left_ = 0, sq_right_ = 0, n_left_ = 0, n_right_;
  const double w_total_, margin_;
  const bool pretest_;
  double bar_;
};

// Weighted impurity decrease of the split of `node` whose left child has the
// class counts `left`, as sklearn's compute_feature_importances.
inline double impurity_decrease(const NodeCounts& node, const std::int64_t* left) {
  std::int64_t total_left = 0;
  for (std::size_t k = 0; k < node.n_classes; ++k) total_left += left[k];
  double sq = 0.0, sq_left = 0.0, sq_right = 0.0;
  for (std::size_t k = 0; k < node.n_classes; ++k) {
    const auto all = static_cast<double>(node.counts[k]);
    const auto l = static_cast<double>(left[k]);
    const double right = all - l;
    sq += all * all;
    sq_left += l * l;
    sq_right += right * right;
  }
  const auto w_all = static_cast<double>(node.total), w_left = static_cast<double>(total_left);
  const double w_right = w_all - w_left;
  const double gini = 1.0 - sq / (w_all * w_all);
  const double gini_left = 1.0 - sq_left / (w_left * w_left);
  const double gini_right = 1.0 - sq_right / (w_right * w_right);
  return w_all * gini - w_left * gini_left - w_right * gini_right;
}

}  // namespace mwclass::learners::forest
