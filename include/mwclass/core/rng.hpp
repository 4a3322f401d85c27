#pragma once
// Keyed random streams. Every draw in mwclass comes from a Stream whose key is
// derived from (seed, purpose, ids...), e.g. (seed, Purpose::FieldSample,
// source, mc_iteration). A stream's output therefore never depends on which
// rank or thread runs it, or on the order in which work finishes.
#include <cstdint>
#include <initializer_list>

namespace mwclass::rng {

enum class Purpose : std::uint64_t {
  TrainingSample = 1,  // MC draw of the training set: (bin, iteration)
  FieldSample = 2,     // MC draw of one field source: (source, iteration)
  Smote = 3,           // SMOTE neighbours and gaps: (bin, iteration)
  Learner = 4,         // learner training: (item, iteration), then per tree for the forest
  Simulate = 5,        // synthetic catalogs: (catalog, row)
  Evaluation = 6,      // folds, subsets: (repeat)
  RandomFeature = 7,   // the noise-floor feature: (catalog, row, iteration)
  Quality = 8,         // naive Bayes quality exponents: (source, draw)
};

// SplitMix64 finalizer: a bijective 64-bit mixer.
std::uint64_t mix64(std::uint64_t x);

// Combine parts into one 64-bit key (order-sensitive).
std::uint64_t derive_key(std::initializer_list<std::uint64_t> parts);
std::uint64_t derive_key(std::uint64_t seed, Purpose purpose,
                         std::initializer_list<std::uint64_t> ids);

// xoshiro256** generator seeded from a 64-bit key by SplitMix64.
class Stream {
 public:
  explicit Stream(std::uint64_t key);
  Stream(std::uint64_t seed, Purpose purpose, std::initializer_list<std::uint64_t> ids)
      : Stream(derive_key(seed, purpose, ids)) {}

  // Inline: the forest's bootstrap draws one per training row and tree.
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform();                        // [0, 1), 53 random bits
  double normal();                         // standard normal (Box-Muller)

  // Uniform integer in [0, n), unbiased (Lemire's multiply-shift with rejection).
  std::uint64_t below(std::uint64_t n) {
    __extension__ typedef unsigned __int128 u128;
    u128 m = static_cast<u128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<u128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4];
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

}  // namespace mwclass::rng
