// `mwclass loocv` and `mwclass cv`: the classifier evaluated on its own
// training set, with the same per-iteration pipeline as `classify`.
#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/assemble.hpp"
#include "mwclass/evaluation/splits.hpp"
#include "mwclass/output/hdf5_results.hpp"

namespace mwclass::app {

namespace {

struct EvalOptions {
  ConfigOptions config;
  std::string td, out;
  bool keep_iterations = false, quiet = false;

  void add_to(CLI::App& app) {
    config.add_to(app);
    app.add_option("--td", td, "Training catalog (CSV with the label column)")->required()
        ->check(CLI::ExistingFile);
    app.add_option("--out", out, "Output HDF5 file (same layout as classify, plus the true classes)")
        ->required();
    app.add_flag("--quiet,-q", quiet, "No progress messages or summary");
  }

  // Resolves the config and loads the training set on rank 0 (with `check`),
  // then shares it. Returns false on a reported failure.
  bool prepare(parallel::Communicator& comm, Config& config, catalog::Catalog& training,
               const std::function<void(const Config&, const catalog::Catalog&)>& check) {
    try {
      config = this->config.resolve(comm);
    } catch (const Error& e) {
      if (comm.is_root()) std::fprintf(stderr, "mwclass: error: %s\n", e.what());
      return false;
    }
    const bool ok = load_on_root(comm, [&] {
      output::check_writable(out);
      training = catalog::read_catalog(td, config, catalog::Role::Training);
      check(config, training);
      ensemble::Ensemble probe(config, training);  // reads the absorption table
    });
    if (!ok) return false;
    broadcast_catalogs(comm, {&training});
    return true;
  }
};

std::vector<std::size_t> per_class(const catalog::Catalog& td, const Config& config,
                                   const std::function<std::size_t(std::size_t)>& held) {
  std::vector<std::size_t> counts(config.classifier.classes.size(), 0);
  for (int y : td.labels) ++counts[static_cast<std::size_t>(y)];
  for (auto& c : counts) c = held(c);
  return counts;
}

}  // namespace

// ------------------------------------------------------------------- loocv --

Runner add_loocv(CLI::App& app, const std::string& command_line) {
  struct Options : EvalOptions {
    std::string subset = "all";
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Leave-one-out cross-validation on the training set (Yang et al. 2022, Sect. 4): every "
      "selected source is classified by an ensemble trained without it, with the full "
      "per-iteration pipeline of classify (MC sampling, reddening of the training AGN to the "
      "source's E(B-V) when the catalog has one and reddening is on, standardization, SMOTE, "
      "forest — or the --model learner). Evaluate the output with `mwclass report`.\n"
      "Example: mpirun -np 8 mwclass loocv --td td.csv --out loocv.h5 --mc 100 --no-reddening");
  o->add_to(app);
  app.add_option("--subset", o->subset,
                 "Which sources to leave out: all, every:K, class-stratified:FRACTION")
      ->capture_default_str();
  app.add_flag("--keep-iterations,!--no-keep-iterations", o->keep_iterations,
               "Store every iteration's probabilities (needed for `report --convergence`)");
  return [o, command_line](parallel::Communicator& comm) {
    const auto start = std::chrono::steady_clock::now();
    Config config;
    catalog::Catalog td;
    evaluation::Subset subset;
    if (!o->prepare(comm, config, td, [&](const Config& c, const catalog::Catalog& t) {
          subset = evaluation::Subset::parse(o->subset);
          ensemble::check_class_sizes(c, t, per_class(t, c, [](std::size_t) { return 1; }));
        }))
      return 2;
    subset = evaluation::Subset::parse(o->subset);
    const auto rows = evaluation::select_subset(td.labels, static_cast<int>(config.classifier.classes.size()),
                                                subset, config.seed);
    const auto items = evaluation::loocv_items(td, config, rows);
    const ensemble::Ensemble runner(config, td);
    if (comm.is_root() && !o->quiet)
      fmt::print(stderr, "mwclass loocv: {} of {} training sources left out one at a time, {} MC "
                 "iteration(s) each, reddening {}, {} rank(s) x {} thread(s)\n",
                 items.size(), td.size(), runner.iterations(),
                 config.reddening.enabled ? "to each source's E(B-V) where the catalog has one" : "off",
                 comm.size(), config.threads);
    RunRequest request;
    request.out_path = o->out;
    request.resume = o->config.resume;
    request.keep_iterations = o->keep_iterations;
    request.quiet = o->quiet;
    request.fingerprint = [&] {
      return fingerprint("loocv", config, {o->td},
                         fmt::format("subset={} keep_iterations={}", o->subset, o->keep_iterations));
    };
    std::vector<ensemble::WorkResult> results;
    if (const int code = run_work(comm, runner, td, items, config, request, results)) return code;
    if (!comm.is_root()) return 0;
    if (!o->quiet) print_timing(results);
    const auto covered = td.subset(rows);
    // Re-index the results to the covered subset's rows.
    std::vector<std::size_t> position(td.size(), 0);
    for (std::size_t k = 0; k < rows.size(); ++k) position[rows[k]] = k;
    for (auto& r : results)
      for (auto& row : r.rows) row = position[row];
    auto result = ensemble::assemble(covered, std::move(results), config, runner.feature_names());
    result.evaluation = "loocv";
    result.truth = covered.labels;
    const double seconds = seconds_since(start);
    finish_run(o->out, result, provenance(comm, config, command_line, o->td, o->td, seconds), o->quiet);
    return 0;
  };
}

// ---------------------------------------------------------------------- cv --

Runner add_cv(CLI::App& app, const std::string& command_line) {
  struct Options : EvalOptions {
    int folds = 20, repeats = 15;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Cumulative stratified k-fold cross-validation (Kumaran et al.): every source is "
      "classified once per repeat, by the ensemble trained on the other folds (SMOTE on the "
      "training folds only); repeats reshuffle the folds with fresh streams. Reddening is off "
      "(a fold mixes E(B-V) values). `mwclass report` gives per-repeat scores and mean +- std.\n"
      "Example: mpirun -np 8 mwclass cv --td td.csv --folds 20 --repeats 15 --mc 10 --out cv.h5");
  o->add_to(app);
  app.add_option("--folds", o->folds, "Number of stratified folds")->capture_default_str();
  app.add_option("--repeats", o->repeats, "Repeats with reshuffled folds")->capture_default_str();
  return [o, command_line](parallel::Communicator& comm) {
    const auto start = std::chrono::steady_clock::now();
    Config config;
    catalog::Catalog td;
    if (!o->prepare(comm, config, td, [&](const Config& c, const catalog::Catalog& t) {
          if (o->repeats < 1) fail("--repeats must be >= 1 (got {})", o->repeats);
          evaluation::stratified_folds(t.labels, c.classifier.classes, o->folds, c.seed, 0);
          const int folds = o->folds;
          ensemble::check_class_sizes(c, t, per_class(t, c, [folds](std::size_t n) {
            return (n + static_cast<std::size_t>(folds) - 1) / static_cast<std::size_t>(folds);
          }));
        }))
      return 2;
    config.reddening.enabled = false;
    const auto items = evaluation::cv_items(td, config, o->folds, o->repeats);
    const ensemble::Ensemble runner(config, td);
    if (comm.is_root() && !o->quiet)
      fmt::print(stderr, "mwclass cv: {} training sources, {} folds x {} repeats, {} MC "
                 "iteration(s) per fold, {} rank(s) x {} thread(s)\n",
                 td.size(), o->folds, o->repeats, runner.iterations(), comm.size(), config.threads);
    RunRequest request;
    request.out_path = o->out;
    request.resume = o->config.resume;
    request.quiet = o->quiet;
    request.fingerprint = [&] {
      return fingerprint("cv", config, {o->td}, fmt::format("folds={} repeats={}", o->folds, o->repeats));
    };
    std::vector<ensemble::WorkResult> results;
    if (const int code = run_work(comm, runner, td, items, config, request, results)) return code;
    if (!comm.is_root()) return 0;
    if (!o->quiet) print_timing(results);

    // One assembled result per repeat; the file holds repeat 0 in /sources and
    // every repeat's probabilities beside it.
    std::vector<std::vector<ensemble::WorkResult>> by_repeat(static_cast<std::size_t>(o->repeats));
    std::vector<ensemble::WorkResult> all_items = results;
    for (auto& r : results) by_repeat[static_cast<std::size_t>(r.id / o->folds)].push_back(std::move(r));
    ensemble::ClassificationResult result;
    for (int k = 0; k < o->repeats; ++k) {
      auto rep = ensemble::assemble(td, std::move(by_repeat[static_cast<std::size_t>(k)]), config,
                                    runner.feature_names());
      if (k == 0) result = rep;
      result.repeat_mean.push_back(rep.probabilities.mean);
      result.repeat_std.push_back(rep.probabilities.std);
    }
    // Work-item table and importances over all folds of all repeats.
    const auto every_fold = ensemble::assemble_items(std::move(all_items), runner.feature_names());
    result.bins = every_fold.bins;
    result.bin_ebv = every_fold.bin_ebv;
    result.bin_size = every_fold.bin_size;
    result.bin_iterations = every_fold.bin_iterations;
    result.importance_mean = every_fold.importance_mean;
    result.importance_std = every_fold.importance_std;
    result.evaluation = "cv";
    result.truth = td.labels;
    result.folds = o->folds;
    const double seconds = seconds_since(start);
    finish_run(o->out, result, provenance(comm, config, command_line, o->td, o->td, seconds), o->quiet);
    return 0;
  };
}

}  // namespace mwclass::app
