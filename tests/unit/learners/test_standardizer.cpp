#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/learners/standardizer.hpp"

using namespace mwclass;

TEST_CASE("standardize with the training mean and population std, ignoring missing values") {
  Matrix train(4, 2);
  train << 1, 5, 2, kMissing, 3, 5, 4, 5;  // second feature constant where present
  learners::Standardizer s;
  s.fit(train);
  CHECK(s.mean()[0] == doctest::Approx(2.5));
  CHECK(s.scale()[0] == doctest::Approx(std::sqrt(1.25)));
  CHECK(s.mean()[1] == doctest::Approx(5.0));
  CHECK(s.scale()[1] == 1.0);  // zero spread: centred only
  Matrix field(1, 2);
  field << 2.5 + std::sqrt(1.25), kMissing;
  s.transform(field);
  CHECK(field(0, 0) == doctest::Approx(1.0));
  CHECK(std::isnan(field(0, 1)));
  learners::encode_missing(field, -100);
  CHECK(field(0, 1) == -100);
}
