#pragma once
// A minimal binary encoding for moving plain data between ranks (same
// architecture on both ends, so values are copied as they are in memory).
//
// A wire type lists its fields once, for both directions:
//   template <class Archive> void wire(Archive& a, WorkItem& x) { a(x.kind); a(x.id); ... }
// ByteWriter and ByteReader are both Archives (a(field) writes or reads it;
// a.since(format, field) marks a field added in a later format, which a
// reader of an older format leaves as it is). encode()/decode() below call it.
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/core/matrix.hpp"

namespace mwclass {

class ByteWriter {
 public:
  template <typename T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    append(&v, sizeof(T));
  }
  void put(const std::string& s) {
    put<std::uint64_t>(s.size());
    append(s.data(), s.size());
  }
  template <typename T>
  void put(const std::vector<T>& v) {
    put<std::uint64_t>(v.size());
    if constexpr (std::is_trivially_copyable_v<T>) {
      append(v.data(), v.size() * sizeof(T));
    } else {
      for (const auto& x : v) put(x);
    }
  }
  void put(const Matrix& m) {
    put<std::int64_t>(m.rows());
    put<std::int64_t>(m.cols());
    append(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double));
  }
  std::vector<char>& bytes() { return bytes_; }

  // The Archive interface of wire().
  template <typename T>
  void operator()(const T& v) { put(v); }
  template <typename T>
  void since(int, const T& v) { put(v); }

 private:
  void append(const void* p, std::size_t n) {
    const std::size_t old = bytes_.size();
    bytes_.resize(old + n);
    if (n) std::memcpy(bytes_.data() + old, p, n);
  }
  std::vector<char> bytes_;
};

class ByteReader {
 public:
  // format: of the data read (fields marked since a later format are skipped).
  explicit ByteReader(const std::vector<char>& bytes, int format = 1 << 30) : bytes_(bytes), format_(format) {}
  template <typename T>
  void get(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    take(&v, sizeof(T));
  }
  void get(std::string& s) {
    std::uint64_t n = 0;
    get(n);
    s.resize(n);
    take(s.data(), n);
  }
  template <typename T>
  void get(std::vector<T>& v) {
    std::uint64_t n = 0;
    get(n);
    v.resize(n);
    if constexpr (std::is_trivially_copyable_v<T>) {
      take(v.data(), n * sizeof(T));
    } else {
      for (auto& x : v) get(x);
    }
  }
  void get(Matrix& m) {
    std::int64_t r = 0, c = 0;
    get(r);
    get(c);
    m.resize(r, c);
    take(m.data(), static_cast<std::size_t>(r * c) * sizeof(double));
  }

  void set_format(int format) { format_ = format; }

  // The Archive interface of wire().
  template <typename T>
  void operator()(T& v) { get(v); }
  template <typename T>
  void since(int format, T& v) {
    if (format_ >= format) get(v);
  }

 private:
  void take(void* dst, std::size_t n) {
    if (pos_ + n > bytes_.size()) fail("internal error: truncated message ({} + {} > {} bytes)", pos_, n, bytes_.size());
    if (n) std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  const std::vector<char>& bytes_;
  std::size_t pos_ = 0;
  int format_;
};

// Encodes / decodes a wire type through its field list (found by ADL).
template <typename T>
void encode_fields(ByteWriter& out, const T& x) {
  wire(out, const_cast<T&>(x));  // the writer only reads the fields
}
template <typename T>
void decode_fields(ByteReader& in, T& x) {
  wire(in, x);
}

}  // namespace mwclass
