#include "commands.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/bytes.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/assemble.hpp"
#include "mwclass/ensemble/bin_ensemble.hpp"
#include "mwclass/ensemble/binning.hpp"
#include "mwclass/output/csv_export.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/parallel/communicator.hpp"
#include "mwclass/parallel/scheduler.hpp"

namespace mwclass::app {

namespace {

// Options shared by the commands that read a configuration.
struct ConfigOptions {
  std::string path;
  std::optional<int> mc;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;
  bool no_reddening = false;
  std::string absorption_table;

  void add_to(CLI::App& app) {
    app.add_option("--config", path,
                   "TOML configuration (default: the built-in MUWCLASS CSCv2 setup; see "
                   "`mwclass config` and configs/muwclass_cscv2.toml)")
        ->check(CLI::ExistingFile);
    app.add_option("--mc", mc,
                   "Monte-Carlo iterations per bin (MUWCLASS: 1000); 0 = one deterministic "
                   "pass without sampling");
    app.add_option("--seed", seed, "Master seed of all random streams");
    app.add_option("--threads", threads, "OpenMP threads per rank (forest training)");
    app.add_flag("--no-reddening", no_reddening,
                 "Do not redden the training AGN; all sources form one bin");
    app.add_option("--absorption-table", absorption_table,
                   "X-ray cross-section table (two rows: keV, 1e-22 cm^2), e.g. Wilms et al. "
                   "(2000); default: Morrison & McCammon (1983)")
        ->check(CLI::ExistingFile);
  }

  // Rank 0 reads the file; every rank parses the same text with the same flags.
  Config resolve(const parallel::Communicator& comm) const {
    std::vector<char> text;
    if (comm.is_root() && !path.empty()) {
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string s = ss.str();
      text.assign(s.begin(), s.end());
    }
    comm.broadcast(text);
    Config c = path.empty() ? Config::defaults()
                            : Config::from_toml_string(std::string(text.begin(), text.end()), path);
    if (mc) {
      if (*mc < 0) fail("--mc must be >= 0 (got {})", *mc);
      c.monte_carlo.enabled = *mc > 0;
      if (*mc > 0) c.monte_carlo.iterations = *mc;
    }
    if (seed) c.seed = *seed;
    if (threads) c.threads = *threads;
    if (no_reddening) c.reddening.enabled = false;
    if (!absorption_table.empty()) c.reddening.absorption_table = absorption_table;
    c.validate();
    return c;
  }
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

void print_summary(const ensemble::ClassificationResult& r, const std::string& out_path,
                   double seconds) {
  const std::size_t C = r.class_names.size();
  std::vector<int> all(C, 0), confident(C, 0);
  for (const auto& d : r.decisions) {
    ++all[d.predicted_class];
    if (d.confident) ++confident[d.predicted_class];
  }
  fmt::print("\n{:<10} {:>9} {:>11}\n", "class", "sources", "confident");
  int total = 0, total_conf = 0;
  for (std::size_t c = 0; c < C; ++c) {
    fmt::print("{:<10} {:>9} {:>11}\n", r.class_names[c], all[c], confident[c]);
    total += all[c];
    total_conf += confident[c];
  }
  fmt::print("{:<10} {:>9} {:>11}\n", "total", total, total_conf);
  fmt::print("\n{} sources in {} E(B-V) bin(s), {:.1f} s. Results: {}\n", total, r.bins.size(),
             seconds, out_path);
}

}  // namespace

// ---------------------------------------------------------------- classify --

Runner add_classify(CLI::App& app, const std::string& command_line) {
  struct Options {
    ConfigOptions config;
    std::string td, field, out;
    std::optional<double> ebv;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Classify every source of a field catalog. Sources are grouped into E(B-V) bins; per bin, "
      "the training AGN are reddened to the bin's E(B-V) and a Monte-Carlo ensemble of random "
      "forests gives each source a mean probability per class, its spread, quantiles and the "
      "confidence threshold CT.\nExample: mpirun -np 4 mwclass classify --td td.csv --field "
      "field.csv --out results.h5 --mc 1000");
  o->config.add_to(app);
  app.add_option("--td", o->td, "Training catalog (CSV with the label column)")->required()
      ->check(CLI::ExistingFile);
  app.add_option("--field", o->field, "Field catalog to classify (CSV)")->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", o->out, "Output HDF5 file (written atomically at the end)")->required();
  app.add_option("--ebv", o->ebv,
                 "E(B-V) for every field source (mag), instead of the catalog's column");
  app.add_flag("--quiet,-q", o->quiet, "No progress messages");

  return [o, command_line](parallel::Communicator& comm) {
    const auto start = std::chrono::steady_clock::now();
    Config config;
    try {  // every rank parses the same text: the same error everywhere, no abort needed
      config = o->config.resolve(comm);
    } catch (const Error& e) {
      if (comm.is_root()) std::fprintf(stderr, "mwclass: error: %s\n", e.what());
      return 2;
    }

    // Rank 0 reads and checks every input before any compute starts.
    catalog::Catalog td, field;
    std::vector<char> bytes;
    bool ok = true;
    std::string message;
    if (comm.is_root()) {
      try {
        output::check_writable(o->out);
        td = catalog::read_catalog(o->td, config, catalog::Role::Training);
        field = catalog::read_catalog(o->field, config, catalog::Role::Field);
        ensemble::resolve_field_ebv(field, config, {o->ebv});
        ensemble::BinEnsemble check(config, td);  // label and SMOTE checks below
        std::vector<std::size_t> counts(config.classifier.classes.size(), 0);
        for (int y : td.labels) ++counts[y];
        for (std::size_t c = 0; c < counts.size(); ++c)
          if (config.smote.enabled && counts[c] < static_cast<std::size_t>(config.smote.k_neighbors) + 1)
            fail("{}: class '{}' has {} member(s); SMOTE with k = {} needs at least {} (lower "
                 "[smote] k_neighbors or remove the class from [classifier] classes)",
                 o->td, config.classifier.classes[c], counts[c], config.smote.k_neighbors,
                 config.smote.k_neighbors + 1);
        ByteWriter w;
        catalog::encode(w, td);
        catalog::encode(w, field);
        bytes = std::move(w.bytes());
      } catch (const Error& e) {
        ok = false;
        message = e.what();
      }
    }
    comm.broadcast_status(ok, message);
    if (!ok) {
      if (comm.is_root()) std::fprintf(stderr, "mwclass: error: %s\n", message.c_str());
      return 2;
    }
    comm.broadcast(bytes);
    if (!comm.is_root()) {
      ByteReader r(bytes);
      catalog::decode(r, td);
      catalog::decode(r, field);
    }
    bytes.clear();
    bytes.shrink_to_fit();

    const auto bins = ensemble::make_bins(field, config);
    const ensemble::BinEnsemble runner(config, td);
    if (comm.is_root() && !o->quiet)
      fmt::print(stderr, "mwclass: {} training sources, {} field sources in {} E(B-V) bin(s), {} "
                 "MC iteration(s) per bin, {} rank(s) x {} thread(s)\n",
                 td.size(), field.size(), bins.size(), runner.iterations(), comm.size(),
                 config.threads);
    auto results = parallel::run_bins(comm, runner, field, bins, config.threads);
    if (!comm.is_root()) return 0;

    ensemble::StageTimes timing;
    long iterations = 0;
    for (const auto& r : results) {
      timing += r.timing;
      iterations += r.iterations;
    }
    const auto result = ensemble::assemble(field, std::move(results), config, runner.feature_names());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ensemble::Provenance prov;
    prov.version = MWCLASS_VERSION;
    prov.command_line = command_line;
    prov.config_toml = config.to_toml();
    prov.training_catalog = o->td;
    prov.field_catalog = o->field;
    prov.seed = config.seed;
    prov.mc_iterations = config.monte_carlo.enabled ? config.monte_carlo.iterations : 0;
    prov.ranks = comm.size();
    prov.threads = config.threads;
    prov.wall_time_seconds = seconds;
    prov.created_utc = utc_now();
    output::write_results(o->out, result, prov);
    if (!o->quiet) {
      print_summary(result, o->out, seconds);
      const double ms = 1e3 / static_cast<double>(iterations);
      fmt::print("Time per MC iteration of a bin (summed over ranks): {:.1f} ms = sampling {:.1f} + "
                 "features {:.1f} + SMOTE {:.1f} + forest fit {:.1f} + predict {:.1f}\n",
                 timing.total() * ms, timing.sampling * ms, timing.features * ms,
                 timing.smote * ms, timing.fit * ms, timing.predict * ms);
    }
    return 0;
  };
}

// ---------------------------------------------------------------- simulate --

Runner add_simulate(CLI::App& app) {
  struct Options {
    std::string config_path, out_td, out_field;
    std::size_t n_td = 3000, n_field = 20000;
    std::uint64_t seed = 1;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Write a labelled training catalog and a field catalog drawn from per-class templates "
      "(power-law AGN, coronal stars, YSOs with IR excess, X-ray binaries, ...), with realistic "
      "errors, missing values and an uneven E(B-V) distribution, in the configured columns.");
  app.add_option("--config", o->config_path, "TOML configuration (column names, bands)")
      ->check(CLI::ExistingFile);
  app.add_option("--n-td", o->n_td, "Training sources")->capture_default_str();
  app.add_option("--n-field", o->n_field, "Field sources")->capture_default_str();
  app.add_option("--seed", o->seed, "Seed")->capture_default_str();
  app.add_option("--out-td", o->out_td, "Training catalog to write (CSV)")->required();
  app.add_option("--out-field", o->out_field, "Field catalog to write (CSV)")->required();
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    const Config config =
        o->config_path.empty() ? Config::defaults() : Config::from_toml_file(o->config_path);
    if (o->n_td == 0 || o->n_field == 0) fail("--n-td and --n-field must be > 0");
    catalog::SimulationParams p;
    p.seed = o->seed;
    p.n_sources = o->n_td;
    p.labelled = true;
    p.catalog_id = 0;
    p.name_prefix = "SIMTD";
    catalog::write_catalog(o->out_td, catalog::simulate_catalog(config, p), config);
    p.n_sources = o->n_field;
    p.labelled = false;
    p.catalog_id = 1;
    p.name_prefix = "SIMF";
    catalog::write_catalog(o->out_field, catalog::simulate_catalog(config, p), config);
    fmt::print("wrote {} training sources to {} and {} field sources to {}\n", o->n_td, o->out_td,
               o->n_field, o->out_field);
    return 0;
  };
}

// ------------------------------------------------------------------ export --

Runner add_export(CLI::App& app) {
  struct Options {
    std::string in, csv;
  };
  auto o = std::make_shared<Options>();
  app.add_option("results", o->in, "Results HDF5 file written by `mwclass classify`")
      ->required()->check(CLI::ExistingFile);
  app.add_option("--csv", o->csv,
                 "CSV to write: name, P_<class>, e_P_<class>, Class, Class_prob, e_Class_prob, "
                 "CT, confident")->required();
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    output::export_csv(output::read_results(o->in), o->csv);
    return 0;
  };
}

// ------------------------------------------------------------------ config --

Runner add_config(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  app.add_option("--check", *path, "Read a config file, report problems, print it resolved")
      ->check(CLI::ExistingFile);
  return [path](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    const Config c = path->empty() ? Config::defaults() : Config::from_toml_file(*path);
    fmt::print("{}", c.to_toml());
    return 0;
  };
}

}  // namespace mwclass::app
