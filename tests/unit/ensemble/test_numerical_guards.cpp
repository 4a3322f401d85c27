// Issue 17, numerical guards: inputs that are legal but degenerate must not turn
// into NaN or a division by zero anywhere between the catalog and the decision.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/ensemble/assemble.hpp"
#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/ensemble/statistics.hpp"
#include "mwclass/sampling/smote.hpp"
#include "../../test_support.hpp"

using namespace mwclass;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Setup {
  Config config = Config::defaults();
  catalog::Catalog td, field;
  explicit Setup(const std::string& model) {
    config.classifier.model = model;
    config.classifier.forest.n_trees = 5;
    config.classifier.gbdt.n_rounds = 5;
    config.monte_carlo.iterations = 3;
    catalog::SimulationParams p;
    p.n_sources = 700;
    p.seed = 8;
    td = catalog::simulate_catalog(config, p);
    p.n_sources = 12;
    p.labelled = false;
    p.catalog_id = 1;
    field = catalog::simulate_catalog(config, p);
  }
  // Every source in one item at `ebv`.
  ensemble::WorkItem all_sources(double ebv = 0.1) const {
    ensemble::WorkItem item;
    item.id = 0;
    item.ebv = ebv;
    for (std::uint64_t r = 0; r < field.size(); ++r) item.rows.push_back(r);
    return item;
  }
};

// Every mean probability finite, in [0, 1], each source's summing to 1 within 1e-12;
// every decision's CT a number.
void check_result(const ensemble::ClassificationResult& r) {
  const Matrix& P = r.probabilities.mean;
  REQUIRE(P.rows() > 0);
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    double sum = 0;
    for (Eigen::Index c = 0; c < P.cols(); ++c) {
      CHECK(std::isfinite(P(i, c)));
      CHECK(P(i, c) >= 0);
      CHECK(P(i, c) <= 1);
      CHECK(std::isfinite(r.probabilities.std(i, c)));
      sum += P(i, c);
    }
    CHECK(std::fabs(sum - 1) <= 1e-12);
    CHECK(!std::isnan(r.decisions[static_cast<std::size_t>(i)].confidence_threshold));
  }
}

ensemble::ClassificationResult classify(const Setup& s, const catalog::Catalog& td, const catalog::Catalog& field,
                                        const ensemble::WorkItem& item) {
  const ensemble::Ensemble e(s.config, td);
  std::vector<ensemble::WorkResult> results{e.run(field, item, 1)};
  return ensemble::assemble(field, std::move(results), s.config, e.feature_names());
}

}  // namespace

TEST_CASE("numerical guards: an all-missing and a zero-variance feature give no NaN (rf, gbdt, nb)") {
  for (const std::string model : {"rf", "gbdt", "nb"}) {
    CAPTURE(model);
    Setup s(model);
    catalog::Catalog td = s.td, field = s.field;
    // W3 missing everywhere (W3 itself is not a feature, but W1-W3 and W2-W3 are:
    // all-missing columns), P_inter the same value for every source (zero variance).
    td.mag.col(8).setConstant(kNaN);
    td.mag_error.col(8).setConstant(kNaN);
    field.mag.col(8).setConstant(kNaN);
    field.mag_error.col(8).setConstant(kNaN);
    td.variability.col(1).setConstant(0.5);
    field.variability.col(1).setConstant(0.5);
    check_result(classify(s, td, field, s.all_sources()));
  }
}

TEST_CASE("numerical guards: every source's probabilities sum to 1 within 1e-12 (rf, gbdt, nb)") {
  for (const std::string model : {"rf", "gbdt", "nb"}) {
    CAPTURE(model);
    Setup s(model);
    check_result(classify(s, s.td, s.field, s.all_sources(0.3)));
  }
}

TEST_CASE("numerical guards: a bin with one source") {
  for (const std::string model : {"rf", "nb"}) {
    CAPTURE(model);
    Setup s(model);
    const catalog::Catalog one = s.field.subset({5});
    ensemble::WorkItem item;
    item.id = 3;
    item.ebv = 0.05;
    item.rows = {0};
    const auto r = classify(s, s.td, one, item);
    REQUIRE(r.probabilities.mean.rows() == 1);
    check_result(r);
  }
}

TEST_CASE("numerical guards: CT with sigma = 0 is finite (a zero denominator counts as 1e-5)") {
  // Three classes, every e_P zero (e.g. --mc 0): CT = (P_pred - P_c) / 1e-5.
  const double mean[] = {0.7, 0.2, 0.1}, zero[] = {0, 0, 0};
  const ensemble::Decision d = ensemble::decide(mean, zero, 3, 2.0);
  CHECK(d.predicted_class == 0);
  CHECK(std::isfinite(d.confidence_threshold));
  CHECK(d.confidence_threshold == doctest::Approx((0.7 - 0.2) / 1e-5));
  CHECK(d.confident);
  // A tie with sigma = 0: CT 0, not 0/0.
  const double tie[] = {0.5, 0.5, 0.0};
  const ensemble::Decision t = ensemble::decide(tie, zero, 3, 2.0);
  CHECK(t.confidence_threshold == 0);
  CHECK(!t.confident);
  // Only the predicted class has sigma = 0: the other's sigma is the denominator.
  const double one_sided[] = {0.0, 0.1, 0.0};
  const ensemble::Decision o = ensemble::decide(mean, one_sided, 3, 2.0);
  CHECK(o.confidence_threshold == doctest::Approx(std::min((0.7 - 0.2) / 0.1, (0.7 - 0.1) / 1e-5)));
}

TEST_CASE("numerical guards: SMOTE with k larger than a class is an Error naming the class, not a crash") {
  Matrix X(9, 2);
  Labels y;
  for (int i = 0; i < 9; ++i) {
    X(i, 0) = i;
    X(i, 1) = i % 3;
    y.push_back(i < 7 ? 0 : 1);  // class "b" has 2 members
  }
  sampling::SmoteParams p;
  p.k_neighbors = 4;
  rng::Stream stream(1, rng::Purpose::Smote, {0, 0});
  const std::string e = testing::error_of([&] { sampling::smote(X, y, {"a", "b"}, p, stream); });
  CHECK(e.find("class 'b' has 2 member(s)") != std::string::npos);
  CHECK(e.find("k = 4") != std::string::npos);
  // k = members - 1 is the largest that works: every synthetic row finite.
  p.k_neighbors = 1;
  const auto out = sampling::smote(X, y, {"a", "b"}, p, stream);
  CHECK(out.X.rows() == 14);
  CHECK(out.X.allFinite());
}
