#pragma once
// What the compute commands (classify, loocv, cv) share: the configuration
// options, rank 0's checked loading of the inputs, the run itself over MPI,
// provenance and the printed summary.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/ensemble/result.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

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
  std::vector<std::string> sets;  // --set section.key=value, in order
  bool resume = false;

  void add_to(CLI::App& app);
  // Rank 0 reads the file; every rank parses the same text with the same flags,
  // so a bad config fails identically everywhere.
  Config resolve(const parallel::Communicator& comm) const;
  // The same on one process (a command run by rank 0 alone).
  Config resolve_local() const;

 private:
  std::string read_text() const;
  Config apply_overrides(Config c) const;
};

// Runs `load` on rank 0 only; its Error reaches every rank as a clean failure.
// Returns false (after rank 0 printed the message) if loading failed.
bool load_on_root(const parallel::Communicator& comm, const std::function<void()>& load);

// Broadcasts catalogs from rank 0 to every rank.
void broadcast_catalogs(const parallel::Communicator& comm, std::vector<catalog::Catalog*> catalogs);

// How a run is checkpointed and reported.
struct RunRequest {
  std::string out_path;         // checkpoints go to <out_path>.checkpoint/
  std::function<std::string()> fingerprint;  // what must match for --resume (rank 0 only)
  bool resume = false;
  bool keep_iterations = false;
  bool quiet = false;
};

// The text a checkpoint must match to be resumed: version, command, resolved
// config, the input files' hashes and the command's own options.
std::string fingerprint(const std::string& command, const Config& config,
                        const std::vector<std::string>& input_files, const std::string& options);

// Runs the items over all ranks with checkpoints and progress (rank 0).
// `items` and `sources` are needed on rank 0 only.
// Returns 0 with every item's result in `results` on rank 0 (empty elsewhere),
// 2 after a reported error, kExitInterrupted after a signal (on every rank).
int run_work(parallel::Communicator& comm, const ensemble::Ensemble& ensemble,
             const catalog::Catalog& sources, const std::vector<ensemble::WorkItem>& items,
             const Config& config, const RunRequest& request,
             std::vector<ensemble::WorkResult>& results);

// Rank 0 at the end of a run: writes the results file atomically, removes the
// checkpoint it no longer needs, prints the summary.
void finish_run(const std::string& out_path, const ensemble::ClassificationResult& result,
                const ensemble::Provenance& provenance, bool quiet);

ensemble::Provenance provenance(const parallel::Communicator& comm, const Config& config,
                                const std::string& command_line, const std::string& training,
                                const std::string& field, double seconds);

// Class table with confident counts, and the time per iteration by stage.
void print_summary(const ensemble::ClassificationResult& r, const std::string& out_path,
                   double seconds);
void print_timing(const std::vector<ensemble::WorkResult>& results);

double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace mwclass::app
