// The HDF5 results file: written, read and checked by walking the layout
// table (schema.hpp); the HDF5 calls are in h5.cpp.
#include "mwclass/output/hdf5_results.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "h5.hpp"
#include "mwclass/core/atomic_file.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/output/schema.hpp"

namespace mwclass::output {
namespace {

bool is_root(const Entry& e) { return std::string(e.group) == "/"; }

// Writes every entry whose part the result has, in table order; a group is
// created at its first entry (the table keeps each group's entries together).
void write_file(const std::string& file_name, const ClassificationResult& r, const Provenance& p) {
  h5::Location file = h5::create_file(file_name);
  std::optional<h5::Location> group;
  for (const Entry& e : results_schema()) {
    if (!e.part->present(r)) continue;
    if (group && (is_root(e) || group->path() != e.group)) {
      group->close();
      group.reset();
    }
    if (!is_root(e) && !group) group.emplace(file.create_group(e.group + 1));
    const h5::Location& at = group ? *group : file;
    const ConstArray values = e.get(r, p);
    if (values.element() != e.element)
      fail("internal error: the schema says {} is {}, its values are {}", e.what(), element_name(e.element),
           element_name(values.element()));
    if (e.is_dataset())
      at.write_dataset(e.name, values, e.description, e.units);
    else
      at.write_attribute(e.name, values);
  }
  if (group) group->close();
  for (const Alias& a : results_aliases()) {  // old names, readable by tools written for format 1
    const std::string target = (std::string(a.group) == "/" ? "" : a.group) + std::string("/") + a.target;
    if (std::string(a.group) == "/")
      file.link(a.name, target);
    else if (file.has(a.group + 1))
      file.open_group(a.group + 1).link(a.name, target);
  }
  file.close();
}

// The name under which a file holds `name` of `group`: the current one, or an
// old alias in files of an older format (results_aliases()).
std::string name_in_file(const h5::Location& at, const std::string& group, const std::string& name) {
  if (at.has(name)) return name;
  for (const Alias& a : results_aliases())
    if (group == a.group && name == a.target && at.has(a.name)) return a.name;
  return name;
}

// Opens a results file and checks that it is a complete one of a known version.
h5::Location open_results(const std::string& path) {
  h5::Location file = h5::open_file(path, false);
  if (!file.has_attribute("complete") || file.read_attribute("complete", Element::i32).scalar<int>() != 1)
    fail("incomplete results file (root attribute 'complete' is not 1: the run that wrote it did not finish)");
  if (file.has_attribute("format_version")) {
    const int version = file.read_attribute("format_version", Element::i32).scalar<int>();
    if (version > kResultsFormatVersion)
      fail("format_version {} is newer than this mwclass understands ({})", version, kResultsFormatVersion);
  }
  return file;
}

// Reads the schema entries that `select` picks from an open results file.
class Reader {
 public:
  explicit Reader(const h5::Location& file) : file_(file) {}

  template <typename Select>
  void read(ClassificationResult& r, Provenance& p, Select select) {
    for (const Entry& e : results_schema()) {
      if (!select(e) || !part_in_file(*e.part)) continue;
      const h5::Location* at = location(e.group);
      if (!at) fail("group '{}' is missing", e.group);
      Array values = e.is_dataset() ? at->read_dataset(name_in_file(*at, e.group, e.name), e.element)
                                    : at->read_attribute(e.name, e.element);
      if (e.is_dataset())
        axes_.match(e, values.extents);
      else if (element_count(values.extents) != 1)
        fail("{} is not a single value", e.what());
      if (e.set) e.set(std::move(values), r, p);
    }
  }

 private:
  // A part's entries are written together: the first one says whether the file has it.
  bool part_in_file(const Part& part) {
    if (part.required) return true;
    for (const Entry& e : results_schema()) {
      if (e.part != &part) continue;
      const h5::Location* at = location(e.group);
      return at && (e.is_dataset() ? at->has(name_in_file(*at, e.group, e.name)) : at->has_attribute(e.name));
    }
    return false;
  }

  // The open group (nullptr if the file has none of that name).
  const h5::Location* location(const std::string& group) {
    if (group == "/") return &file_;
    auto it = groups_.find(group);
    if (it == groups_.end()) {
      const std::string name = name_in_file(file_, "/", group.substr(1));
      if (!file_.has(name)) return nullptr;
      it = groups_.emplace(group, file_.open_group(name)).first;
    }
    return &it->second;
  }

  const h5::Location& file_;
  std::map<std::string, h5::Location> groups_;
  AxisExtents axes_;
};

}  // namespace

// ---------------------------------------------------------------- public

void validate_result(const ClassificationResult& r) {
  const std::size_t n = r.names.size();
  const std::size_t n_classes = r.class_names.size();
  if (n == 0) fail("the result has no source");
  if (n_classes == 0) fail("the result has no class");
  for (std::size_t c = 0; c < n_classes; ++c) {
    if (r.class_names[c].empty()) fail("class {} has an empty name", c);
    for (std::size_t d = 0; d < c; ++d)
      if (r.class_names[c] == r.class_names[d]) fail("class '{}' appears twice", r.class_names[c]);
  }
  for (std::size_t i = 0; i < r.decisions.size(); ++i) {
    const int c = r.decisions[i].predicted_class;
    if (c < -1 || c >= static_cast<int>(n_classes))
      fail("inconsistent result: source {} ('{}') has predicted class {} (there are {} classes)", i,
           i < n ? r.names[i] : "", c, n_classes);
  }
  const Provenance unused;
  AxisExtents axes;
  for (const Entry& e : results_schema()) {
    if (!e.is_dataset() || !e.part->present(r)) continue;
    const ConstArray values = e.get(r, unused);
    try {
      if (values.count() != element_count(values.extents()))
        fail("{} has {} values for shape {}", e.what(), values.count(), shape_string(values.extents()));
      axes.match(e, values.extents());
    } catch (const Error& error) {
      fail("inconsistent result: {}", error.what());
    }
  }
}

void write_results(const std::string& path, const ClassificationResult& result, const Provenance& provenance) {
  h5::silence_errors();
  if (path.empty()) fail("cannot write results: empty file name");
  try {
    validate_result(result);
    publish_atomically(path, [&](const std::string& temporary) { write_file(temporary, result, provenance); });
  } catch (const Error& e) {
    fail("cannot write results file '{}': {}", path, e.what());
  }
}

void check_writable(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) fail("cannot write results: empty file name");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  const fs::file_status dir_status = fs::status(dir, ec);
  if (!fs::exists(dir_status))
    fail("cannot write results file '{}': directory '{}' does not exist", path, dir.string());
  if (!fs::is_directory(dir_status))
    fail("cannot write results file '{}': '{}' is not a directory", path, dir.string());
  if (fs::is_directory(fs::status(path, ec))) fail("cannot write results file '{}': it is a directory", path);
  const std::string probe = temporary_name(path, "probe");
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    fail("cannot write results file '{}': cannot create a file in '{}': {}", path, dir.string(),
         std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

ClassificationResult read_results(const std::string& path) {
  h5::silence_errors();
  try {
    const h5::Location file = open_results(path);
    ClassificationResult r;
    Provenance unused;
    Reader reader(file);
    // Datasets first: an attribute's setter may check it against them (/evaluation repeats).
    reader.read(r, unused, [](const Entry& e) { return e.is_dataset(); });
    reader.read(r, unused, [](const Entry& e) { return !e.is_dataset() && !is_root(e); });
    validate_result(r);
    return r;
  } catch (const Error& e) {
    fail("cannot read results file '{}': {}", path, e.what());
  }
}

Provenance read_provenance(const std::string& path) {
  h5::silence_errors();
  try {
    const h5::Location file = open_results(path);
    ClassificationResult unused;
    Provenance p;
    Reader(file).read(unused, p, [](const Entry& e) { return !e.is_dataset() && is_root(e); });
    return p;
  } catch (const Error& e) {
    fail("cannot read results file '{}': {}", path, e.what());
  }
}

void write_group(const std::string& path, const TableGroup& g) {
  h5::silence_errors();
  try {
    open_results(path).close();
    publish_atomically(path, [&](const std::string& temporary) {
      std::error_code ec;
      std::filesystem::copy_file(path, temporary, std::filesystem::copy_options::overwrite_existing, ec);
      if (ec) fail("cannot copy it to '{}': {}", temporary, ec.message());
      h5::Location file = h5::open_file(temporary, true);
      if (file.has(g.name)) file.remove(g.name);
      h5::Location group = file.create_group(g.name);
      for (const auto& t : g.tables)
        group.write_dataset(t.name, ConstArray::view(t.values, Extents(t.dims.begin(), t.dims.end())),
                            t.description.c_str());
      for (const auto& t : g.texts) group.write_dataset(t.name, ConstArray::view(t.values), t.description.c_str());
      for (const auto& [name, value] : g.number_attributes) group.write_attribute(name, ConstArray::view(value));
      for (const auto& [name, value] : g.text_attributes) group.write_attribute(name, ConstArray::view(value));
      group.close();
      file.close();
    });
  } catch (const Error& e) {
    fail("cannot add /{} to results file '{}': {}", g.name, path, e.what());
  }
}

}  // namespace mwclass::output
