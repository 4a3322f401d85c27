#pragma once
// The lane type of the compact histogram path: the 8 class entries of one code
// (16-bit counts) as one value, and the 64 "code present" flags of the
// histogram path as one bitmap. Two implementations with the same results —
// SSE2 registers (x86-64 always has them) and plain loops — and the one place
// that selects between them (`Lanes` below). The engines are templates on the
// lane type, so a test can run both on the same node.
#include <cstddef>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mwclass::learners::forest {

// Sums over the 8 lanes of a running left side: left², node · left and left.
struct LaneSums {
  std::int64_t sq = 0, cross = 0, n = 0;
};

// Portable lanes: the reference the SSE2 lanes must match.
struct ScalarLanes {
  std::int64_t v[8];

  static ScalarLanes zero() { return {}; }
  template <typename T>
  static ScalarLanes load(const T* entry) {
    static_assert(sizeof(T) == 2, "lanes are 16-bit entries");
    ScalarLanes out;
    for (std::size_t k = 0; k < 8; ++k) out.v[k] = entry[k];
    return out;
  }
  // load() and the 8 entries cleared.
  static ScalarLanes take(std::uint16_t* entry) {
    const ScalarLanes out = load(entry);
    for (std::size_t k = 0; k < 8; ++k) entry[k] = 0;
    return out;
  }
  ScalarLanes operator+(const ScalarLanes& o) const {
    ScalarLanes out;
    for (std::size_t k = 0; k < 8; ++k) out.v[k] = v[k] + o.v[k];
    return out;
  }
  static LaneSums sums(const ScalarLanes& node, const ScalarLanes& left) {
    LaneSums s;
    for (std::size_t k = 0; k < 8; ++k) {
      s.sq += left.v[k] * left.v[k];
      s.cross += node.v[k] * left.v[k];
      s.n += left.v[k];
    }
    return s;
  }
  // The first n lanes into out.
  void store(std::int64_t* out, std::size_t n) const {
    for (std::size_t k = 0; k < n; ++k) out[k] = v[k];
  }
  // Whether any of the 8 entries is non-zero.
  static bool any(const std::uint16_t* entry) {
    for (std::size_t k = 0; k < 8; ++k)
      if (entry[k] != 0) return true;
    return false;
  }
  // The 64 flags as a bitmap (bit i: flags[i] != 0), and the flags cleared.
  static std::uint64_t take_flags64(std::uint8_t* flags) {
    std::uint64_t bits = 0;
    for (int i = 0; i < 64; ++i) {
      bits |= static_cast<std::uint64_t>(flags[i] != 0) << i;
      flags[i] = 0;
    }
    return bits;
  }
};

#if defined(__SSE2__)
// The same operations on one SSE2 register of 8 x 16 bits: counts stay below
// 2^15 (the compact layout's bound), so 16-bit adds do not wrap and the
// multiply-adds' 32-bit sums are exact.
struct Sse2Lanes {
  __m128i v;

  static Sse2Lanes zero() { return {_mm_setzero_si128()}; }
  template <typename T>
  static Sse2Lanes load(const T* entry) {
    static_assert(sizeof(T) == 2, "lanes are 16-bit entries");
    return {_mm_loadu_si128(reinterpret_cast<const __m128i*>(entry))};
  }
  static Sse2Lanes take(std::uint16_t* entry) {
    auto* at = reinterpret_cast<__m128i*>(entry);
    const __m128i out = _mm_loadu_si128(at);
    _mm_storeu_si128(at, _mm_setzero_si128());
    return {out};
  }
  Sse2Lanes operator+(const Sse2Lanes& o) const { return {_mm_add_epi16(v, o.v)}; }
  static LaneSums sums(const Sse2Lanes& node, const Sse2Lanes& left) {
    const __m128i squares = _mm_madd_epi16(left.v, left.v), products = _mm_madd_epi16(node.v, left.v);
    const __m128i counts = _mm_madd_epi16(_mm_set1_epi16(1), left.v);
    __m128i both = _mm_add_epi32(_mm_unpacklo_epi32(squares, products), _mm_unpackhi_epi32(squares, products));
    both = _mm_add_epi32(both, _mm_shuffle_epi32(both, _MM_SHUFFLE(1, 0, 3, 2)));
    __m128i n = _mm_add_epi32(counts, _mm_shuffle_epi32(counts, _MM_SHUFFLE(1, 0, 3, 2)));
    n = _mm_add_epi32(n, _mm_shuffle_epi32(n, _MM_SHUFFLE(2, 3, 0, 1)));
    LaneSums s;
    s.sq = _mm_cvtsi128_si32(both);
    s.cross = _mm_cvtsi128_si32(_mm_shuffle_epi32(both, _MM_SHUFFLE(1, 1, 1, 1)));
    s.n = _mm_cvtsi128_si32(n);
    return s;
  }
  void store(std::int64_t* out, std::size_t n) const {
    alignas(16) std::int16_t counts[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(counts), v);
    for (std::size_t k = 0; k < n; ++k) out[k] = counts[k];
  }
  static bool any(const std::uint16_t* entry) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(entry));
    return _mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_setzero_si128())) != 0xFFFF;
  }
  static std::uint64_t take_flags64(std::uint8_t* flags) {
    std::uint64_t bits = 0;
    const __m128i zero = _mm_setzero_si128();
    for (int part = 0; part < 4; ++part) {
      auto* at = reinterpret_cast<__m128i*>(flags + 16 * part);
      const __m128i v = _mm_loadu_si128(at);
      const auto empty = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
      bits |= static_cast<std::uint64_t>(~empty & 0xFFFFu) << (16 * part);
      _mm_storeu_si128(at, zero);
    }
    return bits;
  }
};

using Lanes = Sse2Lanes;
#else
using Lanes = ScalarLanes;
#endif

}  // namespace mwclass::learners::forest
