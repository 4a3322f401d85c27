#include "mwclass/core/rng.hpp"

#include <cmath>

namespace mwclass::rng {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t derive_key(std::initializer_list<std::uint64_t> parts) {
  std::uint64_t key = 0x6D77636C61737321ULL;  // "mwclass!"
  for (std::uint64_t p : parts) key = mix64(key ^ mix64(p));
  return key;
}

std::uint64_t derive_key(std::uint64_t seed, Purpose purpose,
                         std::initializer_list<std::uint64_t> ids) {
  std::uint64_t key = derive_key({seed, static_cast<std::uint64_t>(purpose)});
  for (std::uint64_t id : ids) key = mix64(key ^ mix64(id));
  return key;
}

Stream::Stream(std::uint64_t key) {
  std::uint64_t x = key;
  for (auto& s : s_) {
    x += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    s = z ^ (z >> 31);
  }
}

double Stream::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Stream::normal() {
  if (has_cached_normal_) {
    has_cached_normal_ = false;
    return cached_normal_;
  }
  double u1 = 0.0;
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  cached_normal_ = radius * std::sin(angle);
  has_cached_normal_ = true;
  return radius * std::cos(angle);
}

}  // namespace mwclass::rng
