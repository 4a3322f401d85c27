#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/ensemble/statistics.hpp"

using namespace mwclass::ensemble;

TEST_CASE("CT on a worked example") {
  // P = (0.7, 0.2, 0.1), e_P = (0.1, 0.1, 0.05):
  // (0.7-0.2)/(0.1+0.1) = 2.5, (0.7-0.1)/(0.1+0.05) = 4 -> CT = 2.5, confident at 2.
  const double mean[] = {0.7, 0.2, 0.1}, sd[] = {0.1, 0.1, 0.05};
  const Decision d = decide(mean, sd, 3, 2.0);
  CHECK(d.predicted_class == 0);
  CHECK(d.class_prob == 0.7);
  CHECK(d.e_class_prob == 0.1);
  CHECK(d.confidence_threshold == doctest::Approx(2.5));
  CHECK(d.confident);
  CHECK_FALSE(decide(mean, sd, 3, 2.6).confident);
}

TEST_CASE("CT with zero spread uses a 1e-5 denominator; ties go to the first class") {
  const double mean[] = {0.2, 0.5, 0.3}, sd[] = {0, 0, 0};
  const Decision d = decide(mean, sd, 3, 2.0);
  CHECK(d.predicted_class == 1);
  CHECK(d.confidence_threshold == doctest::Approx(0.2 / 1e-5));
  const double tie[] = {0.5, 0.5, 0.0};
  const Decision t = decide(tie, sd, 3, 2.0);
  CHECK(t.predicted_class == 0);
  CHECK(t.confidence_threshold == 0.0);
  CHECK_FALSE(t.confident);
}

TEST_CASE("quantiles interpolate linearly between order statistics (numpy default)") {
  const double v[] = {1, 2, 3, 4, 5};
  CHECK(quantile_sorted(v, 5, 0.5) == 3.0);
  CHECK(quantile_sorted(v, 5, 0.0) == 1.0);
  CHECK(quantile_sorted(v, 5, 1.0) == 5.0);
  CHECK(quantile_sorted(v, 5, 0.02275) == doctest::Approx(1.091));
  CHECK(quantile_sorted(v, 5, 0.97725) == doctest::Approx(4.909));
  CHECK(quantile_sorted(v, 1, 0.3) == 1.0);
}

TEST_CASE("summarize gives mean, population std, median and quantiles per source and class") {
  IterationProbabilities p(1, 2, 4);
  const double a[] = {0.9, 0.7, 0.8, 0.6};
  for (int m = 0; m < 4; ++m) {
    p.at(0, 0, m) = a[m];
    p.at(0, 1, m) = 1 - a[m];
  }
  const auto s = summarize(p);
  CHECK(s.mean(0, 0) == doctest::Approx(0.75));
  CHECK(s.std(0, 0) == doctest::Approx(std::sqrt(0.0125)));
  CHECK(s.median(0, 0) == doctest::Approx(0.75));
  CHECK(s.mean(0, 1) == doctest::Approx(0.25));
  CHECK(s.q_lo(0, 0) == doctest::Approx(0.6 + 3 * 0.02275 * 0.1));
}

TEST_CASE("mean_and_std of importance rows") {
  std::vector<double> m, s;
  mean_and_std({{1, 2}, {3, 2}}, m, s);
  CHECK(m == std::vector<double>{2, 2});
  CHECK(s == std::vector<double>{1, 0});
}
