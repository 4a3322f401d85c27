#include "mwclass/ensemble/model.hpp"

#include <algorithm>

#include "mwclass/core/error.hpp"
#include "mwclass/learners/gradient_boosting.hpp"
#include "mwclass/learners/random_forest.hpp"

namespace mwclass::ensemble {

ModelSteps model_steps(const Config& config) {
  const bool rf = config.classifier.model == "rf";
  return {rf && config.smote.enabled, rf};
}

learners::NaiveBayesParams naive_bayes_params(const Config& config,
                                              const std::vector<std::string>& feature_names) {
  using P = learners::NaiveBayesParams;
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

std::unique_ptr<learners::Classifier> make_model(const Config& config,
                                                 const std::vector<std::string>& feature_names) {
  const std::string& model = config.classifier.model;
  if (model == "rf") return std::make_unique<learners::RandomForest>(config.classifier.forest);
  if (model == "gbdt") return std::make_unique<learners::GradientBoosting>(config.classifier.gbdt);
  if (model == "nb")
    return std::make_unique<learners::NaiveBayes>(naive_bayes_params(config, feature_names));
  fail("classifier.model '{}' is not one of rf, gbdt, nb", model);
}

}  // namespace mwclass::ensemble
