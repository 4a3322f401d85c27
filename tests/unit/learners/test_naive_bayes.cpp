#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/learners/naive_bayes.hpp"
#include "../../test_support.hpp"

using mwclass::kMissing;
using mwclass::Labels;
using mwclass::Matrix;
using mwclass::learners::ExplainStep;
using mwclass::learners::Explanation;
using mwclass::learners::NaiveBayes;
using mwclass::learners::NaiveBayesParams;
using mwclass::testing::rel;
using Missing = NaiveBayesParams::MissingMode;
using Prior = NaiveBayesParams::Prior;

namespace {

const double kPi = 3.14159265358979323846;

Matrix rows(const std::vector<std::vector<double>>& values) {
  Matrix X(static_cast<Eigen::Index>(values.size()), static_cast<Eigen::Index>(values[0].size()));
  for (std::size_t i = 0; i < values.size(); ++i)
    for (std::size_t j = 0; j < values[i].size(); ++j)
      X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = values[i][j];
  return X;
}

// Gaussian KDE written out: (1 / (n h sqrt(2 pi))) Σ exp(-(x - v)^2 / (2 h^2)).
double kde(const std::vector<double>& values, double h, double x) {
  double sum = 0.0;
  for (double v : values) sum += std::exp(-(x - v) * (x - v) / (2.0 * h * h));
  return sum / (static_cast<double>(values.size()) * h * std::sqrt(2.0 * kPi));
}

bool bit_identical(const double* a, const double* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(double)) == 0;
}

bool bit_identical(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         bit_identical(a.data(), b.data(), static_cast<std::size_t>(a.size()));
}

// n_classes Gaussian blobs in 2-D, centres (sep * k, sep * k).
void blobs(std::uint64_t key, int n, int n_classes, double sep, Matrix& X, Labels& y) {
  mwclass::rng::Stream stream(key);
  X.resize(n, 2);
  y.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int label = i % n_classes;
    y[static_cast<std::size_t>(i)] = label;
    X(i, 0) = sep * label + stream.normal();
    X(i, 1) = sep * label + stream.normal();
  }
}

std::string failure(const NaiveBayesParams& params) {
  try {
    NaiveBayes model(params);
  } catch (const mwclass::Error& e) {
    return e.what();
  }
  return "no error";
}

NaiveBayesParams two_categories() {
  NaiveBayesParams p;
  p.feature_category = {0, 1};
  p.category_names = {"xray", "mw"};
  return p;
}

}  // namespace

TEST_CASE("naive bayes: posterior by hand (KDE, Silverman, weights, given priors)") {
  // Class 0: f0 in {0, 1, 2}, f1 in {0, 0.5, 1.5}; class 1: f0 in {2, 3, 5}, f1 in {1, 2, 2.5}.
  const Matrix X = rows({{0, 0}, {2, 1}, {1, 0.5}, {3, 2}, {2, 1.5}, {5, 2.5}});
  const Labels y = {0, 1, 0, 1, 0, 1};

  // Silverman h = 0.9 min(σ, IQR / 1.34) n^(-1/5), σ with n - 1, quartiles
  // interpolated (positions 0.5 and 1.5 of three sorted values):
  //   c0 f0 {0,1,2}:     σ = 1,                   IQR = 1.5 - 0.5 = 1      -> s = 1 / 1.34
  //   c1 f0 {2,3,5}:     σ = sqrt(7/3) = 1.53,    IQR = 4 - 2.5 = 1.5      -> s = 1.5 / 1.34
  //   c0 f1 {0,.5,1.5}:  σ = sqrt(7/12) = 0.76,   IQR = 1 - 0.25 = 0.75    -> s = 0.75 / 1.34
  //   c1 f1 {1,2,2.5}:   σ = sqrt(7/12),          IQR = 2.25 - 1.5 = 0.75  -> s = 0.75 / 1.34
  const double n5 = std::pow(3.0, -0.2);
  const double h00 = 0.9 * (1.0 / 1.34) * n5;
  const double h10 = 0.9 * (1.5 / 1.34) * n5;
  const double h01 = 0.9 * (0.75 / 1.34) * n5;
  const double h11 = 0.9 * (0.75 / 1.34) * n5;

  NaiveBayesParams p = two_categories();
  p.category_weights = {2.0, 0.5};
  p.prior = Prior::Given;
  p.given_priors = {0.3, 0.7};
  p.grid_step = 0.0;  // direct kernel sums
  NaiveBayes model(p);
  model.fit(X, y, 2, 0, 1);
  CHECK(model.bandwidth(0, 0) == rel(h00));
  CHECK(model.bandwidth(1, 0) == rel(h10));
  CHECK(model.bandwidth(0, 1) == rel(h01));
  CHECK(model.bandwidth(1, 1) == rel(h11));

  const double x0 = 1.5, x1 = 1.2;
  const double p00 = kde({0, 1, 2}, h00, x0), p10 = kde({2, 3, 5}, h10, x0);
  const double p01 = kde({0, 0.5, 1.5}, h01, x1), p11 = kde({1, 2, 2.5}, h11, x1);
  // The floor (1e-3 of a peak, and a peak is at most 1 / (h sqrt(2 pi))) is not active:
  CHECK(p00 > 1e-3 / (h00 * std::sqrt(2.0 * kPi)));
  CHECK(p10 > 1e-3 / (h10 * std::sqrt(2.0 * kPi)));
  CHECK(p01 > 1e-3 / (h01 * std::sqrt(2.0 * kPi)));
  CHECK(p11 > 1e-3 / (h11 * std::sqrt(2.0 * kPi)));
  CHECK(model.log_density(0, 0, x0) == rel(std::log(p00)));
  CHECK(model.log_density(1, 1, x1) == rel(std::log(p11)));

  SUBCASE("both categories present: (p_xray^2 p_mw^0.5)^(1/2.5)") {
    const double w0 = 0.3 * std::pow(std::pow(p00, 2.0) * std::pow(p01, 0.5), 1.0 / 2.5);
    const double w1 = 0.7 * std::pow(std::pow(p10, 2.0) * std::pow(p11, 0.5), 1.0 / 2.5);
    const Matrix proba = model.predict_proba(rows({{x0, x1}}), 1);
    CHECK(proba(0, 0) == rel(w0 / (w0 + w1), 1e-12));
    CHECK(proba(0, 1) == rel(w1 / (w0 + w1), 1e-12));
    // The tabulated KDE gives the same answer to the grid's accuracy.
    NaiveBayesParams pg = p;
    pg.grid_step = 0.25;
    NaiveBayes gridded(pg);
    gridded.fit(X, y, 2, 0, 1);
    CHECK(gridded.predict_proba(rows({{x0, x1}}), 1)(0, 0) == rel(w0 / (w0 + w1), 1e-3));
  }
  SUBCASE("mw missing: Σα = 2 only, so the source is not penalised") {
    const double w0 = 0.3 * std::pow(std::pow(p00, 2.0), 1.0 / 2.0);
    const double w1 = 0.7 * std::pow(std::pow(p10, 2.0), 1.0 / 2.0);
    const Matrix proba = model.predict_proba(rows({{x0, kMissing}}), 1);
    CHECK(proba(0, 0) == rel(w0 / (w0 + w1), 1e-12));
    CHECK(model.explain(rows({{x0, kMissing}}), 0).weight_sum == 2.0);
  }
  SUBCASE("nothing present: the prior") {
    const Matrix proba = model.predict_proba(rows({{kMissing, kMissing}}), 1);
    CHECK(proba(0, 0) == rel(0.3, 1e-14));
    CHECK(proba(0, 1) == rel(0.7, 1e-14));
  }
  SUBCASE("training prior: the class frequencies") {
    NaiveBayesParams pt = p;
    pt.prior = Prior::Training;
    pt.given_priors.clear();
    NaiveBayes trained(pt);
    trained.fit(X, y, 2, 0, 1);
    CHECK(std::exp(trained.log_prior()[0]) == rel(0.5));
    const double w0 = std::pow(std::pow(p00, 2.0) * std::pow(p01, 0.5), 1.0 / 2.5);
    const double w1 = std::pow(std::pow(p10, 2.0) * std::pow(p11, 0.5), 1.0 / 2.5);
    CHECK(trained.predict_proba(rows({{x0, x1}}), 1)(0, 1) == rel(w1 / (w0 + w1), 1e-12));
  }
}

TEST_CASE("naive bayes: Skip vs Presence when missingness is informative") {
  // f0 (xray) is the same in both classes; f1 (optical) is always present for
  // class 0 and never for class 1 (an isolated neutron star has no counterpart).
  const Matrix X = rows({{0, 0}, {1, 1}, {2, 2}, {0, kMissing}, {1, kMissing}, {2, kMissing}});
  const Labels y = {0, 0, 0, 1, 1, 1};
  const Matrix no_optical = rows({{1.0, kMissing}});
  const Matrix optical = rows({{1.0, 1.0}});

  NaiveBayesParams p = two_categories();
  p.category_names = {"xray", "optical"};
  NaiveBayes skip(p);
  skip.fit(X, y, 2, 0, 1);
  CHECK(skip.predict_proba(no_optical, 1)(0, 1) == rel(0.5, 1e-14));
  CHECK(skip.predict_proba(optical, 1)(0, 1) == rel(0.5, 1e-14));
  // Class 1 has no optical value: it uses the pooled KDE (here class 0's values).
  CHECK(skip.bandwidth(1, 1) == skip.bandwidth(0, 1));

  p.missing = Missing::Presence;
  NaiveBayes presence(p);
  presence.fit(X, y, 2, 0, 1);
  // Laplace: P(present | C) = (n_present + 1) / (n_C + 2).
  CHECK(presence.presence_probability(0, 1) == rel(4.0 / 5.0));
  CHECK(presence.presence_probability(1, 1) == rel(1.0 / 5.0));
  CHECK(presence.presence_probability(1, 0) == rel(4.0 / 5.0));
  // Both categories contribute (Σα = 2); f0's terms are equal for the classes.
  // Missing optical: odds(1 : 0) = (P(missing|1) / P(missing|0))^(1/2) = (0.8 / 0.2)^(1/2) = 2.
  CHECK(presence.predict_proba(no_optical, 1)(0, 1) == rel(2.0 / 3.0, 1e-12));
  // Present optical (same pooled density): odds = ((1/5) / (4/5))^(1/2) = 1/2.
  CHECK(presence.predict_proba(optical, 1)(0, 1) == rel(1.0 / 3.0, 1e-12));

  // presence_weight is the exponent of the presence term inside L(C|t):
  // odds = (0.8 / 0.2)^(2 · 1 / 2) = 4.
  p.presence_weight = 2.0;
  NaiveBayes heavy(p);
  heavy.fit(X, y, 2, 0, 1);
  CHECK(heavy.predict_proba(no_optical, 1)(0, 1) == rel(0.8, 1e-12));
  // ... and it is scaled by the category weight over Σα: α = (1, 3) -> (0.8/0.2)^(2 · 3 / 4) = 8.
  p.category_weights = {1.0, 3.0};
  NaiveBayes weighted(p);
  weighted.fit(X, y, 2, 0, 1);
  CHECK(weighted.predict_proba(no_optical, 1)(0, 1) == rel(8.0 / 9.0, 1e-12));
}

TEST_CASE("naive bayes: given priors shift the posterior exactly by the prior ratio") {
  Matrix X;
  Labels y;
  blobs(3, 300, 3, 1.0, X, y);  // overlapping: moderate posteriors
  NaiveBayesParams p;
  p.prior = Prior::Uniform;
  NaiveBayes uniform(p);
  uniform.fit(X, y, 3, 0, 1);
  p.prior = Prior::Given;
  p.given_priors = {2.0, 5.0, 3.0};  // normalized to 0.2, 0.5, 0.3
  NaiveBayes given(p);
  given.fit(X, y, 3, 0, 1);
  CHECK(std::exp(given.log_prior()[1]) == rel(0.5));

  Matrix test;
  Labels unused;
  blobs(4, 50, 3, 1.0, test, unused);
  const Matrix pu = uniform.predict_proba(test, 1), pg = given.predict_proba(test, 1);
  for (Eigen::Index i = 0; i < test.rows(); ++i) {
    CAPTURE(i);
    for (int c = 1; c < 3; ++c) {
      REQUIRE(pu(i, c) > 1e-100);
      const double prior_ratio = p.given_priors[static_cast<std::size_t>(c)] / p.given_priors[0];
      CHECK(pg(i, c) / pg(i, 0) == rel(prior_ratio * pu(i, c) / pu(i, 0), 1e-10));
    }
  }

  // A zero prior removes the class.
  p.given_priors = {1.0, 0.0, 1.0};
  NaiveBayes without(p);
  without.fit(X, y, 3, 0, 1);
  const Matrix pw = without.predict_proba(test, 1);
  for (Eigen::Index i = 0; i < test.rows(); ++i) CHECK(pw(i, 1) == 0.0);
}

TEST_CASE("naive bayes: explain() is a probability track ending at predict_proba") {
  Matrix X;
  Labels y;
  blobs(5, 200, 3, 1.5, X, y);
  Matrix X4(X.rows(), 4);
  mwclass::rng::Stream stream(9);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    X4(i, 0) = X(i, 0);
    X4(i, 1) = X(i, 1);
    X4(i, 2) = X(i, 0) + 0.5 * stream.normal();
    X4(i, 3) = stream.uniform() < 0.3 ? kMissing : X(i, 1) - X(i, 0);
  }
  NaiveBayesParams p;
  p.feature_category = {0, 1, 0, 2};
  p.category_names = {"xray", "var", "mw"};
  p.category_weights = {1.0, 0.7, 2.0};
  p.feature_names = {"hr1", "amp", "hr2", "g"};
  p.prior = Prior::Given;
  p.given_priors = {0.6, 0.3, 0.1};

  const Matrix query = rows({{0.2, 1.0, kMissing, 0.5}, {1.0, 2.0, 1.5, kMissing}});
  for (Missing mode : {Missing::Skip, Missing::Presence}) {
    p.missing = mode;
    NaiveBayes model(p);
    model.fit(X4, y, 3, 0, 1);
    const Matrix proba = model.predict_proba(query, 1);
    for (Eigen::Index row = 0; row < 2; ++row) {
      CAPTURE(row);
      const Explanation e = model.explain(query, row);
      // prior, xray/hr1, xray/hr2, xray, var/amp, var, mw/g, mw
      REQUIRE(e.steps.size() == 8);
      CHECK(e.steps[0].kind == ExplainStep::Kind::Prior);
      CHECK(e.steps[0].proba[2] == rel(0.1, 1e-14));
      CHECK(e.steps[1].label == "xray/hr1");
      CHECK(e.steps[2].label == "xray/hr2");
      CHECK(e.steps[3].label == "xray");
      CHECK(e.steps[3].kind == ExplainStep::Kind::Category);
      CHECK(e.steps[6].label == "mw/g");
      CHECK(e.steps[6].feature == 3);
      CHECK(e.steps[6].category == 2);
      // A category step equals its last feature step.
      CHECK(bit_identical(e.steps[3].proba.data(), e.steps[2].proba.data(), 3));
      // The track ends at predict_proba, bit for bit.
      CHECK(bit_identical(e.steps.back().proba.data(), proba.data() + row * 3, 3));
      for (const auto& step : e.steps) {
        double total = 0.0;
        for (double v : step.proba) total += v;
        CHECK(total == rel(1.0, 1e-14));
      }
      if (mode == Missing::Skip) {
        // The missing feature adds no term and leaves the track unchanged.
        const std::size_t missing_step = row == 0 ? 2 : 6;
        CHECK_FALSE(e.steps[missing_step].contributed);
        CHECK(bit_identical(e.steps[missing_step].proba.data(),
                            e.steps[missing_step - 1].proba.data(), 3));
        CHECK(e.weight_sum == rel(row == 0 ? 3.7 : 1.7, 1e-14));
      } else {
        CHECK(e.steps[2].contributed);
        CHECK(e.weight_sum == rel(3.7));
      }
    }
  }
}

TEST_CASE("naive bayes: bad parameters and inputs fail with messages") {
  auto contains = [](const std::string& text, const std::string& part) {
    INFO(text);
    CHECK(text.find(part) != std::string::npos);
  };
  NaiveBayesParams p = two_categories();
  p.category_weights = {1.0};
  contains(failure(p), "1 category_weights for 2 categories");
  p.category_weights = {1.0, -0.5};
  contains(failure(p), "category weight 1 (mw) must be finite and >= 0");
  p = two_categories();
  p.feature_category = {0, 2};
  contains(failure(p), "feature_category[1] = 2 is outside [-1, 2)");
  p = two_categories();
  p.category_names.clear();
  contains(failure(p), "category_names is required");
  p = two_categories();
  p.feature_names = {"a"};
  contains(failure(p), "1 feature_names for 2 entries");
  p = two_categories();
  p.prior = Prior::Given;
  contains(failure(p), "given_priors is empty");
  p.given_priors = {0.0, 0.0};
  contains(failure(p), "given_priors sum to 0");
  p.given_priors = {1.0, -1.0};
  contains(failure(p), "given prior of class 1 must be finite and >= 0");
  p = two_categories();
  p.given_priors = {1.0, 1.0};
  contains(failure(p), "prior is not Given");
  p = two_categories();
  p.density_floor = 0.0;
  contains(failure(p), "density_floor must be in (0, 1)");
  p = two_categories();
  p.presence_smoothing = 0.0;
  contains(failure(p), "presence_smoothing must be finite and > 0");
  p = two_categories();
  p.presence_weight = -1.0;
  contains(failure(p), "presence_weight");
  p = two_categories();
  p.grid_step = 2.0;
  contains(failure(p), "grid_step");
  p = two_categories();
  p.bandwidth_factor = 0.0;
  contains(failure(p), "bandwidth_factor");

  auto fit_failure = [](const NaiveBayesParams& params, const Matrix& X, const Labels& y,
                        int n_classes) -> std::string {
    try {
      NaiveBayes model(params);
      model.fit(X, y, n_classes, 0, 1);
    } catch (const mwclass::Error& e) {
      return e.what();
    }
    return "no error";
  };
  const Matrix X = rows({{0, 1}, {1, 2}});
  contains(fit_failure(two_categories(), X, {0, 2}, 2), "label 2 of row 1 is outside [0, 2)");
  contains(fit_failure(two_categories(), X, {0}, 2), "X has 2 rows but y has 1 labels");
  contains(fit_failure(two_categories(), rows({{0, 1, 2}}), {0}, 2),
           "X has 3 columns but feature_category has 2 entries");
  contains(fit_failure(two_categories(), rows({{0, INFINITY}}), {0}, 2),
           "X(0, 1) is inf; only NaN may mark a missing value");
  p = two_categories();
  p.prior = Prior::Given;
  p.given_priors = {1.0, 1.0, 1.0};
  contains(fit_failure(p, X, {0, 1}, 2), "3 given_priors for 2 classes");
  p.given_priors = {0.0, 1.0};
  contains(fit_failure(p, X, {0, 0}, 2), "the given priors are 0 for every class present");

  NaiveBayes unfitted;
  CHECK_THROWS_WITH_AS(unfitted.predict_proba(X, 1), "naive bayes predict: the model has not been fitted",
                       mwclass::Error);
  NaiveBayes fitted(two_categories());
  fitted.fit(X, {0, 1}, 2, 0, 1);
  CHECK_THROWS_WITH_AS(fitted.predict_proba(rows({{1.0}}), 1),
                       "naive bayes predict: X has 1 columns, the model was fitted on 2",
                       mwclass::Error);
  CHECK_THROWS_AS(fitted.explain(X, 2), mwclass::Error);
}

TEST_CASE("naive bayes: two separated blobs, thread-independent") {
  Matrix X, test;
  Labels y, truth;
  blobs(11, 400, 2, 4.0, X, y);
  blobs(12, 400, 2, 4.0, test, truth);
  for (Eigen::Index i = 0; i < test.rows(); i += 7) test(i, i % 2) = kMissing;  // some gaps
  NaiveBayesParams p;
  p.missing = Missing::Presence;
  NaiveBayes one(p), two(p);
  one.fit(X, y, 2, 1, 1);
  two.fit(X, y, 2, 99, 2);
  const Matrix proba = one.predict_proba(test, 1);
  CHECK(bit_identical(proba, two.predict_proba(test, 2)));
  CHECK(bit_identical(proba, one.predict_proba(test, 2)));
  int correct = 0;
  for (Eigen::Index i = 0; i < test.rows(); ++i) {
    Eigen::Index best = 0;
    proba.row(i).maxCoeff(&best);
    correct += static_cast<int>(best) == truth[static_cast<std::size_t>(i)];
    CHECK(proba.row(i).sum() == rel(1.0, 1e-14));
  }
  CHECK(correct >= 392);  // the blobs are 4 σ apart in each coordinate
  const auto importances = one.feature_importances();
  CHECK(importances == std::vector<double>(2, 0.0));
}

TEST_CASE("naive bayes: the tabulated log density matches the direct sum") {
  // A class with structure: a bimodal core, a long tail and a far outlier.
  mwclass::rng::Stream stream(21);
  const int n = 3000;
  Matrix X(n, 1);
  Labels y(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const double u = stream.uniform();
    X(i, 0) = u < 0.45 ? stream.normal() : u < 0.9 ? 4.0 + 0.5 * stream.normal()
                                                   : 2.0 + 3.0 * std::abs(stream.normal());
  }
  X(0, 0) = 40.0;
  for (auto rule : {NaiveBayesParams::Bandwidth::Silverman, NaiveBayesParams::Bandwidth::Scott}) {
    NaiveBayesParams p;
    p.bandwidth = rule;
    NaiveBayes grid(p);
    grid.fit(X, y, 1, 0, 1);
    p.grid_step = 0.0;
    NaiveBayes direct(p);
    direct.fit(X, y, 1, 0, 1);
    double worst = 0.0, worst_direct = 0.0;
    for (double x = -10.0; x <= 50.0; x += 0.007) {
      const double exact = grid.log_density_direct(0, 0, x);
      worst = std::max(worst, std::abs(grid.log_density(0, 0, x) - exact));
      worst_direct = std::max(worst_direct, std::abs(direct.log_density(0, 0, x) - exact));
    }
    MESSAGE("max |tabulated - direct| log density: " << worst);
    CHECK(worst < 0.01);          // the documented tolerance for grid_step = 0.25
    CHECK(worst_direct < 1e-9);   // windowed direct sum
  }

  // The hard case: few narrow kernels whose dips sit near the floor, where
  // log p curves most (measured worst 0.0032).
  for (int n : {2, 3, 10}) {
    for (double sep : {3.0, 5.0, 7.0, 9.0}) {
      mwclass::rng::Stream noise(static_cast<std::uint64_t>(n * 100 + sep));
      Matrix Xs(n, 1);
      for (int i = 0; i < n; ++i) Xs(i, 0) = (i % 2 ? sep : 0.0) + 0.3 * noise.normal();
      NaiveBayesParams p;
      p.bandwidth_factor = 0.5;
      NaiveBayes model(p);
      model.fit(Xs, Labels(static_cast<std::size_t>(n), 0), 1, 0, 1);
      double worst = 0.0;
      for (double x = -5.0; x <= sep + 5.0; x += model.bandwidth(0, 0) / 97.3)
        worst = std::max(worst, std::abs(model.log_density(0, 0, x) -
                                         model.log_density_direct(0, 0, x)));
      CAPTURE(n);
      CAPTURE(sep);
      CHECK(worst < 0.01);
    }
  }

  // A lone Gaussian's log density is quadratic: cubic Hermite is exact there.
  NaiveBayes single;
  single.fit(rows({{1.0}, {2.0}}), {0, 1}, 2, 0, 1);
  for (double x = -1.0; x <= 3.0; x += 0.01)
    CHECK(single.log_density(0, 0, x) == rel(single.log_density_direct(0, 0, x), 1e-9));
}

TEST_CASE("naive bayes: bandwidth fallbacks and the density floor") {
  // Class 0 has one value (n = 1), class 1 two equal values: both use the
  // pooled spread of the feature (values {0, 3, 3, 6}) with their own n.
  const Matrix X = rows({{0.0}, {3.0}, {3.0}, {6.0}});
  const Labels y = {0, 1, 1, 2};
  NaiveBayesParams p;
  p.bandwidth = NaiveBayesParams::Bandwidth::Scott;
  NaiveBayes model(p);
  model.fit(X, y, 4, 0, 1);  // class 3 has no training row
  const double pooled_sigma = std::sqrt((9.0 + 0.0 + 0.0 + 9.0) / 3.0);
  CHECK(model.bandwidth(0, 0) == rel(pooled_sigma));
  CHECK(model.bandwidth(1, 0) == rel(pooled_sigma * std::pow(2.0, -0.2)));
  CHECK_THROWS_AS(model.bandwidth(3, 0), mwclass::Error);
  const Matrix proba = model.predict_proba(rows({{0.1}, {1000.0}}), 1);
  CHECK(proba(0, 3) == 0.0);  // absent class
  CHECK(proba(0, 0) > proba(0, 2));
  // Far away every class sits on its floor, 1e-3 of its peak; with a single
  // value the peak is the kernel's height 1 / (h sqrt(2 pi)).
  const double h0 = model.bandwidth(0, 0);
  CHECK(model.log_density(0, 0, 1000.0) == rel(std::log(1e-3 / (h0 * std::sqrt(2.0 * kPi)))));
  CHECK(std::isfinite(std::log(proba(1, 0))));

  // A tiny bandwidth (IQR ~ 5e-9) and a distant value would need ~1e12
  // nodes: that KDE is summed directly instead.
  Matrix Xt(11, 1);
  for (int i = 0; i < 10; ++i) Xt(i, 0) = 1e-9 * i;
  Xt(10, 0) = 1000.0;
  NaiveBayes tiny;
  tiny.fit(Xt, Labels(11, 0), 1, 0, 1);
  CHECK(tiny.bandwidth(0, 0) < 1e-8);
  for (double x : {0.0, 3.3e-9, 1e-8, 5.0, 1000.0, 1000.0 + 2e-9})
    CHECK(tiny.log_density(0, 0, x) == rel(tiny.log_density_direct(0, 0, x), 1e-12));
}

TEST_CASE("naive bayes quality exponents: 1/sigma normalized within the category, applied to densities") {
  // Two classes, one category of three features, a second category of one.
  const Matrix X = rows({{0.0, 0.0, 0.0, 0.0}, {0.4, -0.3, 0.2, 0.1}, {-0.2, 0.5, -0.4, 0.3},
                         {2.0, 2.2, 1.8, 2.1}, {2.4, 1.7, 2.3, 1.9}, {1.6, 2.5, 2.1, 2.4}});
  const Labels y = {0, 0, 0, 1, 1, 1};
  NaiveBayesParams p;
  p.feature_category = {0, 0, 0, 1};
  p.category_names = {"a", "b"};
  p.category_weights = {1.0, 1.0};
  p.grid_step = 0;  // exact kernel sums
  NaiveBayes nb(p);
  nb.fit(X, y, 2, 0, 1);

  const Matrix x = rows({{1.0, 0.8, kMissing, 1.2}, {1.0, 0.8, 0.9, 1.2}});
  const Matrix sigma = rows({{0.5, 1.0, 0.25, 0.0}, {0.5, 1.0, kMissing, 0.3}});
  const Matrix q = nb.quality_exponents(x, sigma);
  // Row 0: feature 2 is missing, so the mean of 1/sigma is over (2, 1): 1.5.
  CHECK(q(0, 0) == rel(2.0 / 1.5));
  CHECK(q(0, 1) == rel(1.0 / 1.5));
  CHECK(q(0, 2) == 1.0);
  CHECK(q(0, 3) == 1.0);  // sigma 0: no uncertainty known
  // Row 1: feature 2 has no sigma; category b has one feature, so q = 1.
  CHECK(q(1, 0) == rel(2.0 / 1.5));
  CHECK(q(1, 1) == rel(1.0 / 1.5));
  CHECK(q(1, 2) == 1.0);
  CHECK(q(1, 3) == rel(1.0));

  // Posterior with the exponents, by hand from the model's log densities:
  // log P(C) + (1/2) [q0 log p0 + q1 log p1 + q2 log p2] + (1/2) q3 log p3.
  const Matrix proba = nb.predict_proba(x, &q, 1);
  for (Eigen::Index i = 0; i < 2; ++i) {
    double score[2];
    for (int c = 0; c < 2; ++c) {
      double a = 0.0;
      for (int f = 0; f < 3; ++f)
        if (!std::isnan(x(i, f))) a += q(i, f) * nb.log_density(c, f, x(i, f));
      score[c] = nb.log_prior()[static_cast<std::size_t>(c)] + 0.5 * a +
                 0.5 * q(i, 3) * nb.log_density(c, 3, x(i, 3));
    }
    const double p1 = 1.0 / (1.0 + std::exp(score[0] - score[1]));
    CHECK(proba(i, 1) == rel(p1, 1e-12));
  }
  // Exponents of 1 reproduce the plain posterior; the track ends at the weighted one.
  const Matrix ones = Matrix::Ones(2, 4);
  CHECK(bit_identical(nb.predict_proba(x, &ones, 1), nb.predict_proba(x, 1)));
  const Explanation e = nb.explain(x, 1, &q);
  CHECK(bit_identical(e.steps.back().proba.data(), proba.data() + 2, 2));
  CHECK(!bit_identical(nb.predict_proba(x, 1), proba));
  CHECK_THROWS_WITH_AS(nb.quality_exponents(x, Matrix::Ones(1, 4)),
                       doctest::Contains("both must be n x 4"), mwclass::Error);
}

TEST_CASE("naive bayes outlier measure: leave-one-out densities by hand, a planted outlier") {
  // Leave-one-out density of a member at its own value, written out: class 0
  // has the values {0, 0.5, 2} of feature 0.
  {
    const Matrix X = rows({{0.0}, {0.5}, {2.0}, {5.0}, {5.5}, {6.5}});
    const Labels y = {0, 0, 0, 1, 1, 1};
    NaiveBayesParams p;
    p.grid_step = 0;  // exact sums
    p.density_floor = 1e-12;
    NaiveBayes nb(p);
    nb.fit(X, y, 2, 0, 1);
    const double h = nb.bandwidth(0, 0);
    const double expected = std::log(kde({0.5, 2.0}, h, 0.0));
    CHECK(nb.log_density_leave_one_out(0, 0, 0.0) == rel(expected, 1e-9));
  }
  // Two blobs; the centre of blob 0 is typical, a point far from both is not.
  Matrix X;
  Labels y;
  blobs(21, 400, 2, 6.0, X, y);
  NaiveBayes nb;
  nb.fit(X, y, 2, 0, 1);
  const Matrix sources = rows({{0.0, 0.0}, {6.0, 6.0}, {3.0, 30.0}, {2.5, 2.5}});
  const auto o = nb.outlier_scores(sources, nullptr);
  REQUIRE(o.size() == 4);
  CHECK(o[0].best_class == 0);
  CHECK(o[1].best_class == 1);
  CHECK(o[0].percentile > 0.3);  // as likely as a typical member
  CHECK(o[1].percentile > 0.3);
  CHECK(o[2].percentile == 0.0);  // beyond every member
  CHECK(o[2].score > o[0].score + 3.0);
  CHECK(o[3].percentile < o[0].percentile);  // between the blobs: less typical
  // The score is the posterior's data term: -log10 of the weighted likelihood.
  const double ln10 = std::log(10.0);
  // One category ("all") of weight 1: L = p(x0 | C) p(x1 | C).
  const double by_hand = -(nb.log_density(0, 0, 0.0) + nb.log_density(0, 1, 0.0)) / ln10;
  CHECK(o[0].score == rel(by_hand, 1e-12));
}
