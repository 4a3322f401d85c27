#include "mwclass/ensemble/ensemble.hpp"

#include <algorithm>
#include <chrono>

#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/ensemble/statistics.hpp"
#include "mwclass/learners/random_forest.hpp"
#include "mwclass/learners/standardizer.hpp"
#include "mwclass/physics/reddening.hpp"
#include "mwclass/sampling/monte_carlo.hpp"
#include "mwclass/sampling/smote.hpp"

namespace mwclass::ensemble {

namespace {

// Rows of the training catalog that an item trains on (all but held_out).
std::vector<std::size_t> kept_rows(std::size_t n, const std::vector<std::uint64_t>& held_out) {
  std::vector<char> drop(n, 0);
  for (auto r : held_out) drop.at(r) = 1;
  std::vector<std::size_t> kept;
  kept.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!drop[i]) kept.push_back(i);
  return kept;
}

// Accumulates wall time per stage.
class StageClock {
 public:
  void lap(double& into) {
    const auto now = std::chrono::steady_clock::now();
    into += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

void check_class_sizes(const Config& config, const catalog::Catalog& training,
                       const std::vector<std::size_t>& held_out_per_class) {
  if (!config.smote.enabled) return;
  const auto& classes = config.classifier.classes;
  std::vector<std::size_t> counts(classes.size(), 0);
  for (int y : training.labels) ++counts[y];
  const auto need = static_cast<std::size_t>(config.smote.k_neighbors) + 1;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const std::size_t held = held_out_per_class.empty() ? 0 : held_out_per_class[c];
    if (counts[c] < need + held)
      fail("{}: class '{}' has {} member(s); SMOTE with k = {} needs at least {} in every "
           "training set{} (lower [smote] k_neighbors or remove the class from [classifier] "
           "classes)",
           training.path, classes[c], counts[c], config.smote.k_neighbors, need,
           held ? fmt::format(", but up to {} of them are held out per work item", held) : std::string());
  }
}

Ensemble::Ensemble(const Config& config, const catalog::Catalog& training)
    : config_(config),
      training_(training),
      cross_section_(physics::cross_section_for(config)),
      features_(config),
      feature_names_(features_.names()) {
  if (!training.labelled()) fail("{}: the training catalog has no labels", training.path);
  if (config.features.random_feature) feature_names_.push_back("random");
  reddened_.assign(training.size(), 0);
  for (const auto& name : config.reddening.classes) {
    const int k = config.class_index(name);
    for (std::size_t i = 0; i < training.size(); ++i)
      if (training.labels[i] == k) reddened_[i] = 1;
  }
}

int Ensemble::iterations() const {
  return config_.monte_carlo.enabled ? config_.monte_carlo.iterations : 1;
}

WorkResult Ensemble::run(const catalog::Catalog& source_catalog, const WorkItem& item, int threads,
                         bool keep_iterations) const {
  const int n_iter = iterations();
  const int n_src = static_cast<int>(item.rows.size());
  const int n_classes = static_cast<int>(config_.classifier.classes.size());
  const int n_features = static_cast<int>(feature_names_.size());
  const std::uint64_t seed = config_.seed;
  const bool mc = config_.monte_carlo.enabled;
  const double scale = config_.monte_carlo.error_scale;
  const auto kind = static_cast<std::uint64_t>(item.kind);
  const bool redden = config_.reddening.enabled && item.ebv > 0;
  const physics::Reddening reddening =
      redden ? physics::reddening_for(config_, cross_section_, item.ebv) : physics::Reddening{};

  const std::vector<std::size_t> kept = kept_rows(training_.size(), item.held_out);
  const catalog::Catalog train = training_.subset(kept);
  const catalog::Catalog sources = source_catalog.subset({item.rows.begin(), item.rows.end()});
  sampling::Measurements td = sampling::observed(train);
  sampling::Measurements src = sampling::observed(sources);
  IterationProbabilities probs(n_src, n_classes, n_iter);
  std::vector<std::vector<double>> importances;
  learners::RandomForest forest(config_.classifier.forest);
  StageTimes timing;
  StageClock clock;
  Matrix x_train(static_cast<Eigen::Index>(kept.size()), n_features);
  Matrix x_src(n_src, n_features);

  for (int m = 0; m < n_iter; ++m) {
    const auto it = static_cast<std::uint64_t>(m);
    if (mc) {
      // A training row's draw depends on (iteration, row) only: every item
      // sees the same perturbed training set at iteration m, up to reddening.
      for (std::size_t i = 0; i < kept.size(); ++i) {
        rng::Stream s(seed, rng::Purpose::TrainingSample, {it, kept[i]});
        sampling::sample_row(train, i, scale, s, td, static_cast<Eigen::Index>(i));
      }
      for (int j = 0; j < n_src; ++j) {
        rng::Stream s(seed, rng::Purpose::FieldSample, {item.rows[j], it});
        sampling::sample_row(sources, static_cast<std::size_t>(j), scale, s, src, j);
      }
    }
    if (redden)  // without MC there is a single iteration
      for (std::size_t i = 0; i < kept.size(); ++i)
        if (reddened_[kept[i]])
          physics::apply_reddening(reddening, td.xray_flux, td.mag, static_cast<Eigen::Index>(i));
    clock.lap(timing.sampling);

    x_train.leftCols(features_.size()) = features_.build(td.xray_flux, td.mag, td.variability);
    x_src.leftCols(features_.size()) = features_.build(src.xray_flux, src.mag, src.variability);
    if (config_.features.random_feature) {
      // The paper's noise floor: a feature that carries no information.
      const Eigen::Index f = n_features - 1;
      for (std::size_t i = 0; i < kept.size(); ++i)
        x_train(static_cast<Eigen::Index>(i), f) =
            rng::Stream(seed, rng::Purpose::RandomFeature, {0, kept[i], it}).uniform();
      for (int j = 0; j < n_src; ++j)
        x_src(j, f) = rng::Stream(seed, rng::Purpose::RandomFeature, {1, item.rows[j], it}).uniform();
    }
    learners::Standardizer standardizer;
    standardizer.fit(x_train);
    Matrix x_fit = x_train;
    standardizer.transform(x_fit);
    Matrix x_pred = x_src;
    standardizer.transform(x_pred);
    clock.lap(timing.features);

    Labels y_fit = train.labels;
    if (config_.smote.enabled) {
      rng::Stream s(seed, rng::Purpose::Smote, {kind, item.id, it});
      auto over = sampling::smote(x_fit, y_fit, config_.classifier.classes,
                                  {config_.smote.k_neighbors, config_.smote.missing_fill}, s);
      x_fit = std::move(over.X);
      y_fit = std::move(over.y);
    }
    learners::encode_missing(x_fit, config_.classifier.missing_flag);
    learners::encode_missing(x_pred, config_.classifier.missing_flag);
    clock.lap(timing.smote);

    forest.fit(x_fit, y_fit, n_classes,
               rng::derive_key(seed, rng::Purpose::Forest, {kind, item.id, it}), threads);
    clock.lap(timing.fit);
    const Matrix p = forest.predict_proba(x_pred, threads);
    for (int j = 0; j < n_src; ++j)
      for (int c = 0; c < n_classes; ++c) probs.at(j, c, m) = p(j, c);
    importances.push_back(forest.feature_importances());
    clock.lap(timing.predict);
  }

  WorkResult r;
  r.id = static_cast<int>(item.id);
  r.ebv = item.ebv;
  r.rows = item.rows;
  r.iterations = n_iter;
  r.probabilities = summarize(probs);
  mean_and_std(importances, r.importance_mean, r.importance_std);
  if (keep_iterations) {
    r.per_iteration.resize(static_cast<std::size_t>(n_src) * n_iter * n_classes);
    std::size_t k = 0;
    for (int j = 0; j < n_src; ++j)
      for (int m = 0; m < n_iter; ++m)
        for (int c = 0; c < n_classes; ++c) r.per_iteration[k++] = probs.series(j, c)[m];
  }
  r.timing = timing;
  return r;
}

}  // namespace mwclass::ensemble
