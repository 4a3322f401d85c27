// mwclass: multi-wavelength classification of X-ray sources (MUWCLASS method).
// main() only parses the command line and maps failures to exit codes:
// 0 success, 2 bad input or option (one clear message), 1 internal error.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/run_control.hpp"
#include "mwclass/parallel/communicator.hpp"

int main(int argc, char** argv) {
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

  // From here on a stop signal is a request honoured at the next chunk boundary
  // (a second signal ends the process at once); installed before MPI starts, so
  // that a signal mpirun passes on early does not kill the rank.
  mwclass::install_stop_handlers();
  mwclass::parallel::Communicator comm(argc, argv);
  CLI::App app{
      "mwclass " MWCLASS_VERSION " - classify serendipitous X-ray sources (AGN, CV, HM-STAR, "
      "HMXB, LM-STAR, LMXB, NS, YSO)\nfrom X-ray and optical/IR properties with the MUWCLASS "
      "method (Yang et al. 2022, ApJ 941, 104):\na random forest inside a Monte-Carlo ensemble "
      "over measurement errors, training AGN reddened per E(B-V) bin\n(--model gbdt: gradient "
      "boosting, Kumaran et al.; --model nb: weighted naive Bayes, Tranin et al. 2022).\nRun under mpirun for "
      "several ranks; results are bit-identical for any number of ranks."};
  app.require_subcommand(1);
  app.set_version_flag("--version", MWCLASS_VERSION);
  std::vector<std::pair<CLI::App*, mwclass::app::Runner>> commands;
  auto add = [&](const char* name, const char* help, auto&& adder) {
    CLI::App* sub = app.add_subcommand(name, help);
    commands.emplace_back(sub, adder(*sub));
  };
  add("classify", "Classify a field catalog with a training catalog; write results to HDF5",
      [&](CLI::App& s) { return mwclass::app::add_classify(s, command_line); });
  add("loocv", "Leave-one-out cross-validation on the training set (the paper's evaluation)",
      [&](CLI::App& s) { return mwclass::app::add_loocv(s, command_line); });
  add("cv", "Repeated stratified k-fold cross-validation on the training set",
      [&](CLI::App& s) { return mwclass::app::add_cv(s, command_line); });
  add("report", "Score a loocv/cv results file: metrics, confusion matrices, CT curve, importances",
      [](CLI::App& s) { return mwclass::app::add_report(s); });
  add("explain", "Print the naive Bayes probability track of one source (--model nb results)",
      [](CLI::App& s) { return mwclass::app::add_explain(s); });
  add("tune-nb", "Tune the naive Bayes category weights for one class by cross-validated F1",
      [](CLI::App& s) { return mwclass::app::add_tune_nb(s); });
  add("simulate", "Write synthetic training and field catalogs (for demos and tests)",
      [](CLI::App& s) { return mwclass::app::add_simulate(s); });
  add("export", "Export a results HDF5 file to MUWCLASS-compatible CSV",
      [](CLI::App& s) { return mwclass::app::add_export(s); });
  add("aggregate", "CSC per-detection table -> master-level features (one row per source)",
      [](CLI::App& s) { return mwclass::app::add_aggregate(s); });
  add("crossmatch", "Add Gaia/2MASS/WISE counterparts from local tables to a master table",
      [](CLI::App& s) { return mwclass::app::add_crossmatch(s); });
  add("config", "Print the default configuration (TOML) or check a config file",
      [](CLI::App& s) { return mwclass::app::add_config(s); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = comm.is_root() ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
    return code == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return run(comm);
  } catch (const mwclass::CollectiveError& e) {
    // Every rank has it: print once, end normally.
    if (comm.is_root()) std::fprintf(stderr, "mwclass: error: %s\n", e.what());
    return 2;
  } catch (const mwclass::Error& e) {
    std::fprintf(stderr, "mwclass: error: %s\n", e.what());
    if (comm.size() > 1) comm.abort(2);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mwclass: internal error: %s\n", e.what());
    if (comm.size() > 1) comm.abort(1);
    return 1;
  }
  return 0;
}
