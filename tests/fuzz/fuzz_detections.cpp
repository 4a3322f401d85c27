// libFuzzer target: the per-detection table of `mwclass aggregate` (archive::read_archive_table:
// CSV/TSV with '#' comments, trimmed cells) through the whole aggregation with the default
// [aggregate]/[selection] parameters, read as a CSC table and as a 4XMM table.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "mwclass/archive/aggregate.hpp"
#include "mwclass/archive/params.hpp"
#include "mwclass/archive/table.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mwclass::Config csc = mwclass::Config::defaults();
  static const mwclass::Config xmm = [] {
    mwclass::Config c = mwclass::Config::defaults();
    c.aggregate.xmm = true;
    return c;
  }();
  const std::string path = mwclass::fuzz::write_input(data, size, ".tsv");
  try {
    const mwclass::archive::ArchiveTable table = mwclass::archive::read_archive_table(path);
    for (const mwclass::Config* config : {&csc, &xmm}) {
      try {
        mwclass::archive::Report report;
        mwclass::archive::aggregate(table, mwclass::archive::ArchiveParams(*config), report);
      } catch (const mwclass::Error&) {
      }
    }
  } catch (const mwclass::Error&) {
  }
  return 0;
}
