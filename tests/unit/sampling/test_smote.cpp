#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/core/error.hpp"
#include "mwclass/sampling/smote.hpp"

using namespace mwclass;

namespace {
// Class 0: 12 points on a line y = 2x; class 1: 6 points at x = 10 + i, y = -i.
void toy(Matrix& X, Labels& y) {
  X.resize(18, 2);
  y.clear();
  for (int i = 0; i < 12; ++i) {
    X(i, 0) = i;
    X(i, 1) = 2.0 * i;
    y.push_back(0);
  }
  for (int i = 0; i < 6; ++i) {
    X(12 + i, 0) = 10 + i;
    X(12 + i, 1) = -i;
    y.push_back(1);
  }
}
}  // namespace

TEST_CASE("SMOTE balances classes and puts synthetic points on segments between neighbours") {
  Matrix X;
  Labels y;
  toy(X, y);
  rng::Stream s(1, rng::Purpose::Smote, {0, 0});
  const auto out = sampling::smote(X, y, {"A", "B"}, {4, -1e9}, s);
  REQUIRE(out.X.rows() == 24);
  int n0 = 0, n1 = 0;
  for (int v : out.y) (v == 0 ? n0 : n1)++;
  CHECK(n0 == 12);
  CHECK(n1 == 12);
  CHECK(out.X.topRows(18) == X);
  for (int r = 18; r < 24; ++r) {
    CHECK(out.y[r] == 1);
    // On the line y = -(x - 10) between the class-1 points, x within [10, 15]
    CHECK(out.X(r, 1) == doctest::Approx(-(out.X(r, 0) - 10.0)));
    CHECK(out.X(r, 0) >= 10.0);
    CHECK(out.X(r, 0) <= 15.0);
  }
}

TEST_CASE("SMOTE neighbours are the k nearest: with k = 1 a synthetic point lies next to its base") {
  Matrix X;
  Labels y;
  toy(X, y);
  rng::Stream s(2, rng::Purpose::Smote, {0, 0});
  const auto out = sampling::smote(X, y, {"A", "B"}, {1, -1e9}, s);
  for (int r = 18; r < 24; ++r) {
    // between two consecutive class-1 points: the fractional part spans one unit step
    const double x = out.X(r, 0);
    CHECK(x >= 10.0);
    CHECK(x <= 15.0);
  }
}

TEST_CASE("SMOTE neighbours are exact when every row holds a missing value (fill -1e9)") {
  // Class 1: three tight pairs 3 apart, each row missing feature 1. With the
  // fill, |x|^2 ~ 1e18 (rounding +-128), so the |x|^2 - 2xy + |y|^2 form of the
  // distance (a GEMM nearest-neighbour search, imbalanced-learn's default) is
  // noise; direct differences keep each row's partner its nearest neighbour, so
  // with k = 1 every synthetic point lies inside a pair.
  Matrix X(36, 2);
  Labels y;
  for (int i = 0; i < 30; ++i) {
    X(i, 0) = -50.0 - i;
    X(i, 1) = i;
    y.push_back(0);
  }
  const double pairs[6] = {0.0, 0.1, 3.0, 3.1, 6.0, 6.1};
  for (int i = 0; i < 6; ++i) {
    X(30 + i, 0) = pairs[i];
    X(30 + i, 1) = kMissing;
    y.push_back(1);
  }
  rng::Stream s(4, rng::Purpose::Smote, {0, 0});
  const auto out = sampling::smote(X, y, {"A", "B"}, {1, -1e9}, s);
  REQUIRE(out.X.rows() == 60);
  for (int r = 36; r < 60; ++r) {
    const double x = out.X(r, 0);
    const double base = std::floor(x / 3.0 + 0.5) * 3.0;
    CHECK(x >= base);
    CHECK(x <= base + 0.1);
    CHECK(std::isnan(out.X(r, 1)));
  }
}

TEST_CASE("SMOTE: missing values interpolated with the fill value become missing again") {
  Matrix X(10, 2);
  Labels y;
  for (int i = 0; i < 10; ++i) {
    X(i, 0) = i;
    X(i, 1) = i;
    y.push_back(i < 5 ? 1 : 0);
  }
  X(5, 1) = kMissing;  // class 0 (5 members) gets one missing value
  for (int i = 5; i < 10; ++i) y[i] = 0;
  // add 3 more class-1 rows so class 1 is the largest
  Matrix X2(13, 2);
  X2.topRows(10) = X;
  for (int i = 10; i < 13; ++i) {
    X2(i, 0) = -i;
    X2(i, 1) = -i;
    y.push_back(1);
  }
  rng::Stream s(3, rng::Purpose::Smote, {0, 0});
  const auto out = sampling::smote(X2, y, {"A", "B"}, {4, -1e9}, s);
  REQUIRE(out.X.rows() == 16);
  for (int r = 13; r < 16; ++r) {
    const double v = out.X(r, 1);
    // either a regular interpolation (>= training minimum) or missing, never a huge negative
    CHECK((std::isnan(v) || v >= -12.0));
  }
}

TEST_CASE("SMOTE refuses a class smaller than k + 1") {
  Matrix X(7, 1);
  Labels y = {0, 0, 0, 0, 0, 1, 1};
  for (int i = 0; i < 7; ++i) X(i, 0) = i;
  rng::Stream s(1, rng::Purpose::Smote, {0, 0});
  CHECK_THROWS_WITH_AS(sampling::smote(X, y, {"AGN", "HMXB"}, {4, -1e9}, s),
                       doctest::Contains("class 'HMXB' has 2 member(s)"), Error);
}
