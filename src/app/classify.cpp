// `mwclass classify`: the field catalog, E(B-V) bin by E(B-V) bin.
#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/assemble.hpp"
#include "mwclass/ensemble/binning.hpp"
#include "mwclass/output/hdf5_results.hpp"

namespace mwclass::app {

Runner add_classify(CLI::App& app, const std::string& command_line) {
  struct Options {
    ConfigOptions config;
    std::string td, field, out;
    std::optional<double> ebv;
    bool keep_iterations = false, quiet = false;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Classify every source of a field catalog. Sources are grouped into E(B-V) bins; per bin "
      "the training AGN are reddened to the bin's mean E(B-V), and a Monte-Carlo ensemble of "
      "random forests (or of the --model learner) gives each source a mean probability per class, its spread, quantiles "
      "and the confidence threshold CT.\n"
      "Example: mpirun -np 4 mwclass classify --td td.csv --field field.csv --out results.h5 --mc 1000");
  o->config.add_to(app);
  app.add_option("--td", o->td, "Training catalog (CSV with the label column)")->required()
      ->check(CLI::ExistingFile);
  app.add_option("--field", o->field, "Field catalog to classify (CSV)")->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", o->out, "Output HDF5 file (written to a temporary name, renamed at the end)")
      ->required();
  app.add_option("--ebv", o->ebv, "E(B-V) in mag for every field source, instead of the catalog's column");
  app.add_flag("--keep-iterations", o->keep_iterations,
               "Also store every iteration's probabilities (n x MC x classes; large)");
  app.add_flag("--quiet,-q", o->quiet, "No progress messages or summary");

  return [o, command_line](parallel::Communicator& comm) {
    const auto start = std::chrono::steady_clock::now();
    Config config;
    try {
      config = o->config.resolve(comm);
    } catch (const Error& e) {
      if (comm.is_root()) std::fprintf(stderr, "mwclass: error: %s\n", e.what());
      return 2;
    }
    catalog::Catalog td, field;
    const bool ok = load_on_root(comm, [&] {
      output::check_writable(o->out);
      td = catalog::read_catalog(o->td, config, catalog::Role::Training);
      field = catalog::read_catalog(o->field, config, catalog::Role::Field);
      ensemble::resolve_field_ebv(field, config, {o->ebv});
      ensemble::check_class_sizes(config, td, {});
      ensemble::Ensemble check(config, td);  // reads the absorption table
    });
    if (!ok) return 2;
    // Workers get the training set only; field sources travel with their chunks,
    // so a worker's memory does not grow with the catalog.
    broadcast_catalogs(comm, {&td});

    std::vector<ensemble::WorkItem> items;  // rank 0 schedules; workers need none
    if (comm.is_root())
      for (auto& bin : ensemble::make_bins(field, config)) {
        ensemble::WorkItem item;
        item.kind = ensemble::WorkKind::Bin;
        item.id = static_cast<std::uint64_t>(bin.id);
        item.ebv = bin.ebv;
        item.rows = std::move(bin.rows);
        items.push_back(std::move(item));
      }
    const ensemble::Ensemble runner(config, td);
    if (comm.is_root() && !o->quiet)
      fmt::print(stderr, "mwclass: {} training sources, {} field sources in {} E(B-V) bin(s), {} "
                 "MC iteration(s) per bin, {} rank(s) x {} thread(s)\n",
                 td.size(), field.size(), items.size(), runner.iterations(), comm.size(), config.threads);
    RunRequest request;
    request.out_path = o->out;
    request.resume = o->config.resume;
    request.keep_iterations = o->keep_iterations;
    request.quiet = o->quiet;
    request.fingerprint = [&] {
      return fingerprint("classify", config, {o->td, o->field},
                         fmt::format("ebv={} keep_iterations={}", o->ebv ? fmt::format("{}", *o->ebv) : "column",
                                     o->keep_iterations));
    };
    std::vector<ensemble::WorkResult> results;
    if (const int code = run_work(comm, runner, field, items, config, request, results)) return code;
    if (!comm.is_root()) return 0;

    if (!o->quiet) print_timing(results);
    const auto result = ensemble::assemble(field, std::move(results), config, runner.feature_names());
    const double seconds = seconds_since(start);
    finish_run(o->out, result, provenance(comm, config, command_line, o->td, o->field, seconds), o->quiet);
    return 0;
  };
}

}  // namespace mwclass::app
