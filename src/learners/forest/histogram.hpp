#pragma once
// The histogram path of a split search (narrow keys; byte codes, or at least
// as many rows as the feature has codes): one pass counts the rows per (code,
// class), then whole codes move left in code order. With byte codes the
// features a node needs are filled together in one pass over its rows
// (row-major codes). Exact — the bins are the node's codes — and the same
// boundaries are evaluated in the same order with the same integer sums as
// the sort path, so the chosen split is identical.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "encoding.hpp"
#include "lanes.hpp"
#include "split.hpp"

namespace mwclass::learners::forest {

// The smallest s with 2^s >= c.
inline std::size_t class_shift(std::size_t c) {
  std::size_t s = 0;
  while ((std::size_t{1} << s) < c) ++s;
  return s;
}

// Code: the stored code type of the columns fill() reads (uint8 or uint16).
// Slots: hist_[slot * stride_ + (code << class_shift_) + class] = distinct rows
// << 32 | summed bootstrap counts of the node's rows with that code and class
// (narrow keys: counts < 256 and rows < 2^24, so neither half overflows);
// touched_[slot * touched_stride_ + code] = 1 for the codes present. Both are
// all zero between uses: scan() zeroes its slot.
template <typename Code, typename L = Lanes>
class Histogram {
 public:
  // slots: features filled at once (0: the path is not used).
  Histogram(const Encoded& data, std::size_t slots)
      : data_(data), p_(data.n_features), c_(static_cast<std::size_t>(data.n_classes)),
        class_shift_(class_shift(c_)), stride_((data.max_codes + 1u) << class_shift_),
        touched_stride_((data.max_codes / 64u + 1u) * 64u), hist_(slots * stride_),
        touched_(slots * touched_stride_), occupied_(touched_stride_ / 64u), present_(c_) {}

  // One feature (its column `codes`) of the node's rows[0, m) into slot 0.
  void fill(const std::uint32_t* rows, std::size_t m, const Code* codes, const std::uint16_t* yw) {
    std::uint64_t* hist = hist_.data();
    std::uint8_t* touched = touched_.data();
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t r = rows[q];
      const std::uint32_t code = codes[r];
      const std::uint32_t w = yw[r];
      hist[(code << class_shift_) + (w & 0xFFu)] += std::uint64_t{1} << 32 | w >> 8;
      touched[code] = 1;
    }
  }

  // Byte codes: features f[0, n) into slots [0, n), reading each row's codes
  // once (Encoded::row_codes, not the compact layout), in groups of at most
  // kGroup features per pass.
  void fill_batch(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t n,
                  const std::uint16_t* yw) {
    for (std::size_t first = 0; first < n; first += kGroup) {
      switch (std::min(kGroup, n - first)) {
        case 1: fill_group<1>(rows, m, f, first, yw); break;
        case 2: fill_group<2>(rows, m, f, first, yw); break;
        case 3: fill_group<3>(rows, m, f, first, yw); break;
        case 4: fill_group<4>(rows, m, f, first, yw); break;
        case 5: fill_group<5>(rows, m, f, first, yw); break;
        default: fill_group<kGroup>(rows, m, f, first, yw); break;
      }
    }
  }

  // The scan over slot `slot` of feature f (the node has m rows): the codes
  // present in ascending order, each moved left whole. Returns false (and
  // evaluates nothing) when a single code is present. Zeroes the slot.
  bool scan(std::size_t slot, std::size_t m, std::size_t min_leaf, int f, const NodeCounts& node,
            SweepScratch& scratch, BestSplit& best) {
    const std::size_t words = (data_.n_codes(f) + 63) / 64;
    std::uint8_t* touched = touched_.data() + slot * touched_stride_;
    std::uint64_t* hist = hist_.data() + slot * stride_;
    // At most one code present: no word with two bits, at most one non-zero word.
    int nonzero_words = 0;
    bool two_in_a_word = false;
    for (std::size_t w = 0; w < words; ++w) {
      occupied_[w] = L::take_flags64(touched + 64 * w);
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
    const std::size_t lowest = std::max<std::size_t>(min_leaf, 1);
    const std::size_t span = m - min_leaf - lowest;
    Sweep sweep(node, scratch, f, best);
    // Only the classes present in the node can have non-zero entries.
    std::size_t n_present = 0;
    for (std::size_t k = 0; k < c_; ++k)
      if (node.counts[k] > 0) present_[n_present++] = k;
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

 private:
  template <std::size_t N>
  void fill_group(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t first,
                  const std::uint16_t* yw) {
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
      const std::uint32_t w = yw[r];
      std::uint64_t* at = hist + (w & 0xFFu);
      const std::uint64_t add = std::uint64_t{1} << 32 | w >> 8;
      const std::uint8_t* record = codes + static_cast<std::size_t>(r) * p;
      for (std::size_t b = 0; b < N; ++b) {
        const std::uint32_t code = record[feature[b]];
        at[b * stride + (static_cast<std::size_t>(code) << shift)] += add;
        touched[b][code] = 1;
      }
    }
  }

  static constexpr std::size_t kGroup = 6;  // features per row pass of fill_batch

  const Encoded& data_;
  const std::size_t p_, c_;
  const std::size_t class_shift_;        // log2 of the entries per code (>= c_)
  const std::size_t stride_;             // entries per slot
  const std::size_t touched_stride_;     // flags per slot (multiple of 64)
  std::vector<std::uint64_t> hist_;      // rows << 32 | counts per slot, code, class
  std::vector<std::uint8_t> touched_;    // 1 for the codes present, per slot
  std::vector<std::uint64_t> occupied_;  // the scanned slot's codes as a bitmap
  std::vector<std::size_t> present_;     // the classes present in the node
};

}  // namespace mwclass::learners::forest
