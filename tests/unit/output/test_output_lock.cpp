// OutputLock (issue 17): one holder per output, the refusal names it, the
// file goes with its holder, a leftover file of a dead holder is taken over,
// and a checkpoint resumed under the lock loses a killed run's temporaries.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "mwclass/core/error.hpp"
#include "mwclass/output/checkpoint.hpp"
#include "../../test_support.hpp"

namespace fs = std::filesystem;
using mwclass::output::Checkpoint;
using mwclass::output::OutputLock;
using namespace mwclass::testing;

TEST_CASE("OutputLock: a second holder is refused with the first one's pid, host and command") {
  const fs::path dir = scratch_dir("output-lock");
  const std::string out = (dir / "out.h5").string();
  {
    const OutputLock first(out, "mwclass classify --out out.h5");
    CHECK(fs::exists(OutputLock::file_of(out)));
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    // flock is per open file: a second open in this process conflicts like another process would.
    const std::string message = error_of([&] { OutputLock second(out, "again"); });
    CHECK(contains(message, fmt::format("another mwclass run (pid {} on host {}, started ", ::getpid(), host)));
    CHECK(contains(message, ": mwclass classify --out out.h5)"));
    CHECK(contains(message, OutputLock::file_of(out)));
    CHECK(contains(slurp(OutputLock::file_of(out)), "mwclass classify --out out.h5"));  // the refusal left it alone
  }
  CHECK_FALSE(fs::exists(OutputLock::file_of(out)));  // gone with its holder
  const OutputLock again(out, "later");              // and free again
  CHECK(contains(slurp(OutputLock::file_of(out)), ": later\n"));
}

TEST_CASE("OutputLock: the file of a dead holder is taken over and rewritten") {
  const fs::path dir = scratch_dir("output-lock-stale");
  const std::string out = (dir / "out.h5").string();
  std::ofstream(OutputLock::file_of(out)) << "pid 1 on host gone, started 2000-01-01T00:00:00Z: an old command with a "
                                             "much longer description than the new one\n";
  {
    const OutputLock lock(out, "new");
    const std::string text = slurp(OutputLock::file_of(out));
    CHECK(contains(text, ": new\n"));
    CHECK_FALSE(contains(text, "old command"));
  }
  CHECK(listing(dir).empty());
}

TEST_CASE("Checkpoint: a resume removes the temporary files of a killed run, keeps the items") {
  const fs::path dir = scratch_dir("checkpoint-temporaries");
  const std::string out = (dir / "out.h5").string();
  { Checkpoint created(out, "fingerprint\n", false); }
  const fs::path cp = Checkpoint::directory_of(out);
  std::ofstream(cp / "item-3.bin.tmp-12345") << "half";
  std::ofstream(cp / "unrelated.txt") << "kept";
  const Checkpoint resumed(out, "fingerprint\n", true);
  CHECK_FALSE(fs::exists(cp / "item-3.bin.tmp-12345"));
  CHECK(fs::exists(cp / "unrelated.txt"));
  CHECK(fs::exists(cp / "fingerprint.txt"));
}
