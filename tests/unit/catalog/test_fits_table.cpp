// FITS tables as catalog input and as output (catalog/fits.hpp). The reader is checked
// against a table built byte by byte here (big-endian, TNULL, logical null, vector column),
// against our own writer, and through read_catalog against the same catalog as CSV.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/catalog/csv.hpp"
#include "mwclass/catalog/fits.hpp"
#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"
#include "test_fits_raw.hpp"

using namespace mwclass;
using namespace mwclass::catalog;
using namespace mwclass::testing;

namespace {



// Primary HDU without data, then a 3-row binary table EXTNAME 'CATALOG':
// ID J (TNULL -99), SMALL I, FLUX E (TUNIT 'erg/(s cm2)'), VEC 3D, NAME 8A, FLAG L, DBL D.
void write_handmade(const std::string& path) {
  std::string f;
  f += card("SIMPLE", "T") + card("BITPIX", "8") + card("NAXIS", "0") + card("EXTEND", "T") + card("END", "");
  pad(f, ' ');
  const int row_bytes = 4 + 2 + 4 + 24 + 8 + 1 + 8;
  std::string h = card("XTENSION", "'BINTABLE'") + card("BITPIX", "8") + card("NAXIS", "2") +
                  card("NAXIS1", std::to_string(row_bytes)) + card("NAXIS2", "3") + card("PCOUNT", "0") +
                  card("GCOUNT", "1") + card("TFIELDS", "7") + card("EXTNAME", "'CATALOG'");
  const char* cols[][2] = {{"ID", "J"}, {"SMALL", "I"}, {"FLUX", "E"}, {"VEC", "3D"},
                           {"NAME", "8A"}, {"FLAG", "L"}, {"DBL", "D"}};
  for (int i = 0; i < 7; ++i) {
    h += card("TTYPE" + std::to_string(i + 1), std::string("'") + cols[i][0] + "'");
    h += card("TFORM" + std::to_string(i + 1), std::string("'") + cols[i][1] + "'");
  }
  h += card("TNULL1", "-99") + card("TUNIT3", "'erg/(s cm2)'") + card("END", "");
  f += h;
  pad(f, ' ');
  const std::int32_t id[3] = {1, -99, 2147483647};
  const std::int16_t small[3] = {-2, 300, 7};
  const float flux[3] = {1.5e-14f, std::nanf(""), -0.25f};
  const char* name[3] = {"ab      ", "  x y   ", "\0\0\0\0\0\0\0\0"};
  const char flag[3] = {'T', 'F', 0};
  const double dbl[3] = {0.1, 1e300, std::nan("")};
  std::string data;
  for (int r = 0; r < 3; ++r) {
    put_be(data, id[r]);
    put_be(data, small[r]);
    put_be(data, flux[r]);
    for (int k = 0; k < 3; ++k) put_be(data, static_cast<double>(r * 3 + k));
    data.append(name[r], 8);
    data += flag[r];
    put_be(data, dbl[r]);
  }
  f += data;
  pad(f, '\0');
  std::ofstream(path, std::ios::binary) << f;
}

std::vector<std::string> column_cells(const CsvTable& t, const std::string& name) {
  const int c = t.column(name);
  REQUIRE(c >= 0);
  std::vector<std::string> out;
  for (const auto& r : t.rows) out.push_back(r[c]);
  return out;
}

// A CSV table as a FITS table the way astropy converts one: a column whose non-empty
// cells all parse as numbers is float64 (empty: NaN), any other is a string column.
void csv_to_fits(const CsvTable& t, const std::string& path) {
  FitsTableHdu hdu;
  hdu.extname = "CATALOG";
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    FitsColumn col;
    col.name = t.header[c];
    bool numeric = true;
    for (const auto& r : t.rows) {
      char* end = nullptr;
      if (!r[c].empty()) std::strtod(r[c].c_str(), &end);
      if (!r[c].empty() && *end != '\0') numeric = false;
    }
    for (const auto& r : t.rows) {
      if (numeric) col.doubles.push_back(r[c].empty() ? std::nan("") : std::strtod(r[c].c_str(), nullptr));
      else col.strings.push_back(r[c]);
    }
    (numeric ? col.is_double : col.is_string) = true;
    hdu.columns.push_back(col);
  }
  write_fits_tables(path, {hdu});
}

}  // namespace

TEST_CASE("fits table: a hand-made big-endian table read into text cells") {
  const auto dir = testing::scratch_dir("fits-table-handmade");
  const std::string path = (dir / "cat.fits").string();
  write_handmade(path);
  CHECK(is_fits_path(path));

  const CsvTable t = read_fits_table(path, {{"flux", FitsUnit::Flux, true}});
  CHECK(t.numbered_rows);
  CHECK(t.header == std::vector<std::string>{"ID", "SMALL", "flux", "NAME", "FLAG", "DBL"});  // VEC left out
  CHECK(t.line_numbers == std::vector<std::size_t>{1, 2, 3});
  CHECK(column_cells(t, "ID") == std::vector<std::string>{"1", "", "2147483647"});
  CHECK(column_cells(t, "SMALL") == std::vector<std::string>{"-2", "300", "7"});
  CHECK(column_cells(t, "flux") ==
        std::vector<std::string>{format_number(static_cast<double>(1.5e-14f)), "", format_number(-0.25)});
  CHECK(column_cells(t, "NAME") == std::vector<std::string>{"ab", "x y", ""});
  CHECK(column_cells(t, "FLAG") == std::vector<std::string>{"True", "False", ""});
  CHECK(column_cells(t, "DBL") == std::vector<std::string>{format_number(0.1), format_number(1e300), ""});
  CHECK(std::strtod(column_cells(t, "DBL")[0].c_str(), nullptr) == 0.1);

  // The same table by HDU number and by EXTNAME.
  CHECK(read_fits_table(path + "[1]").rows == read_fits_table(path + "[CATALOG]").rows);
}

TEST_CASE("fits table: bad inputs each give one clear message") {
  const auto dir = testing::scratch_dir("fits-table-bad");
  const std::string path = (dir / "cat.fits").string();
  write_handmade(path);

  std::string e = error_of([&] { read_fits_table(path, {{"vec", FitsUnit::None, true}}); });
  CHECK(contains(e, "column 'VEC' is a vector column (3 values per row"));
  CHECK(contains(e, path));
  e = error_of([&] { read_fits_table(path, {{"NAME", FitsUnit::None, true}}); });
  CHECK(contains(e, "column 'NAME' holds text"));
  CHECK(contains(e, "a number is needed"));
  e = error_of([&] { read_fits_table(path + "[0]"); });
  CHECK(contains(e, path + "[0]: not a table HDU"));
  e = error_of([&] { read_fits_table(path + "[4]"); });
  CHECK(contains(e, path + "[4]"));
  CHECK(contains(e, "CFITSIO"));
  e = error_of([&] { read_fits_table(path + "[NOPE]"); });
  CHECK(contains(e, "NOPE"));
  CHECK(contains(e, "CFITSIO"));
  e = error_of([&] { read_fits_table((dir / "absent.fits").string()); });
  CHECK(contains(e, "no such file"));

  // Truncated: the header promises data that is not there.
  const std::string whole = testing::slurp(path);
  const std::string cut = (dir / "cut.fits").string();
  std::ofstream(cut, std::ios::binary) << whole.substr(0, 2880 + 1000);
  e = error_of([&] { read_fits_table(cut); });
  CHECK(contains(e, cut));
  CHECK(contains(e, "CFITSIO"));
  // Not FITS at all, though named so.
  const std::string text = (dir / "text.fits").string();
  std::ofstream(text) << "a,b\n1,2\n";
  e = error_of([&] { read_fits_table(text); });
  CHECK(contains(e, text + ": not a FITS file"));
}

TEST_CASE("fits table: our writer round trip (NaN, TNULL, logical null, strings, long keywords, two HDUs)") {
  const auto dir = testing::scratch_dir("fits-table-writer");
  const std::string path = (dir / "out.fits").string();
  FitsTableHdu main;
  main.extname = "RESULTS";
  FitsColumn name, value, count, flag;
  name.name = "name";
  name.is_string = true;
  name.strings = {"J1 ", "", "a longer name"};
  value.name = "value";
  value.unit = "erg/s/cm2";
  value.display = "E15.7";
  value.is_double = true;
  value.doubles = {1.0 / 3.0, std::nan(""), -1e-300};
  count.name = "count";
  count.is_integer = true;
  count.tnull = -1;
  count.integers = {-1, 0, 9007199254740993LL};
  flag.name = "flag";
  flag.is_logical = true;
  flag.logicals = {1, -1, 0};
  main.columns = {name, value, count, flag};
  const std::string long_value(200, 'x');
  main.keywords = {{"MWCVERS", "0.5.0"}, {"MWCCMD", long_value}};
  FitsTableHdu config;
  config.extname = "CONFIG";
  FitsColumn line;
  line.name = "line";
  line.is_string = true;
  line.strings = {"[classifier]", "model = 'rf'"};
  config.columns = {line};
  write_fits_tables(path, {main, config});
  CHECK(testing::listing(dir) == std::vector<std::string>{"out.fits"});

  const CsvTable t = read_fits_table(path);  // the first table
  CHECK(t.header == std::vector<std::string>{"name", "value", "count", "flag"});
  CHECK(column_cells(t, "name") == std::vector<std::string>{"J1", "", "a longer name"});
  CHECK(column_cells(t, "value") == std::vector<std::string>{format_number(1.0 / 3.0), "", format_number(-1e-300)});
  CHECK(column_cells(t, "count") == std::vector<std::string>{"", "0", "9007199254740993"});
  CHECK(column_cells(t, "flag") == std::vector<std::string>{"True", "", "False"});
  CHECK(column_cells(read_fits_table(path + "[CONFIG]"), "line") ==
        std::vector<std::string>{"[classifier]", "model = 'rf'"});
  CHECK(column_cells(read_fits_table(path + "[2]"), "line").size() == 2);
  // The long keyword survives whole (CFITSIO's long-string convention).
  const std::string bytes = testing::slurp(path);
  CHECK(contains(bytes, "LONGSTRN"));
  CHECK(contains(bytes, "TUNIT2  = 'erg/s/cm2'"));
  CHECK(contains(bytes, "TDISP2  = 'E15.7 "));
}

namespace {
// The value of a string keyword as the OGIP long-string convention reads it from the
// header's raw cards: the first card named `start`, then every CONTINUE card while the
// part before it ended with '&'; quotes undoubled. Empty if not found.
std::string long_string_value(const std::string& bytes, const std::string& start) {
  std::size_t at = 0;
  while (at + 80 <= bytes.size() && bytes.compare(at, start.size(), start) != 0) at += 80;
  if (at + 80 > bytes.size()) return "";
  std::string value;
  bool more = true;
  for (bool first = true; more && at + 80 <= bytes.size(); first = false, at += 80) {
    const std::string card = bytes.substr(at, 80);
    if (!first && card.compare(0, 8, "CONTINUE") != 0) break;
    const std::size_t open = card.find('\'');
    const std::size_t close = card.rfind('\'');
    std::string part = card.substr(open + 1, close - open - 1);
    more = !part.empty() && part.back() == '&';
    if (more) part.pop_back();
    for (std::size_t k = 0; k < part.size(); ++k) {
      value += part[k];
      if (part[k] == '\'' && k + 1 < part.size() && part[k + 1] == '\'') ++k;
    }
  }
  return value;
}
}  // namespace

TEST_CASE("fits table: string keywords with long names (HIERARCH) keep every character") {
  const auto dir = testing::scratch_dir("fits-table-hierarch");
  const std::string path = (dir / "out.fits").string();
  FitsTableHdu hdu;
  hdu.extname = "CALIBRATION";
  FitsColumn c;
  c.name = "class";
  c.is_string = true;
  c.strings = {"AGN"};
  hdu.columns = {c};
  // CFITSIO 4.2.0's own writer dropped 8 characters of a value like the first one.
  std::string path_like = "/tmp/a_rather_long_directory_name_for_the_hierarch_long_string_check/";
  path_like += "another_level_deep/cross_validation_output_file_with_a_long_name.h5";
  std::string quotes;  // doubled quotes at every possible split position
  for (int k = 0; k < 60; ++k) quotes += k % 7 == 0 ? "it's " : "x";
  const std::string exact(80 - std::string("HIERARCH SHORT_VALUE_NAME = '").size() - 1, 'v');  // one card, full
  hdu.keywords = {{"scaling_from", path_like}, {"quoted_name", quotes + quotes + quotes},
                  {"short_value_name", exact}, {"method", "estimate"}};
  hdu.real_keywords = {{"scaling_inverse_temperature", 1.0 / 3.0}, {"final_change", std::nan("")}};
  hdu.integer_keywords = {{"iterations", 42}};
  write_fits_tables(path, {hdu});
  const std::string bytes = testing::slurp(path);
  CHECK(long_string_value(bytes, "HIERARCH SCALING_FROM = ") == path_like);
  CHECK(long_string_value(bytes, "HIERARCH QUOTED_NAME = ") == quotes + quotes + quotes);
  CHECK(long_string_value(bytes, "HIERARCH SHORT_VALUE_NAME = ") == exact);
  CHECK(contains(bytes, "HIERARCH SHORT_VALUE_NAME = '" + exact + "'"));  // one card, no CONTINUE
  CHECK(long_string_value(bytes, "METHOD  = ") == "estimate");
  CHECK(contains(bytes, "LONGSTRN"));
  CHECK(contains(bytes, "HIERARCH SCALING_INVERSE_TEMPERATURE = 0.33333333333333331"));
  CHECK(contains(bytes, "HIERARCH ITERATIONS = "));
  // The file still reads as a table.
  CHECK(column_cells(read_fits_table(path), "class") == std::vector<std::string>{"AGN"});
}

TEST_CASE("fits table: a catalog as FITS reads back bit-identical to the CSV, rows in messages") {
  const auto dir = testing::scratch_dir("fits-table-catalog");
  const Config config = Config::defaults();
  SimulationParams p;
  p.n_sources = 60;
  p.seed = 5;
  const Catalog c = simulate_catalog(config, p);
  const std::string csv = (dir / "td.csv").string(), fits = (dir / "td.fits").string();
  write_catalog(csv, c, config);
  CsvTable t = read_csv(csv);
  // Column names in another case are matched to the config's spelling.
  for (auto& h : t.header)
    for (auto& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  csv_to_fits(t, fits);
  const Catalog from_csv = read_catalog(csv, config, Role::Training);
  const Catalog from_fits = read_catalog(fits, config, Role::Training);
  CHECK(from_fits.names == from_csv.names);
  CHECK(from_fits.labels == from_csv.labels);
  CHECK(std::memcmp(from_fits.ra.data(), from_csv.ra.data(), c.size() * sizeof(double)) == 0);
  const auto bits_equal = [](const Matrix& a, const Matrix& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
  };
  CHECK(bits_equal(from_fits.xray_flux, from_csv.xray_flux));
  CHECK(bits_equal(from_fits.xray_error, from_csv.xray_error));
  CHECK(bits_equal(from_fits.mag, from_csv.mag));
  CHECK(bits_equal(from_fits.mag_error, from_csv.mag_error));
  CHECK(bits_equal(from_fits.variability, from_csv.variability));

  // A bad value is located by its FITS row.
  const std::string flux = config.features.xray_bands.at(0).flux_column;
  const int fc = t.column([&] {
    std::string u = flux;
    for (auto& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return u;
  }());
  REQUIRE(fc >= 0);
  t.rows[2][fc] = "-1";
  const std::string bad = (dir / "bad.fits").string();
  csv_to_fits(t, bad);
  const std::string e = error_of([&] { read_catalog(bad, config, Role::Training); });
  CHECK(contains(e, "row 3, column '" + flux + "'"));
  CHECK(contains(e, "must be positive"));
}

namespace {
// What `f` prints on stderr (fd 2 redirected to a file for its duration).
std::string stderr_of(const std::function<void()>& f, const std::string& file) {
  std::fflush(stderr);
  const int saved = dup(2);
  FILE* out = std::fopen(file.c_str(), "w");
  REQUIRE(out);
  dup2(fileno(out), 2);
  f();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::fclose(out);
  return testing::slurp(file);
}
}  // namespace

TEST_CASE("fits table: TUNIT checked in any spelling, a warning on a mismatch") {
  const auto dir = testing::scratch_dir("fits-table-units");
  struct Case {
    const char* unit;
    FitsUnit expected;
    bool warns;
  };
  const Case cases[] = {{"erg/s/cm2", FitsUnit::Flux, false},        {"erg s-1 cm-2", FitsUnit::Flux, false},
                        {"erg/(s cm2)", FitsUnit::Flux, false},      {"erg cm**-2 s**-1", FitsUnit::Flux, false},
                        {"erg.s^-1.cm^-2", FitsUnit::Flux, false},   {"ERG/CM2/S", FitsUnit::Flux, false},
                        {"W/m2", FitsUnit::Flux, true},              {"erg/s", FitsUnit::Flux, true},
                        {"mag", FitsUnit::Magnitude, false},         {"Jy", FitsUnit::Magnitude, true},
                        {"deg", FitsUnit::Degree, false},            {"degree", FitsUnit::Degree, false},
                        {"rad", FitsUnit::Degree, true},             {"", FitsUnit::Flux, false}};
  int k = 0;
  for (const auto& c : cases) {
    CAPTURE(c.unit);
    const std::string path = (dir / ("u" + std::to_string(k++) + ".fits")).string();
    FitsTableHdu hdu;
    FitsColumn col;
    col.name = "X";
    col.unit = c.unit;
    col.is_double = true;
    col.doubles = {1.0};
    hdu.columns = {col};
    write_fits_tables(path, {hdu});
    const std::string err =
        stderr_of([&] { read_fits_table(path, {{"x", c.expected, true}}); }, (dir / "stderr.txt").string());
    CHECK(contains(err, "warning: ") == c.warns);
    if (c.warns) CHECK(contains(err, std::string("column 'X' has TUNIT1 = '") + c.unit + "'"));
    // An unused column is never checked.
    CHECK(stderr_of([&] { read_fits_table(path); }, (dir / "stderr.txt").string()).empty());
  }
}
