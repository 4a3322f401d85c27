#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "mwclass/core/rng.hpp"

using namespace mwclass::rng;

TEST_CASE("a stream is a pure function of its key") {
  Stream a(7, Purpose::FieldSample, {3, 5});
  Stream b(7, Purpose::FieldSample, {3, 5});
  for (int i = 0; i < 100; ++i) CHECK(a.next_u64() == b.next_u64());
}

TEST_CASE("keys differ by seed, purpose, id and id order") {
  std::set<std::uint64_t> keys = {
      derive_key(7, Purpose::FieldSample, {3, 5}), derive_key(8, Purpose::FieldSample, {3, 5}),
      derive_key(7, Purpose::TrainingSample, {3, 5}), derive_key(7, Purpose::FieldSample, {5, 3}),
      derive_key(7, Purpose::FieldSample, {3, 6}), derive_key(7, Purpose::FieldSample, {3})};
  CHECK(keys.size() == 6);
}

TEST_CASE("uniform, normal and below have the right moments") {
  Stream s(1, Purpose::Simulate, {0});
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  std::vector<int> counts(7, 0);
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    su += u;
    const double z = s.normal();
    sn += z;
    sn2 += z * z;
    ++counts[s.below(7)];
  }
  CHECK(su / n == doctest::Approx(0.5).epsilon(0.01));
  CHECK(std::abs(sn / n) < 0.01);
  CHECK(sn2 / n == doctest::Approx(1.0).epsilon(0.01));
  for (int c : counts) CHECK(c == doctest::Approx(n / 7.0).epsilon(0.03));
}
