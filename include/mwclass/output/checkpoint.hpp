#pragma once
// Checkpoints of a long run. The Checkpoint owns the directory
// "<out>.checkpoint/": it alone creates it, lists it, writes into it and
// removes it. It holds one file per finished work item (published atomically,
// core/atomic_file.hpp, so a file there is always whole) and the run's
// fingerprint (mwclass version, command, resolved config, hashes of the input
// files). A run that ends normally writes <out> and then discards the
// checkpoint; `--resume` loads the finished items and computes only the rest.
#include <cstdint>
#include <map>
#include <string>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::output {

class Checkpoint {
 public:
  // The checkpoint directory of the run that writes `out_path`.
  static std::string directory_of(const std::string& out_path);
  // Removes the checkpoint of `out_path`, if any (once <out> is written).
  static void discard(const std::string& out_path);

  // Opens or creates the checkpoint of `out_path`. An existing checkpoint
  // without `resume`, or one made with another fingerprint, is an Error that
  // says what to do.
  Checkpoint(const std::string& out_path, const std::string& fingerprint, bool resume);

  const std::string& directory() const { return dir_; }
  std::map<int, ensemble::WorkResult> load() const;  // finished items by id
  void save(const ensemble::WorkResult& result) const;

 private:
  std::string dir_;
};

}  // namespace mwclass::output
