#include "common.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/csv.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/binning.hpp"
#include "mwclass/learners/registry.hpp"

namespace mwclass::app {

const CLI::Validator ExistingCatalog(
    [](std::string& path) {
      std::string file = path;
      if (!file.empty() && file.back() == ']' && file.rfind('[') != std::string::npos)
        file.erase(file.rfind('['));  // a FITS HDU selector, [2] or [CATALOG]
      return CLI::ExistingFile(file);
    },
    "FILE");

void ConfigOptions::add_file_options(CLI::App& app, const std::string& config_help,
                                     const std::string& set_example) {
  app.add_option("--config", path, config_help)->check(CLI::ExistingFile);
  app.add_option("--set", sets,
                 fmt::format("Override one configuration key: --set section.key=value (repeatable; "
                             "e.g. {}); applied after --config and before the shortcut options; "
                             "every key with its default, unit and range: `mwclass config --keys`",
                             set_example))
      ->type_name("KEY=VALUE");
  app.add_option("--dust-map", dust_map,
                 "E(B-V) of each source from a dust map: a directory holding the SFD pair "
                 "SFD_dust_4096_ngp.fits and SFD_dust_4096_sgp.fits, or a HEALPix FITS file; "
                 "map values x reddening.dust_map_scale (default 0.86, Schlafly & Finkbeiner 2011; "
                 "1 for maps already calibrated); sets [reddening] dust_map and, unless "
                 "reddening.ebv_source chooses field_mean or position, ebv_source = \"map\" (docs/dust-maps.md)");
}

void ConfigOptions::add_to(CLI::App& app) {
  add_file_options(app,
                   "TOML configuration (default: the built-in MUWCLASS CSCv2 setup, the same as "
                   "configs/muwclass_cscv2.toml; `mwclass config` prints it)",
                   "--set classifier.forest.n_trees=50 --set reddening.bin_width=0.05");
  app.add_option("--mc", mc,
                 "Monte-Carlo iterations per work item (MUWCLASS: 1000); 0 = one deterministic "
                 "pass without sampling");
  app.add_option("--seed", seed, "Master seed of all random streams")
      ->check(CLI::Validator(
          [](std::string& v) {  // CLI11 would wrap -1 around to 2^64 - 1
            return v.find('-') == std::string::npos ? std::string() : "must be >= 0 (got " + v + ")";
          },
          "UINT"));
  app.add_option("--threads", threads, "OpenMP threads per rank (learner training and prediction)");
  std::string learners_help;
  for (const auto& e : learners::learner_registry())
    learners_help += fmt::format("{}{} = {}", learners_help.empty() ? "" : "; ", e.name, e.help);
  app.add_option("--model", model,
                 fmt::format("Learner in the MC ensemble: {}; sets [classifier] model", learners_help))
      ->check(CLI::IsMember(learners::learner_names()));
  app.add_option("--max-bins", max_bins,
                 "rf only, approximate: group each feature's values into at most this many "
                 "equal-frequency bins (the missing flag alone) before growing the trees; "
                 "~2.5x faster fits, metrics in docs/validation.md. 0 = exact splits "
                 "(default, scikit-learn's forest); sets [classifier.forest] max_bins");
  app.add_flag("--no-reddening", no_reddening,
               "Do not redden the training AGN; all sources form one E(B-V) bin");
  app.add_flag("--location", location,
               "Append Galactic l and b (from RA/Dec) as features \"gal_l\", \"gal_b\"; off by "
               "default: a training set's sky distribution is a selection effect (README)");
  app.add_flag("--random-feature", random_feature,
               "Append a uniform random feature: its importance is the noise floor");
  app.add_flag("--resume", resume,
               "Continue an interrupted run from <out>.checkpoint/ if it exists (refused if the "
               "config or inputs changed); start afresh otherwise");
  app.add_option("--absorption-table", absorption_table,
                 "X-ray cross-section table (two rows: keV; 1e-22 cm^2 per H atom), e.g. Wilms "
                 "et al. (2000); default: Morrison & McCammon (1983)")
      ->check(CLI::ExistingFile);
}

Config ConfigOptions::resolve(const parallel::Communicator& comm) const {
  // A read failure on rank 0 travels as the text "\0<message>", so that every
  // rank fails with it instead of waiting in the broadcast.
  std::vector<char> text;
  if (comm.is_root() && !path.empty()) {
    std::string s;
    try {
      s = read_text();
    } catch (const Error& e) {
      s = std::string(1, '\0') + e.what();
    }
    text.assign(s.begin(), s.end());
  }
  comm.broadcast(text);
  if (!text.empty() && text[0] == '\0') throw CollectiveError(std::string(text.begin() + 1, text.end()));
  try {  // the same text and flags on every rank: the same outcome everywhere
    return apply_overrides(path.empty() ? Config::defaults()
                                        : Config::from_toml_string(std::string(text.begin(), text.end()), path));
  } catch (const CollectiveError&) {
    throw;
  } catch (const Error& e) {
    throw CollectiveError(e.what());
  }
}

Config ConfigOptions::resolve_local() const {
  return apply_overrides(path.empty() ? Config::defaults() : Config::from_toml_string(read_text(), path));
}

std::string ConfigOptions::read_text() const {
  std::ifstream in(path);
  if (!in) fail("cannot read --config '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Config ConfigOptions::apply_overrides(Config c) const {
  // --dust-map first, so that --set reddening.ebv_source=... can name a mode that needs it.
  if (!dust_map.empty()) c.reddening.dust_map = dust_map;
  c.set_all(sets);
  if (mc) {
    if (*mc < 0) fail("--mc must be >= 0 (got {})", *mc);
    c.monte_carlo.enabled = *mc > 0;
    if (*mc > 0) c.monte_carlo.iterations = *mc;
  }
  if (seed) c.seed = *seed;
  if (threads) {
    if (*threads < 1) fail("--threads must be >= 1 (got {})", *threads);
    c.threads = *threads;
  }
  if (!model.empty()) c.classifier.model = model;
  if (max_bins) c.classifier.forest.max_bins = *max_bins;
  if (no_reddening) c.reddening.enabled = false;
  if (location) c.features.location = true;
  if (random_feature) c.features.random_feature = true;
  if (!absorption_table.empty()) c.reddening.absorption_table = absorption_table;
  if (!dust_map.empty() && c.reddening.ebv_source == "column") c.reddening.ebv_source = "map";
  c.validate();
  learners::check_learner(c);
  return c;
}

void add_ebv_column(const std::string& table, std::vector<std::string>& header,
                    std::vector<std::vector<std::string>>& rows, const Config& config) {
  if (config.reddening.dust_map.empty()) return;
  const auto column = [&](const std::string& name) {
    for (std::size_t k = 0; k < header.size(); ++k)
      if (header[k] == name) return static_cast<long>(k);
    return -1L;
  };
  const long ra = column(config.columns.ra), dec = column(config.columns.dec);
  if (ra < 0 || dec < 0)
    fail("{}: no columns '{}' and '{}' ([columns] ra, dec) for the dust map's E(B-V)", table, config.columns.ra,
         config.columns.dec);
  catalog::Catalog c;  // only what resolve_field_ebv reads
  c.path = table;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    c.names.push_back(fmt::format("row {}", i + 1));
    const auto number = [&](long k) {
      const std::string& t = rows[i][static_cast<std::size_t>(k)];
      return t.empty() ? std::nan("") : std::stod(t);
    };
    c.ra.push_back(number(ra));
    c.dec.push_back(number(dec));
  }
  c.ebv.assign(rows.size(), std::nan(""));
  Config map_config = config;
  if (map_config.reddening.ebv_source == "column") map_config.reddening.ebv_source = "map";
  const auto prov = ensemble::resolve_field_ebv(c, map_config, {});
  long ebv = column(config.columns.ebv);
  if (ebv < 0) {
    header.push_back(config.columns.ebv);
    for (auto& r : rows) r.emplace_back();
    ebv = static_cast<long>(header.size()) - 1;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i][static_cast<std::size_t>(ebv)] = catalog::format_number(c.ebv[i]);
  std::fprintf(stderr, "%s: column '%s' from the dust map (%s, scale %g)\n", table.c_str(),
               config.columns.ebv.c_str(), config.reddening.dust_map.c_str(), prov.scale);
}

}  // namespace mwclass::app
