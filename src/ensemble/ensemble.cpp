#include "mwclass/ensemble/ensemble.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/ensemble/statistics.hpp"
#include "mwclass/learners/registry.hpp"
#include "mwclass/learners/standardizer.hpp"
#include "mwclass/physics/coordinates.hpp"
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

// Galactic l, b of every source into columns `first`, `first` + 1 (constant
// over MC iterations: positions are not sampled).
void set_location(const catalog::Catalog& catalog, Matrix& x, Eigen::Index first) {
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    const auto g = physics::equatorial_to_galactic(catalog.ra[i], catalog.dec[i]);
    x(static_cast<Eigen::Index>(i), first) = g.l;
    x(static_cast<Eigen::Index>(i), first + 1) = g.b;
  }
}

// Learners that weigh features by their uncertainty (naive Bayes quality
// exponents) get each source's feature uncertainties:
// the population standard deviation of each feature over this many draws of
// the source within its errors (NaN where fewer than two draws have it).
constexpr int kQualityDraws = 16;

}  // namespace

void check_class_sizes(const Config& config, const catalog::Catalog& training,
                       const std::vector<std::size_t>& held_out_per_class) {
  if (!learners::find_learner(config.classifier.model).preprocessing(config).smote) return;
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
  if (config.features.location) {
    feature_names_.push_back("gal_l");
    feature_names_.push_back("gal_b");
  }
  if (config.features.random_feature) feature_names_.push_back("random");
  if (config.oversampling.method == "physical") physical_.emplace(config, cross_section_);
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

ChunkResult Ensemble::run_chunk(const catalog::Catalog& sources, const WorkItem& item,
                               const Chunk& chunk, int threads,
                               const std::function<void()>& between_iterations) const {
  const int n_src = static_cast<int>(item.rows.size());
  if (static_cast<int>(sources.size()) != n_src)
    fail("internal error: work item {} has {} sources but {} rows were given", item.id, n_src,
         sources.size());
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
  sampling::Measurements td = sampling::observed(train);
  sampling::Measurements src = sampling::observed(sources);
  const learners::LearnerEntry& learner = learners::find_learner(config_.classifier.model);
  const learners::Preprocessing steps = learner.preprocessing(config_);
  const std::unique_ptr<learners::Classifier> model = learner.make(config_, feature_names_);
  Matrix x_train(static_cast<Eigen::Index>(kept.size()), n_features);
  Matrix x_src(n_src, n_features);

  // The learner's probability track of each source, for its observed values
  // and the model of iteration 0 (so it does not depend on the chunking).
  const bool want_track = steps.track && chunk.first == 0;
  Matrix x_observed;
  if (want_track) {
    x_observed = Matrix::Constant(n_src, n_features, kMissing);
    x_observed.leftCols(features_.size()) = features_.build(src.xray_flux, src.mag, src.variability);
    if (config_.features.location) set_location(sources, x_observed, features_.size());
  }

  // Raw-unit feature uncertainties of the sources, for learners that use them.
  const Matrix sigma = steps.feature_sigma ? feature_sigma(sources, item) : Matrix();

  // --split-uncertainty: the sources' observed (not sampled) features, classified by
  // every iteration's model beside the sampled ones.
  const bool split = config_.monte_carlo.split_uncertainty;
  Matrix x_src_observed;
  if (split) {
    const sampling::Measurements obs = sampling::observed(sources);
    x_src_observed = Matrix::Constant(n_src, n_features, kMissing);
    x_src_observed.leftCols(features_.size()) = features_.build(obs.xray_flux, obs.mag, obs.variability);
    if (config_.features.location) set_location(sources, x_src_observed, features_.size());
  }

  ChunkResult out;
  out.chunk = chunk;
  out.probabilities.assign(static_cast<std::size_t>(n_src) * chunk.count * n_classes, 0.0);
  if (split) out.observed.assign(out.probabilities.size(), 0.0);
  out.importances.reserve(static_cast<std::size_t>(chunk.count) * n_features);
  StageClock clock;
  StageTimes& timing = out.timing;

  for (int k = 0; k < chunk.count; ++k) {
    const auto it = static_cast<std::uint64_t>(chunk.first + k);  // absolute iteration: the key
    if (mc) {
      // A training row's draw depends on (iteration, row) only: every item
      // sees the same perturbed training set at iteration m, up to reddening.
      for (std::size_t i = 0; i < kept.size(); ++i) {
        rng::Stream s = rng::keys::training_sample(seed, it, kept[i]);
        sampling::sample_row(train, i, scale, s, td, static_cast<Eigen::Index>(i));
      }
      for (int j = 0; j < n_src; ++j) {
        rng::Stream s = rng::keys::field_sample(seed, item.rows[static_cast<std::size_t>(j)], it);
        sampling::sample_row(sources, static_cast<std::size_t>(j), scale, s, src, j);
      }
    }
    if (redden)  // without MC there is a single iteration
      for (std::size_t i = 0; i < kept.size(); ++i)
        if (reddened_[kept[i]])
          physics::apply_reddening(reddening, td.xray_flux, td.mag, static_cast<Eigen::Index>(i));
    sampling::Duplicates dups;  // physical oversampling: of this iteration's training draws
    if (physical_) {
      rng::Stream s = rng::keys::oversampling(seed, kind, item.id, it);
      dups = physical_->draw(td, train.labels, train.photon_index, train.photon_index_error, s);
    }
    clock.lap(timing.sampling);

    x_train.leftCols(features_.size()) = features_.build(td.xray_flux, td.mag, td.variability);
    x_src.leftCols(features_.size()) = features_.build(src.xray_flux, src.mag, src.variability);
    if (config_.features.location) {
      const Eigen::Index l = features_.size();
      set_location(train, x_train, l);
      set_location(sources, x_src, l);
    }
    if (config_.features.random_feature) {
      // The paper's noise floor: a feature that carries no information.
      const Eigen::Index f = n_features - 1;
      for (std::size_t i = 0; i < kept.size(); ++i)
        x_train(static_cast<Eigen::Index>(i), f) =
            rng::keys::random_feature(seed, 0, kept[i], it).uniform();
      for (int j = 0; j < n_src; ++j)
        x_src(j, f) = rng::keys::random_feature(seed, 1, item.rows[static_cast<std::size_t>(j)], it).uniform();
    }
    learners::Standardizer standardizer;
    standardizer.fit(x_train);
    Matrix x_fit = x_train;
    standardizer.transform(x_fit);
    Matrix x_pred = x_src;
    standardizer.transform(x_pred);
    clock.lap(timing.features);

    Labels y_fit = train.labels;
    if (dups.size() > 0) append_duplicates(dups, train, kept, it, standardizer, x_fit, y_fit);
    if (steps.smote) {
      rng::Stream s = rng::keys::smote(seed, kind, item.id, it);
      auto over = sampling::smote(x_fit, y_fit, config_.classifier.classes,
                                  {config_.smote.k_neighbors, config_.smote.missing_fill}, s);
      x_fit = std::move(over.X);
      y_fit = std::move(over.y);
    }
    if (steps.flag_missing) {
      learners::encode_missing(x_fit, config_.classifier.missing_flag);
      learners::encode_missing(x_pred, config_.classifier.missing_flag);
    }
    clock.lap(timing.smote);

    model->set_outlier_members(x_train.rows());  // not SMOTE's synthetic rows
    model->fit(x_fit, y_fit, n_classes,
               rng::keys::learner(seed, kind, item.id, it), threads);
    clock.lap(timing.fit);
    learners::PredictionInput input{x_pred, threads};
    Matrix sigma_std;  // the uncertainties in the model's (standardized) units
    if (steps.feature_sigma) {
      sigma_std = sigma;
      for (Eigen::Index f = 0; f < sigma_std.cols(); ++f) sigma_std.col(f) /= standardizer.scale()(f);
      input.sigma = &sigma_std;
    }
    if (want_track && it == 0) {
      standardizer.transform(x_observed);
      input.track_x = &x_observed;
    }
    learners::Prediction prediction = model->predict_for(input);
    const Matrix& p = prediction.proba;
    const auto& scores = prediction.outlier;
    if (!scores.empty()) {
      if (out.outlier.empty()) out.outlier.assign(static_cast<std::size_t>(n_src) * chunk.count * 2, 0.0);
      for (int j = 0; j < n_src; ++j) {
        const std::size_t at = (static_cast<std::size_t>(j) * chunk.count + k) * 2;
        out.outlier[at] = scores[static_cast<std::size_t>(j)].score;
        out.outlier[at + 1] = scores[static_cast<std::size_t>(j)].percentile;
      }
    }
    if (input.track_x) out.track = std::move(prediction.track);
    for (int j = 0; j < n_src; ++j)
      for (int c = 0; c < n_classes; ++c)
        out.probabilities[(static_cast<std::size_t>(j) * chunk.count + k) * n_classes + c] = p(j, c);
    if (split) {
      // After the main prediction, so that the default outputs cannot change.
      Matrix x_obs = x_src_observed;
      if (config_.features.random_feature) x_obs.col(n_features - 1) = x_src.col(n_features - 1);
      standardizer.transform(x_obs);
      if (steps.flag_missing) learners::encode_missing(x_obs, config_.classifier.missing_flag);
      learners::PredictionInput observed_input{x_obs, threads};
      observed_input.sigma = input.sigma;
      const Matrix q = model->predict_for(observed_input).proba;
      for (int j = 0; j < n_src; ++j)
        for (int c = 0; c < n_classes; ++c)
          out.observed[(static_cast<std::size_t>(j) * chunk.count + k) * n_classes + c] = q(j, c);
    }
    const auto imp = model->feature_importances();
    out.importances.insert(out.importances.end(), imp.begin(), imp.end());
    clock.lap(timing.predict);
    if (between_iterations) between_iterations();
  }
  return out;
}

void Ensemble::append_duplicates(const sampling::Duplicates& dups, const catalog::Catalog& train,
                                 const std::vector<std::size_t>&, std::uint64_t it,
                                 const learners::Standardizer& standardizer, Matrix& x_fit,
                                 Labels& y_fit) const {
  const auto n = static_cast<Eigen::Index>(dups.size());
  Matrix x(n, static_cast<Eigen::Index>(feature_names_.size()));
  x.leftCols(features_.size()) = features_.build(dups.m.xray_flux, dups.m.mag, dups.m.variability);
  if (config_.features.location) {  // a duplicate stands where its member stands
    Matrix lb(static_cast<Eigen::Index>(train.size()), 2);
    set_location(train, lb, 0);
    for (Eigen::Index d = 0; d < n; ++d) x.row(d).segment(features_.size(), 2) = lb.row(static_cast<Eigen::Index>(dups.member[static_cast<std::size_t>(d)]));
  }
  if (config_.features.random_feature) {  // catalog id 2: the duplicates, by their index
    const Eigen::Index f = x.cols() - 1;
    for (Eigen::Index d = 0; d < n; ++d)
      x(d, f) = rng::keys::random_feature(config_.seed, 2, static_cast<std::uint64_t>(d), it).uniform();
  }
  standardizer.transform(x);  // in the units of the measured training rows
  const Eigen::Index old_rows = x_fit.rows();
  x_fit.conservativeResize(old_rows + n, Eigen::NoChange);
  x_fit.bottomRows(n) = x;
  y_fit.insert(y_fit.end(), dups.y.begin(), dups.y.end());
}

Matrix Ensemble::feature_sigma(const catalog::Catalog& sources, const WorkItem& item) const {
  const auto n_src = static_cast<Eigen::Index>(sources.size());
  const auto n_features = static_cast<Eigen::Index>(feature_names_.size());
  Matrix sum = Matrix::Zero(n_src, n_features), sum_sq = sum, count = sum;
  sampling::Measurements draw = sampling::observed(sources);
  for (int d = 0; d < kQualityDraws; ++d) {
    for (Eigen::Index j = 0; j < n_src; ++j) {
      rng::Stream s = rng::keys::quality(config_.seed, item.rows[static_cast<std::size_t>(j)],
                                         static_cast<std::uint64_t>(d));
      sampling::sample_row(sources, static_cast<std::size_t>(j), config_.monte_carlo.error_scale, s, draw, j);
    }
    const Matrix x = features_.build(draw.xray_flux, draw.mag, draw.variability);
    for (Eigen::Index j = 0; j < n_src; ++j)
      for (Eigen::Index f = 0; f < x.cols(); ++f)
        if (!std::isnan(x(j, f))) {
          sum(j, f) += x(j, f);
          sum_sq(j, f) += x(j, f) * x(j, f);
          count(j, f) += 1.0;
        }
  }
  Matrix sigma = Matrix::Constant(n_src, n_features, kMissing);
  for (Eigen::Index j = 0; j < n_src; ++j)
    for (Eigen::Index f = 0; f < features_.size(); ++f)
      if (count(j, f) >= 2.0) {
        const double mean = sum(j, f) / count(j, f);
        sigma(j, f) = std::sqrt(std::max(0.0, sum_sq(j, f) / count(j, f) - mean * mean));
      }
  return sigma;
}

WorkResult Ensemble::run(const catalog::Catalog& catalog, const WorkItem& item, int threads,
                         bool keep_iterations) const {
  const Chunk all{0, 0, iterations()};
  std::vector<ChunkResult> chunks;
  chunks.push_back(run_chunk(catalog.subset({item.rows.begin(), item.rows.end()}), item, all, threads));
  return finish_item(item, std::move(chunks), static_cast<int>(config_.classifier.classes.size()),
                     iterations(), keep_iterations);
}

WorkResult finish_item(const WorkItem& item, std::vector<ChunkResult> chunks, int n_classes,
                       int n_iterations, bool keep_iterations) {
  std::sort(chunks.begin(), chunks.end(), [](const ChunkResult& a, const ChunkResult& b) {
    return a.chunk.first < b.chunk.first;
  });
  int next = 0;
  for (const auto& c : chunks) {
    if (c.chunk.first != next) fail("internal error: work item {} misses iterations from {}", item.id, next);
    next += c.chunk.count;
  }
  if (next != n_iterations)
    fail("internal error: work item {} has {} of {} iterations", item.id, next, n_iterations);

  const int n_src = static_cast<int>(item.rows.size());
  IterationProbabilities probs(n_src, n_classes, n_iterations);
  const bool split = !chunks.empty() && !chunks.front().observed.empty();
  IterationProbabilities observed(split ? n_src : 0, n_classes, n_iterations);
  std::vector<std::vector<double>> importances;
  WorkResult r;
  for (const auto& c : chunks) {
    for (int j = 0; j < n_src; ++j)
      for (int k = 0; k < c.chunk.count; ++k)
        for (int cl = 0; cl < n_classes; ++cl) {
          const std::size_t at = (static_cast<std::size_t>(j) * c.chunk.count + k) * n_classes + cl;
          probs.at(j, cl, c.chunk.first + k) = c.probabilities[at];
          if (split) observed.at(j, cl, c.chunk.first + k) = c.observed.at(at);
        }
    const std::size_t n_features = c.importances.size() / static_cast<std::size_t>(c.chunk.count);
    for (int k = 0; k < c.chunk.count; ++k)
      importances.emplace_back(c.importances.begin() + static_cast<std::ptrdiff_t>(k * n_features),
                               c.importances.begin() + static_cast<std::ptrdiff_t>((k + 1) * n_features));
    r.timing += c.timing;
    if (c.chunk.first == 0) r.track = c.track;
  }
  // Outlier measure: mean over the iterations, summed in iteration order.
  if (!chunks.empty() && !chunks.front().outlier.empty()) {
    r.outlier_score.assign(static_cast<std::size_t>(n_src), 0.0);
    r.outlier_percentile.assign(static_cast<std::size_t>(n_src), 0.0);
    for (const auto& c : chunks)  // sorted by first iteration above
      for (int k = 0; k < c.chunk.count; ++k)
        for (int j = 0; j < n_src; ++j) {
          const std::size_t at = (static_cast<std::size_t>(j) * c.chunk.count + k) * 2;
          r.outlier_score[static_cast<std::size_t>(j)] += c.outlier[at];
          r.outlier_percentile[static_cast<std::size_t>(j)] += c.outlier[at + 1];
        }
    for (int j = 0; j < n_src; ++j) {
      r.outlier_score[static_cast<std::size_t>(j)] /= n_iterations;
      r.outlier_percentile[static_cast<std::size_t>(j)] /= n_iterations;
    }
  }
  r.id = static_cast<int>(item.id);
  r.ebv = item.ebv;
  r.rows = item.rows;
  r.iterations = n_iterations;
  r.probabilities = summarize(probs);
  if (split) {
    const UncertaintySplit parts = split_uncertainty(probs, observed);
    r.e_P_meas = parts.measurement;
    r.e_P_model = parts.model;
  }
  mean_and_std(importances, r.importance_mean, r.importance_std);
  if (keep_iterations) {
    r.per_iteration.resize(static_cast<std::size_t>(n_src) * n_iterations * n_classes);
    std::size_t k = 0;
    for (int j = 0; j < n_src; ++j)
      for (int m = 0; m < n_iterations; ++m)
        for (int c = 0; c < n_classes; ++c) r.per_iteration[k++] = probs.series(j, c)[m];
  }
  return r;
}

}  // namespace mwclass::ensemble
