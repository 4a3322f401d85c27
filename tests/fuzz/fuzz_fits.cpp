// libFuzzer target: the FITS reader (src/catalog/fits.cpp over CFITSIO) on arbitrary bytes:
// as a catalog table with the default configuration's columns, as a per-detection table,
// as a dust-map image and as a HEALPix map.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mwclass::Config config = mwclass::Config::defaults();
  const std::string path = mwclass::fuzz::write_input(data, size, ".fits");
  namespace catalog = mwclass::catalog;
  try {
    catalog::read_catalog(path, config, catalog::Role::Training);
  } catch (const mwclass::Error&) {
  }
  try {
    catalog::read_fits_table(path);
  } catch (const mwclass::Error&) {
  }
  try {
    catalog::read_fits_image(path);
  } catch (const mwclass::Error&) {
  }
  try {
    catalog::read_fits_healpix(path);
  } catch (const mwclass::Error&) {
  }
  return 0;
}
