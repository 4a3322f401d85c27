#pragma once
// The learners of the Monte-Carlo ensemble, by name: `--model NAME` /
// `[classifier] model`. Each entry says what the learner needs from the
// ensemble (SMOTE, the missing-value flag, per-source uncertainties, a
// probability track) and makes a fresh learner from the configuration, so the
// ensemble, the CLI choices and the config check have no learner-specific code.
//
// Adding a learner (docs/architecture.md): write src/learners/<name>.cpp with
// the Classifier and a function returning its LearnerEntry, and add that
// function to the list in src/learners/registry.cpp.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mwclass/core/config.hpp"
#include "mwclass/learners/classifier.hpp"
#include "mwclass/learners/naive_bayes.hpp"

namespace mwclass::learners {

// The ensemble's steps around a learner, for one configuration.
struct Preprocessing {
  bool smote = false;         // oversample with SMOTE ([oversampling] method = "smote", [smote] enabled)
  bool flag_missing = false;  // replace NaN by [classifier] missing_flag before fit and predict
  bool feature_sigma = false; // pass each source's feature uncertainties (PredictionInput::sigma)
  bool track = false;         // ask for the probability track of the observed values (iteration 0)
};

struct LearnerEntry {
  std::string name;            // the value of --model / [classifier] model
  std::string help;            // one line, for --help
  std::string config_section;  // its parameters, e.g. "classifier.forest"
  std::function<Preprocessing(const Config&)> preprocessing;
  // A fresh, unfitted learner for the columns `feature_names`.
  std::function<std::unique_ptr<Classifier>(const Config&, const std::vector<std::string>& feature_names)>
      make;
};

// Every registered learner, in registration order.
const std::vector<LearnerEntry>& learner_registry();
std::vector<std::string> learner_names();
// The entry of `name`; an Error naming the registered learners otherwise.
const LearnerEntry& find_learner(const std::string& name);
// Adds a learner at run time (a test registers a test-only learner this way).
// An Error if the name is taken.
void register_learner(LearnerEntry entry);

// The checks of a configuration that need the registry (the model name);
// Config::validate() does the rest. Every command calls both.
void check_learner(const Config& config);

// The naive Bayes parameters for these columns: each feature's category from
// classifier.nb.categories (features in no category are not used).
NaiveBayesParams naive_bayes_params(const Config& config, const std::vector<std::string>& feature_names);

}  // namespace mwclass::learners
