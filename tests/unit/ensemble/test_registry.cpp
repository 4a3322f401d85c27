// The learner registry's recipe (docs/architecture.md, "Add a learner"): a
// learner defined only here, registered with one call, runs inside the
// ensemble with the preprocessing its entry asks for, without any change to
// the ensemble.
#include <doctest/doctest.h>

#include <cmath>

#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/learners/registry.hpp"

using namespace mwclass;

namespace {

// Predicts the training set's class fractions for every source and records
// what it was given, so the test can check the ensemble's preprocessing.
struct Seen {
  bool any_nan = false;
  std::vector<int> class_counts;
  bool had_sigma = false, had_track_x = false;
};
Seen seen;

class PriorLearner : public learners::Classifier {
 public:
  void fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t, int) override {
    seen.any_nan = seen.any_nan || X.hasNaN();
    seen.class_counts.assign(static_cast<std::size_t>(n_classes), 0);
    for (int c : y) ++seen.class_counts[static_cast<std::size_t>(c)];
    prior_.assign(static_cast<std::size_t>(n_classes), 0.0);
    for (int c : y) prior_[static_cast<std::size_t>(c)] += 1.0 / static_cast<double>(y.size());
  }
  Matrix predict_proba(const Matrix& X, int) const override {
    Matrix p(X.rows(), static_cast<Eigen::Index>(prior_.size()));
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      for (std::size_t c = 0; c < prior_.size(); ++c) p(i, static_cast<Eigen::Index>(c)) = prior_[c];
    return p;
  }
  std::vector<double> feature_importances() const override { return {}; }
  learners::Prediction predict_for(const learners::PredictionInput& in) const override {
    seen.had_sigma = seen.had_sigma || in.sigma;
    seen.had_track_x = seen.had_track_x || in.track_x;
    learners::Prediction out = predict(in.x, in.n_threads);
    if (in.track_x) {
      out.track.steps = {"prior"};
      for (Eigen::Index i = 0; i < in.track_x->rows(); ++i)
        out.track.values.insert(out.track.values.end(), prior_.begin(), prior_.end());
    }
    return out;
  }

 private:
  std::vector<double> prior_;
};

}  // namespace

TEST_CASE("registry: a test-only learner runs in the ensemble with the preprocessing it asks for") {
  learners::register_learner({"test-prior", "class fractions of the training set (test only)", "",
                              [](const Config&) { return learners::Preprocessing{true, true, true, true}; },
                              [](const Config&, const std::vector<std::string>&) {
                                return std::unique_ptr<learners::Classifier>(new PriorLearner);
                              }});
  CHECK_THROWS_WITH(learners::register_learner(learners::find_learner("test-prior")),
                    doctest::Contains("already registered"));
  const auto names = learners::learner_names();
  CHECK(std::find(names.begin(), names.end(), "test-prior") != names.end());

  Config config = Config::defaults();
  config.classifier.model = "test-prior";
  config.monte_carlo.iterations = 2;
  CHECK_NOTHROW(learners::check_learner(config));
  catalog::SimulationParams p;
  p.n_sources = 700;
  p.seed = 8;
  const catalog::Catalog td = catalog::simulate_catalog(config, p);
  ensemble::WorkItem item;
  item.id = 1;
  item.ebv = 0.1;
  for (std::uint64_t r = 0; r < 10; ++r) item.rows.push_back(r);
  const ensemble::Ensemble e(config, td);
  const ensemble::WorkResult r = e.run(td, item, 1);

  // SMOTE balanced the classes, the flag replaced every NaN, the
  // uncertainties and the track rows were passed, the track was kept.
  CHECK_FALSE(seen.any_nan);
  REQUIRE(seen.class_counts.size() == 8);
  for (int n : seen.class_counts) CHECK(n == seen.class_counts[0]);
  CHECK(seen.had_sigma);
  CHECK(seen.had_track_x);
  CHECK(r.track.steps == std::vector<std::string>{"prior"});
  CHECK(r.track.values.size() == 10 * 8);
  // Balanced classes: every source gets 1/8 for every class.
  for (Eigen::Index j = 0; j < 10; ++j)
    for (Eigen::Index c = 0; c < 8; ++c) CHECK(std::abs(r.probabilities.mean(j, c) - 0.125) < 1e-12);

  config.classifier.model = "svm";
  CHECK_THROWS_WITH(learners::check_learner(config),
                    doctest::Contains("classifier.model must be one of \"rf\", \"gbdt\", \"nb\", \"test-prior\" (got \"svm\")"));
}
