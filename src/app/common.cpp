#include "common.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/parallel/scheduler.hpp"

namespace mwclass::app {

void ConfigOptions::add_to(CLI::App& app) {
  app.add_option("--config", path,
                 "TOML configuration (default: the built-in MUWCLASS CSCv2 setup, the same as "
                 "configs/muwclass_cscv2.toml; `mwclass config` prints it)")
      ->check(CLI::ExistingFile);
  app.add_option("--mc", mc,
                 "Monte-Carlo iterations per work item (MUWCLASS: 1000); 0 = one deterministic "
                 "pass without sampling");
  app.add_option("--seed", seed, "Master seed of all random streams");
  app.add_option("--threads", threads, "OpenMP threads per rank (forest training and prediction)");
  app.add_flag("--no-reddening", no_reddening,
               "Do not redden the training AGN; all sources form one E(B-V) bin");
  app.add_flag("--random-feature", random_feature,
               "Append a uniform random feature: its importance is the noise floor");
  app.add_option("--absorption-table", absorption_table,
                 "X-ray cross-section table (two rows: keV; 1e-22 cm^2 per H atom), e.g. Wilms "
                 "et al. (2000); default: Morrison & McCammon (1983)")
      ->check(CLI::ExistingFile);
}

Config ConfigOptions::resolve(const parallel::Communicator& comm) const {
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
  if (threads) {
    if (*threads < 1) fail("--threads must be >= 1 (got {})", *threads);
    c.threads = *threads;
  }
  if (no_reddening) c.reddening.enabled = false;
  if (random_feature) c.features.random_feature = true;
  if (!absorption_table.empty()) c.reddening.absorption_table = absorption_table;
  c.validate();
  return c;
}

bool load_on_root(const parallel::Communicator& comm, const std::function<void()>& load) {
  bool ok = true;
  std::string message;
  if (comm.is_root()) {
    try {
      load();
    } catch (const Error& e) {
      ok = false;
      message = e.what();
    }
  }
  comm.broadcast_status(ok, message);
  if (!ok && comm.is_root()) std::fprintf(stderr, "mwclass: error: %s\n", message.c_str());
  return ok;
}

void broadcast_catalogs(const parallel::Communicator& comm, std::vector<catalog::Catalog*> catalogs) {
  if (comm.size() == 1) return;
  std::vector<char> bytes;
  if (comm.is_root()) {
    ByteWriter w;
    for (const auto* c : catalogs) catalog::encode(w, *c);
    bytes = std::move(w.bytes());
  }
  comm.broadcast(bytes);
  if (!comm.is_root()) {
    ByteReader r(bytes);
    for (auto* c : catalogs) catalog::decode(r, *c);
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<ensemble::WorkResult> run_work(const parallel::Communicator& comm,
                                           const ensemble::Ensemble& ensemble,
                                           const catalog::Catalog& sources,
                                           const std::vector<ensemble::WorkItem>& items,
                                           const Config& config, bool keep_iterations, bool quiet) {
  const auto start = std::chrono::steady_clock::now();
  const bool tty = isatty(fileno(stderr));
  double last = -1e9;
  auto progress = [&](std::size_t done, std::size_t total) {
    if (quiet) return;
    const double t = seconds_since(start);
    // A terminal gets a live line; a log file one line every 30 s at most.
    if (!tty && t - last < 30 && done != total) return;
    last = t;
    const double eta = done ? t / static_cast<double>(done) * static_cast<double>(total - done) : 0;
    fmt::print(stderr, "{}mwclass: rank 0 finished {}/{} of its work items, {:.0f} s elapsed, ~{:.0f} s to go{}",
               tty ? "\r" : "", done, total, t, eta, tty && done != total ? "" : "\n");
  };
  return parallel::run_items(comm, ensemble, sources, items, config.threads, keep_iterations, progress);
}

ensemble::Provenance provenance(const parallel::Communicator& comm, const Config& config,
                                const std::string& command_line, const std::string& training,
                                const std::string& field, double seconds) {
  ensemble::Provenance p;
  p.version = MWCLASS_VERSION;
  p.command_line = command_line;
  p.config_toml = config.to_toml();
  p.training_catalog = training;
  p.field_catalog = field;
  p.seed = config.seed;
  p.mc_iterations = config.monte_carlo.enabled ? config.monte_carlo.iterations : 0;
  p.ranks = comm.size();
  p.threads = config.threads;
  p.wall_time_seconds = seconds;
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  p.created_utc = buf;
  return p;
}

void print_summary(const ensemble::ClassificationResult& r, const std::string& out_path,
                   double seconds) {
  const std::size_t C = r.class_names.size();
  std::vector<int> all(C, 0), confident(C, 0);
  for (const auto& d : r.decisions) {
    ++all[static_cast<std::size_t>(d.predicted_class)];
    if (d.confident) ++confident[static_cast<std::size_t>(d.predicted_class)];
  }
  fmt::print("\n{:<10} {:>9} {:>11}\n", "class", "sources", "confident");
  int total = 0, total_conf = 0;
  for (std::size_t c = 0; c < C; ++c) {
    fmt::print("{:<10} {:>9} {:>11}\n", r.class_names[c], all[c], confident[c]);
    total += all[c];
    total_conf += confident[c];
  }
  fmt::print("{:<10} {:>9} {:>11}\n", "total", total, total_conf);
  fmt::print("\n{} sources in {} work item(s), {:.1f} s. Results: {}\n", total, r.bins.size(),
             seconds, out_path);
}

void print_timing(const std::vector<ensemble::WorkResult>& results) {
  ensemble::StageTimes t;
  long iterations = 0;
  for (const auto& r : results) {
    t += r.timing;
    iterations += r.iterations;
  }
  if (iterations == 0) return;
  const double ms = 1e3 / static_cast<double>(iterations);
  fmt::print("Time per MC iteration of a work item (mean over ranks): {:.1f} ms = sampling {:.1f} + "
             "features {:.1f} + SMOTE {:.1f} + forest fit {:.1f} + predict {:.1f}\n",
             t.total() * ms, t.sampling * ms, t.features * ms, t.smote * ms, t.fit * ms,
             t.predict * ms);
}

}  // namespace mwclass::app
