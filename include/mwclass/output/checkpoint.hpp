#pragma once
// Checkpoints of a long run. The Checkpoint owns the directory
// "<out>.checkpoint/": it alone creates it, lists it, writes into it and
// removes it. It holds one file per finished work item (published atomically,
// core/atomic_file.hpp, so a file there is always whole) and the run's
// fingerprint (mwclass version, command, resolved config, hashes of the input
// files). A run that ends normally writes <out> and then discards the
// checkpoint; `--resume` loads the finished items and computes only the rest.
//
// OutputLock keeps a second run off the same output while the first runs.
#include <cstdint>
#include <map>
#include <string>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::output {

// An exclusive flock(2) on "<out>.lock", held by rank 0 from before the
// inputs are read until <out> is published and the checkpoint discarded.
//
// Why a file beside <out> and not one inside "<out>.checkpoint/": the
// checkpoint directory is created after the lock is needed (the lock decides
// whether this run may look at an existing checkpoint at all) and is removed
// by a finishing run while a second one may be waiting; a lock inside it would
// vanish with it. "<out>.lock" outlives both.
//
// No stale lock: the kernel drops a flock when its holder dies (SIGKILL
// included), so a leftover file from a killed run is just reused, and its old
// text is overwritten. A run that ends unlinks the file while it still holds
// the lock; a run that opened the old file just before the unlink notices
// that its descriptor is no longer the file at that name and opens it again.
// The holder writes its host, pid, start time and command into the file, so
// the refusal of a second run names the first.
class OutputLock {
 public:
  // Takes the lock of `out_path` or throws an Error naming the run that holds
  // it. `command` is the holder's description for such messages. A file system
  // without flock (Lustre mounted without -o flock, some FUSE) gives a warning
  // on stderr and no lock.
  OutputLock(const std::string& out_path, const std::string& command);
  ~OutputLock();  // unlinks the lock file, then releases the lock
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  static std::string file_of(const std::string& out_path);

 private:
  std::string path_;
  int fd_ = -1;
};

class Checkpoint {
 public:
  // The checkpoint directory of the run that writes `out_path`.
  static std::string directory_of(const std::string& out_path);
  // Removes the checkpoint of `out_path`, if any (once <out> is written).
  static void discard(const std::string& out_path);

  // Opens or creates the checkpoint of `out_path` (the caller holds its
  // OutputLock). An existing checkpoint without `resume`, or one made with
  // another fingerprint, is an Error that says what to do. Temporary files
  // left by a run that was killed while publishing an item are removed.
  Checkpoint(const std::string& out_path, const std::string& fingerprint, bool resume);

  const std::string& directory() const { return dir_; }
  std::map<int, ensemble::WorkResult> load() const;  // finished items by id
  void save(const ensemble::WorkResult& result) const;

 private:
  std::string dir_;
};

}  // namespace mwclass::output
