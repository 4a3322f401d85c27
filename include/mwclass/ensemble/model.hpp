#pragma once
// The learner of one Monte-Carlo iteration, made from the configuration, and
// the per-model steps around it: the random forest (MUWCLASS) is trained on
// SMOTE'd data with missing values replaced by a flag; gradient boosting and
// naive Bayes see missing values as NaN and balance classes themselves
// (sample weights, priors).
#include <memory>
#include <string>
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/learners/classifier.hpp"
#include "mwclass/learners/naive_bayes.hpp"

namespace mwclass::ensemble {

struct ModelSteps {
  bool smote = false;         // oversample the training set (config smote.enabled, rf only)
  bool flag_missing = false;  // replace NaN by classifier.missing_flag before fit/predict
};

ModelSteps model_steps(const Config& config);

// A fresh, unfitted learner for `feature_names` (the learner's columns).
std::unique_ptr<learners::Classifier> make_model(const Config& config,
                                                 const std::vector<std::string>& feature_names);

// The naive Bayes parameters for these columns: each feature's category from
// classifier.nb.categories (features in no category are not used).
learners::NaiveBayesParams naive_bayes_params(const Config& config,
                                              const std::vector<std::string>& feature_names);

}  // namespace mwclass::ensemble
