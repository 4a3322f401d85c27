#pragma once
// Keyed random streams. Every draw in mwclass comes from a Stream whose key is
// derived from (seed, purpose, ids...), e.g. (seed, Purpose::FieldSample,
// source, mc_iteration). A stream's output therefore never depends on which
// rank or thread runs it, or on the order in which work finishes.
#include <cstdint>
#include <initializer_list>

namespace mwclass::rng {

// What a stream is for; the ids that complete its key are the parameters of
// the typed key functions below (the pipeline uses those, never raw lists).
enum class Purpose : std::uint64_t {
  TrainingSample = 1,
  FieldSample = 2,
  Smote = 3,
  Learner = 4,
  Simulate = 5,
  Evaluation = 6,
  RandomFeature = 7,
  Quality = 8,
  Oversampling = 9,
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

// The streams of the pipeline, one function per purpose: the parameters name
// the ids of the key in their order. `kind` and `item` are a work item's
// (ensemble/work.hpp), `iteration` the absolute MC iteration.
namespace keys {

// MC draw of one training row: the same at iteration m for every work item
// (every item sees the same perturbed training set, up to reddening).
inline Stream training_sample(std::uint64_t seed, std::uint64_t iteration, std::uint64_t training_row) {
  return Stream(seed, Purpose::TrainingSample, {iteration, training_row});
}
// MC draw of one source to classify (its row in the source catalog).
inline Stream field_sample(std::uint64_t seed, std::uint64_t source_row, std::uint64_t iteration) {
  return Stream(seed, Purpose::FieldSample, {source_row, iteration});
}
// SMOTE's neighbours and gaps for one work item and iteration.
inline Stream smote(std::uint64_t seed, std::uint64_t kind, std::uint64_t item, std::uint64_t iteration) {
  return Stream(seed, Purpose::Smote, {kind, item, iteration});
}
// The learner's key for one work item and iteration (the forest derives one per tree).
// Physical oversampling's duplicates of one work item's training set (sampling/physical.hpp).
inline Stream oversampling(std::uint64_t seed, std::uint64_t kind, std::uint64_t item, std::uint64_t iteration) {
  return Stream(seed, Purpose::Oversampling, {kind, item, iteration});
}

inline std::uint64_t learner(std::uint64_t seed, std::uint64_t kind, std::uint64_t item, std::uint64_t iteration) {
  return derive_key(seed, Purpose::Learner, {kind, item, iteration});
}
// The noise-floor feature: catalog 0 = training set, 1 = sources.
inline Stream random_feature(std::uint64_t seed, std::uint64_t catalog, std::uint64_t row, std::uint64_t iteration) {
  return Stream(seed, Purpose::RandomFeature, {catalog, row, iteration});
}
// The extra draws of a source for its feature uncertainties (naive Bayes quality).
inline Stream quality(std::uint64_t seed, std::uint64_t source_row, std::uint64_t draw) {
  return Stream(seed, Purpose::Quality, {source_row, draw});
}
// Synthetic catalogs: one stream per row.
inline Stream simulate(std::uint64_t seed, std::uint64_t catalog, std::uint64_t row) {
  return Stream(seed, Purpose::Simulate, {catalog, row});
}
// The sky position and dust column of a row of a `--sky csc` catalog (its own
// stream, so the row's other draws are those of the default sky).
inline Stream simulate_sky(std::uint64_t seed, std::uint64_t catalog, std::uint64_t row) {
  return Stream(seed, Purpose::Simulate, {catalog, row, 0x5c});
}
// The Monte-Carlo draws that measure the training AGN's feature scatter for the
// adaptive E(B-V) bins (ensemble/binning.hpp). Not keyed by the run's seed: the
// bins of a field are the same for every seed.
inline Stream binning_scatter(std::uint64_t training_row, std::uint64_t draw) {
  return Stream(0, Purpose::TrainingSample, {0xb1, training_row, draw});
}

// One bootstrap resample of the sources of `mwclass report` (evaluation/bootstrap.hpp).
inline Stream report_bootstrap(std::uint64_t seed, std::uint64_t replicate) {
  return Stream(seed, Purpose::Evaluation, {0xb0075, replicate, 1});
}
// The class-stratified LOOCV subset: one shuffle per class.
inline Stream loocv_subset(std::uint64_t seed, std::uint64_t class_index) {
  return Stream(seed, Purpose::Evaluation, {0x5e1ec7, class_index});
}
// The stratified folds of one CV repeat: one shuffle per class.
inline Stream cv_folds(std::uint64_t seed, std::uint64_t repeat, std::uint64_t class_index) {
  return Stream(seed, Purpose::Evaluation, {repeat, class_index});
}

}  // namespace keys

}  // namespace mwclass::rng
