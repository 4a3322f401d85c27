#include "mwclass/learners/registry.hpp"

#include <algorithm>

#include "mwclass/core/error.hpp"
#include "mwclass/learners/gradient_boosting.hpp"
#include "mwclass/learners/random_forest.hpp"

namespace mwclass::learners {

namespace {

LearnerEntry random_forest_entry() {
  return {"rf",
          "exact-split random forest on SMOTE'd data with missing values as a flag (MUWCLASS, default)",
          "classifier.forest",
          [](const Config& c) {
            return Preprocessing{c.smote.enabled && c.oversampling.method == "smote", true, false, false};
          },
          [](const Config& c, const std::vector<std::string>&) -> std::unique_ptr<Classifier> {
            return std::make_unique<RandomForest>(c.classifier.forest);
          }};
}

LearnerEntry gradient_boosting_entry() {
  return {"gbdt",
          "XGBoost gradient boosting with native missing values and class weights (Kumaran et al.)",
          "classifier.gbdt", [](const Config&) { return Preprocessing{}; },
          [](const Config& c, const std::vector<std::string>&) -> std::unique_ptr<Classifier> {
            return std::make_unique<GradientBoosting>(c.classifier.gbdt);
          }};
}

LearnerEntry naive_bayes_entry() {
  return {"nb", "weighted naive Bayes with Gaussian KDEs (Tranin et al. 2022)", "classifier.nb",
          [](const Config& c) { return Preprocessing{false, false, c.classifier.nb.quality, true}; },
          [](const Config& c, const std::vector<std::string>& features) -> std::unique_ptr<Classifier> {
            return std::make_unique<NaiveBayes>(naive_bayes_params(c, features));
          }};
}

// The registry: one line per learner.
std::vector<LearnerEntry>& entries() {
  static std::vector<LearnerEntry> all = {
      random_forest_entry(),
      gradient_boosting_entry(),
      naive_bayes_entry(),
  };
  return all;
}

}  // namespace

const std::vector<LearnerEntry>& learner_registry() { return entries(); }

std::vector<std::string> learner_names() {
  std::vector<std::string> names;
  for (const auto& e : entries()) names.push_back(e.name);
  return names;
}

const LearnerEntry& find_learner(const std::string& name) {
  for (const auto& e : entries())
    if (e.name == name) return e;
  fail("invalid configuration: classifier.model must be one of {} (got \"{}\")",
       fmt::format("\"{}\"", fmt::join(learner_names(), "\", \"")), name);
}

void register_learner(LearnerEntry entry) {
  for (const auto& e : entries())
    if (e.name == entry.name) fail("a learner named '{}' is already registered", entry.name);
  if (!entry.preprocessing || !entry.make) fail("learner '{}' needs preprocessing and make", entry.name);
  entries().push_back(std::move(entry));
}

void check_learner(const Config& config) { (void)find_learner(config.classifier.model); }

NaiveBayesParams naive_bayes_params(const Config& config, const std::vector<std::string>& feature_names) {
  using P = NaiveBayesParams;
  const NaiveBayesConfig& nb = config.classifier.nb;
  P p;
  p.feature_names = feature_names;
  p.feature_category.assign(feature_names.size(), -1);
  for (std::size_t t = 0; t < nb.categories.size(); ++t) {
    const auto& cat = nb.categories[t];
    p.category_names.push_back(cat.name);
    p.category_weights.push_back(cat.weight);
    for (const auto& name : cat.features) {
      // Features defined but not in features.used are not columns: skipped.
      const auto it = std::find(feature_names.begin(), feature_names.end(), name);
      if (it == feature_names.end()) continue;
      p.feature_category[static_cast<std::size_t>(it - feature_names.begin())] = static_cast<int>(t);
    }
  }
  if (p.category_names.empty()) fail("classifier.nb.categories is empty: naive Bayes needs at least one");
  p.missing = nb.missing == "presence" ? P::MissingMode::Presence : P::MissingMode::Skip;
  p.presence_weight = nb.presence_weight;
  p.prior = nb.prior == "uniform" ? P::Prior::Uniform
            : nb.prior == "given" ? P::Prior::Given
                                  : P::Prior::Training;
  p.given_priors = nb.given_priors;
  p.bandwidth = nb.bandwidth == "scott" ? P::Bandwidth::Scott : P::Bandwidth::Silverman;
  p.bandwidth_factor = nb.bandwidth_factor;
  p.density_floor = nb.density_floor;
  p.grid_step = nb.grid_step;
  return p;
}

}  // namespace mwclass::learners
