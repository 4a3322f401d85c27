// `mwclass classify`: the field catalog, E(B-V) bin by E(B-V) bin
// (the job itself: run/job.hpp).
#include "commands.hpp"
#include "common.hpp"
#include "mwclass/run/job.hpp"

namespace mwclass::app {

Runner add_classify(CLI::App& app, const std::string& command_line) {
  struct Options {
    ConfigOptions config;
    run::ClassifyJob job;
    run::JobOptions run;
    bool split_uncertainty = false;
  };
  auto o = std::make_shared<Options>();
  o->run.command_line = command_line;
  app.description(
      "Classify every source of a field catalog. Sources are grouped into E(B-V) bins; per bin "
      "the training AGN are reddened to the bin's mean E(B-V), and a Monte-Carlo ensemble of "
      "random forests (or of the --model learner) gives each source a mean probability per class, its spread, quantiles "
      "and the confidence threshold CT.\n"
      "Example: mpirun -np 4 mwclass classify --td td.csv --field field.csv --out results.h5 --mc 1000");
  o->config.add_to(app);
  app.add_option("--td", o->job.training, "Training catalog (CSV or FITS table, file.fits[HDU], with the label column)")->required()
      ->check(ExistingCatalog);
  app.add_option("--field", o->job.field, "Field catalog to classify (CSV or FITS table, file.fits[HDU])")->required()
      ->check(ExistingCatalog);
  app.add_option("--out", o->run.out_path, "Output HDF5 file (written to a temporary name, renamed at the end)")
      ->required();
  app.add_option("--ebv", o->job.ebv, "E(B-V) in mag for every field source, instead of the catalog's column");
  app.add_flag("--keep-iterations", o->run.keep_iterations,
               "Also store every iteration's probabilities (n x MC x classes; large)");
  app.add_flag("--split-uncertainty", o->split_uncertainty,
               "Split e_P into a measurement part (the source's own errors) and a model part: every "
               "iteration's model also classifies the observed values (/sources/e_P_meas, e_P_model); "
               "sets [monte_carlo] split_uncertainty");
  app.add_flag("--quiet,-q", o->run.quiet, "No progress messages or summary");

  return [o](parallel::Communicator& comm) {
    o->run.resume = o->config.resume;
    Config config = o->config.resolve(comm);
    if (o->split_uncertainty) config.monte_carlo.split_uncertainty = true;
    return run::classify(comm, config, o->job, o->run);
  };
}

}  // namespace mwclass::app
