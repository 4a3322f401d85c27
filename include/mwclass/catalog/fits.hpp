#pragma once
// FITS files through CFITSIO (src/catalog/fits.cpp is the ONLY CFITSIO user).
// Paths may carry an HDU selector as CFITSIO's extended syntax: "file.fits[2]" (0-based HDU number as CFITSIO)
// or "file.fits[CATALOG]" (EXTNAME); without one, images take the primary HDU and tables the first table HDU.
// Every failure is an mwclass::Error naming the file, the HDU and CFITSIO's own message.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mwclass/catalog/csv.hpp"

namespace mwclass::catalog {

// One image HDU: pixels row-major (y slow, x fast; FITS pixel (1,1) is pixels[0]) as float64,
// every header card as text for wcslib (wcspih), and the keywords by upper-case name
// (string values without quotes and trailing blanks).
struct FitsImage {
  std::string path;
  long nx = 0, ny = 0;
  std::vector<double> pixels;
  std::string header;                           // 80-character cards, concatenated, without END
  int n_cards = 0;
  std::map<std::string, std::string> keywords;
};
FitsImage read_fits_image(const std::string& path);

// A HEALPix map stored as a FITS binary table (the usual all-sky map layout): NSIDE and
// ORDERING ("RING"/"NESTED") from the header, the values of `column` (empty: the first
// numeric column), vector columns (1024 values per row) flattened in order.
struct FitsHealpixMap {
  std::string path, column;
  long nside = 0;
  bool nested = false;
  std::vector<double> values;                   // 12 nside^2, NaN for blank/UNSEEN
  std::map<std::string, std::string> keywords;
};
FitsHealpixMap read_fits_healpix(const std::string& path, const std::string& column = "");

// For tests and tools: write an image (float32, BITPIX -32) with extra cards
// (key -> value in FITS syntax, e.g. {"CTYPE1", "'GLON-ZEA'"}, {"CRPIX1", "2048.5"}),
// and a HEALPix table (one float32 column named `column`, one value per row).
void write_fits_image(const std::string& path, long nx, long ny, const std::vector<float>& pixels,
                      const std::vector<std::pair<std::string, std::string>>& cards);
void write_fits_healpix(const std::string& path, long nside, bool nested, const std::vector<float>& values,
                        const std::string& column = "EBV");

// ---- Tables as catalog input -------------------------------------------------------------

// True when `path` (an optional "[HDU]" suffix removed) names a FITS file: the file starts
// with "SIMPLE  =" or, if it cannot be opened, its name ends in .fits/.fit/.fts/.fits.gz.
bool is_fits_path(const std::string& path);

// The unit a catalog column must have, checked against TUNITn where mwclass knows it.
enum class FitsUnit { None, Flux, Magnitude, Degree };
struct FitsColumnUse {
  std::string name;                  // the configured spelling (matched case-insensitively)
  FitsUnit unit = FitsUnit::None;
  bool number = false;               // a text or logical column is an Error
};

// A binary or ASCII table HDU read into the CSV shape, so every check of the CSV path applies:
// header = column names (a column matching a `used` name case-insensitively takes that
// spelling), one text cell per value: doubles by format_number (bit-identical on reading back),
// integers as integers, logicals "True"/"False", strings trimmed; NaN, TNULL and an undefined
// logical are empty cells. `numbered_rows` is set, so messages say "row N". Vector columns
// (repeat > 1, other than strings) are an Error naming them when used, else left out. A used
// column whose TUNITn disagrees with its FitsUnit gets one warning on stderr.
CsvTable read_fits_table(const std::string& path, const std::vector<FitsColumnUse>& used = {});

// ---- Tables as output ---------------------------------------------------------------------

// One column of a binary table to write. Exactly one of the value vectors is filled
// (its length is the row count); logicals are 1 true, 0 false, -1 undefined.
struct FitsColumn {
  std::string name, unit, display;   // TTYPEn, TUNITn ("" none), TDISPn ("" none)
  std::vector<double> doubles;       // TFORM D, NaN missing
  std::vector<long long> integers;   // TFORM K
  std::optional<long long> tnull;    // TNULLn of an integer column
  std::vector<signed char> logicals; // TFORM L
  std::vector<std::string> strings;  // TFORM nA (n the longest, at least 1)
  bool is_double = false, is_integer = false, is_logical = false, is_string = false;
};
struct FitsTableHdu {
  std::string extname;
  std::vector<FitsColumn> columns;
  // Header keywords with string values, written with the long-string convention when long.
  std::vector<std::pair<std::string, std::string>> keywords;
  // Numeric header keywords (doubles with 17 significant digits). A name longer than 8
  // characters is written with the HIERARCH convention (CFITSIO's, read by astropy).
  std::vector<std::pair<std::string, double>> real_keywords;
  std::vector<std::pair<std::string, long long>> integer_keywords;
};
// Writes an empty primary HDU then one binary table per element, published atomically.
void write_fits_tables(const std::string& path, const std::vector<FitsTableHdu>& tables);

}  // namespace mwclass::catalog
