#pragma once
// FITS bytes written by hand for the FITS tests (FITS standard 4.0: 80-character cards,
// 2880-byte blocks, big-endian data), independent of CFITSIO.
#include <cstring>
#include <string>

namespace mwclass::testing {

inline std::string card(const std::string& key, const std::string& value) {
  std::string c = key;
  c.resize(8, ' ');
  if (!value.empty()) c += "= " + value;
  c.resize(80, ' ');
  return c;
}
inline void pad(std::string& s, char fill) { s.resize((s.size() + 2879) / 2880 * 2880, fill); }
template <typename T>
void put_be(std::string& s, T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  for (std::size_t i = sizeof(T); i-- > 0;) s += static_cast<char>(b[i]);
}

}  // namespace mwclass::testing
