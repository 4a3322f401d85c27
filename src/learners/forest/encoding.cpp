// Rank encoding (encoding.hpp): per column, the lowest value is code 0
// without sorting, the other rows are radix-sorted on their value bits.
#include "encoding.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace mwclass::learners::forest {
namespace {

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

}  // namespace

double Encoded::threshold(int feature, std::uint32_t code_lo, std::uint32_t code_hi) const {
  const auto f = static_cast<std::size_t>(feature);
  const double lo = upper[f][code_lo], hi = lower[f][code_hi];
  double threshold = lo / 2.0 + hi / 2.0;
  if (threshold == hi || std::isinf(threshold)) threshold = lo;
  return threshold;
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

}  // namespace mwclass::learners::forest
