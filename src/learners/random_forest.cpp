// Random forest with scikit-learn's RandomForestClassifier semantics.
//
// Per fit, every feature column is rank-encoded once: its sorted distinct
// values become a value table and each entry becomes a code (uint8 when every
// feature has at most 256 codes, uint16 up to 65,536, else uint32), stored
// column-major; with max_bins > 0 consecutive values are first grouped into
// at most max_bins codes (the approximate, binned mode). A tree works on codes
// only; thresholds are looked up in the value tables when a split is chosen.
// At a node, the features are drawn as sklearn's BestSplitter draws them
// (features found constant in an ancestor are never drawn again). Each drawn
// feature is scanned along its codes with running class counts, in one of
// two ways that evaluate the same boundaries with the same integer sums:
//  * histogram path (byte codes, or at least as many rows as the feature has
//    codes): one pass counts the rows per (code, class), then whole codes
//    move left in code order. The features a node needs are filled together
//    in one pass over its rows. In the compact layout (<= 64 codes, <= 8
//    classes, min_samples_leaf = 1: the binned MUWCLASS case) a count is 16
//    bits and a boundary's sums come from SSE2 multiply-adds over the 8 classes;
//  * sort path (otherwise): the node's keys (code << 16 | bootstrap count << 8
//    | class in 32 bits for the MUWCLASS shapes, code << 32 | row otherwise)
//    are gathered, the lowest-code group (the missing-value flag) set aside,
//    the rest ordered by code (counting sort when the node's code range is
//    small relative to its size, LSD radix sort otherwise, std::sort for tiny
//    nodes) and moved left one row at a time.
// A division-free pre-test skips boundaries that cannot beat the best split
// so far. A node's class counts come from its parent's split. The node's row
// indices are then stably partitioned, so a tree needs no allocation per node.
//
// Class weights are bootstrap counts, so every count and sum of squared
// counts is an exact integer: sums do not depend on the order rows are visited.
//
// Prediction (and the out-of-bag members' leaves) routes many rows through a
// tree node by node (Router) instead of walking each row from the root.
#include "mwclass/learners/random_forest.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mwclass/core/config_keys.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::learners {
namespace {

// Training data shared read-only by every tree of one fit. Codes are stored
// as uint16 when every feature has at most 65,536 distinct values (the MUWCLASS
// training set: ~11,000), halving the memory the per-node gathers touch.
struct Encoded {
  std::size_t n_rows = 0;
  std::size_t n_features = 0;
  int n_classes = 0;
  std::vector<std::uint8_t> codes8;         // codes[f * n_rows + row], if max_codes <= 2^8
  std::vector<std::uint8_t> row_codes;      // the same row-major, codes[row * n_features + f]
  std::vector<std::uint16_t> codes16;       // if max_codes <= 2^16
  std::vector<std::uint32_t> codes32;       // otherwise
  // The values of code c of feature f lie in [lower[f][c], upper[f][c]]; both
  // hold the sorted distinct values (lower == upper) unless max_bins groups them.
  std::vector<std::vector<double>> lower, upper;
  std::uint32_t max_codes = 0;              // largest number of codes of a feature
  std::vector<int> y;
  // The compact histogram layout applies (byte codes, <= 64 codes, <= 8
  // classes, min_samples_leaf = 1, a tree's total weight below 2^15);
  // row_codes then hold code * 4, which addresses the code's 8 class entries
  // of 2 bytes with an index scale of 4.
  bool compact = false;

  bool narrow() const { return max_codes <= 65536u; }
  bool byte() const { return max_codes <= 256u; }
};

// Code of each distinct value (ascending) of one feature when max_bins > 0
// and it has more distinct values: the lowest value alone in code 0 (the
// missing-value flag stays its own group), the others in at most max_bins - 1
// groups of consecutive values, each closed as soon as it holds the mean
// number of rows still to be grouped per group still open (equal frequency;
// a value is never split between groups). Returns the number of groups.
std::uint32_t group_values(const std::vector<std::uint32_t>& rows_per_value, int max_bins,
                           std::vector<std::uint32_t>& group) {
  const std::size_t u = rows_per_value.size();
  group.assign(u, 0);
  if (max_bins <= 0 || u <= static_cast<std::size_t>(max_bins)) {
    for (std::size_t v = 0; v < u; ++v) group[v] = static_cast<std::uint32_t>(v);
    return static_cast<std::uint32_t>(u);
  }
  double remaining = 0.0;
  for (std::size_t v = 1; v < u; ++v) remaining += rows_per_value[v];
  std::uint32_t current = 1, open = static_cast<std::uint32_t>(max_bins) - 1;
  double held = 0.0;
  for (std::size_t v = 1; v < u; ++v) {
    group[v] = current;
    held += rows_per_value[v];
    if (open > 1 && v + 1 < u && held >= remaining / open) {
      remaining -= held;
      held = 0.0;
      --open;
      ++current;
    }
  }
  return current + 1;
}

// A column entry for the encode sort: the value's bits mapped so that
// unsigned order is numeric order (negative values: all bits flipped; others:
// the sign bit set), and its row.
struct ColumnEntry {
  std::uint64_t key;
  std::uint32_t row;
};

std::uint64_t order_bits(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

double from_order_bits(std::uint64_t key) {
  const std::uint64_t bits = (key >> 63) != 0 ? key & ~(std::uint64_t{1} << 63) : ~key;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// LSD radix sort of a[0, n) by key, 8 bits per pass; passes whose byte is
// the same in every key are skipped (the high bytes of one feature's values
// mostly are). `tmp` is scratch of the same size; returns the sorted buffer
// (a or tmp).
ColumnEntry* sort_column(ColumnEntry* a, std::size_t n, ColumnEntry* tmp) {
  if (n == 0) return a;
  std::uint32_t count[8][256] = {};
  for (std::size_t i = 0; i < n; ++i)
    for (int d = 0; d < 8; ++d) ++count[d][a[i].key >> (8 * d) & 0xFFu];
  for (int d = 0; d < 8; ++d) {
    if (count[d][a[0].key >> (8 * d) & 0xFFu] == n) continue;
    std::uint32_t offset[256];
    std::uint32_t sum = 0;
    for (int b = 0; b < 256; ++b) {
      offset[b] = sum;
      sum += count[d][b];
    }
    for (std::size_t i = 0; i < n; ++i) tmp[offset[a[i].key >> (8 * d) & 0xFFu]++] = a[i];
    std::swap(a, tmp);
  }
  return a;
}

Encoded encode(const Matrix& X, const Labels& y, int n_classes, int max_bins, bool compact_fits,
               int n_threads) {
  Encoded data;
  data.n_rows = static_cast<std::size_t>(X.rows());
  data.n_features = static_cast<std::size_t>(X.cols());
  data.n_classes = n_classes;
  data.lower.resize(data.n_features);
  data.upper.resize(data.n_features);
  data.y = y;

  const std::size_t n = data.n_rows;
  const auto p = static_cast<std::ptrdiff_t>(data.n_features);
  // Ranks first (uint32), then the narrow copy if every column fits.
  std::vector<std::uint32_t> codes(n * data.n_features);
#pragma omp parallel num_threads(n_threads)
  {
    std::vector<ColumnEntry> column(n), scratch(n);
    std::vector<double> distinct;
    std::vector<std::uint32_t> rows_per_value, group;
#pragma omp for schedule(static)
    for (std::ptrdiff_t f = 0; f < p; ++f) {
      // The lowest value (in most MUWCLASS features the -100 flag of 30-65 %
      // of the rows) is code 0 without sorting; the other rows are sorted.
      std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
      for (std::size_t i = 0; i < n; ++i)
        lowest = std::min(lowest, order_bits(X(static_cast<Eigen::Index>(i), f)));
      const double low = from_order_bits(lowest);
      std::uint32_t* out = codes.data() + static_cast<std::size_t>(f) * n;
      std::size_t n_rest = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double v = X(static_cast<Eigen::Index>(i), f);
        column[n_rest] = {order_bits(v), static_cast<std::uint32_t>(i)};
        out[i] = 0;
        n_rest += v != low;  // -0.0 and 0.0 are one value
      }
      const ColumnEntry* sorted = sort_column(column.data(), n_rest, scratch.data());
      distinct.assign(1, low);
      rows_per_value.assign(1, static_cast<std::uint32_t>(n - n_rest));
      std::uint64_t previous = lowest;
      for (std::size_t i = 0; i < n_rest; ++i) {
        const double v = from_order_bits(sorted[i].key);
        // -0.0 and 0.0 are one value (their keys differ, they compare equal).
        if (sorted[i].key != previous && v != distinct.back()) {
          distinct.push_back(v);
          rows_per_value.push_back(0);
        }
        previous = sorted[i].key;
        ++rows_per_value.back();
        out[sorted[i].row] = static_cast<std::uint32_t>(distinct.size() - 1);
      }
      const std::uint32_t n_codes = group_values(rows_per_value, max_bins, group);
      auto& lower = data.lower[static_cast<std::size_t>(f)];
      auto& upper = data.upper[static_cast<std::size_t>(f)];
      lower.assign(n_codes, 0.0);
      upper.assign(n_codes, 0.0);
      for (std::size_t v = distinct.size(); v-- > 0;) lower[group[v]] = distinct[v];
      for (std::size_t v = 0; v < distinct.size(); ++v) upper[group[v]] = distinct[v];
      if (n_codes < distinct.size())
        for (std::size_t i = 0; i < n; ++i) out[i] = group[out[i]];
    }
  }
  for (const auto& table : data.lower)
    data.max_codes = std::max(data.max_codes, static_cast<std::uint32_t>(table.size()));
  if (data.byte()) {
    data.compact = data.max_codes <= 64 && n_classes <= 8 && compact_fits;
    const std::uint32_t scale = data.compact ? 4 : 1;
    data.codes8.assign(codes.begin(), codes.end());
    data.row_codes.resize(codes.size());
    for (std::size_t f = 0; f < data.n_features; ++f)
      for (std::size_t r = 0; r < n; ++r)
        data.row_codes[r * data.n_features + f] = static_cast<std::uint8_t>(codes[f * n + r] * scale);
  } else if (data.narrow()) {
    data.codes16.assign(codes.begin(), codes.end());
  } else {
    data.codes32 = std::move(codes);
  }
  return data;
}

// Stable partition of rows[begin, end) by go_left(row), without a branch:
// left rows stay in place in order, right ones go through `spill` (room for
// end - begin rows) and follow them. Returns the end of the left part. Shared
// by the tree builder (codes) and the Router (values).
template <typename GoLeft>
std::size_t partition_rows(std::uint32_t* rows, std::size_t begin, std::size_t end,
                           std::uint32_t* spill, GoLeft go_left) {
  std::size_t l = begin, r = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint32_t row = rows[i];
    const bool left = go_left(row);
    rows[l] = row;
    spill[r] = row;
    l += left;
    r += !left;
  }
  std::copy(spill, spill + r, rows + l);
  return l;
}

struct Split {
  int feature = -1;
  std::uint32_t code_lo = 0;  // rows with code <= code_lo go left
  std::uint32_t code_hi = 0;  // next code present in the node
  double proxy = -std::numeric_limits<double>::infinity();
};

// Sort keys. Narrow: code << 16 | bootstrap count << 8 | class in 32 bits,
// for codes below 2^16, counts below 256 and at most 256 classes (the
// MUWCLASS case: half the bytes every sort pass moves). Wide: code << 32 |
// row in 64 bits, count and class looked up by row.
struct NarrowKey {
  using Key = std::uint32_t;
  static constexpr int kCodeShift = 16;
};
struct WideKey {
  using Key = std::uint64_t;
  static constexpr int kCodeShift = 32;
};

// The smallest s with 2^s >= c.
std::size_t class_shift(std::size_t c) {
  std::size_t s = 0;
  while ((std::size_t{1} << s) < c) ++s;
  return s;
}

// Grows one tree; all buffers live as long as the builder. Code is the
// stored code type (uint8, uint16 or uint32), Layout the sort-key layout.
//
// Class counts are bootstrap counts, held as integers: the split scan keeps
// exact integer sums of squares, and the Gini proxy is then evaluated in
// double from those exact values with sklearn's expression.
template <typename Code, typename Layout>
class TreeBuilder {
  using Key = typename Layout::Key;
  static constexpr bool kNarrow = std::is_same_v<Layout, NarrowKey>;

 public:
  TreeBuilder(const Encoded& data, const ForestParams& params, int mtry)
      : data_(data), params_(params), mtry_(mtry),
        n_(data.n_rows), p_(data.n_features), c_(static_cast<std::size_t>(data.n_classes)),
        codes_(codes_of(data)), yw_(kNarrow ? n_ : 0), keys_(n_), low_(n_), sorted_(n_), spill_(n_),
        count_(data.max_codes + 1u),
        slots_(histogram_slots(data, mtry)),
        compact_(kNarrow && sizeof(Code) == 1 && data.compact),
        class_shift_(class_shift(c_)), stride_((data.max_codes + 1u) << class_shift_),
        touched_stride_((data.max_codes / 64u + 1u) * 64u),
        hist_(compact_ ? 0 : slots_ * stride_), compact_hist_(compact_ ? slots_ * kCompactStride : 0),
        touched_(compact_ ? 0 : slots_ * touched_stride_),
        occupied_(touched_stride_ / 64u), slot_occupied_(slots_), present_(c_), features_(p_), constant_(p_), is_constant_(p_),
        found_(p_), batch_(p_), left_(c_), right_(c_), best_left_(c_) {}

  // `weight`: the tree's bootstrap counts; `stream` continues with the
  // feature draws. row_leaf[r] receives the leaf of every in-bag row r.
  Tree build(const std::vector<std::uint32_t>& weight, rng::Stream& stream,
             std::int32_t* row_leaf) {
    weight_ = weight.data();
    Tree tree;
    tree.importances.assign(p_, 0.0);

    // The in-bag rows (without a branch: a third of the rows are out of bag)
    // and the root's class counts.
    rows_.resize(n_ + kPrefetch);
    std::size_t n_in_bag = 0;
    for (std::size_t r = 0; r < n_; ++r) {
      rows_[n_in_bag] = static_cast<std::uint32_t>(r);
      n_in_bag += weight_[r] > 0;
    }
    pool_.assign(c_, 0);
    for (std::size_t q = 0; q < n_in_bag; ++q) {
      const std::uint32_t r = rows_[q];
      pool_[static_cast<std::size_t>(data_.y[r])] += weight_[r];
      if constexpr (kNarrow)
        yw_[r] = static_cast<std::uint16_t>(weight_[r] << 8 | static_cast<std::uint32_t>(data_.y[r]));
    }

    // Each pending node owns the last c_ entries of pool_ (its class counts),
    // pushed and popped in the same order as the stack. constant_[0, n_constant)
    // holds the features known to be constant in the node (sklearn's scheme:
    // a node's subtree only writes beyond it, so the right sibling, popped
    // after the left subtree, still finds its prefix intact).
    struct Pending {
      std::size_t start, end;
      int depth, parent;
      bool is_left;
      std::size_t n_constant;
    };
    std::vector<Pending> stack;
    std::vector<std::int64_t> node_counts(c_);
    // fill_compact_group reads kPrefetch rows ahead: valid indices past the end.
    std::fill(rows_.begin() + static_cast<std::ptrdiff_t>(n_in_bag), rows_.end(), 0u);
    stack.push_back({0, n_in_bag, 0, -1, false, 0});
    while (!stack.empty()) {
      const Pending node = stack.back();
      stack.pop_back();
      std::copy(pool_.end() - static_cast<std::ptrdiff_t>(c_), pool_.end(), node_counts.begin());
      pool_.resize(pool_.size() - c_);
      const int id = static_cast<int>(tree.nodes.size());
      tree.nodes.emplace_back();
      if (node.parent >= 0) {
        auto& parent = tree.nodes[static_cast<std::size_t>(node.parent)];
        (node.is_left ? parent.left : parent.right) = id;
      }
      tree.depth = std::max(tree.depth, node.depth);

      std::int64_t total = 0;
      int classes_present = 0;
      for (std::int64_t count : node_counts) {
        total += count;
        classes_present += count > 0;
      }
      const std::size_t m = node.end - node.start;
      bool leaf = (params_.max_depth > 0 && node.depth >= params_.max_depth) ||
                  m < static_cast<std::size_t>(params_.min_samples_split) ||
                  m < 2 * static_cast<std::size_t>(params_.min_samples_leaf) ||
                  classes_present <= 1;
      Split split;
      std::size_t n_found = 0;
      if (!leaf)
        leaf = !find_split(node.start, node.end, total, node_counts, node.n_constant, stream,
                           split, n_found);
      if (leaf) {
        tree.nodes[static_cast<std::size_t>(id)].value_offset =
            static_cast<int>(tree.leaf_values.size());
        const auto t = static_cast<double>(total);
        for (std::int64_t count : node_counts) tree.leaf_values.push_back(static_cast<double>(count) / t);
        for (std::size_t q = node.start; q < node.end; ++q) row_leaf[rows_[q]] = id;
        continue;
      }
      // The features found constant here are constant in both children.
      std::copy(found_.begin(), found_.begin() + static_cast<std::ptrdiff_t>(n_found),
                constant_.begin() + static_cast<std::ptrdiff_t>(node.n_constant));
      const std::size_t n_constant = node.n_constant + n_found;

      const std::size_t mid = partition(node.start, node.end, split);

      // Weighted impurity decrease, as sklearn's compute_feature_importances.
      // best_left_ holds the left child's class counts recorded by the scan.
      std::int64_t total_left = 0;
      for (std::int64_t count : best_left_) total_left += count;
      double sq = 0.0, sq_left = 0.0, sq_right = 0.0;
      for (std::size_t k = 0; k < c_; ++k) {
        const auto all = static_cast<double>(node_counts[k]);
        const auto left = static_cast<double>(best_left_[k]);
        const double right = all - left;
        sq += all * all;
        sq_left += left * left;
        sq_right += right * right;
      }
      const auto w_all = static_cast<double>(total), w_left = static_cast<double>(total_left);
      const double w_right = w_all - w_left;
      const double gini = 1.0 - sq / (w_all * w_all);
      const double gini_left = 1.0 - sq_left / (w_left * w_left);
      const double gini_right = 1.0 - sq_right / (w_right * w_right);
      tree.importances[static_cast<std::size_t>(split.feature)] +=
          w_all * gini - w_left * gini_left - w_right * gini_right;

      const auto f = static_cast<std::size_t>(split.feature);
      const double lo = data_.upper[f][split.code_lo], hi = data_.lower[f][split.code_hi];
      double threshold = lo / 2.0 + hi / 2.0;
      if (threshold == hi || std::isinf(threshold)) threshold = lo;
      auto& out = tree.nodes[static_cast<std::size_t>(id)];
      out.feature = split.feature;
      out.threshold = threshold;
      // Depth first, left child first: nodes come out in pre-order.
      stack.push_back({mid, node.end, node.depth + 1, id, false, n_constant});
      for (std::size_t k = 0; k < c_; ++k) pool_.push_back(node_counts[k] - best_left_[k]);
      stack.push_back({node.start, mid, node.depth + 1, id, true, n_constant});
      pool_.insert(pool_.end(), best_left_.begin(), best_left_.end());
    }
    return tree;
  }

 private:
  static const Code* codes_of(const Encoded& data) {
    if constexpr (sizeof(Code) == 1)
      return data.codes8.data();
    else if constexpr (sizeof(Code) == 2)
      return data.codes16.data();
    else
      return data.codes32.data();
  }

  const Code* column(int f) const { return codes_ + static_cast<std::size_t>(f) * n_; }

  static std::uint32_t code_of(Key key) { return static_cast<std::uint32_t>(key >> Layout::kCodeShift); }

  // Stable partition of rows_[start, end) by the split: rows keep ascending
  // order within each child, so later gathers walk memory forwards.
  std::size_t partition(std::size_t start, std::size_t end, const Split& split) {
    const Code* codes = column(split.feature);
    const std::uint32_t code_lo = split.code_lo;
    return partition_rows(rows_.data(), start, end, spill_.data(),
                          [codes, code_lo](std::uint32_t row) { return codes[row] <= code_lo; });
  }

  // sklearn's BestSplitter feature sampling: the features known to be
  // constant in this node are never drawn; the others are drawn without
  // replacement in random order until max_features non-constant ones have
  // been evaluated (newly found constant ones do not count and are passed to
  // the children through found_[0, n_found)). Returns false when no feature
  // admits a split leaving min_samples_leaf rows on each side.
  bool find_split(std::size_t start, std::size_t end, std::int64_t total,
                  const std::vector<std::int64_t>& node_counts, std::size_t n_constant,
                  rng::Stream& stream, Split& best, std::size_t& n_found) {
    const std::size_t m = end - start;
    sq_node_ = 0;  // every scan of the node starts from it (Sweep)
    for (std::int64_t count : node_counts) sq_node_ += count * count;
    if (compact_)
      for (std::size_t k = 0; k < c_; ++k) node_lanes_[k] = static_cast<std::int16_t>(node_counts[k]);
    // Candidates: the non-constant features in index order, so the draw
    // depends only on the node's constant set.
    for (std::size_t i = 0; i < n_constant; ++i) is_constant_[static_cast<std::size_t>(constant_[i])] = 1;
    std::size_t n_candidates = 0;
    for (std::size_t f = 0; f < p_; ++f)
      if (!is_constant_[f]) features_[n_candidates++] = static_cast<int>(f);
    for (std::size_t i = 0; i < n_constant; ++i) is_constant_[static_cast<std::size_t>(constant_[i])] = 0;

    int visited = 0;
    const std::uint32_t* rows = rows_.data() + start;
    std::size_t i = 0;
    while (i < n_candidates && visited < mtry_) {
      // Byte codes: features are drawn one at a time as above until the ones
      // still needed are found, a feature constant in the node (an early-exit
      // pass over its column) set aside without a histogram; the others'
      // class histograms are then filled in one pass over the node's rows
      // (row-major codes) and scanned in draw order.
      if constexpr (kNarrow && sizeof(Code) == 1) {
        if (m >= kHistogramMinRows) {
          const auto needed = static_cast<std::size_t>(mtry_ - visited);
          std::size_t batch = 0;
          while (batch < needed && i < n_candidates) {
            std::swap(features_[i], features_[i + static_cast<std::size_t>(stream.below(n_candidates - i))]);
            const int f = features_[i++];
            if (constant_in_node(rows, m, column(f)))
              found_[n_found++] = f;  // constant here and in all descendants
            else
              batch_[batch++] = f;
          }
          if (compact_)
            fill_compact(rows, m, batch_.data(), batch);
          else
            fill_histograms(rows, m, batch_.data(), batch);
          for (std::size_t b = 0; b < batch; ++b) {
            if (compact_ ? compact_scan(b, total, node_counts, batch_[b], best)
                         : histogram_scan(b, m, total, node_counts, batch_[b], best))
              ++visited;
            else
              found_[n_found++] = batch_[b];
          }
          continue;
        }
      }
      const std::size_t j = i + static_cast<std::size_t>(stream.below(n_candidates - i));
      std::swap(features_[i], features_[j]);
      const int f = features_[i++];
      const Code* codes = column(f);

      // As many rows as the feature has codes: its class histogram replaces
      // the gather, sort and per-row scan.
      if constexpr (kNarrow) {
        if (slots_ > 0 && m >= kHistogramMinRows && m >= data_.lower[static_cast<std::size_t>(f)].size()) {
          fill_histogram(rows, m, codes);
          if (histogram_scan(0, m, total, node_counts, f, best))
            ++visited;
          else
            found_[n_found++] = f;
          continue;
        }
      }

      // Rows holding the column's lowest value (code 0: the missing-value
      // flag in 20 of the 29 MUWCLASS features, 30-65 % of the rows) form
      // the first group of any order; they are set aside instead of sorted.
      std::size_t n_low = 0, n_rest = 0;
      std::uint32_t lo = std::numeric_limits<std::uint32_t>::max(), hi = 0;
      for (std::size_t q = 0; q < m; ++q) {
        const std::uint32_t r = rows[q];
        const std::uint32_t code = codes[r];
        Key key;
        if constexpr (kNarrow)
          key = code << 16 | yw_[r];
        else
          key = static_cast<std::uint64_t>(code) << 32 | r;
        const bool is_low = code == 0;
        keys_[n_rest] = key;
        low_[n_low] = key;
        n_rest += !is_low;
        n_low += is_low;
        lo = std::min(lo, is_low ? lo : code);
        hi = std::max(hi, code);
      }
      if (n_rest == 0 || (n_low == 0 && lo == hi)) {  // constant here and in all descendants
        found_[n_found++] = f;
        continue;
      }
      ++visited;
      scan(low_.data(), n_low, sort_keys(n_rest, lo, hi), n_rest, total, node_counts, f, best);
    }
    return best.feature >= 0;
  }

  // The state of one feature's scan: rows are moved from the right side to the
  // left in code order and the boundaries between distinct codes evaluated.
  // Sums of squared class counts are updated exactly in integers, so the Gini
  // proxy needs O(1) work per move; a division-free pre-test skips boundaries
  // that cannot beat the best split so far.
  class Sweep {
   public:
    Sweep(TreeBuilder& b, std::int64_t total, const std::vector<std::int64_t>& node_counts, int f,
          Split& best)
        : c_(b.c_), left_(b.left_.data()), right_(b.right_.data()), best_left_(b.best_left_.data()),
          f_(f), best_(best), n_right_(total), w_total_(static_cast<double>(total)),
          margin_(1e-9 * w_total_), pretest_(total < (std::int64_t{1} << 17)) {
      std::fill(left_, left_ + c_, 0);
      std::copy(node_counts.begin(), node_counts.end(), right_);
      sq_right_ = b.sq_node_;
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

  void move_key(Sweep& sweep, Key key) const {
    if constexpr (kNarrow) {
      sweep.move(key & 0xFFu, key >> 8 & 0xFFu);
    } else {
      const auto r = static_cast<std::uint32_t>(key);
      sweep.move(static_cast<std::size_t>(data_.y[r]), weight_[r]);
    }
  }

  // Scan in key order: first the lowest-code group low[0, n_low), then
  // sorted[0, n_rest), one row at a time.
  void scan(const Key* low, std::size_t n_low, const Key* sorted, std::size_t n_rest,
            std::int64_t total, const std::vector<std::int64_t>& node_counts, int f, Split& best) {
    const auto min_leaf = static_cast<std::size_t>(params_.min_samples_leaf);
    const std::size_t m = n_low + n_rest;
    Sweep sweep(*this, total, node_counts, f, best);
    for (std::size_t q = 0; q < n_low; ++q) move_key(sweep, low[q]);
    if (n_low > 0 && n_rest > 0 && n_low >= min_leaf && n_rest >= min_leaf)
      sweep.consider(0, code_of(sorted[0]));
    for (std::size_t q = 0; q + 1 < n_rest; ++q) {
      move_key(sweep, sorted[q]);
      const std::uint32_t code = code_of(sorted[q]);
      const std::uint32_t next = code_of(sorted[q + 1]);
      const std::size_t rows_left = n_low + q + 1;
      if (code == next || rows_left < min_leaf) continue;
      if (m - rows_left < min_leaf) break;
      sweep.consider(code, next);
    }
  }

  // Histogram slots: hist_[slot * stride_ + (code << class_shift_) + class] = distinct
  // rows << 32 | summed bootstrap counts of the node's rows with that code and
  // class (narrow keys: counts < 256 and rows < 2^24, so neither half
  // overflows); touched_[slot * touched_stride_ + code] = 1 for the codes
  // present. Both are all zero between uses: histogram_scan zeroes its slot.

  // One feature (column codes) into slot 0.
  void fill_histogram(const std::uint32_t* rows, std::size_t m, const Code* codes) {
    std::uint64_t* hist = hist_.data();
    std::uint8_t* touched = touched_.data();
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t r = rows[q];
      const std::uint32_t code = codes[r];
      const std::uint32_t yw = yw_[r];
      hist[(code << class_shift_) + (yw & 0xFFu)] += std::uint64_t{1} << 32 | yw >> 8;
      touched[code] = 1;
    }
  }

  // Features f[0, n) into slots [0, n), reading each row's byte codes once
  // (row-major copy), in groups of at most kGroup features per pass.
  void fill_histograms(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t n) {
    for (std::size_t first = 0; first < n; first += kGroup) {
      switch (std::min(kGroup, n - first)) {
        case 1: fill_group<1>(rows, m, f, first); break;
        case 2: fill_group<2>(rows, m, f, first); break;
        case 3: fill_group<3>(rows, m, f, first); break;
        case 4: fill_group<4>(rows, m, f, first); break;
        case 5: fill_group<5>(rows, m, f, first); break;
        default: fill_group<kGroup>(rows, m, f, first); break;
      }
    }
  }

  template <std::size_t N>
  void fill_group(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t first) {
    const std::uint8_t* codes = data_.row_codes.data();
    const std::size_t shift = class_shift_, stride = stride_, p = p_;
    std::uint64_t* hist = hist_.data() + first * stride;
    std::uint8_t* touched[N];
    std::size_t feature[N];
    for (std::size_t b = 0; b < N; ++b) {
      touched[b] = touched_.data() + (first + b) * touched_stride_;
      feature[b] = static_cast<std::size_t>(f[first + b]);
    }
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t r = rows[q];
      const std::uint32_t yw = yw_[r];
      std::uint64_t* at = hist + (yw & 0xFFu);
      const std::uint64_t add = std::uint64_t{1} << 32 | yw >> 8;
      const std::uint8_t* record = codes + static_cast<std::size_t>(r) * p;
      for (std::size_t b = 0; b < N; ++b) {
        const std::uint32_t code = record[feature[b]];
        at[b * stride + (static_cast<std::size_t>(code) << shift)] += add;
        touched[b][code] = 1;
      }
    }
  }

  // The compact layout (Encoded::compact): slot b holds 64 codes x 8 classes
  // of 2-byte summed bootstrap counts — with min_samples_leaf = 1 row counts
  // are not needed (an in-bag row weighs >= 1) — so an update is one
  // read-modify-write addressed by the stored code * 4 at a constant offset.
  // The codes present go to slot_occupied_: collected per row in registers,
  // or from kDeriveOccupancy rows on read off the filled slot.
  void fill_compact(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t n) {
    for (std::size_t first = 0; first < n; first += kGroup) {
      const std::size_t group = std::min(kGroup, n - first);
      if (m >= kDeriveOccupancy) {
        fill_compact_n<false>(group, rows, m, f, first);
        for (std::size_t b = first; b < first + group; ++b)
          slot_occupied_[b] = compact_occupied(compact_hist_.data() + b * kCompactStride,
                                               data_.lower[static_cast<std::size_t>(f[b])].size());
      } else {
        fill_compact_n<true>(group, rows, m, f, first);
      }
    }
  }

  template <bool kCollect>
  void fill_compact_n(std::size_t group, const std::uint32_t* rows, std::size_t m, const int* f,
                      std::size_t first) {
    switch (group) {
      case 1: fill_compact_group<1, kCollect>(rows, m, f, first); break;
      case 2: fill_compact_group<2, kCollect>(rows, m, f, first); break;
      case 3: fill_compact_group<3, kCollect>(rows, m, f, first); break;
      case 4: fill_compact_group<4, kCollect>(rows, m, f, first); break;
      case 5: fill_compact_group<5, kCollect>(rows, m, f, first); break;
      default: fill_compact_group<kGroup, kCollect>(rows, m, f, first); break;
    }
  }

  template <std::size_t N, bool kCollect>
  void fill_compact_group(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t first) {
    const std::uint8_t* codes = data_.row_codes.data();  // code * 4
    std::uint16_t* hist = compact_hist_.data() + first * kCompactStride;
    std::uint64_t occupied[N] = {};
    std::size_t feature[N];
    for (std::size_t b = 0; b < N; ++b) feature[b] = static_cast<std::size_t>(f[first + b]);
    // Locals: the histogram stores could otherwise alias the members.
    const std::size_t p = p_;
    const std::uint16_t* class_count = yw_.data();
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t r = rows[q];
      // The rows of a deep node are far apart: fetch records ahead (rows_ is
      // padded, so the index is valid past the node's end).
      __builtin_prefetch(codes + static_cast<std::size_t>(rows[q + kPrefetch]) * p);
      const std::uint32_t yw = class_count[r];
      std::uint16_t* at = hist + (yw & 0xFFu);
      const auto w = static_cast<std::uint16_t>(yw >> 8);
      const std::uint8_t* record = codes + static_cast<std::size_t>(r) * p;
      for (std::size_t b = 0; b < N; ++b) {
        const std::size_t scaled = record[feature[b]];
        at[b * kCompactStride + 2 * scaled] = static_cast<std::uint16_t>(at[b * kCompactStride + 2 * scaled] + w);
        if constexpr (kCollect) occupied[b] |= std::uint64_t{1} << (scaled >> 2);
      }
    }
    if constexpr (kCollect)
      for (std::size_t b = 0; b < N; ++b) slot_occupied_[first + b] = occupied[b];
  }

  // Whether any of the 8 class entries of a code at `entry` is non-zero.
  static bool compact_present(const std::uint16_t* entry) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(entry));
    return _mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_setzero_si128())) != 0xFFFF;
#else
    for (int k = 0; k < 8; ++k)
      if (entry[k] != 0) return true;
    return false;
#endif
  }

  // The codes [0, n_codes) with a non-zero entry in compact slot `hist`, as a bitmap.
  static std::uint64_t compact_occupied(const std::uint16_t* hist, std::size_t n_codes) {
    std::uint64_t bits = 0;
    for (std::size_t code = 0; code < n_codes; ++code)
      bits |= static_cast<std::uint64_t>(compact_present(hist + code * 8)) << code;
    return bits;
  }

  // histogram_scan for compact slot `slot`: the same boundaries in the same
  // order with the same integer sums, so the same split. With
  // min_samples_leaf = 1 every boundary between two codes present leaves rows
  // on both sides. The left class counts are 8 lanes of 16 bits (the tree's
  // total weight is below 2^15); at each boundary the sums of squares and of
  // products with the node's counts come from two multiply-adds, no branch per
  // class: sq_right = sq_node - 2 sum(node * left) + sq_left. Zeroes the slot.
  bool compact_scan(std::size_t slot, std::int64_t total, const std::vector<std::int64_t>& node_counts,
                    int f, Split& best) {
    std::uint16_t* hist = compact_hist_.data() + slot * kCompactStride;
    std::uint64_t bits = slot_occupied_[slot];
    std::size_t code = static_cast<std::size_t>(__builtin_ctzll(bits));
    if ((bits & (bits - 1)) == 0) {  // a single code present (the node has rows)
      std::fill_n(hist + 8 * code, 8, std::uint16_t{0});
      return false;
    }
    Sweep sweep(*this, total, node_counts, f, best);
    const std::int16_t* lanes = node_lanes_;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128(), ones = _mm_set1_epi16(1);
    const __m128i node = _mm_load_si128(reinterpret_cast<const __m128i*>(lanes));
    auto* at = reinterpret_cast<__m128i*>(hist + 8 * code);
    __m128i left = _mm_loadu_si128(at);
    _mm_storeu_si128(at, zero);
#else
    std::int64_t node[8], left[8];
    for (std::size_t k = 0; k < 8; ++k) {
      node[k] = lanes[k];
      left[k] = hist[8 * code + k];
      hist[8 * code + k] = 0;
    }
#endif
    std::size_t previous = code;
    bool improved = false;
#if defined(__SSE2__)
    __m128i best_left = zero;  // the left counts of this feature's best boundary
#else
    std::int64_t best_left[8] = {};
#endif
    for (bits &= bits - 1; bits != 0; bits &= bits - 1) {
      code = static_cast<std::size_t>(__builtin_ctzll(bits));
#if defined(__SSE2__)
      const __m128i squares = _mm_madd_epi16(left, left), products = _mm_madd_epi16(node, left);
      const __m128i counts = _mm_madd_epi16(ones, left);
      __m128i both = _mm_add_epi32(_mm_unpacklo_epi32(squares, products), _mm_unpackhi_epi32(squares, products));
      both = _mm_add_epi32(both, _mm_shuffle_epi32(both, _MM_SHUFFLE(1, 0, 3, 2)));
      __m128i n = _mm_add_epi32(counts, _mm_shuffle_epi32(counts, _MM_SHUFFLE(1, 0, 3, 2)));
      n = _mm_add_epi32(n, _mm_shuffle_epi32(n, _MM_SHUFFLE(2, 3, 0, 1)));
      const std::int64_t sq_left = _mm_cvtsi128_si32(both);
      const std::int64_t cross = _mm_cvtsi128_si32(_mm_shuffle_epi32(both, _MM_SHUFFLE(1, 1, 1, 1)));
      const std::int64_t n_left = _mm_cvtsi128_si32(n);
#else
      std::int64_t sq_left = 0, cross = 0, n_left = 0;
      for (std::size_t k = 0; k < 8; ++k) {
        sq_left += left[k] * left[k];
        cross += node[k] * left[k];
        n_left += left[k];
      }
#endif
      if (sweep.evaluate(static_cast<std::uint32_t>(previous), static_cast<std::uint32_t>(code), sq_left,
                         sq_node_ - 2 * cross + sq_left, n_left, total - n_left)) {
        improved = true;
#if defined(__SSE2__)
        best_left = left;
#else
        std::copy(left, left + 8, best_left);
#endif
      }
#if defined(__SSE2__)
      at = reinterpret_cast<__m128i*>(hist + 8 * code);
      left = _mm_add_epi16(left, _mm_loadu_si128(at));
      _mm_storeu_si128(at, zero);
#else
      for (std::size_t k = 0; k < 8; ++k) {
        left[k] += hist[8 * code + k];
        hist[8 * code + k] = 0;
      }
#endif
      previous = code;
    }
    if (improved) {
#if defined(__SSE2__)
      alignas(16) std::int16_t counts[8];
      _mm_store_si128(reinterpret_cast<__m128i*>(counts), best_left);
      for (std::size_t k = 0; k < c_; ++k) best_left_[k] = counts[k];
#else
      std::copy(best_left, best_left + c_, best_left_.begin());
#endif
    }
    return true;
  }

  // Whether the node's rows all have one code in `codes` (a column).
  static bool constant_in_node(const std::uint32_t* rows, std::size_t m, const Code* codes) {
    const Code first = codes[rows[0]];
    for (std::size_t q = 1; q < m; ++q)
      if (codes[rows[q]] != first) return false;
    return true;
  }

  // The 64 touched flags at `flags` as a bitmap (bit i: flags[i] != 0), and
  // the flags cleared.
  static std::uint64_t occupied_bits(std::uint8_t* flags) {
    std::uint64_t bits = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (int part = 0; part < 4; ++part) {
      auto* at = reinterpret_cast<__m128i*>(flags + 16 * part);
      const __m128i v = _mm_loadu_si128(at);
      const auto empty = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
      bits |= static_cast<std::uint64_t>(~empty & 0xFFFFu) << (16 * part);
      _mm_storeu_si128(at, zero);
    }
#else
    for (int i = 0; i < 64; ++i) {
      bits |= static_cast<std::uint64_t>(flags[i] != 0) << i;
      flags[i] = 0;
    }
#endif
    return bits;
  }

  // The scan over histogram slot `slot` of feature f: the codes present in
  // ascending order, each moved left whole. Exact — the bins are the node's
  // codes — and the same boundaries are evaluated in the same order with the
  // same integer sums as scan(), so the chosen split is identical. Returns
  // false (and evaluates nothing) when a single code is present. Zeroes the slot.
  bool histogram_scan(std::size_t slot, std::size_t m, std::int64_t total,
                      const std::vector<std::int64_t>& node_counts, int f, Split& best) {
    const std::size_t words = (data_.lower[static_cast<std::size_t>(f)].size() + 63) / 64;
    std::uint8_t* touched = touched_.data() + slot * touched_stride_;
    std::uint64_t* hist = hist_.data() + slot * stride_;
    // At most one code present: no word with two bits, at most one non-zero word.
    int nonzero_words = 0;
    bool two_in_a_word = false;
    for (std::size_t w = 0; w < words; ++w) {
      occupied_[w] = occupied_bits(touched + 64 * w);
      nonzero_words += occupied_[w] != 0;
      two_in_a_word = two_in_a_word || (occupied_[w] & (occupied_[w] - 1)) != 0;
    }
    if (nonzero_words <= 1 && !two_in_a_word) {
      for (std::size_t w = 0; w < words; ++w)
        if (occupied_[w] != 0) {
          const std::size_t code = 64 * w + static_cast<std::size_t>(__builtin_ctzll(occupied_[w]));
          std::fill(hist + (code << class_shift_), hist + (code << class_shift_) + c_, 0);
        }
      return false;
    }
    // A boundary is evaluated with rows_left in [lowest, lowest + span]: at
    // least min_samples_leaf rows (and one) on each side; m >= 2 min_samples_leaf.
    const std::size_t lowest = std::max<std::size_t>(static_cast<std::size_t>(params_.min_samples_leaf), 1);
    const std::size_t span = m - static_cast<std::size_t>(params_.min_samples_leaf) - lowest;
    Sweep sweep(*this, total, node_counts, f, best);
    // Only the classes present in the node can have non-zero entries.
    std::size_t n_present = 0;
    for (std::size_t k = 0; k < c_; ++k)
      if (node_counts[k] > 0) present_[n_present++] = k;
    std::size_t rows_left = 0;
    std::uint32_t previous = 0;
    for (std::size_t w = 0; w < words; ++w) {
      for (std::uint64_t bits = occupied_[w]; bits != 0; bits &= bits - 1) {
        const auto code = static_cast<std::uint32_t>(64 * w + static_cast<std::size_t>(__builtin_ctzll(bits)));
        if (rows_left - lowest <= span) sweep.consider(previous, code);  // unsigned: also rows_left < lowest
        std::uint64_t* counts = hist + (static_cast<std::size_t>(code) << class_shift_);
        for (std::size_t i = 0; i < n_present; ++i) {
          const std::uint64_t entry = counts[present_[i]];
          counts[present_[i]] = 0;
          sweep.move(present_[i], static_cast<std::int64_t>(entry & 0xFFFFFFFFu));
          rows_left += entry >> 32;
        }
        previous = code;
      }
    }
    return true;
  }

  // keys_[0, m) ordered by code (the high bits). Order among equal codes is
  // irrelevant: the scan only evaluates boundaries between distinct codes.
  const Key* sort_keys(std::size_t m, std::uint32_t lo, std::uint32_t hi) {
    const std::size_t range = static_cast<std::size_t>(hi - lo) + 1;
    if (m < kSmallNode) {
      std::sort(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(m));
      return keys_.data();
    }
    if (range > 4 * m) return radix_sort(m, lo, hi);
    std::fill(count_.begin(), count_.begin() + static_cast<std::ptrdiff_t>(range + 1), 0u);
    for (std::size_t q = 0; q < m; ++q) ++count_[code_of(keys_[q]) - lo + 1];
    for (std::size_t b = 1; b <= range; ++b) count_[b] += count_[b - 1];
    for (std::size_t q = 0; q < m; ++q) sorted_[count_[code_of(keys_[q]) - lo]++] = keys_[q];
    return sorted_.data();
  }

  // LSD radix sort on (code - lo) between keys_ and sorted_, in as few passes
  // of at most 8 bits as the span needs, the bits shared evenly between the
  // passes (14 bits: two passes of 7), so a mid-sized node clears and sums
  // few buckets. The bucket counts of every pass come from one read.
  const Key* radix_sort(std::size_t m, std::uint32_t lo, std::uint32_t hi) {
    Key* from = keys_.data();
    Key* to = sorted_.data();
    const std::uint32_t span = hi - lo;
    int bits = 0;
    while (bits < 32 && (span >> bits) != 0) ++bits;
    const int passes = (bits + 7) / 8;
    const int width = (bits + passes - 1) / passes;
    const std::uint32_t mask = (1u << width) - 1u;
    const std::size_t n_buckets = std::size_t{1} << width;
    std::uint32_t bucket[4][257];
    for (int d = 0; d < passes; ++d) std::fill(bucket[d], bucket[d] + n_buckets + 1, 0u);
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t v = code_of(from[q]) - lo;
      for (int d = 0; d < passes; ++d) ++bucket[d][(v >> (width * d) & mask) + 1];
    }
    for (int d = 0; d < passes; ++d) {
      std::uint32_t* b = bucket[d];
      for (std::size_t i = 1; i <= n_buckets; ++i) b[i] += b[i - 1];
      const int shift = width * d;
      for (std::size_t q = 0; q < m; ++q) to[b[(code_of(from[q]) - lo) >> shift & mask]++] = from[q];
      std::swap(from, to);
    }
    return from;
  }

  // Below this many rows a comparison sort beats the bucket passes.
  static constexpr std::size_t kSmallNode = 32;
  // Histogram slots: one per feature filled at once (byte codes: up to mtry);
  // for wider codes one, and none with more than 16 classes (the table would
  // be max_codes x classes entries for a rarely taken path).
  static std::size_t histogram_slots(const Encoded& data, int mtry) {
    if (!kNarrow) return 0;
    if (data.byte()) return static_cast<std::size_t>(mtry);
    return data.n_classes <= 16 ? 1 : 0;
  }

  // Nodes below this many rows take the sort path (measured with bench_iteration).
  static constexpr std::size_t kHistogramMinRows = 4;
  static constexpr std::size_t kGroup = 6;  // features per row pass of fill_histograms
  static constexpr std::size_t kPrefetch = 16;  // rows ahead whose record fill_group prefetches
  // Compact layout: from this many rows the codes present are read off the
  // filled histogram (64 codes x 8 entries) rather than collected per row.
  static constexpr std::size_t kDeriveOccupancy = 128;
  static constexpr std::size_t kCompactStride = 64 * 8;  // compact layout: entries per slot

  const Encoded& data_;
  const ForestParams& params_;
  const int mtry_;
  const std::size_t n_, p_, c_;
  const Code* codes_;
  const std::uint32_t* weight_ = nullptr;  // bootstrap count per row
  std::vector<std::uint16_t> yw_;          // narrow: count << 8 | class per row
  std::vector<std::uint32_t> rows_;        // rows present in the tree, grouped by node
  std::vector<Key> keys_;                  // the node's keys for one feature (codes > 0)
  std::vector<Key> low_;                   // the node's keys with code 0
  std::vector<Key> sorted_;                // sort output
  std::vector<std::uint32_t> spill_;       // partition: right-hand rows
  std::vector<std::uint32_t> count_;       // counting-sort buckets
  const std::size_t slots_;                // histogram path: slots (features at once)
  const bool compact_;                     // histogram path: <= 64 byte codes, <= 8 classes
  const std::size_t class_shift_;          // histogram path: log2 of the entries per code (>= c_)
  const std::size_t stride_;               // histogram path: entries per slot
  const std::size_t touched_stride_;       // histogram path: flags per slot (multiple of 64)
  std::vector<std::uint64_t> hist_;        // histogram path: rows << 32 | counts per slot, code, class
  std::vector<std::uint16_t> compact_hist_;  // compact layout: counts per slot, code, class
  std::vector<std::uint8_t> touched_;      // histogram path: 1 for the codes present, per slot
  std::vector<std::uint64_t> occupied_;    // histogram path: the scanned slot's codes as a bitmap
  std::vector<std::uint64_t> slot_occupied_;  // histogram path: codes present per slot (<= 64 codes)
  std::vector<std::size_t> present_;       // histogram path: the classes present in the node
  std::vector<int> features_;              // candidate features of the node, drawn in place
  std::vector<int> constant_;              // known-constant features along the current path
  std::vector<char> is_constant_;
  std::vector<int> found_;                 // features found constant in the current node
  std::vector<int> batch_;                 // histogram path: features filled together
  std::vector<std::int64_t> pool_;         // class counts of the pending nodes
  std::vector<std::int64_t> left_, right_, best_left_;
  std::int64_t sq_node_ = 0;               // sum of the node's squared class counts
  alignas(16) std::int16_t node_lanes_[8] = {};  // compact layout: the node's class counts
};

// The per-thread builders of one fit for one code type, made on first use; a
// tree uses the narrow key layout when its bootstrap counts and the data allow.
template <typename Code>
struct Builders {
  std::unique_ptr<TreeBuilder<Code, NarrowKey>> narrow;
  std::unique_ptr<TreeBuilder<Code, WideKey>> wide;

  Tree build(const Encoded& data, const ForestParams& params, int mtry, bool narrow_keys,
             const std::vector<std::uint32_t>& weight, rng::Stream& stream, std::int32_t* row_leaf) {
    if constexpr (sizeof(Code) <= 2) {
      if (narrow_keys) {
        if (!narrow) narrow = std::make_unique<TreeBuilder<Code, NarrowKey>>(data, params, mtry);
        return narrow->build(weight, stream, row_leaf);
      }
    }
    if (!wide) wide = std::make_unique<TreeBuilder<Code, WideKey>>(data, params, mtry);
    return wide->build(weight, stream, row_leaf);
  }
};

// Rows of each class, for the balanced bootstrap.
std::vector<std::vector<std::uint32_t>> rows_by_class(const Encoded& data) {
  std::vector<std::vector<std::uint32_t>> rows(static_cast<std::size_t>(data.n_classes));
  for (std::size_t r = 0; r < data.n_rows; ++r)
    rows[static_cast<std::size_t>(data.y[r])].push_back(static_cast<std::uint32_t>(r));
  return rows;
}

// The tree's row weights: bootstrap counts (plain or per class) times the
// class weights (empty: 1).
void draw_weights(const Encoded& data, const ForestParams& params,
                  const std::vector<std::vector<std::uint32_t>>& by_class,
                  const std::vector<std::uint32_t>& class_weight, rng::Stream& stream,
                  std::vector<std::uint32_t>& weight) {
  const std::size_t n = data.n_rows;
  std::fill(weight.begin(), weight.end(), params.bootstrap ? 0u : 1u);
  if (params.bootstrap && params.balanced_bootstrap) {
    std::size_t present = 0;
    for (const auto& rows : by_class) present += !rows.empty();
    const std::size_t per_class = std::max<std::size_t>(1, (n + present / 2) / present);
    for (const auto& rows : by_class)
      if (!rows.empty())
        for (std::size_t i = 0; i < per_class; ++i) ++weight[rows[stream.below(rows.size())]];
  } else if (params.bootstrap) {
    for (std::size_t i = 0; i < n; ++i) ++weight[stream.below(n)];
  }
  if (!class_weight.empty())
    for (std::size_t r = 0; r < n; ++r) weight[r] *= class_weight[static_cast<std::size_t>(data.y[r])];
}

Tree build_tree(const Encoded& data, const ForestParams& params, int mtry, std::uint64_t key,
                const std::vector<std::vector<std::uint32_t>>& by_class,
                const std::vector<std::uint32_t>& class_weight, std::vector<std::uint32_t>& weight,
                Builders<std::uint8_t>& b8, Builders<std::uint16_t>& b16,
                Builders<std::uint32_t>& b32, std::int32_t* row_leaf) {
  rng::Stream stream(key);
  draw_weights(data, params, by_class, class_weight, stream, weight);
  const std::uint32_t max_count = *std::max_element(weight.begin(), weight.end());
  const bool narrow_keys = max_count < 256 && data.n_classes <= 256;
  if (data.byte()) return b8.build(data, params, mtry, narrow_keys, weight, stream, row_leaf);
  if (data.narrow()) return b16.build(data, params, mtry, narrow_keys, weight, stream, row_leaf);
  return b32.build(data, params, mtry, false, weight, stream, row_leaf);
}

// Column-major copy of rows [begin, end) of row-major X: out[f * (end - begin) + i].
std::vector<double> columns_of(const Matrix& X, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin, p = static_cast<std::size_t>(X.cols());
  std::vector<double> out(n * p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < p; ++f) out[f * n + i] = X.data()[(begin + i) * p + f];
  return out;
}

// Finds the leaves of many rows in one tree by routing them through it node
// by node (pre-order, the left child of node i is i + 1): an internal node's
// rows are partitioned by x[feature] <= threshold — the test of a root-to-leaf
// walk, so each row reaches the same leaf — and a node no row reaches is never
// visited. The loads and comparisons of one node do not wait on each other,
// where a walk waits at every level on a branch it mispredicts half the time.
class Router {
 public:
  // columns: n rows column-major (columns_of); rows[0, m): the rows to route
  // (indices below n); leaf[row] receives each row's leaf.
  void route(const Tree& tree, const double* columns, std::size_t n, const std::uint32_t* rows,
             std::size_t m, std::int32_t* leaf) {
    if (m == 0) return;
    index_.assign(rows, rows + m);
    spill_.resize(m);
    const PackedNode* nodes = tree.packed.data();
    stack_.clear();
    stack_.push_back({0, 0, m});
    while (!stack_.empty()) {
      Range range = stack_.back();
      stack_.pop_back();
      // Follow left children down, setting the right ones aside.
      while (nodes[range.node].feature >= 0) {
        const PackedNode& node = nodes[range.node];
        const double* x = columns + static_cast<std::size_t>(node.feature) * n;
        const double threshold = node.threshold;
        const std::size_t l = partition_rows(index_.data(), range.begin, range.end, spill_.data(),
                                             [x, threshold](std::uint32_t row) { return x[row] <= threshold; });
        if (l < range.end) stack_.push_back({node.next, l, range.end});
        if (l == range.begin) break;
        range = {range.node + 1, range.begin, l};
      }
      if (range.begin == range.end || nodes[range.node].feature >= 0) continue;
      for (std::size_t q = range.begin; q < range.end; ++q) leaf[index_[q]] = range.node;
    }
  }

 private:
  struct Range {
    std::int32_t node;
    std::size_t begin, end;
  };
  std::vector<std::uint32_t> index_, spill_;
  std::vector<Range> stack_;
};

// Tree::packed from Tree::nodes.
void pack(Tree& tree) {
  tree.packed.resize(tree.nodes.size());
  for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
    const TreeNode& node = tree.nodes[i];
    if (node.feature >= 0 && node.left != static_cast<int>(i) + 1)
      fail("random forest: node {} is not followed by its left child", i);
    tree.packed[i] = {node.threshold, node.feature, node.feature >= 0 ? node.right : node.value_offset};
  }
}

// Grows trees [0, n_trees) of one fit into `trees`, in parallel, each from
// its own stream, so the result does not depend on n_threads.
// members (the first members.n_rows rows of X, row-major X) receives each
// member's leaf in every tree — in-bag rows from the growth itself, the
// others by traversal — and out-of-bag flags (1 where the tree's sample
// missed the member row).
void grow(const Encoded& data, const ForestParams& params, int mtry, std::uint64_t key,
          int n_threads, std::vector<Tree>& trees, const Matrix& X, LeafTable& members) {
  const auto by_class = params.balanced_bootstrap ? rows_by_class(data)
                                                  : std::vector<std::vector<std::uint32_t>>();
  const auto class_weight = params.class_weight_balanced
                                ? balanced_class_weights(data.y, data.n_classes)
                                : std::vector<std::uint32_t>();
  const std::vector<double> member_columns = columns_of(X, 0, members.n_rows);
  std::exception_ptr error;
  // Exceptions (only std::bad_alloc is possible) must not leave the parallel
  // region; the first one is rethrown after it.
#pragma omp parallel num_threads(n_threads)
  {
    Builders<std::uint8_t> b8;
    Builders<std::uint16_t> b16;
    Builders<std::uint32_t> b32;
    std::vector<std::uint32_t> weight;
    std::vector<std::int32_t> row_leaf(data.n_rows);
    std::vector<std::uint32_t> out_of_bag;
    Router router;
#pragma omp for schedule(dynamic)
    for (int t = 0; t < params.n_trees; ++t) {
      try {
        weight.resize(data.n_rows);
        trees[static_cast<std::size_t>(t)] =
            build_tree(data, params, mtry, rng::derive_key({key, static_cast<std::uint64_t>(t)}),
                       by_class, class_weight, weight, b8, b16, b32, row_leaf.data());
        Tree& tree = trees[static_cast<std::size_t>(t)];
        pack(tree);
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
  // tree's total weight below 2^15: n bootstrap draws (n + classes with the
  // balanced bootstrap) times the largest class weight.
  std::uint64_t largest_weight = 1;
  if (params_.class_weight_balanced)
    for (std::uint32_t w : balanced_class_weights(y, n_classes)) largest_weight = std::max<std::uint64_t>(largest_weight, w);
  const bool compact_fits = params_.min_samples_leaf == 1 &&
      (static_cast<std::uint64_t>(X.rows()) + static_cast<std::uint64_t>(n_classes)) * largest_weight < (1u << 15);
  const Encoded data = encode(X, y, n_classes, params_.max_bins, compact_fits, n_threads);
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
  const std::vector<double> columns = columns_of(X, 0, n_rows);
  std::vector<std::uint32_t> all(n_rows);
  for (std::size_t i = 0; i < n_rows; ++i) all[i] = static_cast<std::uint32_t>(i);
  std::vector<std::int32_t> out(n_rows * trees_.size());
#pragma omp parallel num_threads(std::max(1, n_threads))
  {
    Router router;
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
        columns_of(X, static_cast<std::size_t>(begin), static_cast<std::size_t>(end));
    std::vector<std::uint32_t> all(n_block);
    for (std::size_t i = 0; i < n_block; ++i) all[i] = static_cast<std::uint32_t>(i);
    std::vector<std::int32_t> block_leaf(n_block);
    Router router;
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
