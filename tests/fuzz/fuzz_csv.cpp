// libFuzzer target: a catalog from CSV bytes with the default configuration, as a training
// set and as a field (catalog::read_catalog). An mwclass::Error is the expected answer to a
// bad input; any other exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mwclass::Config config = mwclass::Config::defaults();
  const std::string path = mwclass::fuzz::write_input(data, size, ".csv");
  for (auto role : {mwclass::catalog::Role::Training, mwclass::catalog::Role::Field}) {
    try {
      mwclass::catalog::read_catalog(path, config, role);
    } catch (const mwclass::Error&) {
    }
  }
  return 0;
}
