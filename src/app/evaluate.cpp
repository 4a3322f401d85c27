// `mwclass loocv` and `mwclass cv`: the classifier evaluated on its own
// training set, with the same per-iteration pipeline as `classify`.
#include "commands.hpp"
#include "common.hpp"
#include "mwclass/run/job.hpp"

namespace mwclass::app {

namespace {

struct EvalOptions {
  ConfigOptions config;
  run::JobOptions run;
  std::string td;

  void add_to(CLI::App& app) {
    config.add_to(app);
    app.add_option("--td", td, "Training catalog (CSV or FITS table, file.fits[HDU], with the label column)")->required()
        ->check(ExistingCatalog);
    app.add_option("--out", run.out_path, "Output HDF5 file (same layout as classify, plus the true classes)")
        ->required();
    app.add_flag("--quiet,-q", run.quiet, "No progress messages or summary");
  }
};

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
  app.add_flag("--keep-iterations,!--no-keep-iterations", o->run.keep_iterations,
               "Store every iteration's probabilities (needed for `report --convergence`)");
  o->run.command_line = command_line;
  return [o](parallel::Communicator& comm) {
    o->run.resume = o->config.resume;
    return run::loocv(comm, o->config.resolve(comm), {o->td, o->subset}, o->run);
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
  o->run.command_line = command_line;
  return [o](parallel::Communicator& comm) {
    o->run.resume = o->config.resume;
    return run::cv(comm, o->config.resolve(comm), {o->td, o->folds, o->repeats}, o->run);
  };
}

}  // namespace mwclass::app
