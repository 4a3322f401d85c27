#pragma once
// The compact histogram path (Encoded::compact: byte codes, <= 64 codes, <= 8
// classes, min_samples_leaf = 1, a tree's total weight below 2^15 — the binned
// MUWCLASS case). Slot b holds 64 codes x 8 classes of 2-byte summed bootstrap
// counts; with min_samples_leaf = 1 row counts are not needed (an in-bag row
// weighs >= 1), so an update is one read-modify-write addressed by the stored
// code * 4 at a constant offset. The scan keeps the left class counts as one
// lane value (lanes.hpp) and takes a boundary's sums from it without a branch
// per class. The same boundaries, in the same order, with the same integer
// sums as the histogram path, so the same split.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "encoding.hpp"
#include "lanes.hpp"
#include "split.hpp"

namespace mwclass::learners::forest {

template <typename L = Lanes>
class Compact {
 public:
  // Rows ahead whose codes fill() prefetches: the rows array passed to fill()
  // must be readable (any valid row index) this far past its m rows.
  static constexpr std::size_t kPrefetch = 16;

  // slots: features filled at once (0: the path is not used).
  Compact(const Encoded& data, std::size_t slots)
      : data_(data), p_(data.n_features), hist_(slots * kStride), slot_occupied_(slots) {}

  // The class counts of the node about to be filled and scanned.
  void set_node(const NodeCounts& node) {
    for (std::size_t k = 0; k < node.n_classes; ++k) node_lanes_[k] = static_cast<std::int16_t>(node.counts[k]);
  }

  // Features f[0, n) of the node's rows[0, m) into slots [0, n), in groups of
  // at most kGroup features per pass over the rows. The codes present go to
  // slot_occupied_: collected per row in registers, or from kDeriveOccupancy
  // rows on read off the filled slot.
  void fill(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t n, const std::uint16_t* yw) {
    for (std::size_t first = 0; first < n; first += kGroup) {
      const std::size_t group = std::min(kGroup, n - first);
      if (m >= kDeriveOccupancy) {
        fill_n<false>(group, rows, m, f, first, yw);
        for (std::size_t b = first; b < first + group; ++b)
          slot_occupied_[b] = occupied(hist_.data() + b * kStride, data_.n_codes(f[b]));
      } else {
        fill_n<true>(group, rows, m, f, first, yw);
      }
    }
  }

  // The scan over slot `slot` of feature f. With min_samples_leaf = 1 every
  // boundary between two codes present leaves rows on both sides; the left
  // side's sums of squares and of products with the node's counts give
  // sq_right = sq_node - 2 sum(node * left) + sq_left. Returns false (and
  // evaluates nothing) when a single code is present. Zeroes the slot.
  bool scan(std::size_t slot, int f, const NodeCounts& node, SweepScratch& scratch, BestSplit& best) {
    std::uint16_t* hist = hist_.data() + slot * kStride;
    std::uint64_t bits = slot_occupied_[slot];
    std::size_t code = static_cast<std::size_t>(__builtin_ctzll(bits));
    if ((bits & (bits - 1)) == 0) {  // a single code present (the node has rows)
      std::fill_n(hist + 8 * code, 8, std::uint16_t{0});
      return false;
    }
    Sweep sweep(node, scratch, f, best);
    const L node_lanes = L::load(node_lanes_);
    L left = L::take(hist + 8 * code);
    std::size_t previous = code;
    bool improved = false;
    L best_left = L::zero();  // the left counts of this feature's best boundary
    for (bits &= bits - 1; bits != 0; bits &= bits - 1) {
      code = static_cast<std::size_t>(__builtin_ctzll(bits));
      const LaneSums sums = L::sums(node_lanes, left);
      if (sweep.evaluate(static_cast<std::uint32_t>(previous), static_cast<std::uint32_t>(code), sums.sq,
                         node.sq - 2 * sums.cross + sums.sq, sums.n, node.total - sums.n)) {
        improved = true;
        best_left = left;
      }
      left = left + L::take(hist + 8 * code);
      previous = code;
    }
    if (improved) best_left.store(best.left.data(), node.n_classes);
    return true;
  }

 private:
  template <bool kCollect>
  void fill_n(std::size_t group, const std::uint32_t* rows, std::size_t m, const int* f, std::size_t first,
              const std::uint16_t* yw) {
    switch (group) {
      case 1: fill_group<1, kCollect>(rows, m, f, first, yw); break;
      case 2: fill_group<2, kCollect>(rows, m, f, first, yw); break;
      case 3: fill_group<3, kCollect>(rows, m, f, first, yw); break;
      case 4: fill_group<4, kCollect>(rows, m, f, first, yw); break;
      case 5: fill_group<5, kCollect>(rows, m, f, first, yw); break;
      default: fill_group<kGroup, kCollect>(rows, m, f, first, yw); break;
    }
  }

  template <std::size_t N, bool kCollect>
  void fill_group(const std::uint32_t* rows, std::size_t m, const int* f, std::size_t first,
                  const std::uint16_t* yw) {
    const std::uint8_t* codes = data_.row_codes.data();  // code * 4
    std::uint16_t* hist = hist_.data() + first * kStride;
    std::uint64_t occupied[N] = {};
    std::size_t feature[N];
    for (std::size_t b = 0; b < N; ++b) feature[b] = static_cast<std::size_t>(f[first + b]);
    // Locals: the histogram stores could otherwise alias the members.
    const std::size_t p = p_;
    const std::uint16_t* class_count = yw;
    for (std::size_t q = 0; q < m; ++q) {
      const std::uint32_t r = rows[q];
      // The rows of a deep node are far apart: fetch records ahead (the rows
      // array is padded, so the index is valid past the node's end).
      __builtin_prefetch(codes + static_cast<std::size_t>(rows[q + kPrefetch]) * p);
      const std::uint32_t w = class_count[r];
      std::uint16_t* at = hist + (w & 0xFFu);
      const auto count = static_cast<std::uint16_t>(w >> 8);
      const std::uint8_t* record = codes + static_cast<std::size_t>(r) * p;
      for (std::size_t b = 0; b < N; ++b) {
        const std::size_t scaled = record[feature[b]];
        at[b * kStride + 2 * scaled] = static_cast<std::uint16_t>(at[b * kStride + 2 * scaled] + count);
        if constexpr (kCollect) occupied[b] |= std::uint64_t{1} << (scaled >> 2);
      }
    }
    if constexpr (kCollect)
      for (std::size_t b = 0; b < N; ++b) slot_occupied_[first + b] = occupied[b];
  }

  // The codes [0, n_codes) with a non-zero entry in slot `hist`, as a bitmap.
  static std::uint64_t occupied(const std::uint16_t* hist, std::size_t n_codes) {
    std::uint64_t bits = 0;
    for (std::size_t code = 0; code < n_codes; ++code)
      bits |= static_cast<std::uint64_t>(L::any(hist + code * 8)) << code;
    return bits;
  }

  static constexpr std::size_t kGroup = 6;    // features per row pass of fill
  static constexpr std::size_t kStride = 64 * 8;  // entries per slot
  // From this many rows the codes present are read off the filled slot
  // (64 codes x 8 entries) rather than collected per row.
  static constexpr std::size_t kDeriveOccupancy = 128;

  const Encoded& data_;
  const std::size_t p_;
  std::vector<std::uint16_t> hist_;           // counts per slot, code, class
  std::vector<std::uint64_t> slot_occupied_;  // codes present per slot
  alignas(16) std::int16_t node_lanes_[8] = {};  // the node's class counts
};

}  // namespace mwclass::learners::forest
