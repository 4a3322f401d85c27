// `mwclass tune-nb`: the naive Bayes category weights alpha_t tuned for one
// (rare) class, as Tranin et al. (2022) tune theirs: maximise the
// cross-validated F1 of that class over the weights with a seeded
// derivative-free search (evaluation/optimize.hpp), and write the tuned
// configuration. The objective is the cumulative stratified k-fold CV of
// `mwclass cv` (same folds, same per-iteration pipeline), run in this process.
#include <algorithm>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/evaluation/metrics.hpp"
#include "mwclass/evaluation/optimize.hpp"
#include "mwclass/evaluation/splits.hpp"
#include "mwclass/core/atomic_file.hpp"
#include "mwclass/run/job.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

namespace {

// Cumulative k-fold CV of `config` on `td`: every source predicted once, by
// the fold that held it out. Returns the scores of the mean probabilities.
evaluation::Scores cross_validate(const Config& config, const catalog::Catalog& td, int folds) {
  const ensemble::Ensemble runner(config, td);
  const auto items = evaluation::cv_items(td, config, folds, 1);
  const int n_classes = static_cast<int>(config.classifier.classes.size());
  Labels predicted(td.size(), 0);
  for (const auto& item : items) {
    const auto result = runner.run(td, item, config.threads);
    for (std::size_t j = 0; j < item.rows.size(); ++j) {
      Eigen::Index best = 0;
      result.probabilities.mean.row(static_cast<Eigen::Index>(j)).maxCoeff(&best);
      predicted[item.rows[j]] = static_cast<int>(best);
    }
  }
  return evaluation::scores(evaluation::confusion(td.labels, predicted, n_classes));
}

}  // namespace

Runner add_tune_nb(CLI::App& app) {
  struct Options {
    ConfigOptions config;
    std::string td, out, target;
    int folds = 5, evaluations = 80;
    double max_weight = 5.0;
    bool presence = false, quiet = false;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Tune the weighted naive Bayes for one class (Tranin et al. 2022): search the category "
      "weights alpha_t (and, with --presence, the presence-term weight) that maximise the "
      "cross-validated F1 score of --target-class, then write the whole configuration with the "
      "tuned weights (use it with --config and --model nb). The search is NLopt's seeded "
      "controlled random search (CRS2-LM) polished by its Nelder-Mead; each evaluation is a "
      "stratified k-fold CV with the MC setting of the config (default here: --mc 0, the "
      "observed values, so that the objective is not noisy). Runs on rank 0.\n"
      "Example: mwclass tune-nb --td td.csv --target-class LMXB --out nb_lmxb.toml");
  o->config.add_to(app);
  app.add_option("--td", o->td, "Training catalog (CSV or FITS table, file.fits[HDU], with the label column)")->required()
      ->check(ExistingCatalog);
  app.add_option("--target-class", o->target, "Class whose CV F1 is maximised (e.g. LMXB)")->required();
  app.add_option("--out", o->out, "Tuned configuration (TOML) to write")->required();
  app.add_option("--folds", o->folds, "Stratified CV folds per evaluation")->capture_default_str();
  app.add_option("--evaluations", o->evaluations, "Objective evaluations (CV runs) allowed")
      ->capture_default_str();
  app.add_option("--max-weight", o->max_weight, "Upper bound of every weight (lower bound 0)")
      ->capture_default_str();
  app.add_flag("--presence", o->presence,
               "Also tune classifier.nb.presence_weight (needs classifier.nb.missing = \"presence\")");
  app.add_flag("--quiet,-q", o->quiet, "No progress messages");

  return [o](parallel::Communicator& comm) {
    if (!o->config.mc) o->config.mc = 0;
    Config config;
    catalog::Catalog td;
    run::on_root(comm, [&] {
      config = o->config.resolve_local();
      config.classifier.model = "nb";
      config.reddening.enabled = false;  // folds mix E(B-V) values, as in `mwclass cv`
      if (config.class_index(o->target) < 0)
        fail("--target-class '{}' is not one of classifier.classes", o->target);
      if (o->folds < 2) fail("--folds must be >= 2 (got {})", o->folds);
      if (o->evaluations < 2) fail("--evaluations must be >= 2 (got {})", o->evaluations);
      if (!(o->max_weight > 0)) fail("--max-weight must be > 0 (got {})", o->max_weight);
      if (o->presence && config.classifier.nb.missing != "presence")
        fail("--presence tunes the presence-term weight, but classifier.nb.missing is \"{}\"; "
             "set it to \"presence\"", config.classifier.nb.missing);
      td = catalog::read_catalog(o->td, config, catalog::Role::Training);
      evaluation::stratified_folds(td.labels, config.classifier.classes, o->folds, config.seed, 0);
    });
    if (!comm.is_root()) return 0;

    const int target = config.class_index(o->target);
    auto& categories = config.classifier.nb.categories;
    const std::size_t n_weights = categories.size() + (o->presence ? 1 : 0);
    auto apply = [&](const std::vector<double>& w) {
      for (std::size_t t = 0; t < categories.size(); ++t) categories[t].weight = w[t];
      if (o->presence) config.classifier.nb.presence_weight = w.back();
    };
    std::vector<double> start;
    for (const auto& cat : categories) start.push_back(std::min(cat.weight, o->max_weight));
    if (o->presence) start.push_back(std::min(config.classifier.nb.presence_weight, o->max_weight));

    int evaluation_count = 0;
    const auto objective = [&](const std::vector<double>& w) {
      apply(w);
      const auto s = cross_validate(config, td, o->folds);
      const double f1 = s.per_class[static_cast<std::size_t>(target)].f1;
      ++evaluation_count;
      if (!o->quiet)
        fmt::print(stderr, "tune-nb: evaluation {:3d}: weights [{:.3f}] -> F1({}) = {:.4f}, macro-F1 = {:.4f}\n",
                   evaluation_count, fmt::join(w, ", "), o->target, f1, s.macro_f1);
      return -f1;
    };
    apply(start);
    const auto before = cross_validate(config, td, o->folds);
    evaluation::OptimOptions options;
    options.max_evaluations = o->evaluations;
    options.seed = config.seed;
    const auto best = evaluation::minimize(objective, start, std::vector<double>(n_weights, 0.0),
                                           std::vector<double>(n_weights, o->max_weight), options);
    apply(best.x);
    const auto after = cross_validate(config, td, o->folds);

    std::string text = config.to_toml();
    text = fmt::format("# Tuned by `mwclass tune-nb --target-class {}` ({}-fold CV, {} evaluations):\n"
                       "# F1({}) {:.4f} -> {:.4f}; macro-F1 {:.4f} -> {:.4f}; balanced accuracy {:.4f} -> {:.4f}\n",
                       o->target, o->folds, best.evaluations, o->target,
                       before.per_class[static_cast<std::size_t>(target)].f1,
                       after.per_class[static_cast<std::size_t>(target)].f1, before.macro_f1,
                       after.macro_f1, before.balanced_accuracy, after.balanced_accuracy) + text;
    publish_atomically(o->out, text);
    std::string weights;
    for (const auto& cat : categories) weights += fmt::format(" {}={:.3f}", cat.name, cat.weight);
    if (o->presence) weights += fmt::format(" presence={:.3f}", config.classifier.nb.presence_weight);
    fmt::print("tuned weights:{}\nF1({}): {:.4f} -> {:.4f}   macro-F1: {:.4f} -> {:.4f}   "
               "balanced accuracy: {:.4f} -> {:.4f}\nwritten: {}\n",
               weights, o->target, before.per_class[static_cast<std::size_t>(target)].f1,
               after.per_class[static_cast<std::size_t>(target)].f1, before.macro_f1, after.macro_f1,
               before.balanced_accuracy, after.balanced_accuracy, o->out);
    return 0;
  };
}

}  // namespace mwclass::app
