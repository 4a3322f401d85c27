#include "mwclass/run/job.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <unistd.h>

#include <fmt/format.h>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/range_warning.hpp"
#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/run_control.hpp"
#include "mwclass/ensemble/assemble.hpp"
#include "mwclass/ensemble/binning.hpp"
#include "mwclass/ensemble/calibration.hpp"
#include "mwclass/ensemble/ensemble.hpp"
#include "mwclass/evaluation/scaling.hpp"
#include "mwclass/evaluation/splits.hpp"
#include "mwclass/output/checkpoint.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/parallel/scheduler.hpp"
#include "mwclass/physics/reddening.hpp"

namespace mwclass::run {

void on_root(const parallel::Communicator& comm, const std::function<void()>& load) {
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
  if (!ok) throw CollectiveError(message);
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// FNV-1a 64 of an input file, without its FITS HDU selector ("cat.fits[2]").
std::uint64_t hash_input(const std::string& path) {
  std::string file = path;
  if (!file.empty() && file.back() == ']' && file.rfind('[') != std::string::npos) file.erase(file.rfind('['));
  return hash_file(file);
}

std::string input_checksum(const std::string& path) { return fmt::format("fnv1a64:{:016x}", hash_input(path)); }

// The text a checkpoint must match to be resumed: version, command, resolved
// config, the input files' hashes and the command's own options.
std::string fingerprint(const std::string& command, const Config& config,
                        const std::vector<std::string>& input_files, const std::string& options) {
  std::string text = fmt::format("mwclass {}\ncommand {}\noptions {}\n", MWCLASS_VERSION, command, options);
  for (const auto& f : input_files) text += fmt::format("input {} {:016x}\n", f, hash_input(f));
  Config identity = config;
  identity.threads = 1;  // threads never change a result: a resume may use another count
  return text + identity.to_toml();
}

// Broadcasts catalogs from rank 0 to every rank.
void broadcast_catalogs(const parallel::Communicator& comm, std::vector<catalog::Catalog*> catalogs) {
  if (comm.size() == 1) return;
  std::vector<char> bytes;
  if (comm.is_root()) {
    ByteWriter w;
    for (const auto* c : catalogs) encode_fields(w, *c);
    bytes = std::move(w.bytes());
  }
  comm.broadcast(bytes);
  if (!comm.is_root()) {
    ByteReader r(bytes);
    for (auto* c : catalogs) decode_fields(r, *c);
  }
}

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
  fmt::print("\n{} sources in {} work item(s), {:.1f} s. Results: {}\n", total, r.items.size(),
             seconds, out_path);
}

// [calibration] scaling = "bcts": the scaling fitted on the held-out probabilities
// of scaling_from (evaluation/scaling.hpp); method "none" otherwise.
ensemble::ProbabilityScaling fit_probability_scaling(const Config& config, const std::string& training) {
  const auto& cal = config.calibration;
  if (cal.scaling == "none") return {};
  try {
    // The scaling belongs to one learner and one training set: a cv run of another
    // learner, or on another training set, would mis-scale silently.
    const ensemble::Provenance cv_run = output::read_provenance(cal.scaling_from);
    if (!cv_run.config_toml.empty()) {
      const Config cv = Config::from_toml_string(cv_run.config_toml, cal.scaling_from + " (its stored configuration)");
      if (cv.classifier.model != config.classifier.model)
        fail("{}: its held-out probabilities come from classifier.model = \"{}\", this run uses \"{}\"; run "
             "`mwclass cv --model {}` with this run's training set and config first",
             cal.scaling_from, cv.classifier.model, config.classifier.model, config.classifier.model);
    }
    const std::string ours = input_checksum(training);
    if (!cv_run.training_checksum.empty() && cv_run.training_checksum != ours)
      fail("{}: its cv run trained on '{}' ({}), this run on '{}' ({}), another file; run `mwclass cv` with "
           "this run's training set first",
           cal.scaling_from, cv_run.training_catalog, cv_run.training_checksum, training, ours);
    const auto held = evaluation::held_out_rows(output::read_results(cal.scaling_from), config.classifier.classes,
                                                cal.scaling_from);
    auto s = evaluation::fit_scaling(held.probabilities, held.truth, cal.scaling_epsilon);
    s.fitted_on = cal.scaling_from;
    return s;
  } catch (const Error& e) {
    fail("[calibration] scaling_from: {}", e.what());
  }
}

// The field prior of P_field: how it was obtained and the mix, beside the training prior.
void print_calibration(const ensemble::ClassificationResult& r) {
  const auto& cal = r.calibration;
  if (cal.scaling.method != "none")
    fmt::print("\nP scaled before the field prior (bias-corrected temperature scaling, fitted on {} held-out "
               "rows of {}): T = {:.4f}, log loss {:.4f} -> {:.4f}\n",
               cal.scaling.sources, cal.scaling.fitted_on, 1.0 / cal.scaling.inverse_temperature,
               cal.scaling.log_loss_raw, cal.scaling.log_loss_scaled);
  if (cal.method == "estimate")
    fmt::print("\nField prior estimated by EM (Saerens et al. 2002; pseudo-count {:g} per class): {} iteration(s), "
               "final change {:.3g}, {}\n",
               cal.pseudo_count, cal.iterations, cal.final_change,
               cal.converged ? "converged" : "NOT converged (max_iterations)");
  else
    fmt::print("\nField prior given ([calibration] given_prior)\n");
  fmt::print("{:<10} {:>12} {:>12}\n", "class", "field prior", "train prior");
  for (std::size_t c = 0; c < r.class_names.size(); ++c)
    fmt::print("{:<10} {:>12.4f} {:>12.4f}\n", r.class_names[c], cal.field_prior[c], cal.training_prior[c]);
}

// The time per MC iteration by stage, naming the learner.
void print_timing(const std::vector<ensemble::WorkResult>& results, const Config& config) {
  ensemble::StageTimes t;
  long iterations = 0;
  for (const auto& r : results) {
    t += r.timing;
    iterations += r.iterations;
  }
  if (iterations == 0) return;
  const double ms = 1e3 / static_cast<double>(iterations);
  fmt::print("Time per MC iteration of a work item (mean over ranks): {:.1f} ms = sampling {:.1f} + "
             "features {:.1f} + oversampling {:.1f} + {} fit {:.1f} + predict {:.1f}\n",
             t.total() * ms, t.sampling * ms, t.features * ms, t.smote * ms, config.classifier.model,
             t.fit * ms, t.predict * ms);
}

// Runs the items over all ranks with checkpoints and progress. `items` and
// `sources` are needed on rank 0 only; so are `identity` (what a checkpoint
// must match) and the results, which only rank 0 receives.
int run_items(parallel::Communicator& comm, const ensemble::Ensemble& ensemble,
              const catalog::Catalog& sources, const std::vector<ensemble::WorkItem>& items,
              const Config& config, const JobOptions& request, const std::string& identity,
              std::vector<ensemble::WorkResult>& results) {
  // Rank 0 opens the checkpoint and keeps the items still to do.
  std::unique_ptr<output::Checkpoint> checkpoint;
  std::map<int, ensemble::WorkResult> done;
  std::vector<ensemble::WorkItem> todo;
  on_root(comm, [&] {
    checkpoint = std::make_unique<output::Checkpoint>(request.out_path, identity, request.resume);
    done = checkpoint->load();
    for (const auto& item : items)
      if (!done.count(static_cast<int>(item.id))) todo.push_back(item);
  });

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
  options.stop = [] { return stop_now(); };
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

// Rank 0 at the end of a run: publishes the results file, removes the
// checkpoint it no longer needs, prints the summary.
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
  p.training_checksum = input_checksum(training);
  p.field_checksum = field == training ? p.training_checksum : input_checksum(field);
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

void record_ebv_source(ensemble::Provenance& p, const ensemble::EbvProvenance& e) {
  p.ebv_source = e.source;
  p.dust_map.clear();
  if (e.map_files.empty()) return;
  for (std::size_t i = 0; i < e.map_files.size(); ++i)
    p.dust_map += fmt::format("{} fnv1a64:{:016x}; ", e.map_files[i], e.checksums[i]);
  p.dust_map += fmt::format("scale {}", e.scale);
}

// Rank 0 holds the lock of the output for the whole job, from before the
// inputs are read until the results are published and the checkpoint is gone
// (output/checkpoint.hpp): a second run on the same --out is refused at once.
std::unique_ptr<output::OutputLock> lock_output(const parallel::Communicator& comm, const JobOptions& options) {
  std::unique_ptr<output::OutputLock> lock;
  on_root(comm, [&] {
    output::check_writable(options.out_path);
    lock = std::make_unique<output::OutputLock>(options.out_path, options.command_line);
  });
  return lock;
}

// What every job does before and after its own items: the training set
// loaded and checked on rank 0 (with the job's `check`), shared with every
// rank; the items run; rank 0 assembles with `assemble` and publishes.
catalog::Catalog load_training(parallel::Communicator& comm, const Config& config, const std::string& path,
                               const std::function<void(const catalog::Catalog&)>& check,
                               ensemble::EbvProvenance* ebv = nullptr) {
  catalog::Catalog td;
  on_root(comm, [&] {
    td = catalog::read_catalog(path, config, catalog::Role::Training);
    // loocv: a left-out source is classified at its own E(B-V), from the map if configured.
    if (ebv && config.reddening.ebv_source != "column") *ebv = ensemble::resolve_field_ebv(td, config, {});
    check(td);
    (void)physics::cross_section_for(config);  // the absorption table loads
  });
  broadcast_catalogs(comm, {&td});
  return td;
}

std::vector<std::size_t> per_class(const catalog::Catalog& td, const Config& config,
                                   const std::function<std::size_t(std::size_t)>& held) {
  std::vector<std::size_t> counts(config.classifier.classes.size(), 0);
  for (int y : td.labels) ++counts[static_cast<std::size_t>(y)];
  for (auto& c : counts) c = held(c);
  return counts;
}

}  // namespace

// --------------------------------------------------------------- classify --

int classify(parallel::Communicator& comm, const Config& config, const ClassifyJob& job,
             const JobOptions& options) {
  const auto start = Clock::now();
  const auto lock = lock_output(comm, options);
  catalog::Catalog field;
  ensemble::EbvProvenance ebv_provenance;
  ensemble::ProbabilityScaling scaling;  // rank 0
  // Workers get the training set only; field sources travel with their chunks,
  // so a worker's memory does not grow with the catalog.
  const catalog::Catalog td = load_training(comm, config, job.training,
                                            [&](const catalog::Catalog& t) {
    field = catalog::read_catalog(job.field, config, catalog::Role::Field);
    catalog::warn_far_outside_training_range(t, field, config);
    ebv_provenance = ensemble::resolve_field_ebv(field, config, {job.ebv});
    ensemble::check_class_sizes(config, t, {});
    scaling = fit_probability_scaling(config, job.training);  // before the run: a bad scaling_from fails at once
  });
  const std::vector<ensemble::WorkItem> items =
      comm.is_root() ? ensemble::bin_items(field, config, &td) : std::vector<ensemble::WorkItem>{};
  const ensemble::Ensemble runner(config, td);
  if (comm.is_root() && !options.quiet)
    fmt::print(stderr, "mwclass: {} training sources, {} field sources in {} E(B-V) bin(s), {} "
               "MC iteration(s) per bin, {} rank(s) x {} thread(s)\n",
               td.size(), field.size(), items.size(), runner.iterations(), comm.size(), config.threads);
  const std::string identity =
      comm.is_root() ? fingerprint("classify", config, {job.training, job.field},
                                   fmt::format("ebv={} keep_iterations={}",
                                               job.ebv ? fmt::format("{}", *job.ebv) : "column",
                                               options.keep_iterations))
                     : std::string();
  // Field priors re-weight every iteration's probabilities: the items keep them for rank 0.
  const bool calibrate = config.calibration.field_prior != "none";
  if (comm.is_root() && !options.quiet && (calibrate || options.keep_iterations))
    fmt::print(stderr, "mwclass: {} keeps every iteration's probabilities: {:.0f} MB on rank 0 (and in the "
               "checkpoints)\n", calibrate ? "the field prior" : "--keep-iterations",
               static_cast<double>(field.size()) * std::max(1, runner.iterations()) *
                   static_cast<double>(config.classifier.classes.size()) * sizeof(double) / 1e6);
  JobOptions item_options = options;
  item_options.keep_iterations = options.keep_iterations || calibrate;
  std::vector<ensemble::WorkResult> results;
  if (const int code = run_items(comm, runner, field, items, config, item_options, identity, results)) return code;
  if (!comm.is_root()) return 0;
  if (!options.quiet) print_timing(results, config);
  auto result = ensemble::assemble(field, std::move(results), config, runner.feature_names());
  if (calibrate) {
    // Scaled probabilities are posteriors under the held-out set's class mix.
    const bool scaled = scaling.method != "none" && config.calibration.training_prior.empty();
    ensemble::calibrate(result, config,
                        scaled ? scaling.class_fractions : ensemble::training_prior(config, td.labels), scaling);
    if (!options.keep_iterations) {
      result.per_iteration.clear();
      result.kept_iterations = 0;
    }
    if (!options.quiet) print_calibration(result);
  }
  ensemble::describe_bin_edges(result, config);
  auto prov = provenance(comm, config, options.command_line, job.training, job.field, seconds_since(start));
  record_ebv_source(prov, ebv_provenance);
  finish_run(options.out_path, result, prov, options.quiet);
  return 0;
}

// ------------------------------------------------------------------ loocv --

int loocv(parallel::Communicator& comm, const Config& config, const LoocvJob& job,
          const JobOptions& options) {
  const auto start = Clock::now();
  const auto lock = lock_output(comm, options);
  ensemble::EbvProvenance ebv_provenance{"column", {}, {}, 1.0};
  const evaluation::Subset subset = [&] {  // parsed alike on every rank
    try {
      return evaluation::Subset::parse(job.subset);
    } catch (const Error& e) {
      throw CollectiveError(e.what());
    }
  }();
  const catalog::Catalog td = load_training(comm, config, job.training,
                                            [&](const catalog::Catalog& t) {
    ensemble::check_class_sizes(config, t, per_class(t, config, [](std::size_t) { return 1; }));
  }, &ebv_provenance);
  const auto rows = evaluation::select_subset(td.labels, static_cast<int>(config.classifier.classes.size()),
                                              subset, config.seed);
  const auto items = evaluation::loocv_items(td, config, rows);
  const ensemble::Ensemble runner(config, td);
  if (comm.is_root() && !options.quiet)
    fmt::print(stderr, "mwclass loocv: {} of {} training sources left out one at a time, {} MC "
               "iteration(s) each, reddening {}, {} rank(s) x {} thread(s)\n",
               items.size(), td.size(), runner.iterations(),
               config.reddening.enabled ? "to each source's E(B-V) where the catalog has one" : "off",
               comm.size(), config.threads);
  const std::string identity =
      comm.is_root() ? fingerprint("loocv", config, {job.training},
                                   fmt::format("subset={} keep_iterations={}", job.subset, options.keep_iterations))
                     : std::string();
  std::vector<ensemble::WorkResult> results;
  if (const int code = run_items(comm, runner, td, items, config, options, identity, results)) return code;
  if (!comm.is_root()) return 0;
  if (!options.quiet) print_timing(results, config);
  const auto covered = td.subset(rows);
  // Re-index the results to the covered subset's rows.
  std::vector<std::size_t> position(td.size(), 0);
  for (std::size_t k = 0; k < rows.size(); ++k) position[rows[k]] = k;
  for (auto& r : results)
    for (auto& row : r.rows) row = position[row];
  auto result = ensemble::assemble(covered, std::move(results), config, runner.feature_names());
  result.evaluation = "loocv";
  result.truth = covered.labels;
  auto prov = provenance(comm, config, options.command_line, job.training, job.training, seconds_since(start));
  record_ebv_source(prov, ebv_provenance);
  finish_run(options.out_path, result, prov, options.quiet);
  return 0;
}

// --------------------------------------------------------------------- cv --

int cv(parallel::Communicator& comm, Config config, const CvJob& job, const JobOptions& options) {
  const auto start = Clock::now();
  const auto lock = lock_output(comm, options);
  if (job.repeats < 1) throw CollectiveError(fmt::format("--repeats must be >= 1 (got {})", job.repeats));
  const catalog::Catalog td = load_training(comm, config, job.training,
                                            [&](const catalog::Catalog& t) {
    evaluation::stratified_folds(t.labels, config.classifier.classes, job.folds, config.seed, 0);
    const int folds = job.folds;
    ensemble::check_class_sizes(config, t, per_class(t, config, [folds](std::size_t n) {
      return (n + static_cast<std::size_t>(folds) - 1) / static_cast<std::size_t>(folds);
    }));
  });
  config.reddening.enabled = false;  // a fold mixes E(B-V) values
  const auto items = evaluation::cv_items(td, config, job.folds, job.repeats);
  const ensemble::Ensemble runner(config, td);
  if (comm.is_root() && !options.quiet)
    fmt::print(stderr, "mwclass cv: {} training sources, {} folds x {} repeats, {} MC "
               "iteration(s) per fold, {} rank(s) x {} thread(s)\n",
               td.size(), job.folds, job.repeats, runner.iterations(), comm.size(), config.threads);
  const std::string identity =
      comm.is_root() ? fingerprint("cv", config, {job.training},
                                   fmt::format("folds={} repeats={}", job.folds, job.repeats))
                     : std::string();
  std::vector<ensemble::WorkResult> results;
  if (const int code = run_items(comm, runner, td, items, config, options, identity, results)) return code;
  if (!comm.is_root()) return 0;
  if (!options.quiet) print_timing(results, config);

  // One assembled result per repeat; the file holds repeat 0 in /sources and
  // every repeat's probabilities beside it.
  std::vector<std::vector<ensemble::WorkResult>> by_repeat(static_cast<std::size_t>(job.repeats));
  std::vector<ensemble::WorkResult> all_items = results;
  for (auto& r : results) by_repeat[static_cast<std::size_t>(r.id / job.folds)].push_back(std::move(r));
  ensemble::ClassificationResult result;
  for (int k = 0; k < job.repeats; ++k) {
    auto rep = ensemble::assemble(td, std::move(by_repeat[static_cast<std::size_t>(k)]), config,
                                  runner.feature_names());
    if (k == 0) result = rep;
    result.repeat_mean.push_back(rep.probabilities.mean);
    result.repeat_std.push_back(rep.probabilities.std);
  }
  // Work-item table and importances over all folds of all repeats.
  const auto every_fold = ensemble::assemble_items(std::move(all_items), runner.feature_names());
  result.items = every_fold.items;
  result.item_ebv = every_fold.item_ebv;
  result.item_size = every_fold.item_size;
  result.item_iterations = every_fold.item_iterations;
  result.importance_mean = every_fold.importance_mean;
  result.importance_std = every_fold.importance_std;
  result.evaluation = "cv";
  result.truth = td.labels;
  result.folds = job.folds;
  finish_run(options.out_path, result,
             provenance(comm, config, options.command_line, job.training, job.training, seconds_since(start)),
             options.quiet);
  return 0;
}

}  // namespace mwclass::run
