#pragma once
// The configuration options every compute command (classify, loocv, cv,
// tune-nb) shares: --config, --set and the documented shortcuts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mwclass/core/config.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

// CLI::ExistingFile for a catalog input: the file part of "file.fits[HDU]" must exist.
extern const CLI::Validator ExistingCatalog;

// Options that override the configuration file.
struct ConfigOptions {
  std::string path;
  std::optional<int> mc;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;
  std::string model;
  std::optional<int> max_bins;
  bool no_reddening = false;
  bool location = false;
  bool random_feature = false;
  std::string absorption_table;
  std::string dust_map;           // --dust-map: reddening.dust_map (and ebv_source "map" if it was "column")
  std::vector<std::string> sets;  // --set section.key=value, in order
  bool resume = false;

  void add_to(CLI::App& app);
  // --config and --set only (commands without the compute shortcuts:
  // aggregate, crossmatch); config_help describes what the command reads,
  // set_example shows --set with keys it uses.
  void add_file_options(CLI::App& app, const std::string& config_help, const std::string& set_example);
  // Rank 0 reads the file; every rank parses the same text with the same flags,
  // so a bad config fails identically everywhere (a CollectiveError).
  Config resolve(const parallel::Communicator& comm) const;
  // The same on one process (a command run by rank 0 alone).
  Config resolve_local() const;

 private:
  std::string read_text() const;
  Config apply_overrides(Config c) const;
};

// aggregate, crossmatch: with a dust map configured (--dust-map, [reddening] dust_map), the
// E(B-V) column ([columns] ebv, added or replaced) from the map toward each row's RA/Dec
// ([columns] ra, dec), by ensemble::resolve_field_ebv (ebv_source "column" counts as "map").
void add_ebv_column(const std::string& table, std::vector<std::string>& header,
                    std::vector<std::vector<std::string>>& rows, const Config& config);

}  // namespace mwclass::app
