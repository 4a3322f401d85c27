#pragma once
// Publishing a whole file so that the final name never shows a half-written
// file (the results file, CSV tables, checkpoint items, tuned configs).
//
// publish_atomically(path, write):
//   1. `write(temporary)` creates and fills "<path>.tmp-<pid>" (same directory,
//      so the rename below cannot cross file systems) and closes it;
//   2. the temporary file is fsync'ed (its bytes are on disk);
//   3. it is renamed over `path` (atomic on POSIX: readers see the old file or
//      the new one);
//   4. the directory is fsync'ed (the rename itself survives a crash).
// On any failure, including an exception thrown by `write`, the temporary file
// is removed and any older file at `path` stays as it was. Failures of steps
// 2-4 throw an Error naming `path` and the OS error; exceptions of `write`
// propagate unchanged (the caller knows what it was writing).
#include <functional>
#include <string>
#include <vector>

namespace mwclass {

void publish_atomically(const std::string& path, const std::function<void(const std::string& temporary)>& write);
void publish_atomically(const std::string& path, const std::string& bytes);
void publish_atomically(const std::string& path, const std::vector<char>& bytes);

// The temporary name publish_atomically uses for `path` ("<path>.<kind>-<pid>").
std::string temporary_name(const std::string& path, const char* kind = "tmp");

}  // namespace mwclass
