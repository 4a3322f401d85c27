// FITS images and HEALPix tables (catalog/fits.hpp): what the dust maps read.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "mwclass/catalog/fits.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"
#include "test_fits_raw.hpp"

using namespace mwclass;
using namespace mwclass::catalog;
using namespace mwclass::testing;


TEST_CASE("fits image: pixels row-major from (1,1), header cards and keywords") {
  const auto dir = testing::scratch_dir("fits-image");
  const std::string path = (dir / "map.fits").string();
  const long nx = 3, ny = 2;
  const std::vector<float> pixels = {1.5f, 2.25f, -3.0f, 4.0f, std::nanf(""), 6.125f};
  write_fits_image(path, nx, ny, pixels,
                   {{"CTYPE1", "'GLON-ZEA'"}, {"CRPIX1", "2048.5"}, {"LAM_NSGP", "-1"}, {"LAM_SCAL", "2048"}});
  CHECK(testing::listing(dir) == std::vector<std::string>{"map.fits"});

  const FitsImage img = read_fits_image(path);
  CHECK(img.path == path);
  CHECK(img.nx == nx);
  CHECK(img.ny == ny);
  REQUIRE(img.pixels.size() == pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    if (std::isnan(pixels[i])) CHECK(std::isnan(img.pixels[i]));
    else CHECK(img.pixels[i] == static_cast<double>(pixels[i]));
  }
  CHECK(img.keywords.at("CTYPE1") == "GLON-ZEA");
  CHECK(std::stod(img.keywords.at("CRPIX1")) == 2048.5);
  CHECK(std::stol(img.keywords.at("LAM_NSGP")) == -1);
  CHECK(img.keywords.at("NAXIS1") == "3");
  CHECK(img.header.size() == static_cast<std::size_t>(img.n_cards) * 80);
  CHECK(img.header.compare(0, 8, "SIMPLE  ") == 0);
  CHECK(img.header.find("END     ") == std::string::npos);
  CHECK(img.header.find("CTYPE1  = 'GLON-ZEA'") != std::string::npos);
  // The same HDU by number.
  CHECK(read_fits_image(path + "[0]").pixels.size() == pixels.size());
  CHECK(is_fits_path(path));
}

TEST_CASE("fits image: missing file, missing HDU, a table where an image is needed") {
  const auto dir = testing::scratch_dir("fits-image-bad");
  const std::string missing = (dir / "none.fits").string();
  CHECK(error_of([&] { read_fits_image(missing); }).find("no such file") != std::string::npos);
  const std::string path = (dir / "hp.fits").string();
  write_fits_healpix(path, 1, false, std::vector<float>(12, 0.5f));
  const std::string e = error_of([&] { read_fits_image(path + "[1]"); });
  CHECK(e.find("not an image") != std::string::npos);
  CHECK(e.find("HDU 1") != std::string::npos);
  const std::string e2 = error_of([&] { read_fits_image(path + "[5]"); });
  CHECK(e2.find(path) != std::string::npos);
  CHECK(e2.find("CFITSIO") != std::string::npos);
}

TEST_CASE("fits healpix: NSIDE, ordering, values with NaN and UNSEEN as missing") {
  const auto dir = testing::scratch_dir("fits-healpix");
  for (const bool nested : {false, true}) {
    const std::string path = (dir / (nested ? "nest.fits" : "ring.fits")).string();
    const long nside = 2;
    std::vector<float> v(12 * nside * nside);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.01f * static_cast<float>(i);
    v[3] = std::nanf("");
    v[7] = -1.6375e30f;
    write_fits_healpix(path, nside, nested, v, "EBV");
    const FitsHealpixMap m = read_fits_healpix(path);
    CHECK(m.nside == nside);
    CHECK(m.nested == nested);
    CHECK(m.column == "EBV");
    CHECK(m.keywords.at("ORDERING") == (nested ? "NESTED" : "RING"));
    REQUIRE(m.values.size() == v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i == 3 || i == 7) CHECK(std::isnan(m.values[i]));
      else CHECK(m.values[i] == static_cast<double>(v[i]));
    }
    CHECK(read_fits_healpix(path, "ebv").values.size() == v.size());
    CHECK(error_of([&] { read_fits_healpix(path, "TEMP"); }).find("no column 'TEMP'") != std::string::npos);
  }
  CHECK(error_of([&] { write_fits_healpix((dir / "x.fits").string(), 2, false, std::vector<float>(5)); })
            .find("NSIDE 2") != std::string::npos);
}

TEST_CASE("fits healpix: the all-sky layout of 1024-value rows, flattened in order, first numeric column") {
  // NSIDE 16 NESTED: 3072 pixels in 3 rows of 1024E after a text column, written by hand.
  const auto dir = testing::scratch_dir("fits-healpix-vector");
  const std::string path = (dir / "map.fits").string();
  std::string f = card("SIMPLE", "T") + card("BITPIX", "8") + card("NAXIS", "0") + card("EXTEND", "T") +
                  card("END", "");
  pad(f, ' ');
  f += card("XTENSION", "'BINTABLE'") + card("BITPIX", "8") + card("NAXIS", "2") +
       card("NAXIS1", std::to_string(4 + 4 * 1024)) + card("NAXIS2", "3") + card("PCOUNT", "0") +
       card("GCOUNT", "1") + card("TFIELDS", "2") + card("TTYPE1", "'NOTE'") + card("TFORM1", "'4A'") +
       card("TTYPE2", "'TEMPERATURE'") + card("TFORM2", "'1024E'") + card("PIXTYPE", "'HEALPIX'") +
       card("ORDERING", "'NESTED'") + card("NSIDE", "16") + card("END", "");
  pad(f, ' ');
  for (int r = 0; r < 3; ++r) {
    f += "abcd";
    for (int k = 0; k < 1024; ++k) put_be(f, 0.5f * static_cast<float>(r * 1024 + k));
  }
  pad(f, '\0');
  std::ofstream(path, std::ios::binary) << f;

  const FitsHealpixMap m = read_fits_healpix(path);
  CHECK(m.column == "TEMPERATURE");
  CHECK(m.nside == 16);
  CHECK(m.nested);
  REQUIRE(m.values.size() == 3072);
  for (std::size_t i = 0; i < m.values.size(); i += 101) CHECK(m.values[i] == 0.5 * static_cast<double>(i));
  CHECK(m.values.back() == 0.5 * 3071);
  CHECK(error_of([&] { read_fits_healpix(path, "NOTE"); }).find("not numeric") != std::string::npos);
}
