#pragma once
// The HDF5 plumbing of src/output, without hdf5.h: RAII handles, typed
// reading and writing of datasets and attributes (values.hpp), and every
// failure turned into an mwclass::Error carrying HDF5's own error stack.
// h5.cpp is the only file of mwclass that includes hdf5.h.
#include <cstdint>
#include <string>

#include "mwclass/output/values.hpp"

namespace mwclass::output::h5 {

using Id = std::int64_t;  // hid_t (checked in h5.cpp)

// The automatic error printer is per thread in thread-safe HDF5 builds, so
// every public entry point of src/output silences it for the calling thread.
void silence_errors();

// A file or a group: where datasets, groups and attributes live. Closes its
// HDF5 object when destroyed (on error paths; close() checks).
class Location {
 public:
  Location(Location&& other) noexcept;
  Location(const Location&) = delete;
  Location& operator=(const Location&) = delete;
  Location& operator=(Location&&) = delete;
  ~Location();

  const std::string& path() const { return path_; }  // "/" or "/sources"
  const std::string& what() const { return what_; }  // "file 'x.h5'", "group '/sources'"

  bool has(const std::string& name) const;  // a link (dataset or group) of that name
  bool has_attribute(const std::string& name) const;
  Location create_group(const std::string& name) const;  // without time stamps
  Location open_group(const std::string& name) const;    // an Error if missing
  void remove(const std::string& name) const;
  // A soft link `name` -> the absolute path `target` (an alias of an old name).
  void link(const std::string& name, const std::string& target) const;

  // A new dataset of values.extents() (values.count() must match), with a
  // `units` (if given) and a `description` string attribute. Object times are
  // not recorded, so identical values give identical bytes.
  void write_dataset(const std::string& name, const ConstArray& values, const char* description,
                     const char* units = nullptr) const;
  // A scalar attribute (values of rank 0).
  void write_attribute(const std::string& name, const ConstArray& value) const;
  // The whole dataset or attribute, converted to `element` (numbers by HDF5's
  // conversion; strings of either variable or fixed length). An Error if it
  // is missing or of another kind (numbers vs strings).
  Array read_dataset(const std::string& name, Element element) const;
  Array read_attribute(const std::string& name, Element element) const;

  void close();  // for a file: where the data are flushed

 private:
  friend Location create_file(const std::string&);
  friend Location open_file(const std::string&, bool);
  Location(Id id, bool file, std::string path, std::string what);
  std::string object_what(const std::string& name, const char* kind) const;
  Id id_;
  bool file_;
  std::string path_, what_;
};

// Creates (truncates) a file for writing, without time stamps and without
// file locking (a temporary file private to this process).
Location create_file(const std::string& file_name);
// Opens an existing HDF5 file; an Error if it is missing or not HDF5.
Location open_file(const std::string& file_name, bool writable);

}  // namespace mwclass::output::h5
