#pragma once
// Checkpoints of a long run: the directory "<out>.checkpoint/" holds one file
// per finished work item (written to a temporary name, then renamed, so a
// file there is always whole) and the run's fingerprint (mwclass version,
// command, resolved config, hashes of the input files). A run that ends
// normally writes <out> and removes the directory; `--resume` loads the
// finished items and computes only the rest.
#include <cstdint>
#include <map>
#include <string>

#include "mwclass/ensemble/result.hpp"

namespace mwclass::output {

class Checkpoint {
 public:
  // Opens or creates the checkpoint of `out_path`. An existing checkpoint
  // without `resume`, or one made with another fingerprint, is an Error that
  // says what to do.
  Checkpoint(const std::string& out_path, const std::string& fingerprint, bool resume);

  const std::string& directory() const { return dir_; }
  std::map<int, ensemble::WorkResult> load() const;  // finished items by id
  void save(const ensemble::WorkResult& result) const;
  void remove() const;

 private:
  std::string dir_;
};

}  // namespace mwclass::output
