#include "common.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <ctime>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/run_control.hpp"
#include "mwclass/output/checkpoint.hpp"
#include "mwclass/output/hdf5_results.hpp"
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
  app.add_option("--threads", threads, "OpenMP threads per rank (learner training and prediction)");
  app.add_option("--model", model,
                 "Learner in the MC ensemble: rf = exact-split random forest on SMOTE'd data "
                 "(MUWCLASS, default), gbdt = XGBoost gradient boosting with native missing "
                 "values and class weights (Kumaran et al.), nb = weighted naive Bayes (Tranin "
                 "et al. 2022); sets [classifier] model")
      ->check(CLI::IsMember({"rf", "gbdt", "nb"}));
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
  if (!text.empty() && text[0] == '\0') fail("{}", std::string(text.begin() + 1, text.end()));
  return apply_overrides(path.empty() ? Config::defaults()
                                      : Config::from_toml_string(std::string(text.begin(), text.end()), path));
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

std::string fingerprint(const std::string& command, const Config& config,
                        const std::vector<std::string>& input_files, const std::string& options) {
  std::string text = fmt::format("mwclass {}\ncommand {}\noptions {}\n", MWCLASS_VERSION, command, options);
  for (const auto& f : input_files) text += fmt::format("input {} {:016x}\n", f, hash_file(f));
  Config identity = config;
  identity.threads = 1;  // threads never change a result: a resume may use another count
  return text + identity.to_toml();
}

namespace {

// Rank 0's progress line: items, sources, MC iterations per second, time.
class Progress {
 public:
  Progress(std::size_t items, std::size_t sources, bool quiet)
      : items_(items), sources_(sources), quiet_(quiet), tty_(isatty(fileno(stderr)) != 0) {}

  void done(std::size_t sources, long iterations, bool from_checkpoint) {
    ++items_done_;
    sources_done_ += sources;
    if (!from_checkpoint) iterations_ += iterations;
    if (from_checkpoint) ++resumed_;
    const double t = seconds_since(start_);
    const bool last = items_done_ == items_;
    // A terminal gets a live line; a log one line every 30 s at most.
    if (quiet_ || from_checkpoint || (!tty_ && t - printed_ < 30 && !last)) return;
    printed_ = t;
    const double rate = t > 0 ? static_cast<double>(iterations_) / t : 0;
    const double fraction = static_cast<double>(items_done_ - resumed_) /
                            static_cast<double>(std::max<std::size_t>(1, items_ - resumed_));
    const double eta = fraction > 0 ? t / fraction - t : 0;
    fmt::print(stderr, "{}mwclass: {}/{} work items, {}/{} sources, {:.2f} MC iterations/s, {:.0f} s "
               "elapsed, ~{:.0f} s to go{}",
               tty_ ? "\r" : "", items_done_, items_, sources_done_, sources_, rate, t, eta,
               tty_ && !last ? "" : "\n");
  }

 private:
  std::size_t items_, sources_, items_done_ = 0, sources_done_ = 0, resumed_ = 0;
  long iterations_ = 0;
  bool quiet_, tty_;
  double printed_ = -1e9;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

int run_work(parallel::Communicator& comm, const ensemble::Ensemble& ensemble,
             const catalog::Catalog& sources, const std::vector<ensemble::WorkItem>& items,
             const Config& config, const RunRequest& request,
             std::vector<ensemble::WorkResult>& results) {
  // Rank 0 opens the checkpoint and keeps the items still to do.
  std::unique_ptr<output::Checkpoint> checkpoint;
  std::map<int, ensemble::WorkResult> done;
  std::vector<ensemble::WorkItem> todo;
  const bool ok = load_on_root(comm, [&] {
    checkpoint = std::make_unique<output::Checkpoint>(request.out_path, request.fingerprint(), request.resume);
    done = checkpoint->load();
    for (const auto& item : items)
      if (!done.count(static_cast<int>(item.id))) todo.push_back(item);
  });
  if (!ok) return 2;

  std::size_t n_sources = 0;
  for (const auto& item : items) n_sources += item.rows.size();
  Progress progress(items.size(), n_sources, request.quiet);
  if (comm.is_root()) {
    if (!done.empty() && !request.quiet)
      fmt::print(stderr, "mwclass: resuming: {} of {} work items were finished in {}\n", done.size(),
                 items.size(), checkpoint->directory());
    for (auto& [id, r] : done) {
      progress.done(r.rows.size(), 0, true);
      results.push_back(std::move(r));
    }
  }
  parallel::ScheduleOptions options;
  options.threads = config.threads;
  options.keep_iterations = request.keep_iterations;
  options.stop = &stop_requested();
  options.on_item_done = [&](std::size_t, const ensemble::WorkResult& r) {
    checkpoint->save(r);
    progress.done(r.rows.size(), r.iterations, false);
  };
  auto outcome = parallel::run_items(comm, ensemble, sources, todo, options);
  if (comm.is_root() && !request.quiet && !todo.empty())
    for (std::size_t r = 0; r < outcome.ranks.size(); ++r) {
      const auto& st = outcome.ranks[r];
      fmt::print(stderr, "mwclass: rank {}: busy {:.1f} s of {:.1f} s (idle {:.1f} %), peak memory {:.0f} MB\n", r,
                 st.busy_seconds, st.wall_seconds,
                 st.wall_seconds > 0 ? 100.0 * (1.0 - st.busy_seconds / st.wall_seconds) : 0.0, st.peak_rss_mb);
    }
  for (auto& r : outcome.results) results.push_back(std::move(r));

  bool complete = !outcome.interrupted;
  std::string message;
  if (comm.is_root() && !complete)
    message = fmt::format("stopped by a signal with {} of {} work items finished; they are kept in "
                          "{}: run the same command with --resume to finish",
                          results.size(), items.size(), checkpoint->directory());
  comm.broadcast_status(complete, message);
  if (!complete) {
    if (comm.is_root()) std::fprintf(stderr, "\nmwclass: %s\n", message.c_str());
    return kExitInterrupted;
  }
  return 0;
}

void finish_run(const std::string& out_path, const ensemble::ClassificationResult& result,
                const ensemble::Provenance& provenance, bool quiet) {
  output::write_results(out_path, result, provenance);
  output::Checkpoint::discard(out_path);
  if (!quiet) print_summary(result, out_path, provenance.wall_time_seconds);
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
