// The only translation unit of mwclass that includes hdf5.h. Every HDF5 call
// goes through check(), which turns a failure into an mwclass::Error carrying
// HDF5's error stack; every hid_t lives in a Handle (or a Location) that
// closes it.
#include "h5.hpp"

#include <hdf5.h>

#include <cstring>
#include <filesystem>
#include <system_error>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "mwclass/core/error.hpp"

namespace mwclass::output::h5 {

static_assert(std::is_same_v<hid_t, Id>, "h5::Id must be hid_t");

namespace {

// HDF5 closes what is still open when the process exits. After a write that
// failed (a full disk) a file can stay open that HDF5 1.10 cannot close, and
// that attempt crashes at exit (seen in H5F__close_cb); every file mwclass
// keeps is closed explicitly, and an abandoned temporary file is deleted, so
// the exit-time clean-up is skipped. Must run before the first HDF5 call.
[[maybe_unused]] const herr_t kNoCloseAtExit = H5dont_atexit();

// ---------------------------------------------------------------- errors

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* entry, void* data) {
  auto& out = *static_cast<std::string*>(data);
  std::string desc = entry->desc ? entry->desc : "";
  for (char& ch : desc)
    if (ch == '\n' || ch == '\r') ch = ' ';
  while (!desc.empty() && desc.back() == ' ') desc.pop_back();
  if (desc.empty()) {
    char minor[256] = {0};
    if (H5Eget_msg(entry->min_num, nullptr, minor, sizeof minor) > 0) desc = minor;
  }
  if (!out.empty()) out += "; ";
  out += fmt::format("{}: {}", entry->func_name ? entry->func_name : "?", desc);
  return 0;
}

// The current thread's HDF5 error stack as one line (outermost call first), then cleared.
std::string hdf5_error_stack() {
  std::string message;
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &message) < 0 || message.empty())
    message = "no HDF5 error message";
  H5Eclear2(H5E_DEFAULT);
  return message;
}

// The operating system's reason in an HDF5 error stack ("No space left on
// device"), which the file drivers bury in a long entry; empty if none.
std::string os_reason(const std::string& stack) {
  const std::string key = "error message = '";
  const std::size_t from = stack.find(key);
  if (from == std::string::npos) return "";
  const std::size_t to = stack.find('\'', from + key.size());
  return to == std::string::npos ? "" : stack.substr(from + key.size(), to - from - key.size());
}

// Every HDF5 call's return value goes through here: negative means failure.
template <typename T>
T check(T ret, const char* operation, const std::string& object) {
  if (ret >= 0) return ret;
  const std::string stack = hdf5_error_stack();
  const std::string reason = os_reason(stack);
  if (!reason.empty()) fail("{} {} failed: {} (HDF5: {})", operation, object, reason, stack);
  fail("{} {} failed: {}", operation, object, stack);
}

// ---------------------------------------------------------------- handles

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  ~Handle() {
    if (id_ >= 0) closer_(id_);  // error path only: the error is already being reported
  }
  operator hid_t() const { return id_; }  // NOLINT: used like the hid_t it wraps
  void close(const std::string& object) {
    const hid_t id = id_;
    id_ = -1;
    check(closer_(id), "closing", object);
  }

 private:
  hid_t id_;
  Closer closer_;
};

Handle property_list(hid_t cls, const char* what) {
  return Handle(check(H5Pcreate(cls), "creating", what), H5Pclose);
}

// Variable-length UTF-8 string (same in memory and in the file).
Handle string_type() {
  Handle type(check(H5Tcopy(H5T_C_S1), "copying", "the string type"), H5Tclose);
  check(H5Tset_size(type, H5T_VARIABLE), "sizing", "the string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "setting the character set of", "the string type");
  return type;
}

Handle dataspace(const Extents& extents, const std::string& object) {
  if (extents.empty()) return Handle(check(H5Screate(H5S_SCALAR), "creating the dataspace of", object), H5Sclose);
  const std::vector<hsize_t> dims(extents.begin(), extents.end());
  return Handle(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                      "creating the dataspace of", object),
                H5Sclose);
}

// File (little-endian, fixed) and memory (native) types of a numeric element.
hid_t file_type(Element e) {
  switch (e) {
    case Element::f64: return H5T_IEEE_F64LE;
    case Element::i32: return H5T_STD_I32LE;
    case Element::u8: return H5T_STD_U8LE;
    case Element::u64: return H5T_STD_U64LE;
    case Element::string: break;
  }
  fail("internal error: no numeric HDF5 type for {}", element_name(e));
}
hid_t memory_type(Element e) {
  switch (e) {
    case Element::f64: return H5T_NATIVE_DOUBLE;
    case Element::i32: return H5T_NATIVE_INT;
    case Element::u8: return H5T_NATIVE_UINT8;
    case Element::u64: return H5T_NATIVE_UINT64;
    case Element::string: break;
  }
  fail("internal error: no numeric HDF5 type for {}", element_name(e));
}

// The C strings of a string array (HDF5 writes char* for variable-length strings).
std::vector<const char*> c_strings(const ConstArray& values, const std::string& what) {
  const std::string* s = values.as<std::string>();
  std::vector<const char*> pointers(values.count());
  for (std::size_t i = 0; i < values.count(); ++i) {
    if (s[i].find('\0') != std::string::npos) {
      if (values.extents().empty()) fail("{} contains a NUL byte", what);
      fail("entry {} of {} contains a NUL byte", i, what);
    }
    pointers[i] = s[i].c_str();
  }
  return pointers;
}

void check_count(const ConstArray& values, const std::string& what) {
  if (values.count() != element_count(values.extents()))
    fail("inconsistent result: {} has {} values for shape {}", what, values.count(), shape_string(values.extents()));
}

// ---------------------------------------------------------------- reading

// A dataset or an attribute being read.
struct Item {
  Handle handle;
  bool attribute;
  std::string what;
};

Handle type_of(const Item& item) {
  return Handle(check(item.attribute ? H5Aget_type(item.handle) : H5Dget_type(item.handle), "getting the type of",
                      item.what),
                H5Tclose);
}

Handle space_of(const Item& item) {
  return Handle(check(item.attribute ? H5Aget_space(item.handle) : H5Dget_space(item.handle),
                      "getting the dataspace of", item.what),
                H5Sclose);
}

void read_raw(const Item& item, hid_t type, void* buffer) {
  check(item.attribute ? H5Aread(item.handle, type, buffer)
                       : H5Dread(item.handle, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer),
        "reading", item.what);
}

Extents extents_of(const Item& item) {
  Handle space = space_of(item);
  const int rank = check(H5Sget_simple_extent_ndims(space), "getting the rank of", item.what);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "getting the shape of", item.what);
  return Extents(dims.begin(), dims.end());
}

template <typename T>
std::vector<T> read_numbers(const Item& item, std::size_t count) {
  Handle type = type_of(item);
  const H5T_class_t cls = check(H5Tget_class(type), "getting the type class of", item.what);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail("{} is not numeric", item.what);
  std::vector<T> values(count);
  if (count > 0) read_raw(item, memory_type(element_of<T>()), values.data());
  return values;
}

// Variable-length strings (as written) or fixed-length ones (as other tools may write).
std::vector<std::string> read_strings(const Item& item, std::size_t count) {
  Handle type = type_of(item);
  if (check(H5Tget_class(type), "getting the type class of", item.what) != H5T_STRING)
    fail("{} does not hold strings", item.what);
  std::vector<std::string> out(count);
  if (count == 0) return out;
  const H5T_cset_t cset = check(H5Tget_cset(type), "getting the character set of", item.what);
  Handle memory(check(H5Tcopy(H5T_C_S1), "copying", "the string type"), H5Tclose);
  check(H5Tset_cset(memory, cset), "setting the character set of", "the string type");
  if (check(H5Tis_variable_str(type), "inspecting the type of", item.what) > 0) {
    check(H5Tset_size(memory, H5T_VARIABLE), "sizing", "the string type");
    std::vector<char*> pointers(count, nullptr);
    read_raw(item, memory, pointers.data());
    for (std::size_t i = 0; i < count; ++i)
      if (pointers[i]) out[i] = pointers[i];
    Handle space = space_of(item);
#if H5_VERSION_GE(1, 12, 0)
    check(H5Treclaim(memory, space, H5P_DEFAULT, pointers.data()), "freeing", item.what);
#else
    check(H5Dvlen_reclaim(memory, space, H5P_DEFAULT, pointers.data()), "freeing", item.what);
#endif
  } else {
    const std::size_t size = H5Tget_size(type);
    if (size == 0) fail("cannot get the string size of {}: {}", item.what, hdf5_error_stack());
    check(H5Tset_size(memory, size), "sizing", "the string type");
    check(H5Tset_strpad(memory, H5T_STR_NULLPAD), "setting the padding of", "the string type");
    std::vector<char> buffer(size * count);
    read_raw(item, memory, buffer.data());
    for (std::size_t i = 0; i < count; ++i) {
      const char* s = buffer.data() + i * size;
      out[i].assign(s, strnlen(s, size));
    }
  }
  return out;
}

Array read_item(const Item& item, Element element) {
  Array a;
  a.extents = extents_of(item);
  const std::size_t count = element_count(a.extents);
  switch (element) {
    case Element::f64: a.values = read_numbers<double>(item, count); break;
    case Element::i32: a.values = read_numbers<int>(item, count); break;
    case Element::u8: a.values = read_numbers<std::uint8_t>(item, count); break;
    case Element::u64: a.values = read_numbers<std::uint64_t>(item, count); break;
    case Element::string: a.values = read_strings(item, count); break;
  }
  return a;
}

}  // namespace

// ---------------------------------------------------------------- public

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Location::Location(Id id, bool file, std::string path, std::string what)
    : id_(id), file_(file), path_(std::move(path)), what_(std::move(what)) {}

Location::Location(Location&& other) noexcept
    : id_(other.id_), file_(other.file_), path_(std::move(other.path_)), what_(std::move(other.what_)) {
  other.id_ = -1;
}

Location::~Location() {
  if (id_ >= 0) file_ ? H5Fclose(id_) : H5Gclose(id_);  // error path only
}

void Location::close() {
  const hid_t id = id_;
  id_ = -1;
  check(file_ ? H5Fclose(id) : H5Gclose(id), "closing", what_);
}

std::string Location::object_what(const std::string& name, const char* kind) const {
  return fmt::format("{} '{}'", kind, path_ == "/" ? "/" + name : path_ + "/" + name);
}

bool Location::has(const std::string& name) const {
  return check(H5Lexists(id_, name.c_str(), H5P_DEFAULT), "looking up", object_what(name, "object")) > 0;
}

bool Location::has_attribute(const std::string& name) const {
  return check(H5Aexists(id_, name.c_str()), "looking up", fmt::format("attribute '{}' of {}", name, what_)) > 0;
}

Location Location::create_group(const std::string& name) const {
  const std::string what = object_what(name, "group");
  Handle gcpl = property_list(H5P_GROUP_CREATE, "a group creation property list");
  check(H5Pset_obj_track_times(gcpl, 0), "disabling time tracking for", what);
  const hid_t id = check(H5Gcreate2(id_, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT), "creating", what);
  return Location(id, false, path_ == "/" ? "/" + name : path_ + "/" + name, what);
}

Location Location::open_group(const std::string& name) const {
  const std::string what = object_what(name, "group");
  if (!has(name)) fail("{} is missing", what);
  const hid_t id = check(H5Gopen2(id_, name.c_str(), H5P_DEFAULT), "opening", what);
  return Location(id, false, path_ == "/" ? "/" + name : path_ + "/" + name, what);
}

void Location::link(const std::string& name, const std::string& target) const {
  check(H5Lcreate_soft(target.c_str(), id_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT), "creating",
        fmt::format("the link {} -> '{}'", object_what(name, "link"), target));
}

void Location::remove(const std::string& name) const {
  check(H5Ldelete(id_, name.c_str(), H5P_DEFAULT), "deleting", object_what(name, "object"));
}

namespace {

void write_attribute_to(hid_t object, const std::string& name, const std::string& what, const ConstArray& value) {
  check_count(value, what);
  Handle space = dataspace(value.extents(), what);
  const bool text = value.element() == Element::string;
  Handle type = text ? string_type() : Handle(-1, H5Tclose);
  const auto pointers = text ? c_strings(value, what) : std::vector<const char*>{};
  Handle attribute(check(H5Acreate2(object, name.c_str(), text ? hid_t(type) : file_type(value.element()), space,
                                    H5P_DEFAULT, H5P_DEFAULT),
                         "creating", what),
                   H5Aclose);
  check(H5Awrite(attribute, text ? hid_t(type) : memory_type(value.element()),
                 text ? static_cast<const void*>(pointers.data()) : value.data()),
        "writing", what);
  attribute.close(what);
}

}  // namespace

void Location::write_attribute(const std::string& name, const ConstArray& value) const {
  write_attribute_to(id_, name, fmt::format("attribute '{}' of {}", name, path_ == "/" ? "the root group" : what_),
                     value);
}

void Location::write_dataset(const std::string& name, const ConstArray& values, const char* description,
                             const char* units) const {
  const std::string what = object_what(name, "dataset");
  check_count(values, what);
  const bool text = values.element() == Element::string;
  Handle space = dataspace(values.extents(), what);
  Handle dcpl = property_list(H5P_DATASET_CREATE, "a dataset creation property list");
  check(H5Pset_obj_track_times(dcpl, 0), "disabling time tracking for", what);
  if (!text) check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "setting the fill time of", what);
  Handle type = text ? string_type() : Handle(-1, H5Tclose);
  const auto pointers = text ? c_strings(values, what) : std::vector<const char*>{};
  Handle dataset(check(H5Dcreate2(id_, name.c_str(), text ? hid_t(type) : file_type(values.element()), space,
                                  H5P_DEFAULT, dcpl, H5P_DEFAULT),
                       "creating", what),
                 H5Dclose);
  if (values.count() > 0)
    check(H5Dwrite(dataset, text ? hid_t(type) : memory_type(values.element()), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                   text ? static_cast<const void*>(pointers.data()) : values.data()),
          "writing", what);
  if (units)
    write_attribute_to(dataset, "units", fmt::format("attribute 'units' of {}", what),
                       ConstArray::own_scalar(std::string(units)));
  write_attribute_to(dataset, "description", fmt::format("attribute 'description' of {}", what),
                     ConstArray::own_scalar(std::string(description ? description : "")));
  dataset.close(what);
}

Array Location::read_dataset(const std::string& name, Element element) const {
  const std::string what = object_what(name, "dataset");
  if (!has(name)) fail("{} is missing", what);
  const Item item{Handle(check(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), "opening", what), H5Dclose), false, what};
  return read_item(item, element);
}

Array Location::read_attribute(const std::string& name, Element element) const {
  const std::string what = fmt::format("attribute '{}' of {}", name, path_ == "/" ? "the root group" : what_);
  if (!has_attribute(name)) fail("{} is missing", what);
  const Item item{Handle(check(H5Aopen(id_, name.c_str(), H5P_DEFAULT), "opening", what), H5Aclose), true, what};
  return read_item(item, element);
}

Location create_file(const std::string& file_name) {
  const std::string what = fmt::format("file '{}'", file_name);
  Handle fcpl = property_list(H5P_FILE_CREATE, "a file creation property list");
  check(H5Pset_obj_track_times(fcpl, 0), "disabling time tracking for", "the root group");
  Handle fapl = property_list(H5P_FILE_ACCESS, "a file access property list");
  // SEMI: closing the file fails (instead of silently staying open) if an object is left open.
  check(H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI), "setting the close degree of", file_name);
#if H5_VERSION_GE(1, 10, 7)
  // The temporary file is private to this process; locks only fail on some
  // parallel file systems.
  check(H5Pset_file_locking(fapl, 0, 1), "disabling file locking for", file_name);
#endif
  const hid_t id = check(H5Fcreate(file_name.c_str(), H5F_ACC_TRUNC, fcpl, fapl), "creating", what);
  return Location(id, true, "/", what);
}

Location open_file(const std::string& file_name, bool writable) {
  const std::string what = fmt::format("file '{}'", file_name);
  std::error_code ec;
  if (!std::filesystem::exists(file_name, ec)) fail("no such file");
  Handle fapl = property_list(H5P_FILE_ACCESS, "a file access property list");
  check(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "setting the close degree of", file_name);
#if H5_VERSION_GE(1, 12, 0)
  if (check(H5Fis_accessible(file_name.c_str(), fapl), "inspecting", "the file") <= 0)
#else
  if (check(H5Fis_hdf5(file_name.c_str()), "inspecting", "the file") <= 0)
#endif
    fail("not an HDF5 file");
  const hid_t id =
      check(H5Fopen(file_name.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl), "opening", what);
  return Location(id, true, "/", what);
}

}  // namespace mwclass::output::h5
