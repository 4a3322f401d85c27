// Small commands around a run: synthetic catalogs, CSV export, the config.
#include <fmt/format.h>

#include "commands.hpp"
#include "mwclass/core/config_keys.hpp"
#include "mwclass/learners/registry.hpp"
#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/output/csv_export.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

Runner add_simulate(CLI::App& app) {
  struct Options {
    std::string config_path, out_td, out_field;
    std::size_t n_td = 3000, n_field = 20000;
    std::uint64_t seed = 1;
    std::string sky = "uneven";
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Write a labelled training catalog and a field catalog drawn from per-class templates "
      "(power-law AGN, coronal stars, YSOs with IR excess, X-ray binaries, ...), with realistic "
      "errors, missing values and an uneven E(B-V) distribution, in the configured columns.");
  app.add_option("--config", o->config_path, "TOML configuration (column names, bands)")
      ->check(CLI::ExistingFile);
  app.add_option("--n-td", o->n_td, "Training sources")->capture_default_str();
  auto* n_field = app.add_option("--n-field", o->n_field, "Field sources (--sky csc: 66369, the paper's GCS)")
                      ->capture_default_str();
  app.add_option("--sky", o->sky,
                 "Positions and E(B-V) of the field: 'uneven' (high latitude, a plane tail to ~3 mag) or 'csc' "
                 "(a Galactic dust model, E(B-V) 0-50, the class mix of the paper's Table 5; the training "
                 "catalog keeps the uneven sky and the training-set mix)")
      ->check(CLI::IsMember({"uneven", "csc"}))
      ->capture_default_str();
  app.add_option("--seed", o->seed, "Seed")->capture_default_str();
  app.add_option("--out-td", o->out_td, "Training catalog to write (CSV)")->required();
  app.add_option("--out-field", o->out_field, "Field catalog to write (CSV)")->required();
  return [o, n_field](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    const Config config =
        o->config_path.empty() ? Config::defaults() : Config::from_toml_file(o->config_path);
    const bool csc = o->sky == "csc";
    if (csc && n_field->count() == 0) o->n_field = catalog::kCscGoodSample;
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
    if (csc) {
      p.sky = catalog::Sky::Csc;
      p.class_weights = catalog::csc_class_weights(config);
    }
    catalog::write_catalog(o->out_field, catalog::simulate_catalog(config, p), config);
    fmt::print("wrote {} training sources to {} and {} field sources to {}\n", o->n_td, o->out_td,
               o->n_field, o->out_field);
    return 0;
  };
}

// ------------------------------------------------------------------ export --

Runner add_export(CLI::App& app) {
  struct Options {
    std::string in, csv, fits;
  };
  auto o = std::make_shared<Options>();
  app.add_option("results", o->in, "Results HDF5 file written by `mwclass classify`")
      ->required()->check(CLI::ExistingFile);
  app.add_option("--csv", o->csv,
                 "CSV to write: name, P_<class>, e_P_<class>, Class, Class_prob, e_Class_prob, "
                 "CT, confident");
  app.add_option("--fits", o->fits,
                 "FITS binary table to write: the CSV columns plus ra, dec, ebv, with TUNIT/TDISP, the "
                 "provenance in header keywords and the configuration as a second HDU (CONFIG)");
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    if (o->csv.empty() && o->fits.empty()) fail("export: give --csv OUT.csv and/or --fits OUT.fits");
    const auto result = output::read_results(o->in);
    if (!o->csv.empty()) output::export_csv(result, o->csv);
    if (!o->fits.empty()) output::export_fits(result, output::read_provenance(o->in), o->fits);
    return 0;
  };
}

// ------------------------------------------------------------------ config --

Runner add_config(CLI::App& app) {
  struct Options {
    std::string path;
    std::vector<std::string> sets;
    bool keys = false;
  };
  auto o = std::make_shared<Options>();
  app.add_option("--check", o->path, "Read a config file, report problems, print it resolved")
      ->check(CLI::ExistingFile);
  app.add_option("--set", o->sets, "Override one key (section.key=value, repeatable) before printing")
      ->type_name("KEY=VALUE");
  app.add_flag("--keys", o->keys,
               "List every configuration key: path, built-in default, allowed range or choices, "
               "unit and description");
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    if (o->keys) {
      for (const auto& k : config_keys::list_keys()) {
        std::string rule = k.rule.empty() ? "" : k.rule;
        if (!k.unit.empty()) rule += (rule.empty() ? "" : ", ") + k.unit;
        fmt::print("{:<44} {:<16} {:<14} {}{}\n", k.path, k.type,
                   k.default_value.size() > 14 ? k.default_value.substr(0, 11) + "..." : k.default_value,
                   k.description, rule.empty() ? "" : fmt::format(" [{}]", rule));
      }
      return 0;
    }
    Config c = o->path.empty() ? Config::defaults() : Config::from_toml_file(o->path);
    c.set_all(o->sets);
    learners::check_learner(c);
    fmt::print("{}", c.to_toml());
    return 0;
  };
}

}  // namespace mwclass::app
