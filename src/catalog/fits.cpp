// FITS input and output through CFITSIO; the only file that includes <fitsio.h>.
#include "mwclass/catalog/fits.hpp"

#include <fitsio.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <vector>

#include "mwclass/core/atomic_file.hpp"
#include "mwclass/core/error.hpp"

namespace mwclass::catalog {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// HEALPix's "no data" value (Healpix_cxx Healpix_undef, astropy-healpix UNSEEN).
constexpr double kHealpixUnseen = -1.6375e30;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// The file part of a path with an optional CFITSIO "[HDU]" suffix.
std::string file_part(const std::string& path) {
  if (!path.empty() && path.back() == ']') {
    const auto open = path.rfind('[');
    if (open != std::string::npos) return path.substr(0, open);
  }
  return path;
}

// CFITSIO's status text and its message stack (emptied), for an Error.
std::string cfitsio_message(int status) {
  char text[FLEN_STATUS] = {0};
  fits_get_errstatus(status, text);
  std::string out = fmt::format("CFITSIO status {}: {}", status, text);
  char msg[FLEN_ERRMSG] = {0};
  std::string stack;
  while (fits_read_errmsg(msg)) {
    const std::string m = trim(msg);
    if (!m.empty()) stack += (stack.empty() ? "" : "; ") + m;
  }
  if (!stack.empty()) out += " (" + stack + ")";
  return out;
}

// The FITS magic at byte 0, or gzip's (CFITSIO reads .fits.gz directly).
bool starts_as_fits(const std::string& file, bool or_gzip = true) {
  std::ifstream in(file, std::ios::binary);
  char magic[9] = {0};
  in.read(magic, 9);
  const auto byte = [&](int i) { return static_cast<unsigned char>(magic[i]); };
  if (or_gzip && in.gcount() >= 2 && byte(0) == 0x1f && byte(1) == 0x8b) return true;
  return in.gcount() == 9 && std::memcmp(magic, "SIMPLE  =", 9) == 0;
}

// A gzip-compressed file read to its end through zlib: CFITSIO allocates the size
// that the file's last 4 bytes claim (gzip's ISIZE) before it decompresses, so a
// 4-byte file "\x1f\x8b\x1f\x8b" made it ask for 2.3 GB (found by fuzz_fits).
// Refused, naming the file, if the stream is damaged or truncated, or if ISIZE is
// larger than what it holds (ISIZE is the size mod 2^32 of the last member).
void check_gzip(const std::string& file) {
  std::ifstream raw(file, std::ios::binary | std::ios::ate);
  const auto length = static_cast<long long>(raw.tellg());
  unsigned char trailer[4] = {0, 0, 0, 0};
  if (length >= 18) {  // 10-byte header, 8-byte trailer
    raw.seekg(length - 4);
    raw.read(reinterpret_cast<char*>(trailer), 4);
  }
  const unsigned long long isize = trailer[0] | (trailer[1] << 8) | (trailer[2] << 16) |
                                   (static_cast<unsigned long long>(trailer[3]) << 24);
  gzFile in = gzopen(file.c_str(), "rb");
  if (!in) fail("{}: cannot open as gzip: {}", file, std::strerror(errno));
  std::vector<char> buffer(1 << 16);
  unsigned long long total = 0;
  int got = 0;
  while ((got = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0)
    total += static_cast<unsigned long long>(got);
  int code = Z_OK;
  std::string why = gzerror(in, &code);  // zlib's text starts with the path
  if (why.rfind(file + ": ", 0) == 0) why = why.substr(file.size() + 2);
  gzclose(in);
  if (length < 18 || got < 0 || code != Z_OK)
    fail("{}: a damaged or truncated gzip file ({}; {} bytes, {} decompressed)", file,
         length < 18 ? "shorter than a gzip header and trailer" : why, length, total);
  if (isize > total)
    fail("{}: a damaged gzip file: its trailer claims {} bytes, the stream holds {}", file, isize, total);
}

// Header checks CFITSIO 4.2 needs before it opens a file: an unquoted TTYPEn value
// of 70 characters overflows a buffer inside fits_open_table (ffgtbp; found by
// tests/fuzz/fuzz_fits, aborts the process). Every header of every HDU is read
// (through zlib, which also reads uncompressed files) and refused, naming the HDU,
// card and keyword, if a byte is not printable ASCII (FITS 4.0, Sect. 4.1.1) or a
// column's TTYPEn, TFORMn, TUNITn, TDISPn or TDIMn is not a quoted string (Sect.
// 7.3.2). A header this scan cannot follow (no END, sizes missing) is left to
// CFITSIO, which reports it.
void check_headers(const std::string& file) {
  constexpr long kBlock = 2880, kCard = 80;
  gzFile in = gzopen(file.c_str(), "rb");
  if (!in) return;  // CFITSIO reports why
  struct Closer {
    gzFile f;
    ~Closer() { gzclose(f); }
  } closer{in};
  const auto integer = [](const std::string& value, long long& out) {
    const std::string v = trim(value.substr(0, value.find('/')));
    char* end = nullptr;
    out = std::strtoll(v.c_str(), &end, 10);
    return !v.empty() && end && *end == '\0';
  };
  char card[kCard];
  for (int hdu = 0;; ++hdu) {
    long long bitpix = 0, naxis = -1, pcount = 0, gcount = 1;
    std::vector<long long> axes;  // NAXISn, n = 1, 2, ...
    bool end = false, sizes = true, groups = false;
    long cards = 0;
    while (!end) {
      const int got = gzread(in, card, kCard);
      if (got == 0 && cards == 0) return;  // the end of the file after the last HDU
      if (got != kCard) return;            // a truncated header: CFITSIO reports it
      // Not an extension where one should begin (bytes after the last HDU): not ours to judge.
      if (hdu > 0 && cards == 0 && std::memcmp(card, "XTENSION", 8) != 0) return;
      ++cards;
      for (int k = 0; k < kCard; ++k) {
        const auto b = static_cast<unsigned char>(card[k]);
        if (b < 32 || b > 126)
          fail("{}: HDU {}, header card {}: byte 0x{:02x} at column {} is not printable ASCII (a FITS header "
               "holds only characters 32-126; the file is damaged or not FITS)",
               file, hdu, cards, b, k + 1);
      }
      const std::string keyword = trim(std::string(card, 8));
      if (keyword == "END") {
        end = true;
        break;
      }
      const bool valued = card[8] == '=' && card[9] == ' ';
      const std::string value(card + 10, kCard - 10);
      for (const char* prefix : {"TTYPE", "TFORM", "TUNIT", "TDISP", "TDIM"}) {
        const std::size_t n = std::strlen(prefix);
        // CFITSIO reads these keywords even without the value indicator "= ".
        if (keyword.size() > n && keyword.compare(0, n, prefix) == 0 &&
            std::all_of(keyword.begin() + static_cast<long>(n), keyword.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
            (!valued || trim(value).rfind('\'', 0) != 0))
          fail("{}: HDU {}, header card {} ({}): the value is not a quoted string; FITS requires TTYPEn, TFORMn, "
               "TUNITn, TDISPn and TDIMn to be strings like 'Fs' (the file is damaged or written wrongly)",
               file, hdu, cards, keyword);
      }
      if (!valued) continue;  // commentary card
      // A size this scan cannot read: the header is still checked, but the next HDU is not found.
      long long v = 0;
      if (keyword == "BITPIX") sizes = integer(value, bitpix) && sizes;
      else if (keyword == "NAXIS") sizes = integer(value, naxis) && sizes;
      else if (keyword == "PCOUNT") sizes = integer(value, pcount) && sizes;
      else if (keyword == "GCOUNT") sizes = integer(value, gcount) && sizes;
      else if (keyword == "GROUPS") groups = trim(value).rfind('T', 0) == 0;
      else if (keyword.rfind("NAXIS", 0) == 0 && keyword.size() > 5) {
        sizes = integer(value, v) && v >= 0 && sizes;
        axes.push_back(v);
      }
    }
    // Skip the rest of the header block and the data (FITS 4.0, Eqs. 1-2 and 4):
    // |BITPIX|/8 x GCOUNT x (PCOUNT + NAXIS1 x ... x NAXISm), without NAXIS1 = 0 of random groups.
    constexpr long long kLarge = 1LL << 50;  // 1 PB: beyond it the scan gives up (no overflow below)
    const bool known_bitpix = bitpix == 8 || bitpix == 16 || bitpix == 32 || bitpix == 64 || bitpix == -32 ||
                              bitpix == -64;
    if (!sizes || naxis < 0 || static_cast<long long>(axes.size()) != naxis || !known_bitpix || pcount < 0 ||
        pcount > kLarge || gcount < 0 || gcount > kLarge)
      return;
    long long product = naxis == 0 ? 0 : 1;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      if (k == 0 && groups && axes[0] == 0) continue;
      if (axes[k] != 0 && product > kLarge / axes[k]) return;
      product *= axes[k];
    }
    const double bytes = static_cast<double>(std::llabs(bitpix) / 8) * static_cast<double>(gcount) *
                         (static_cast<double>(pcount) + static_cast<double>(product));
    if (bytes > static_cast<double>(kLarge)) return;
    const long long header = (cards * kCard + kBlock - 1) / kBlock * kBlock;
    const long long data = std::llabs(bitpix) / 8 * gcount * (pcount + product);
    const long long skip = header - cards * kCard + (data + kBlock - 1) / kBlock * kBlock;
    if (gzseek(in, static_cast<z_off_t>(skip), SEEK_CUR) < 0) return;
  }
}

// An open FITS file; every call goes through check(), which names the file and HDU.
class Fits {
 public:
  enum class Mode { ReadImage, ReadTable, Create };

  Fits(const std::string& path, Mode mode) : path_(path) {
    int status = 0;
    if (mode != Mode::Create) {
      const std::string file = file_part(path);
      std::error_code ec;
      if (!std::filesystem::exists(file, ec)) fail("{}: cannot open: no such file", file);
      if (!starts_as_fits(file))
        fail("{}: not a FITS file (it does not begin with 'SIMPLE  =' and is not gzip-compressed)", file);
      if (starts_as_fits(file) && !starts_as_fits(file, false)) check_gzip(file);
      check_headers(file);
    }
    switch (mode) {
      case Mode::ReadImage: fits_open_file(&f_, path.c_str(), READONLY, &status); break;
      case Mode::ReadTable: fits_open_table(&f_, path.c_str(), READONLY, &status); break;
      case Mode::Create: fits_create_file(&f_, path.c_str(), &status); break;
    }
    if (status) {
      // fits_open_table leaves the file open when it finds no table (NOT_TABLE): close it,
      // or every refused image leaks CFITSIO's handle (found by tests/fuzz/fuzz_fits).
      if (f_) {
        int ignored = 0;
        fits_close_file(f_, &ignored);
      }
      f_ = nullptr;
      if (status == NOT_TABLE)
        fail("{}: not a table HDU (an image); name the table HDU, e.g. {}[1]: {}", path, file_part(path),
             cfitsio_message(status));
      fail("{}: cannot {} as FITS: {}", path, mode == Mode::Create ? "create" : "open",
           cfitsio_message(status));
    }
  }
  Fits(const Fits&) = delete;
  Fits& operator=(const Fits&) = delete;
  ~Fits() {
    if (f_) {
      int status = 0;
      fits_close_file(f_, &status);
    }
  }

  fitsfile* get() const { return f_; }
  const std::string& path() const { return path_; }

  // 0-based HDU number as CFITSIO's extended syntax counts.
  int hdu() const {
    int n = 0;
    fits_get_hdu_num(f_, &n);
    return n - 1;
  }
  std::string where() const { return fmt::format("{} (HDU {})", path_, hdu()); }

  void check(int status, const std::string& what) const {
    if (status) fail("{}: {}: {}", where(), what, cfitsio_message(status));
  }

  // Explicit close, so that a failure to flush is reported rather than lost.
  void close() {
    int status = 0;
    fits_close_file(f_, &status);
    f_ = nullptr;
    if (status) fail("{}: cannot close: {}", path_, cfitsio_message(status));
  }

  // A string keyword's value ("" when absent).
  std::string key_string(const std::string& key) const {
    char value[FLEN_VALUE] = {0};
    int status = 0;
    fits_read_key(f_, TSTRING, key.c_str(), value, nullptr, &status);
    if (status == KEY_NO_EXIST || status == VALUE_UNDEFINED) {
      fits_clear_errmsg();
      return "";
    }
    check(status, "reading keyword " + key);
    return trim(value);
  }

  std::map<std::string, std::string> keywords() const {
    int n = 0, status = 0;
    fits_get_hdrspace(f_, &n, nullptr, &status);
    check(status, "reading the header size");
    std::map<std::string, std::string> out;
    for (int i = 1; i <= n; ++i) {
      char name[FLEN_KEYWORD] = {0}, value[FLEN_VALUE] = {0}, comment[FLEN_COMMENT] = {0};
      fits_read_keyn(f_, i, name, value, comment, &status);
      check(status, fmt::format("reading header card {}", i));
      const std::string key = trim(name);
      if (key.empty() || key == "COMMENT" || key == "HISTORY") continue;
      std::string v = trim(value);
      if (v.size() >= 2 && v.front() == '\'') {
        std::string s;
        for (std::size_t k = 1; k + 1 < v.size(); ++k) {
          s += v[k];
          if (v[k] == '\'' && v[k + 1] == '\'') ++k;  // '' is a quote inside a string
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        v = s;
      }
      out[key] = v;
    }
    return out;
  }

 private:
  std::string path_;
  fitsfile* f_ = nullptr;
};

// Creates `path` through a temporary file, published atomically when `fill` succeeds.
void create_fits(const std::string& path, const std::function<void(Fits&)>& fill) {
  publish_atomically(path, [&](const std::string& temporary) {
    Fits f(temporary, Fits::Mode::Create);
    fill(f);
    f.close();
  });
}

void write_card(Fits& f, const std::string& key, const std::string& value) {
  const std::string card = fmt::format("{:<8}= {}", key, value);
  int status = 0;
  fits_update_card(f.get(), key.c_str(), card.c_str(), &status);
  f.check(status, "writing keyword " + key);
}

// A string keyword whose name needs the HIERARCH convention, as cards written by hand:
// CFITSIO 4.2.0's long-string writer sizes the first card as if the name had 8
// characters and silently drops the characters beyond column 80 (seen with a 133-character
// scaling_from path). Long values follow the OGIP long-string convention: '&' ends every
// part but the last, each further part on a CONTINUE card. Returns whether it continued.
bool write_hierarch_string(Fits& f, const std::string& key, const std::string& value) {
  std::string name = key;
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string escaped;  // the value with quotes doubled
  for (char ch : value) {
    // FITS strings are printable ASCII (4.0, Sect. 4.2.1): other bytes (a UTF-8 path) become '?'.
    escaped += static_cast<unsigned char>(ch) < 32 || static_cast<unsigned char>(ch) > 126 ? '?' : ch;
    if (ch == '\'') escaped += ch;
  }
  const std::string first = "HIERARCH " + name + " = '";
  if (first.size() + 3 > 80) fail("{}: keyword name {} is too long for a FITS card", f.where(), key);
  auto take = [&](std::size_t& at, std::size_t room) {
    std::size_t n = std::min(room, escaped.size() - at);
    // Never end a part between the two quotes of a doubled quote.
    std::size_t quotes = 0;
    for (std::size_t k = at; k < at + n; ++k) quotes += escaped[k] == '\'';
    if (n < escaped.size() - at && quotes % 2 == 1 && escaped[at + n - 1] == '\'') --n;
    const std::string part = escaped.substr(at, n);
    at += n;
    return part;
  };
  std::size_t at = 0;
  const bool fits_one = first.size() + escaped.size() + 1 <= 80;
  std::vector<std::string> cards;
  if (fits_one) {
    cards.push_back(first + escaped + "'");
  } else {
    cards.push_back(first + take(at, 80 - first.size() - 2) + "&'");
    while (at < escaped.size()) {
      const bool last = escaped.size() - at <= 68;
      cards.push_back("CONTINUE  '" + take(at, last ? 68 : 67) + (at < escaped.size() ? "&'" : "'"));
    }
  }
  int status = 0;
  for (const auto& c : cards) {
    fits_write_record(f.get(), c.c_str(), &status);
    f.check(status, "writing keyword " + key);
  }
  return cards.size() > 1;
}

// ---- units ----------------------------------------------------------------------------

// A unit string as powers of its base words: "erg/(s cm2)" -> {erg 1, s -1, cm -2}.
// Separators: space . * (multiply), / (divide the next factor or group), exponents
// written 2, ^2, **2 or -1. Returns false on anything else.
class UnitParser {
 public:
  explicit UnitParser(const std::string& s) : s_(lower(s)) {}
  bool parse(std::map<std::string, int>& powers) {
    if (!group(powers, 1)) return false;
    skip();
    return i_ == s_.size();
  }

 private:
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '.' || s_[i_] == '*')) {
      if (s_[i_] == '*' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') return;
      ++i_;
    }
  }
  bool group(std::map<std::string, int>& p, int sign) {
    bool divide = false, any = false;
    for (;;) {
      skip();
      if (i_ >= s_.size() || s_[i_] == ')') return any;
      if (s_[i_] == '/') {
        ++i_;
        divide = true;
        continue;
      }
      const int sg = divide ? -sign : sign;
      divide = false;
      if (s_[i_] == '(') {
        ++i_;
        if (!group(p, sg) || i_ >= s_.size() || s_[i_] != ')') return false;
        ++i_;
      } else {
        std::string word;
        while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) word += s_[i_++];
        if (word.empty()) return false;
        if (s_.compare(i_, 2, "**") == 0) i_ += 2;
        else if (i_ < s_.size() && s_[i_] == '^') ++i_;
        int power = 1;
        if (i_ < s_.size() && (s_[i_] == '-' || s_[i_] == '+' || std::isdigit(static_cast<unsigned char>(s_[i_])))) {
          const std::size_t b = i_;
          ++i_;
          while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
          power = std::atoi(s_.substr(b, i_ - b).c_str());
        }
        p[word] += sg * power;
      }
      any = true;
    }
  }
  std::string s_;
  std::size_t i_ = 0;
};

bool unit_matches(const std::string& tunit, FitsUnit unit) {
  std::map<std::string, int> p;
  if (!UnitParser(tunit).parse(p)) return false;
  for (auto it = p.begin(); it != p.end();) it = it->second == 0 ? p.erase(it) : std::next(it);
  auto only = [&](const char* word) { return p.size() == 1 && p.count(word) && p.at(word) == 1; };
  switch (unit) {
    case FitsUnit::None: return true;
    case FitsUnit::Flux:
      return p == std::map<std::string, int>{{"cm", -2}, {"erg", 1}, {"s", -1}};
    case FitsUnit::Magnitude: return only("mag");
    case FitsUnit::Degree: return only("deg") || only("degree") || only("degrees");
  }
  return false;
}

const char* unit_name(FitsUnit unit) {
  switch (unit) {
    case FitsUnit::Flux: return "erg s-1 cm-2";
    case FitsUnit::Magnitude: return "mag";
    case FitsUnit::Degree: return "deg";
    case FitsUnit::None: break;
  }
  return "";
}


}  // namespace

// ---- images and HEALPix maps -----------------------------------------------------------

FitsImage read_fits_image(const std::string& path) {
  Fits f(path, Fits::Mode::ReadImage);
  int status = 0, type = 0;
  fits_get_hdu_type(f.get(), &type, &status);
  f.check(status, "reading the HDU type");
  if (type != IMAGE_HDU) fail("{}: not an image HDU (it is a table)", f.where());
  int naxis = 0;
  long naxes[2] = {0, 0};
  fits_get_img_dim(f.get(), &naxis, &status);
  f.check(status, "reading NAXIS");
  if (naxis != 2) fail("{}: the image has NAXIS = {}, a 2-d image is needed", f.where(), naxis);
  fits_get_img_size(f.get(), 2, naxes, &status);
  f.check(status, "reading NAXIS1/NAXIS2");

  FitsImage img;
  img.path = path;
  img.nx = naxes[0];
  img.ny = naxes[1];
  img.pixels.assign(static_cast<std::size_t>(img.nx * img.ny), 0.0);
  double null_value = kNaN;
  int any_null = 0;
  if (!img.pixels.empty()) {
    fits_read_img(f.get(), TDOUBLE, 1, static_cast<LONGLONG>(img.pixels.size()), &null_value,
                  img.pixels.data(), &any_null, &status);
    f.check(status, "reading the pixels");
  }

  char* header = nullptr;
  int n = 0;
  fits_hdr2str(f.get(), 0, nullptr, 0, &header, &n, &status);
  f.check(status, "reading the header");
  img.header.assign(header);
  fits_free_memory(header, &status);
  f.check(status, "freeing the header text");
  if (img.header.size() >= 80 && img.header.compare(img.header.size() - 80, 3, "END") == 0)
    img.header.resize(img.header.size() - 80);
  img.n_cards = static_cast<int>(img.header.size() / 80);
  img.keywords = f.keywords();
  return img;
}

FitsHealpixMap read_fits_healpix(const std::string& path, const std::string& column) {
  Fits f(path, Fits::Mode::ReadTable);
  int status = 0, type = 0;
  fits_get_hdu_type(f.get(), &type, &status);
  f.check(status, "reading the HDU type");
  if (type != BINARY_TBL) fail("{}: a HEALPix map must be a binary table HDU", f.where());

  FitsHealpixMap map;
  map.path = path;
  map.keywords = f.keywords();
  const std::string nside = f.key_string("NSIDE");
  if (nside.empty()) fail("{}: no NSIDE keyword (a HEALPix map needs NSIDE and ORDERING)", f.where());
  map.nside = std::atol(nside.c_str());
  if (map.nside <= 0 || (map.nside & (map.nside - 1)) != 0)
    fail("{}: NSIDE = {} is not a positive power of 2", f.where(), nside);
  const std::string ordering = f.key_string("ORDERING");
  if (ordering == "NESTED") map.nested = true;
  else if (ordering != "RING")
    fail("{}: ORDERING = '{}' (expected 'RING' or 'NESTED')", f.where(), ordering);

  int ncols = 0;
  LONGLONG nrows = 0;
  fits_get_num_cols(f.get(), &ncols, &status);
  fits_get_num_rowsll(f.get(), &nrows, &status);
  f.check(status, "reading the table size");
  int col = 0;
  LONGLONG repeat = 0, width = 0;
  for (int c = 1; c <= ncols; ++c) {
    int code = 0;
    fits_get_eqcoltypell(f.get(), c, &code, &repeat, &width, &status);
    f.check(status, fmt::format("reading the type of column {}", c));
    const std::string name = f.key_string(fmt::format("TTYPE{}", c));
    const bool numeric = code != TSTRING && code != TLOGICAL && code != TBIT && code > 0;
    if (column.empty() ? numeric : lower(name) == lower(column)) {
      if (!numeric) fail("{}: column '{}' is not numeric", f.where(), name);
      col = c;
      map.column = name;
      break;
    }
  }
  if (col == 0)
    fail("{}: {}", f.where(), column.empty() ? std::string("no numeric column")
                                              : fmt::format("no column '{}'", column));
  const LONGLONG expected = 12LL * map.nside * map.nside;
  if (nrows * repeat != expected)
    fail("{}: column '{}' holds {} values ({} rows x {}), NSIDE = {} needs {}", f.where(), map.column,
         nrows * repeat, nrows, repeat, map.nside, expected);
  map.values.assign(static_cast<std::size_t>(expected), 0.0);
  double null_value = kNaN;
  int any_null = 0;
  fits_read_col(f.get(), TDOUBLE, col, 1, 1, expected, &null_value, map.values.data(), &any_null, &status);
  f.check(status, "reading column '" + map.column + "'");
  for (auto& v : map.values)
    if (std::fabs(v - kHealpixUnseen) <= 1e-5 * std::fabs(kHealpixUnseen)) v = kNaN;
  return map;
}

void write_fits_image(const std::string& path, long nx, long ny, const std::vector<float>& pixels,
                      const std::vector<std::pair<std::string, std::string>>& cards) {
  if (static_cast<long>(pixels.size()) != nx * ny)
    fail("{}: {} pixels given for a {} x {} image", path, pixels.size(), nx, ny);
  create_fits(path, [&](Fits& f) {
    int status = 0;
    long naxes[2] = {nx, ny};
    fits_create_img(f.get(), FLOAT_IMG, 2, naxes, &status);
    f.check(status, "creating the image");
    for (const auto& [key, value] : cards) write_card(f, key, value);
    if (!pixels.empty()) {
      fits_write_img(f.get(), TFLOAT, 1, static_cast<LONGLONG>(pixels.size()),
                     const_cast<float*>(pixels.data()), &status);
      f.check(status, "writing the pixels");
    }
  });
}

void write_fits_healpix(const std::string& path, long nside, bool nested, const std::vector<float>& values,
                        const std::string& column) {
  if (static_cast<long long>(values.size()) != 12LL * nside * nside)
    fail("{}: {} values given for NSIDE {} (12 NSIDE^2 = {})", path, values.size(), nside,
         12LL * nside * nside);
  create_fits(path, [&](Fits& f) {
    int status = 0;
    char* ttype[] = {const_cast<char*>(column.c_str())};
    char* tform[] = {const_cast<char*>("E")};
    fits_create_tbl(f.get(), BINARY_TBL, static_cast<LONGLONG>(values.size()), 1, ttype, tform, nullptr,
                    "xtension", &status);
    f.check(status, "creating the table");
    write_card(f, "PIXTYPE", "'HEALPIX '");
    write_card(f, "ORDERING", nested ? "'NESTED  '" : "'RING    '");
    write_card(f, "NSIDE", std::to_string(nside));
    write_card(f, "INDXSCHM", "'IMPLICIT'");
    write_card(f, "FIRSTPIX", "0");
    write_card(f, "LASTPIX", std::to_string(12LL * nside * nside - 1));
    fits_write_col(f.get(), TFLOAT, 1, 1, 1, static_cast<LONGLONG>(values.size()),
                   const_cast<float*>(values.data()), &status);
    f.check(status, "writing column '" + column + "'");
  });
}

}  // namespace mwclass::catalog

namespace mwclass::catalog {

bool is_fits_path(const std::string& path) {
  const std::string file = file_part(path);
  if (starts_as_fits(file, false)) return true;
  const std::string l = lower(file);
  for (const char* ext : {".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz"}) {
    const std::size_t n = std::strlen(ext);
    if (l.size() >= n && l.compare(l.size() - n, n, ext) == 0) return true;
  }
  return false;
}


// ---- tables ------------------------------------------------------------------------------

namespace {

bool is_integer_code(int code) {
  switch (code) {
    case TBYTE: case TSBYTE: case TSHORT: case TUSHORT: case TINT: case TUINT: case TLONG:
    case TULONG: case TLONGLONG: case TULONGLONG: return true;
    default: return false;
  }
}

struct TableColumn {
  int index = 0;       // 1-based FITS column number
  std::string name;    // the header name in the CsvTable
  int code = 0;
};

const FitsColumnUse* find_use(const std::vector<FitsColumnUse>& used, const std::string& name) {
  for (const auto& u : used)
    if (u.name == name) return &u;
  for (const auto& u : used)
    if (lower(u.name) == lower(name)) return &u;
  return nullptr;
}

// The cells of one column, `rows` long.
std::vector<std::string> read_cells(const Fits& f, const TableColumn& c, LONGLONG rows, LONGLONG width) {
  std::vector<std::string> cells(static_cast<std::size_t>(rows));
  if (rows == 0) return cells;
  int status = 0, any_null = 0;
  const std::string what = fmt::format("reading column '{}'", c.name);
  const auto n = static_cast<std::size_t>(rows);
  if (c.code == TSTRING) {
    const std::size_t w = static_cast<std::size_t>(std::max<LONGLONG>(width, 1)) + 1;
    std::vector<char> buffer(n * w, '\0');
    std::vector<char*> pointers(n);
    for (std::size_t i = 0; i < n; ++i) pointers[i] = buffer.data() + i * w;
    char empty[] = "";
    fits_read_col(f.get(), TSTRING, c.index, 1, 1, rows, empty, pointers.data(), &any_null, &status);
    f.check(status, what);
    for (std::size_t i = 0; i < n; ++i) cells[i] = trim(pointers[i]);
  } else if (c.code == TLOGICAL) {
    std::vector<char> values(n), nulls(n);
    fits_read_colnull(f.get(), TLOGICAL, c.index, 1, 1, rows, values.data(), nulls.data(), &any_null, &status);
    f.check(status, what);
    for (std::size_t i = 0; i < n; ++i) cells[i] = nulls[i] ? "" : values[i] ? "True" : "False";
  } else if (c.code == TULONGLONG) {
    std::vector<unsigned long long> values(n);
    std::vector<char> nulls(n);
    fits_read_colnull(f.get(), TULONGLONG, c.index, 1, 1, rows, values.data(), nulls.data(), &any_null, &status);
    f.check(status, what);
    for (std::size_t i = 0; i < n; ++i) cells[i] = nulls[i] ? "" : std::to_string(values[i]);
  } else if (is_integer_code(c.code)) {
    std::vector<long long> values(n);
    std::vector<char> nulls(n);
    fits_read_colnull(f.get(), TLONGLONG, c.index, 1, 1, rows, values.data(), nulls.data(), &any_null, &status);
    f.check(status, what);
    for (std::size_t i = 0; i < n; ++i) cells[i] = nulls[i] ? "" : std::to_string(values[i]);
  } else {
    std::vector<double> values(n);
    std::vector<char> nulls(n);
    fits_read_colnull(f.get(), TDOUBLE, c.index, 1, 1, rows, values.data(), nulls.data(), &any_null, &status);
    f.check(status, what);
    for (std::size_t i = 0; i < n; ++i) cells[i] = nulls[i] ? "" : format_number(values[i]);
    if (any_null) {
      // CFITSIO flags IEEE infinities as undefined like NaN; read without the
      // null check (nulval 0) so that an infinity is refused, not taken as missing.
      double no_check = 0;
      fits_read_col(f.get(), TDOUBLE, c.index, 1, 1, rows, &no_check, values.data(), &any_null, &status);
      f.check(status, what);
      for (std::size_t i = 0; i < n; ++i)
        if (nulls[i] && std::isinf(values[i])) cells[i] = values[i] > 0 ? "inf" : "-inf";
    }
  }
  return cells;
}

}  // namespace

CsvTable read_fits_table(const std::string& path, const std::vector<FitsColumnUse>& used) {
  Fits f(path, Fits::Mode::ReadTable);
  int status = 0, type = 0;
  fits_get_hdu_type(f.get(), &type, &status);
  f.check(status, "reading the HDU type");
  if (type != BINARY_TBL && type != ASCII_TBL)
    fail("{}: not a table HDU (it is an image); name the table HDU, e.g. {}[1]", f.where(), file_part(path));
  int ncols = 0;
  LONGLONG nrows = 0;
  fits_get_num_cols(f.get(), &ncols, &status);
  fits_get_num_rowsll(f.get(), &nrows, &status);
  f.check(status, "reading the table size");

  CsvTable t;
  t.path = path;
  t.numbered_rows = true;
  std::vector<TableColumn> columns;
  std::vector<LONGLONG> widths;
  for (int c = 1; c <= ncols; ++c) {
    TableColumn col;
    col.index = c;
    LONGLONG repeat = 0, width = 0;
    fits_get_eqcoltypell(f.get(), c, &col.code, &repeat, &width, &status);
    f.check(status, fmt::format("reading the type of column {}", c));
    const std::string name = f.key_string(fmt::format("TTYPE{}", c));
    const std::string tform = f.key_string(fmt::format("TFORM{}", c));
    col.name = name.empty() ? fmt::format("col{}", c) : name;
    const FitsColumnUse* use = find_use(used, col.name);
    if (use) col.name = use->name;
    const bool is_string = col.code == TSTRING;
    const bool supported = col.code > 0 && col.code != TBIT && col.code != TCOMPLEX && col.code != TDBLCOMPLEX;
    const bool scalar = supported && (is_string ? (type == ASCII_TBL || repeat <= width) : repeat == 1);
    if (!scalar) {
      if (!use) continue;  // not used by this catalog: ignored
      if (!supported)
        fail("{}: column '{}' has a type mwclass cannot read (TFORM{} = '{}'); one number or string "
             "per row is needed", f.where(), name, c, tform);
      fail("{}: column '{}' is a vector column ({} values per row, TFORM{} = '{}'); mwclass needs one "
           "value per row in the columns it uses", f.where(), name,
           is_string ? repeat / std::max<LONGLONG>(width, 1) : repeat, c, tform);
    }
    if (use && use->number && (is_string || col.code == TLOGICAL))
      fail("{}: column '{}' holds {} (TFORM{} = '{}'), a number is needed", f.where(), name,
           is_string ? "text" : "logicals", c, tform);
    const std::string tunit = f.key_string(fmt::format("TUNIT{}", c));
    if (use && use->unit != FitsUnit::None && !tunit.empty() && !unit_matches(tunit, use->unit))
      std::fprintf(stderr,
                   "warning: %s: column '%s' has TUNIT%d = '%s', mwclass expects %s "
                   "(the values are used as they are)\n",
                   f.where().c_str(), name.c_str(), c, tunit.c_str(), unit_name(use->unit));
    columns.push_back(col);
    widths.push_back(width);
  }

  t.header.reserve(columns.size());
  for (const auto& c : columns) t.header.push_back(c.name);
  const auto n = static_cast<std::size_t>(nrows);
  t.rows.assign(n, std::vector<std::string>(columns.size()));
  t.line_numbers.resize(n);
  for (std::size_t i = 0; i < n; ++i) t.line_numbers[i] = i + 1;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    std::vector<std::string> cells = read_cells(f, columns[k], nrows, widths[k]);
    for (std::size_t i = 0; i < n; ++i) t.rows[i][k] = std::move(cells[i]);
  }
  return t;
}

void write_fits_tables(const std::string& path, const std::vector<FitsTableHdu>& tables) {
  create_fits(path, [&](Fits& f) {
    int status = 0;
    fits_create_img(f.get(), BYTE_IMG, 0, nullptr, &status);
    f.check(status, "creating the primary HDU");
    for (const auto& table : tables) {
      const auto& cols = table.columns;
      std::vector<std::string> forms;
      LONGLONG rows = -1;
      for (const auto& c : cols) {
        const int kinds = c.is_double + c.is_integer + c.is_logical + c.is_string;
        if (kinds != 1) fail("{}: column '{}' must be exactly one of double, integer, logical, string", path, c.name);
        const std::size_t n = c.is_double ? c.doubles.size() : c.is_integer ? c.integers.size()
                              : c.is_logical ? c.logicals.size() : c.strings.size();
        if (rows >= 0 && static_cast<LONGLONG>(n) != rows)
          fail("{}: column '{}' has {} rows, the table {}", path, c.name, n, rows);
        rows = static_cast<LONGLONG>(n);
        std::size_t width = 1;
        for (const auto& s : c.strings) width = std::max(width, s.size());
        forms.push_back(c.is_double ? "D" : c.is_integer ? "K" : c.is_logical ? "L" : fmt::format("{}A", width));
      }
      std::vector<char*> ttype, tform, tunit;
      for (std::size_t k = 0; k < cols.size(); ++k) {
        ttype.push_back(const_cast<char*>(cols[k].name.c_str()));
        tform.push_back(const_cast<char*>(forms[k].c_str()));
        tunit.push_back(const_cast<char*>(cols[k].unit.c_str()));
      }
      fits_create_tbl(f.get(), BINARY_TBL, 0, static_cast<int>(cols.size()), ttype.data(), tform.data(),
                      tunit.data(), table.extname.c_str(), &status);
      f.check(status, "creating table " + table.extname);
      bool long_strings = false;
      for (const auto& [key, value] : table.keywords) {
        if (key.size() > 8) {
          long_strings = write_hierarch_string(f, key, value) || long_strings;
          continue;
        }
        fits_write_key_longstr(f.get(), key.c_str(), value.c_str(), nullptr, &status);
        f.check(status, "writing keyword " + key);
        long_strings = long_strings || value.size() > 68;
      }
      if (long_strings) {
        fits_write_key_longwarn(f.get(), &status);
        f.check(status, "writing the LONGSTRN keyword");
      }
      for (const auto& [key, value] : table.real_keywords) {
        if (std::isfinite(value))
          fits_write_key_dbl(f.get(), key.c_str(), value, -17, nullptr, &status);  // -17: G format, 17 digits
        else
          fits_write_key_null(f.get(), key.c_str(), nullptr, &status);  // FITS has no NaN keyword value
        f.check(status, "writing keyword " + key);
      }
      for (const auto& [key, value] : table.integer_keywords) {
        fits_write_key_lng(f.get(), key.c_str(), static_cast<LONGLONG>(value), nullptr, &status);
        f.check(status, "writing keyword " + key);
      }
      for (std::size_t k = 0; k < cols.size(); ++k) {
        const auto& c = cols[k];
        const int col = static_cast<int>(k) + 1;
        const std::string what = fmt::format("writing column '{}'", c.name);
        if (!c.display.empty()) {
          fits_write_key(f.get(), TSTRING, fmt::format("TDISP{}", col).c_str(), const_cast<char*>(c.display.c_str()),
                         nullptr, &status);
          f.check(status, what);
        }
        if (c.is_integer && c.tnull) {
          LONGLONG tnull = *c.tnull;
          fits_write_key(f.get(), TLONGLONG, fmt::format("TNULL{}", col).c_str(), &tnull, nullptr, &status);
          f.check(status, what);
        }
      }
      // The new keywords change the table's structure: reread it before writing data.
      fits_set_hdustruc(f.get(), &status);
      f.check(status, "updating table " + table.extname);
      if (rows <= 0) continue;
      for (std::size_t k = 0; k < cols.size(); ++k) {
        const auto& c = cols[k];
        const int col = static_cast<int>(k) + 1;
        const std::string what = fmt::format("writing column '{}'", c.name);
        if (c.is_double) {
          fits_write_col(f.get(), TDOUBLE, col, 1, 1, rows, const_cast<double*>(c.doubles.data()), &status);
        } else if (c.is_integer) {
          fits_write_col(f.get(), TLONGLONG, col, 1, 1, rows, const_cast<long long*>(c.integers.data()), &status);
        } else if (c.is_logical) {
          std::vector<char> v(c.logicals.begin(), c.logicals.end());
          for (auto& x : v) x = x > 0 ? 1 : 0;
          fits_write_col(f.get(), TLOGICAL, col, 1, 1, rows, v.data(), &status);
          for (LONGLONG i = 0; i < rows && !status; ++i)
            if (c.logicals[static_cast<std::size_t>(i)] < 0) fits_write_col_null(f.get(), col, i + 1, 1, 1, &status);
        } else {
          std::vector<char*> p;
          for (const auto& s : c.strings) p.push_back(const_cast<char*>(s.c_str()));
          fits_write_col(f.get(), TSTRING, col, 1, 1, rows, p.data(), &status);
        }
        f.check(status, what);
      }
    }
  });
}

}  // namespace mwclass::catalog
