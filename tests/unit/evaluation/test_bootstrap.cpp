// Brier score, log loss, ECE and bootstrap intervals (evaluation/bootstrap.hpp)
// against hand-computed values.
#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/core/error.hpp"
#include "mwclass/evaluation/bootstrap.hpp"

using namespace mwclass;
using namespace mwclass::evaluation;

namespace {
// truth 0, 1, 1; predicted (argmax) 0, 1, 0.
struct Three {
  Labels truth = {0, 1, 1}, predicted = {0, 1, 0};
  Matrix p{3, 2};
  Three() { p << 0.85, 0.15, 0.35, 0.65, 0.75, 0.25; }
};
}  // namespace

TEST_CASE("Brier score, log loss and ECE of three sources, by hand") {
  Three t;
  // (2 x 0.15^2 + 2 x 0.35^2 + 2 x 0.75^2) / 3 = (0.045 + 0.245 + 1.125) / 3
  CHECK(brier_score(t.truth, t.p) == doctest::Approx(1.415 / 3));
  // -(ln 0.85 + ln 0.65 + ln 0.25) / 3
  CHECK(log_loss(t.truth, t.p) == doctest::Approx(-(std::log(0.85) + std::log(0.65) + std::log(0.25)) / 3));
  // 10 bins, one source each: (|1 - 0.85| + |1 - 0.65| + |0 - 0.75|) / 3
  CHECK(expected_calibration_error(t.truth, t.predicted, t.p, 10) == doctest::Approx(1.25 / 3));
  // one bin: |2/3 - (0.85 + 0.65 + 0.75) / 3|
  CHECK(expected_calibration_error(t.truth, t.predicted, t.p, 1) == doctest::Approx(std::abs(2.0 / 3 - 0.75)));
  const std::vector<char> mask = {1, 1, 0};
  CHECK(brier_score(t.truth, t.p, &mask) == doctest::Approx(0.145));
  CHECK(log_loss(t.truth, t.p, &mask) == doctest::Approx(-(std::log(0.85) + std::log(0.65)) / 2));
  const std::vector<char> none = {0, 0, 0};
  CHECK(std::isnan(brier_score(t.truth, t.p, &none)));
  // P = 0 for the true class is clipped at 1e-15
  Matrix zero(1, 2);
  zero << 1.0, 0.0;
  CHECK(log_loss({1}, zero) == doctest::Approx(-std::log(1e-15)));
  CHECK_THROWS_AS(expected_calibration_error(t.truth, t.predicted, t.p, 0), Error);
}

TEST_CASE("percentile interval: numpy's linear interpolation, NaN ignored") {
  const auto [lo, hi] = percentile_interval({5, 1, kNaN, 4, 2, 3}, 0.5);  // q 0.25, 0.75 of 1..5
  CHECK(lo == doctest::Approx(2));
  CHECK(hi == doctest::Approx(4));
  const auto [lo9, hi9] = percentile_interval({1, 2, 3, 4, 5}, 0.9);  // positions 0.2 and 3.8
  CHECK(lo9 == doctest::Approx(1.2));
  CHECK(hi9 == doctest::Approx(4.8));
  CHECK(std::isnan(percentile_interval({kNaN}, 0.95).first));
}

TEST_CASE("bootstrap intervals: point values, binomial width, keyed and reproducible") {
  // 400 sources, 2 classes, 300 right: accuracy 0.75, 95 % interval ~ +-1.96 sqrt(0.75 0.25 / 400) = +-0.042
  const int n = 400;
  Labels truth(n), predicted(n);
  Matrix p(n, 2);
  std::vector<char> confident(n);
  for (int i = 0; i < n; ++i) {
    truth[i] = i % 2;
    predicted[i] = i < 300 ? truth[i] : 1 - truth[i];
    p(i, predicted[i]) = 0.8;
    p(i, 1 - predicted[i]) = 0.2;
    confident[i] = i < 100;
  }
  BootstrapOptions o;
  o.replicates = 500;
  const auto v = bootstrap_scores(truth, predicted, p, {"a", "b"}, nullptr, &confident, o);
  REQUIRE(v.size() == 7 + 2 + 2 + 1);
  CHECK(v[0].name == "accuracy");
  CHECK(v[0].value == doctest::Approx(0.75));
  CHECK(v[0].lo < 0.75);
  CHECK(v[0].hi > 0.75);
  CHECK(v[0].hi - v[0].lo == doctest::Approx(2 * 1.96 * std::sqrt(0.75 * 0.25 / n)).epsilon(0.2));
  CHECK(v[4].name == "brier");
  CHECK(v[4].value == doctest::Approx(0.75 * 0.08 + 0.25 * 1.28));  // 2 x 0.2^2, 2 x 0.8^2
  CHECK(v[6].name == "ece");
  CHECK(v[6].value == doctest::Approx(0.05));  // one bin: |0.75 - 0.8|
  CHECK(v[7].name == "f1_a");
  CHECK(v[11].name == "confident_fraction");
  CHECK(v[11].value == doctest::Approx(0.25));
  CHECK(v[11].hi - v[11].lo == doctest::Approx(2 * 1.96 * std::sqrt(0.25 * 0.75 / n)).epsilon(0.2));

  const auto again = bootstrap_scores(truth, predicted, p, {"a", "b"}, nullptr, &confident, o);
  CHECK(again[0].lo == v[0].lo);
  CHECK(again[0].hi == v[0].hi);
  o.seed = 99;
  const auto other = bootstrap_scores(truth, predicted, p, {"a", "b"}, nullptr, &confident, o);
  CHECK((other[0].lo != v[0].lo || other[0].hi != v[0].hi || other[4].lo != v[4].lo));

  // the confident subset: the first 100 sources, all right: accuracy 1 in every resample
  const auto c = bootstrap_scores(truth, predicted, p, {"a", "b"}, &confident, nullptr, o);
  REQUIRE(c.size() == 11);
  CHECK(c[0].value == 1.0);
  CHECK(c[0].lo == 1.0);
  CHECK(c[0].hi == 1.0);

  o.replicates = 0;
  const auto none = bootstrap_scores(truth, predicted, p, {"a", "b"}, nullptr, nullptr, o);
  CHECK(none[0].value == doctest::Approx(0.75));
  CHECK(std::isnan(none[0].lo));
}
