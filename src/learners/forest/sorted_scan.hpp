#pragma once
// The sort path of a split search (nodes and features the histograms do not
// take): the node's keys are gathered, the lowest-code group (the
// missing-value flag) set aside, the rest ordered by code (counting sort when
// the node's code range is small relative to its size, LSD radix sort
// otherwise, std::sort for tiny nodes) and moved left one row at a time.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "split.hpp"

namespace mwclass::learners::forest {

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

// Code is the stored code type (uint8, uint16 or uint32), Layout the
// sort-key layout (NarrowKey needs Code of at most 16 bits and Sample::yw).
template <typename Code, typename Layout>
class SortedScan {
  using Key = typename Layout::Key;
  static constexpr bool kNarrow = std::is_same_v<Layout, NarrowKey>;

 public:
  // n_rows: rows of the training set (the largest node); max_codes: Encoded::max_codes.
  SortedScan(std::size_t n_rows, std::uint32_t max_codes)
      : keys_(n_rows), low_(n_rows), sorted_(n_rows), count_(max_codes + 1u) {}

  // Feature f (column `codes`) on the node's rows[0, m), leaving at least
  // min_leaf rows on each side: false, evaluating nothing, when the rows all
  // have one code (the feature is then constant in every descendant too).
  bool scan(const std::uint32_t* rows, std::size_t m, const Code* codes, int f, const Sample& sample,
            std::size_t min_leaf, const NodeCounts& node, SweepScratch& scratch, BestSplit& best) {
    // Rows holding the column's lowest value (code 0: the missing-value
    // flag in 20 of the 29 MUWCLASS features, 30-65 % of the rows) form
    // the first group of any order; they are set aside instead of sorted.
    std::size_t n_low = 0, n_rest = 0;
    std::uint32_t lo = std::numeric_limits<std::uint32_t>::max(), hi = 0;
    const std::uint16_t* yw = sample.yw;
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t r = rows[q];
      const std::uint32_t code = codes[r];
      Key key;
      if constexpr (kNarrow)
        key = code << 16 | yw[r];
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
    if (n_rest == 0 || (n_low == 0 && lo == hi)) return false;
    sweep(low_.data(), n_low, sort_keys(n_rest, lo, hi), n_rest, f, sample, min_leaf, node, scratch, best);
    return true;
  }

 private:
  static std::uint32_t code_of(Key key) { return static_cast<std::uint32_t>(key >> Layout::kCodeShift); }

  static void move_key(Sweep& sweep, Key key, const Sample& sample) {
    if constexpr (kNarrow) {
      sweep.move(key & 0xFFu, key >> 8 & 0xFFu);
    } else {
      const auto r = static_cast<std::uint32_t>(key);
      sweep.move(static_cast<std::size_t>(sample.y[r]), sample.weight[r]);
    }
  }

  // Scan in key order: first the lowest-code group low[0, n_low), then
  // sorted[0, n_rest), one row at a time.
  static void sweep(const Key* low, std::size_t n_low, const Key* sorted, std::size_t n_rest, int f,
                    const Sample& sample, std::size_t min_leaf, const NodeCounts& node,
                    SweepScratch& scratch, BestSplit& best) {
    const std::size_t m = n_low + n_rest;
    Sweep sweep(node, scratch, f, best);
    for (std::size_t q = 0; q < n_low; ++q) move_key(sweep, low[q], sample);
    if (n_low > 0 && n_rest > 0 && n_low >= min_leaf && n_rest >= min_leaf)
      sweep.consider(0, code_of(sorted[0]));
    // code: the code of sorted[q], carried from the previous step.
    std::uint32_t code = code_of(sorted[0]);
    for (std::size_t q = 0; q + 1 < n_rest; ++q) {
      move_key(sweep, sorted[q], sample);
      const std::uint32_t next = code_of(sorted[q + 1]);
      const std::uint32_t current = code;
      code = next;
      const std::size_t rows_left = n_low + q + 1;
      if (current == next || rows_left < min_leaf) continue;
      if (m - rows_left < min_leaf) break;
      sweep.consider(current, next);
    }
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

  std::vector<Key> keys_;             // the node's keys for one feature (codes > 0)
  std::vector<Key> low_;              // the node's keys with code 0
  std::vector<Key> sorted_;           // sort output
  std::vector<std::uint32_t> count_;  // counting-sort buckets
};

}  // namespace mwclass::learners::forest
