#pragma once
// A compute job from top to bottom, for classify, loocv and cv alike:
//   rank 0 loads and checks the inputs -> the training set is broadcast ->
//   rank 0 makes the work items -> the scheduler runs them over all ranks
//   with checkpoints and progress -> rank 0 assembles the results and
//   publishes the HDF5 file.
// Plain C++ over the parallel/ and output/ facades; the app only turns the
// command line into a Config and one of the *Job structs below. Every failure
// is an Error; one that every rank knows about is a CollectiveError (main
// prints it once and exits 2), anything else makes main abort the job.
#include <functional>
#include <optional>
#include <string>

#include "mwclass/core/config.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::run {

// How a job is written, checkpointed and reported.
struct JobOptions {
  std::string out_path;      // the results file; checkpoints in <out_path>.checkpoint/
  std::string command_line;  // stored as provenance
  bool resume = false;       // continue from the checkpoint if there is one
  bool keep_iterations = false;
  bool quiet = false;
};

struct ClassifyJob {
  std::string training, field;  // catalog paths
  std::optional<double> ebv;    // one E(B-V) for every field source instead of the column
};

struct LoocvJob {
  std::string training;
  std::string subset = "all";   // evaluation::Subset::parse: all, every:K, class-stratified:F
};

struct CvJob {
  std::string training;
  int folds = 20, repeats = 15;
};

// Each returns 0 on success (on every rank) or kExitInterrupted after a stop
// signal (core/run_control.hpp); failures are thrown.
int classify(parallel::Communicator& comm, const Config& config, const ClassifyJob& job,
             const JobOptions& options);
int loocv(parallel::Communicator& comm, const Config& config, const LoocvJob& job,
          const JobOptions& options);
int cv(parallel::Communicator& comm, Config config, const CvJob& job, const JobOptions& options);

// Runs `load` on rank 0 only; its Error is rethrown on every rank as a
// CollectiveError with rank 0's message.
void on_root(const parallel::Communicator& comm, const std::function<void()>& load);

}  // namespace mwclass::run
