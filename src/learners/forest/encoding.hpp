#pragma once
// Rank encoding of the training matrix, once per fit: every feature column's
// sorted distinct values become a value table and each entry becomes a code
// (uint8 when every feature has at most 256 codes, uint16 up to 65,536, else
// uint32), stored column-major; with max_bins > 0 consecutive values are first
// grouped into at most max_bins codes (the approximate, binned mode). A tree
// works on codes only; thresholds are looked up in the value tables when a
// split is chosen.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mwclass/core/matrix.hpp"

namespace mwclass::learners::forest {

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
  std::size_t n_codes(int feature) const { return lower[static_cast<std::size_t>(feature)].size(); }

  // The threshold of a split of `feature` between codes code_lo and code_hi:
  // the midpoint of the largest value below and the smallest above (sklearn),
  // or the value below where the midpoint rounds up to it or overflows.
  double threshold(int feature, std::uint32_t code_lo, std::uint32_t code_hi) const;
};

// The columns as codes of type Code (uint8_t, uint16_t or uint32_t: the
// type the encoding chose), codes[f * n_rows + row].
template <typename Code>
const Code* codes_of(const Encoded& data) {
  if constexpr (sizeof(Code) == 1)
    return data.codes8.data();
  else if constexpr (sizeof(Code) == 2)
    return data.codes16.data();
  else
    return data.codes32.data();
}

// X: finite, at most 2^31 - 1 rows; y: classes in [0, n_classes).
// compact_fits: the fit allows the compact layout (Encoded::compact).
Encoded encode(const Matrix& X, const Labels& y, int n_classes, int max_bins, bool compact_fits,
               int n_threads);

}  // namespace mwclass::learners::forest
