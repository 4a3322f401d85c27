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

  std::uint64_t next_u64();
  double uniform();                        // [0, 1), 53 random bits
  double normal();                         // standard normal (Box-Muller)
  std::uint64_t below(std::uint64_t n);    // uniform integer in [0, n), unbiased

 private:
  std::uint64_t s_[4];
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

}  // namespace mwclass::rng
