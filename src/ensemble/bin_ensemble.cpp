#include "mwclass/ensemble/bin_ensemble.hpp"

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

BinEnsemble::BinEnsemble(const Config& config, const catalog::Catalog& training)
    : config_(config),
      training_(training),
      cross_section_(physics::cross_section_for(config)),
      features_(config) {
  if (!training.labelled()) fail("{}: the training catalog has no labels", training.path);
  reddened_.assign(training.size(), 0);
  for (const auto& name : config.reddening.classes) {
    const int k = config.class_index(name);
    for (std::size_t i = 0; i < training.size(); ++i)
      if (training.labels[i] == k) reddened_[i] = 1;
  }
}

int BinEnsemble::iterations() const {
  return config_.monte_carlo.enabled ? config_.monte_carlo.iterations : 1;
}

BinResult BinEnsemble::run(const catalog::Catalog& field, const std::vector<std::uint64_t>& rows,
                           int bin_id, double ebv, int threads) const {
  const int n_iter = iterations();
  const int n_src = static_cast<int>(rows.size());
  const int n_classes = static_cast<int>(config_.classifier.classes.size());
  const std::uint64_t seed = config_.seed;
  const bool mc = config_.monte_carlo.enabled;
  const double scale = config_.monte_carlo.error_scale;
  const auto bin_key = static_cast<std::uint64_t>(bin_id);
  const bool redden = config_.reddening.enabled && ebv > 0;
  const physics::Reddening reddening =
      redden ? physics::reddening_for(config_, cross_section_, ebv) : physics::Reddening{};

  const catalog::Catalog sources = field.subset({rows.begin(), rows.end()});
  sampling::Measurements td = sampling::observed(training_);
  sampling::Measurements src = sampling::observed(sources);
  IterationProbabilities probs(n_src, n_classes, n_iter);
  std::vector<std::vector<double>> importances;
  learners::RandomForest forest(config_.classifier.forest);
  StageTimes timing;
  auto clock = std::chrono::steady_clock::now();
  auto lap = [&clock](double& into) {
    const auto now = std::chrono::steady_clock::now();
    into += std::chrono::duration<double>(now - clock).count();
    clock = now;
  };

  for (int m = 0; m < n_iter; ++m) {
    const auto it = static_cast<std::uint64_t>(m);
    if (mc) {
      // The training draw depends on (iteration, row) only: every bin sees the
      // same perturbed training set at iteration m, up to its reddening.
      for (std::size_t i = 0; i < training_.size(); ++i) {
        rng::Stream s(seed, rng::Purpose::TrainingSample, {it, i});
        sampling::sample_row(training_, i, scale, s, td, static_cast<Eigen::Index>(i));
      }
      for (int j = 0; j < n_src; ++j) {
        rng::Stream s(seed, rng::Purpose::FieldSample, {rows[j], it});
        sampling::sample_row(sources, static_cast<std::size_t>(j), scale, s, src, j);
      }
    } else {
      td = sampling::observed(training_);
    }
    if (redden)
      for (std::size_t i = 0; i < training_.size(); ++i)
        if (reddened_[i]) physics::apply_reddening(reddening, td.xray_flux, td.mag, static_cast<Eigen::Index>(i));
    lap(timing.sampling);

    Matrix x_train = features_.build(td.xray_flux, td.mag, td.variability);
    Matrix x_src = features_.build(src.xray_flux, src.mag, src.variability);
    learners::Standardizer standardizer;
    standardizer.fit(x_train);
    standardizer.transform(x_train);
    standardizer.transform(x_src);
    lap(timing.features);

    Labels y_train = training_.labels;
    if (config_.smote.enabled) {
      rng::Stream s(seed, rng::Purpose::Smote, {bin_key, it});
      auto over = sampling::smote(x_train, y_train, config_.classifier.classes,
                                  {config_.smote.k_neighbors, config_.smote.missing_fill}, s);
      x_train = std::move(over.X);
      y_train = std::move(over.y);
    }
    learners::encode_missing(x_train, config_.classifier.missing_flag);
    learners::encode_missing(x_src, config_.classifier.missing_flag);
    lap(timing.smote);

    forest.fit(x_train, y_train, n_classes, rng::derive_key(seed, rng::Purpose::Forest, {bin_key, it}),
               threads);
    lap(timing.fit);
    const Matrix p = forest.predict_proba(x_src, threads);
    for (int j = 0; j < n_src; ++j)
      for (int c = 0; c < n_classes; ++c) probs.at(j, c, m) = p(j, c);
    importances.push_back(forest.feature_importances());
    lap(timing.predict);
  }

  BinResult r;
  r.bin_id = bin_id;
  r.ebv = ebv;
  r.rows = rows;
  r.iterations = n_iter;
  r.probabilities = summarize(probs);
  mean_and_std(importances, r.importance_mean, r.importance_std);
  r.timing = timing;
  return r;
}

}  // namespace mwclass::ensemble
