// libFuzzer target: the TOML configuration loader (Config::from_toml_string, which parses,
// applies every key and validates). A configuration it accepts must survive its own
// round trip: to_toml() read back gives the same TOML text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  mwclass::Config config;
  try {
    config = mwclass::Config::from_toml_string(text, "fuzz.toml");
  } catch (const mwclass::Error&) {
    return 0;
  }
  const std::string written = config.to_toml();
  const mwclass::Config again = mwclass::Config::from_toml_string(written, "fuzz.toml (written back)");
  if (again.to_toml() != written) std::abort();
  return 0;
}
