// publish_atomically: the final name shows the old file or the whole new one,
// never a part; the temporary file never outlives a failure.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mwclass/core/atomic_file.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"

namespace fs = std::filesystem;
using mwclass::Error;
using mwclass::publish_atomically;

using mwclass::testing::contains;
using mwclass::testing::error_of;
using mwclass::testing::listing;
using mwclass::testing::slurp;

TEST_CASE("publish_atomically writes the whole file and leaves no temporary") {
  const auto dir = mwclass::testing::scratch_dir("core-atomic-ok");
  const auto path = (dir / "a.bin").string();
  const std::string bytes("binary\0data\n", 12);
  publish_atomically(path, bytes);
  CHECK(slurp(path) == bytes);
  CHECK(listing(dir) == std::vector<std::string>{"a.bin"});

  SUBCASE("replacing an existing file") {
    publish_atomically(path, std::vector<char>{'n', 'e', 'w'});
    CHECK(slurp(path) == "new");
    CHECK(listing(dir) == std::vector<std::string>{"a.bin"});
  }
  SUBCASE("a writer callback fills the temporary in the same directory") {
    std::string seen;
    publish_atomically(path, [&](const std::string& temporary) {
      seen = temporary;
      CHECK(!fs::exists(temporary));
      std::ofstream(temporary) << "from the callback";
      CHECK(slurp(path) == bytes);  // the final name still holds the old file
    });
    CHECK(fs::path(seen).parent_path() == dir);
    CHECK(seen == mwclass::temporary_name(path));
    CHECK(slurp(path) == "from the callback");
    CHECK(listing(dir) == std::vector<std::string>{"a.bin"});
  }
}

TEST_CASE("publish_atomically fails cleanly") {
  const auto dir = mwclass::testing::scratch_dir("core-atomic-fail");

  SUBCASE("missing directory: Error naming the path and the OS error, nothing created") {
    const auto path = (dir / "no-such-dir" / "a.txt").string();
    const auto message = error_of([&] { publish_atomically(path, std::string("x")); });
    CHECK(contains(message, path));
    CHECK(contains(message, "No such file or directory"));
    CHECK(listing(dir).empty());
  }

  SUBCASE("the directory is a regular file (root ignores permission bits)") {
    std::ofstream(dir / "plain") << "x";
    const auto path = (dir / "plain" / "a.txt").string();
    const auto message = error_of([&] { publish_atomically(path, std::string("x")); });
    CHECK(contains(message, path));
    CHECK(contains(message, "Not a directory"));
    CHECK(listing(dir) == std::vector<std::string>{"plain"});
  }

  SUBCASE("the final name is a directory: the rename fails, the temporary is removed") {
    fs::create_directory(dir / "a.txt");
    const auto path = (dir / "a.txt").string();
    const auto message = error_of([&] { publish_atomically(path, std::string("x")); });
    CHECK(contains(message, path));
    CHECK(contains(message, "rename"));
    CHECK(listing(dir) == std::vector<std::string>{"a.txt"});
    CHECK(fs::is_empty(dir / "a.txt"));
  }

  SUBCASE("the writer callback throws: temporary removed, old file untouched, exception unchanged") {
    const auto path = (dir / "a.txt").string();
    publish_atomically(path, std::string("old"));
    auto half_written = [&](const std::string& temporary) {
      std::ofstream(temporary) << "half";
      throw std::runtime_error("writer gave up");
    };
    CHECK_THROWS_WITH_AS(publish_atomically(path, half_written), "writer gave up", std::runtime_error);
    CHECK(slurp(path) == "old");
    CHECK(listing(dir) == std::vector<std::string>{"a.txt"});

    const auto message = error_of([&] {
      publish_atomically(path, [](const std::string& temporary) {
        std::ofstream(temporary) << "half";
        mwclass::fail("no space left for '{}'", temporary);
      });
    });
    CHECK(contains(message, "no space left"));
    CHECK(slurp(path) == "old");
    CHECK(listing(dir) == std::vector<std::string>{"a.txt"});
  }

  SUBCASE("a callback that writes nothing: Error, no file at the final name") {
    const auto path = (dir / "a.txt").string();
    const auto message = error_of([&] { publish_atomically(path, [](const std::string&) {}); });
    CHECK(contains(message, path));
    CHECK(listing(dir).empty());
  }
}
