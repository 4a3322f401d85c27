// The HDF5 results file (layout: docs/output-format.md). The only translation
// unit of mwclass that includes hdf5.h. Every HDF5 call goes through check(),
// which turns a failure into an mwclass::Error carrying HDF5's error stack;
// every hid_t lives in a Handle that closes it.
#include "mwclass/output/hdf5_results.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "mwclass/core/error.hpp"

namespace mwclass::output {
namespace {

using ensemble::ClassificationResult;
using ensemble::Decision;
using ensemble::Provenance;

constexpr const char* kFormatName = "mwclass-results";

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

// Every HDF5 call's return value goes through here: negative means failure.
template <typename T>
T check(T ret, const char* operation, const std::string& object) {
  if (ret < 0) fail("{} {} failed: {}", operation, object, hdf5_error_stack());
  return ret;
}

// The automatic error printer is per thread in thread-safe HDF5 builds, so every
// public entry point silences it for the calling thread.
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

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
  // Closes now and checks (for a file, this is where the data are flushed).
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

Handle simple_space(const std::vector<hsize_t>& dims, const std::string& object) {
  return Handle(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                      "creating the dataspace of", object),
                H5Sclose);
}

Handle scalar_space(const std::string& object) {
  return Handle(check(H5Screate(H5S_SCALAR), "creating the dataspace of", object), H5Sclose);
}

std::string shape_string(const std::vector<hsize_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

hsize_t element_count(const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

// ---------------------------------------------------------------- writing

void write_attribute(hid_t object, const std::string& object_name, const char* name,
                     hid_t file_type, hid_t memory_type, const void* value) {
  const std::string what = fmt::format("attribute '{}' of {}", name, object_name);
  Handle space = scalar_space(what);
  Handle attribute(check(H5Acreate2(object, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                         "creating", what),
                   H5Aclose);
  check(H5Awrite(attribute, memory_type, value), "writing", what);
  attribute.close(what);
}

void write_string_attribute(hid_t object, const std::string& object_name, const char* name,
                            const std::string& value) {
  if (value.find('\0') != std::string::npos)
    fail("attribute '{}' of {} contains a NUL byte", name, object_name);
  Handle type = string_type();
  const char* pointer = value.c_str();
  write_attribute(object, object_name, name, type, type, &pointer);
}

struct Notes {
  const char* description;
  const char* units = nullptr;
};

// Creates, fills, annotates and closes one dataset. Object times are not
// recorded, so identical inputs give identical bytes.
void write_dataset(hid_t parent, const std::string& parent_path, const char* name,
                   hid_t file_type, hid_t memory_type, bool numeric,
                   const std::vector<hsize_t>& dims, const void* data, const Notes& notes) {
  const std::string what = fmt::format("dataset '{}/{}'", parent_path, name);
  Handle space = simple_space(dims, what);
  Handle dcpl = property_list(H5P_DATASET_CREATE, "a dataset creation property list");
  check(H5Pset_obj_track_times(dcpl, 0), "disabling time tracking for", what);
  if (numeric) check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "setting the fill time of", what);
  Handle dataset(check(H5Dcreate2(parent, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                       "creating", what),
                 H5Dclose);
  if (element_count(dims) > 0)
    check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing", what);
  if (notes.units) write_string_attribute(dataset, what, "units", notes.units);
  write_string_attribute(dataset, what, "description", notes.description);
  dataset.close(what);
}

void write_doubles(hid_t parent, const std::string& parent_path, const char* name,
                   const std::vector<double>& values, const Notes& notes) {
  write_dataset(parent, parent_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true,
                {values.size()}, values.data(), notes);
}

void write_matrix(hid_t parent, const std::string& parent_path, const char* name,
                  const Matrix& m, const Notes& notes) {
  // Matrix is row-major: its storage is already in HDF5 (C) order.
  write_dataset(parent, parent_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true,
                {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())}, m.data(), notes);
}

void write_ints(hid_t parent, const std::string& parent_path, const char* name,
                const std::vector<int>& values, const Notes& notes) {
  write_dataset(parent, parent_path, name, H5T_STD_I32LE, H5T_NATIVE_INT, true, {values.size()},
                values.data(), notes);
}

void write_bytes(hid_t parent, const std::string& parent_path, const char* name,
                 const std::vector<std::uint8_t>& values, const Notes& notes) {
  write_dataset(parent, parent_path, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, true, {values.size()},
                values.data(), notes);
}

void write_strings(hid_t parent, const std::string& parent_path, const char* name,
                   const std::vector<std::string>& values, const Notes& notes) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].find('\0') != std::string::npos)
      fail("entry {} of dataset '{}/{}' contains a NUL byte", i, parent_path, name);
    pointers.push_back(values[i].c_str());
  }
  Handle type = string_type();
  write_dataset(parent, parent_path, name, type, type, false, {values.size()}, pointers.data(),
                notes);
}

Handle create_group(hid_t file, const char* name) {
  const std::string what = fmt::format("group '/{}'", name);
  Handle gcpl = property_list(H5P_GROUP_CREATE, "a group creation property list");
  check(H5Pset_obj_track_times(gcpl, 0), "disabling time tracking for", what);
  return Handle(check(H5Gcreate2(file, name, H5P_DEFAULT, gcpl, H5P_DEFAULT), "creating", what),
                H5Gclose);
}

void write_sources(hid_t file, const ClassificationResult& r) {
  const std::string g = "/sources";
  Handle group = create_group(file, "sources");
  const std::size_t n = r.names.size();
  std::vector<int> class_index(n);
  std::vector<std::string> class_name(n);
  std::vector<double> class_prob(n), e_class_prob(n), ct(n), margin(n);
  std::vector<std::uint8_t> confident(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Decision& d = r.decisions[i];
    margin[i] = d.margin;
    class_index[i] = d.predicted_class;
    if (d.predicted_class >= 0) class_name[i] = r.class_names[d.predicted_class];
    class_prob[i] = d.class_prob;
    e_class_prob[i] = d.e_class_prob;
    ct[i] = d.confidence_threshold;
    confident[i] = d.confident ? 1 : 0;
  }
  const auto& p = r.probabilities;
  write_strings(group, g, "name", r.names, {"source name; sources are in field-catalog order"});
  write_doubles(group, g, "ra", r.ra, {"right ascension", "deg"});
  write_doubles(group, g, "dec", r.dec, {"declination", "deg"});
  write_doubles(group, g, "ebv", r.ebv, {"the source's own E(B-V); NaN if unknown", "mag"});
  write_ints(group, g, "bin", r.bin_id,
             {"E(B-V) bin the source was classified in (a value of /bins/id)"});
  write_matrix(group, g, "P", p.mean,
               {"P_c: mean over Monte-Carlo iterations of the probability of class c "
                "(columns: /classes)"});
  write_matrix(group, g, "e_P", p.std,
               {"e_P_c: standard deviation over iterations of the probability of class c "
                "(population, ddof = 0)"});
  write_matrix(group, g, "P_median", p.median, {"median over iterations of the probability"});
  write_matrix(group, g, "P_q02275", p.q_lo,
               {"2.275 % quantile (-2 sigma) over iterations of the probability, linear "
                "interpolation"});
  write_matrix(group, g, "P_q97725", p.q_hi,
               {"97.725 % quantile (+2 sigma) over iterations of the probability, linear "
                "interpolation"});
  write_ints(group, g, "class_index", class_index,
             {"index into /classes of the predicted class (argmax of P); -1 if none"});
  write_strings(group, g, "class", class_name,
                {"name of the predicted class (/classes[class_index]); empty if none"});
  write_doubles(group, g, "Class_prob", class_prob, {"P of the predicted class"});
  write_doubles(group, g, "e_Class_prob", e_class_prob, {"e_P of the predicted class"});
  write_doubles(group, g, "CT", ct,
                {"confidence threshold, min over c != pred of (P_pred - P_c)/(e_P_pred + e_P_c)"});
  write_bytes(group, g, "confident", confident,
              {"1 if CT >= the configured confidence threshold, else 0"});
  write_doubles(group, g, "margin", margin,
                {"Tranin et al.'s margin 2 max(P) / sum(P) - 1 of the mean probabilities"});
  if (!r.outlier_score.empty()) {
    const std::vector<std::uint8_t> flag(r.outlier.begin(), r.outlier.end());
    write_doubles(group, g, "outlier_score", r.outlier_score,
                  {"outlier score against the predicted class, mean over iterations: nb -log10 of "
                   "the best class's weighted likelihood; rf, gbdt -log10 of the mean leaf-sharing "
                   "proximity to the class's training members"});
    write_doubles(group, g, "outlier_percentile", r.outlier_percentile,
                  {"fraction of the best class's training members (scored leave-one-out; rf: on "
                 "their out-of-bag trees) "
                   "whose score is at least the source's, mean over iterations"});
    write_bytes(group, g, "outlier", flag,
                {"1 if outlier_percentile < the configured classifier.outlier_percentile"});
  }
  if (!r.truth.empty())
    write_ints(group, g, "true_class_index", r.truth,
               {"index into /classes of the true class (evaluation runs: the training label)"});
  group.close("group '/sources'");
}

void write_bins(hid_t file, const ClassificationResult& r) {
  const std::string g = "/bins";
  Handle group = create_group(file, "bins");
  write_ints(group, g, "id", r.bins,
             {"bin id: floor(E(B-V) / bin_width); 0 with reddening off; increasing"});
  write_doubles(group, g, "ebv", r.bin_ebv,
                {"E(B-V) the training AGN were reddened to for this bin", "mag"});
  write_ints(group, g, "n_sources", r.bin_size, {"number of sources classified in this bin"});
  write_ints(group, g, "mc_iterations", r.bin_iterations,
             {"Monte-Carlo iterations run for this bin (0: deterministic single pass)"});
  // Importances are n_bins x n_features, or 0 x n_features when not computed.
  Matrix mean = r.importance_mean, spread = r.importance_std;
  if (mean.size() == 0) mean.resize(0, static_cast<Eigen::Index>(r.feature_names.size()));
  if (spread.size() == 0) spread.resize(0, static_cast<Eigen::Index>(r.feature_names.size()));
  write_matrix(group, g, "importance_mean", mean,
               {"feature importance, mean over iterations (rows: bins, columns: /features); "
                "0 rows if not computed"});
  write_matrix(group, g, "importance_std", spread,
               {"feature importance, standard deviation over iterations (rows: bins, "
                "columns: /features); 0 rows if not computed"});
  group.close("group '/bins'");
}

// Optional parts: every iteration's probabilities, and the evaluation data.
void write_extras(hid_t file, const ClassificationResult& r) {
  const auto n = static_cast<hsize_t>(r.names.size());
  const auto C = static_cast<hsize_t>(r.class_names.size());
  if (!r.per_iteration.empty()) {
    Handle group = create_group(file, "iterations");
    write_dataset(group, "/iterations", "P", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true,
                  {n, static_cast<hsize_t>(r.kept_iterations), C}, r.per_iteration.data(),
                  {"probability of each class (axis 2, /classes) at each Monte-Carlo iteration "
                   "(axis 1) for each source (axis 0)"});
    group.close("group '/iterations'");
  }
  if (!r.track.empty()) {
    Handle group = create_group(file, "track");
    write_strings(group, "/track", "steps", r.track.steps,
                  {"naive Bayes probability-track steps: the prior, then per category each "
                   "feature's term (<category>/<feature>) and the whole category (<category>)"});
    write_dataset(group, "/track", "P", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true,
                  {n, static_cast<hsize_t>(r.track.steps.size()), C}, r.track.values.data(),
                  {"normalized posterior of each class (axis 2, /classes) after each step "
                   "(axis 1, /track/steps) for each source (axis 0): observed values, model of "
                   "MC iteration 0 (`mwclass explain` prints it)"});
    group.close("group '/track'");
  }
  if (r.evaluation.empty()) return;
  Handle group = create_group(file, "evaluation");
  write_string_attribute(group, "group '/evaluation'", "kind", r.evaluation);
  const int folds = r.folds, repeats = static_cast<int>(r.repeat_mean.size());
  write_attribute(group, "group '/evaluation'", "folds", H5T_STD_I32LE, H5T_NATIVE_INT, &folds);
  write_attribute(group, "group '/evaluation'", "repeats", H5T_STD_I32LE, H5T_NATIVE_INT, &repeats);
  if (repeats > 0) {
    for (const auto* list : {&r.repeat_mean, &r.repeat_std})
      for (const Matrix& m : *list)
        if (static_cast<hsize_t>(m.rows()) != n || static_cast<hsize_t>(m.cols()) != C)
          fail("inconsistent result: a repeat's probabilities are {} x {}, expected {} x {}",
               m.rows(), m.cols(), n, C);
    std::vector<double> mean, spread;
    for (int k = 0; k < repeats; ++k) {
      mean.insert(mean.end(), r.repeat_mean[k].data(), r.repeat_mean[k].data() + r.repeat_mean[k].size());
      spread.insert(spread.end(), r.repeat_std[k].data(), r.repeat_std[k].data() + r.repeat_std[k].size());
    }
    const std::vector<hsize_t> dims = {static_cast<hsize_t>(repeats), n, C};
    write_dataset(group, "/evaluation", "repeat_P", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true, dims,
                  mean.data(), {"cv: mean probabilities of every repeat (repeat x source x class); "
                                "repeat 0 is /sources/P"});
    write_dataset(group, "/evaluation", "repeat_e_P", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true, dims,
                  spread.data(), {"cv: their standard deviations over MC iterations"});
  }
  group.close("group '/evaluation'");
}

void write_provenance(hid_t file, const Provenance& p) {
  const std::string root = "the root group";
  auto text = [&](const char* name, const std::string& value) {
    write_string_attribute(file, root, name, value);
  };
  auto int32 = [&](const char* name, int value) {
    write_attribute(file, root, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
  };
  text("format", kFormatName);
  int32("format_version", kResultsFormatVersion);
  text("mwclass_version", p.version);
  text("command_line", p.command_line);
  text("config", p.config_toml);
  text("training_catalog", p.training_catalog);
  text("field_catalog", p.field_catalog);
  const std::uint64_t seed = p.seed;
  write_attribute(file, root, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
  int32("mc_iterations", p.mc_iterations);
  int32("ranks", p.ranks);
  int32("threads", p.threads);
  const double wall = p.wall_time_seconds;
  write_attribute(file, root, "wall_time_seconds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &wall);
  text("created_utc", p.created_utc);
}

void write_file(const std::string& file_name, const ClassificationResult& r, const Provenance& p) {
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
  const std::string what = fmt::format("file '{}'", file_name);
  Handle file(check(H5Fcreate(file_name.c_str(), H5F_ACC_TRUNC, fcpl, fapl), "creating", what),
              H5Fclose);
  // Datasets first, so that their bytes (including string heap ids) do not
  // depend on the provenance text.
  write_strings(file, "", "classes", r.class_names,
                {"class names, in the column order of every n_sources x n_classes matrix"});
  write_strings(file, "", "features", r.feature_names,
                {"feature names, in the column order of /bins/importance_*"});
  write_sources(file, r);
  write_bins(file, r);
  write_extras(file, r);
  write_provenance(file, p);
  const int complete = 1;  // last: readers must check it
  write_attribute(file, "the root group", "complete", H5T_STD_I32LE, H5T_NATIVE_INT, &complete);
  file.close(what);
}

void sync_file(const std::string& file_name) {
  const int fd = ::open(file_name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot reopen '{}' to sync it: {}", file_name, std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) fail("cannot sync '{}' to disk: {}", file_name, std::strerror(err));
}

// Best effort: makes the rename itself durable.
void sync_directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string temporary_name(const std::string& path, const char* kind) {
  return fmt::format("{}.{}-{}", path, kind, static_cast<long>(::getpid()));
}

// ---------------------------------------------------------------- reading

// A dataset or an attribute being read.
struct Item {
  Handle handle;
  bool attribute;
  std::string what;  // "dataset '/sources/P'" or "attribute 'seed'"
};

Handle type_of(const Item& item) {
  return Handle(check(item.attribute ? H5Aget_type(item.handle) : H5Dget_type(item.handle),
                      "getting the type of", item.what),
                H5Tclose);
}

Handle space_of(const Item& item) {
  return Handle(check(item.attribute ? H5Aget_space(item.handle) : H5Dget_space(item.handle),
                      "getting the dataspace of", item.what),
                H5Sclose);
}

void read_raw(const Item& item, hid_t memory_type, void* buffer) {
  check(item.attribute ? H5Aread(item.handle, memory_type, buffer)
                       : H5Dread(item.handle, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer),
        "reading", item.what);
}

std::vector<hsize_t> shape_of(const Item& item) {
  Handle space = space_of(item);
  const int rank = check(H5Sget_simple_extent_ndims(space), "getting the rank of", item.what);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0)
    check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "getting the shape of",
          item.what);
  return dims;
}

void expect_shape(const Item& item, const std::vector<hsize_t>& expected) {
  const auto dims = shape_of(item);
  if (dims != expected)
    fail("{} has shape {}, expected {}", item.what, shape_string(dims), shape_string(expected));
}

void expect_scalar(const Item& item) {
  Handle space = space_of(item);
  if (check(H5Sget_simple_extent_npoints(space), "counting the elements of", item.what) != 1)
    fail("{} is not a single value", item.what);
}

Item open_dataset(hid_t parent, const std::string& parent_path, const char* name) {
  const std::string full = fmt::format("{}/{}", parent_path, name);
  const std::string what = fmt::format("dataset '{}'", full);
  if (check(H5Lexists(parent, name, H5P_DEFAULT), "looking up", what) <= 0)
    fail("{} is missing", what);
  return Item{Handle(check(H5Dopen2(parent, name, H5P_DEFAULT), "opening", what), H5Dclose), false,
              what};
}

Item open_attribute(hid_t object, const char* name) {
  const std::string what = fmt::format("attribute '{}'", name);
  if (check(H5Aexists(object, name), "looking up", what) <= 0) fail("{} is missing", what);
  return Item{Handle(check(H5Aopen(object, name, H5P_DEFAULT), "opening", what), H5Aclose), true,
              what};
}

Handle open_group(hid_t file, const char* name) {
  const std::string what = fmt::format("group '/{}'", name);
  if (check(H5Lexists(file, name, H5P_DEFAULT), "looking up", what) <= 0)
    fail("{} is missing", what);
  return Handle(check(H5Gopen2(file, name, H5P_DEFAULT), "opening", what), H5Gclose);
}

template <typename T>
hid_t native_type();
template <>
hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <>
hid_t native_type<int>() { return H5T_NATIVE_INT; }
template <>
hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <>
hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }

void expect_numeric(const Item& item) {
  Handle type = type_of(item);
  const H5T_class_t cls = check(H5Tget_class(type), "getting the type class of", item.what);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail("{} is not numeric", item.what);
}

// Reads into `out` (already sized to the expected element count).
template <typename T>
void read_numbers(const Item& item, T* out, hsize_t count) {
  expect_numeric(item);
  if (count > 0) read_raw(item, native_type<T>(), out);
}

template <typename T>
T read_scalar(const Item& item) {
  expect_scalar(item);
  T value{};
  read_numbers(item, &value, 1);
  return value;
}

template <typename T>
std::vector<T> read_vector(hid_t parent, const std::string& parent_path, const char* name,
                           hsize_t n) {
  const Item item = open_dataset(parent, parent_path, name);
  expect_shape(item, {n});
  std::vector<T> values(n);
  read_numbers(item, values.data(), n);
  return values;
}

Matrix read_matrix(hid_t parent, const std::string& parent_path, const char* name, hsize_t rows,
                   hsize_t cols) {
  const Item item = open_dataset(parent, parent_path, name);
  expect_shape(item, {rows, cols});
  Matrix m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  read_numbers(item, m.data(), rows * cols);
  return m;
}

// Variable-length strings (as written) or fixed-length ones (as other tools may write).
std::vector<std::string> read_strings(const Item& item, hsize_t count) {
  Handle file_type = type_of(item);
  if (check(H5Tget_class(file_type), "getting the type class of", item.what) != H5T_STRING)
    fail("{} does not hold strings", item.what);
  std::vector<std::string> out(count);
  if (count == 0) return out;
  const H5T_cset_t cset = check(H5Tget_cset(file_type), "getting the character set of", item.what);
  Handle memory_type(check(H5Tcopy(H5T_C_S1), "copying", "the string type"), H5Tclose);
  check(H5Tset_cset(memory_type, cset), "setting the character set of", "the string type");
  if (check(H5Tis_variable_str(file_type), "inspecting the type of", item.what) > 0) {
    check(H5Tset_size(memory_type, H5T_VARIABLE), "sizing", "the string type");
    std::vector<char*> pointers(count, nullptr);
    read_raw(item, memory_type, pointers.data());
    for (hsize_t i = 0; i < count; ++i)
      if (pointers[i]) out[i] = pointers[i];
    Handle space = space_of(item);
#if H5_VERSION_GE(1, 12, 0)
    check(H5Treclaim(memory_type, space, H5P_DEFAULT, pointers.data()), "freeing", item.what);
#else
    check(H5Dvlen_reclaim(memory_type, space, H5P_DEFAULT, pointers.data()), "freeing", item.what);
#endif
  } else {
    const std::size_t size = H5Tget_size(file_type);
    if (size == 0) fail("cannot get the string size of {}: {}", item.what, hdf5_error_stack());
    check(H5Tset_size(memory_type, size), "sizing", "the string type");
    check(H5Tset_strpad(memory_type, H5T_STR_NULLPAD), "setting the padding of", "the string type");
    std::vector<char> buffer(size * count);
    read_raw(item, memory_type, buffer.data());
    for (hsize_t i = 0; i < count; ++i) {
      const char* s = buffer.data() + i * size;
      out[i].assign(s, strnlen(s, size));
    }
  }
  return out;
}

std::vector<std::string> read_string_vector(hid_t parent, const std::string& parent_path,
                                            const char* name) {
  const Item item = open_dataset(parent, parent_path, name);
  const auto dims = shape_of(item);
  if (dims.size() != 1) fail("{} has shape {}, expected one dimension", item.what, shape_string(dims));
  return read_strings(item, dims[0]);
}

std::string read_string_attribute(hid_t object, const char* name) {
  const Item item = open_attribute(object, name);
  expect_scalar(item);
  return read_strings(item, 1)[0];
}

// Opens a results file and checks that it is a complete one of a known version.
Handle open_results(const std::string& path) {
  Handle fapl = property_list(H5P_FILE_ACCESS, "a file access property list");
  check(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "setting the close degree of", path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail("no such file");
#if H5_VERSION_GE(1, 12, 0)
  if (check(H5Fis_accessible(path.c_str(), fapl), "inspecting", "the file") <= 0)
#else
  if (check(H5Fis_hdf5(path.c_str()), "inspecting", "the file") <= 0)
#endif
    fail("not an HDF5 file");
  Handle file(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), "opening", "the file"), H5Fclose);
  if (check(H5Aexists(file, "complete"), "looking up", "attribute 'complete'") <= 0 ||
      read_scalar<int>(open_attribute(file, "complete")) != 1)
    fail("incomplete results file (root attribute 'complete' is not 1: the run that wrote it "
         "did not finish)");
  if (check(H5Aexists(file, "format_version"), "looking up", "attribute 'format_version'") > 0) {
    const int version = read_scalar<int>(open_attribute(file, "format_version"));
    if (version > kResultsFormatVersion)
      fail("format_version {} is newer than this mwclass understands ({})", version,
           kResultsFormatVersion);
  }
  return file;
}

}  // namespace

// ---------------------------------------------------------------- public

void validate_result(const ClassificationResult& r) {
  const std::size_t n = r.names.size();
  const std::size_t n_classes = r.class_names.size();
  const std::size_t n_bins = r.bins.size();
  const std::size_t n_features = r.feature_names.size();
  if (n == 0) fail("the result has no source");
  if (n_classes == 0) fail("the result has no class");
  for (std::size_t c = 0; c < n_classes; ++c) {
    if (r.class_names[c].empty()) fail("class {} has an empty name", c);
    for (std::size_t d = 0; d < c; ++d)
      if (r.class_names[c] == r.class_names[d]) fail("class '{}' appears twice", r.class_names[c]);
  }
  auto same = [](std::size_t got, std::size_t expected, const char* what) {
    if (got != expected)
      fail("inconsistent result: {} has {} entries, expected {}", what, got, expected);
  };
  same(r.ra.size(), n, "ra");
  same(r.dec.size(), n, "dec");
  same(r.ebv.size(), n, "ebv");
  same(r.bin_id.size(), n, "bin_id");
  same(r.decisions.size(), n, "decisions");
  same(r.bin_ebv.size(), n_bins, "bin_ebv");
  same(r.bin_size.size(), n_bins, "bin_size");
  same(r.bin_iterations.size(), n_bins, "bin_iterations");
  auto shape = [](const Matrix& m, std::size_t rows, std::size_t cols, const char* what) {
    if (static_cast<std::size_t>(m.rows()) != rows || static_cast<std::size_t>(m.cols()) != cols)
      fail("inconsistent result: {} is {} x {}, expected {} x {}", what, m.rows(), m.cols(), rows,
           cols);
  };
  const auto& p = r.probabilities;
  shape(p.mean, n, n_classes, "probabilities.mean");
  shape(p.std, n, n_classes, "probabilities.std");
  shape(p.median, n, n_classes, "probabilities.median");
  shape(p.q_lo, n, n_classes, "probabilities.q_lo");
  shape(p.q_hi, n, n_classes, "probabilities.q_hi");
  if (r.importance_mean.size() != 0 || r.importance_std.size() != 0) {
    shape(r.importance_mean, n_bins, n_features, "importance_mean");
    shape(r.importance_std, n_bins, n_features, "importance_std");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const int c = r.decisions[i].predicted_class;
    if (c < -1 || c >= static_cast<int>(n_classes))
      fail("inconsistent result: source {} ('{}') has predicted class {} (there are {} classes)",
           i, r.names[i], c, n_classes);
  }
}

void write_results(const std::string& path, const ClassificationResult& result,
                   const Provenance& provenance) {
  silence_hdf5();
  if (path.empty()) fail("cannot write results: empty file name");
  try {
    validate_result(result);
  } catch (const Error& e) {
    fail("cannot write results file '{}': {}", path, e.what());
  }
  const std::string temporary = temporary_name(path, "tmp");
  try {
    write_file(temporary, result, provenance);
    sync_file(temporary);
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
      fail("cannot rename '{}' to it: {}", temporary, std::strerror(errno));
  } catch (const Error& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail("cannot write results file '{}': {}", path, e.what());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  sync_directory_of(path);
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
  if (fs::is_directory(fs::status(path, ec)))
    fail("cannot write results file '{}': it is a directory", path);
  const std::string probe = temporary_name(path, "probe");
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    fail("cannot write results file '{}': cannot create a file in '{}': {}", path, dir.string(),
         std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

ClassificationResult read_results(const std::string& path) {
  silence_hdf5();
  try {
    Handle file = open_results(path);
    ClassificationResult r;
    r.class_names = read_string_vector(file, "", "classes");
    r.feature_names = read_string_vector(file, "", "features");
    const hsize_t n_classes = r.class_names.size();
    const hsize_t n_features = r.feature_names.size();
    {
      const std::string g = "/sources";
      Handle group = open_group(file, "sources");
      r.names = read_string_vector(group, g, "name");
      const hsize_t n = r.names.size();
      r.ra = read_vector<double>(group, g, "ra", n);
      r.dec = read_vector<double>(group, g, "dec", n);
      r.ebv = read_vector<double>(group, g, "ebv", n);
      r.bin_id = read_vector<int>(group, g, "bin", n);
      auto& p = r.probabilities;
      p.mean = read_matrix(group, g, "P", n, n_classes);
      p.std = read_matrix(group, g, "e_P", n, n_classes);
      p.median = read_matrix(group, g, "P_median", n, n_classes);
      p.q_lo = read_matrix(group, g, "P_q02275", n, n_classes);
      p.q_hi = read_matrix(group, g, "P_q97725", n, n_classes);
      const auto class_index = read_vector<int>(group, g, "class_index", n);
      const auto class_prob = read_vector<double>(group, g, "Class_prob", n);
      const auto e_class_prob = read_vector<double>(group, g, "e_Class_prob", n);
      const auto ct = read_vector<double>(group, g, "CT", n);
      const auto confident = read_vector<std::uint8_t>(group, g, "confident", n);
      r.decisions.resize(n);
      for (hsize_t i = 0; i < n; ++i) {
        Decision& d = r.decisions[i];
        d.predicted_class = class_index[i];
        d.class_prob = class_prob[i];
        d.e_class_prob = e_class_prob[i];
        d.confidence_threshold = ct[i];
        d.confident = confident[i] != 0;
      }
      const auto exists = [&](const char* name) {
        return check(H5Lexists(group, name, H5P_DEFAULT), "looking up",
                     fmt::format("dataset '/sources/{}'", name)) > 0;
      };
      if (exists("margin")) {
        const auto margin = read_vector<double>(group, g, "margin", n);
        for (hsize_t i = 0; i < n; ++i) r.decisions[i].margin = margin[i];
      }
      if (exists("outlier_score")) {
        r.outlier_score = read_vector<double>(group, g, "outlier_score", n);
        r.outlier_percentile = read_vector<double>(group, g, "outlier_percentile", n);
        const auto flag = read_vector<std::uint8_t>(group, g, "outlier", n);
        r.outlier.assign(flag.begin(), flag.end());
      }
      if (check(H5Lexists(group, "true_class_index", H5P_DEFAULT), "looking up",
                "dataset '/sources/true_class_index'") > 0)
        r.truth = read_vector<int>(group, g, "true_class_index", n);
    }
    const hsize_t n = r.names.size();
    if (check(H5Lexists(file, "iterations", H5P_DEFAULT), "looking up", "group '/iterations'") > 0) {
      Handle group = open_group(file, "iterations");
      const Item item = open_dataset(group, "/iterations", "P");
      const auto dims = shape_of(item);
      if (dims.size() != 3 || dims[0] != n || dims[2] != n_classes)
        fail("{} has shape {}, expected ({}, iterations, {})", item.what, shape_string(dims), n, n_classes);
      r.kept_iterations = static_cast<int>(dims[1]);
      r.per_iteration.resize(element_count(dims));
      read_numbers(item, r.per_iteration.data(), element_count(dims));
    }
    if (check(H5Lexists(file, "track", H5P_DEFAULT), "looking up", "group '/track'") > 0) {
      Handle group = open_group(file, "track");
      r.track.steps = read_string_vector(group, "/track", "steps");
      const Item item = open_dataset(group, "/track", "P");
      const auto dims = shape_of(item);
      if (dims.size() != 3 || dims[0] != n || dims[1] != r.track.steps.size() || dims[2] != n_classes)
        fail("{} has shape {}, expected ({}, {}, {})", item.what, shape_string(dims), n,
             r.track.steps.size(), n_classes);
      r.track.values.resize(element_count(dims));
      read_numbers(item, r.track.values.data(), element_count(dims));
    }
    if (check(H5Lexists(file, "evaluation", H5P_DEFAULT), "looking up", "group '/evaluation'") > 0) {
      Handle group = open_group(file, "evaluation");
      r.evaluation = read_string_attribute(group, "kind");
      r.folds = read_scalar<int>(open_attribute(group, "folds"));
      const int repeats = read_scalar<int>(open_attribute(group, "repeats"));
      if (repeats > 0) {
        for (const char* name : {"repeat_P", "repeat_e_P"}) {
          const Item item = open_dataset(group, "/evaluation", name);
          const auto dims = shape_of(item);
          if (dims.size() != 3 || dims[0] != static_cast<hsize_t>(repeats) || dims[1] != n ||
              dims[2] != n_classes)
            fail("{} has shape {}, expected ({}, {}, {})", item.what, shape_string(dims), repeats, n,
                 n_classes);
          std::vector<double> all(element_count(dims));
          read_numbers(item, all.data(), element_count(dims));
          auto& out = std::string(name) == "repeat_P" ? r.repeat_mean : r.repeat_std;
          for (int k = 0; k < repeats; ++k) {
            Matrix m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n_classes));
            std::copy_n(all.begin() + static_cast<std::ptrdiff_t>(k * n * n_classes), n * n_classes, m.data());
            out.push_back(std::move(m));
          }
        }
      }
    }
    {
      const std::string g = "/bins";
      Handle group = open_group(file, "bins");
      const Item id = open_dataset(group, g, "id");
      const auto dims = shape_of(id);
      if (dims.size() != 1) fail("{} has shape {}, expected one dimension", id.what, shape_string(dims));
      const hsize_t n_bins = dims[0];
      r.bins.resize(n_bins);
      read_numbers(id, r.bins.data(), n_bins);
      r.bin_ebv = read_vector<double>(group, g, "ebv", n_bins);
      r.bin_size = read_vector<int>(group, g, "n_sources", n_bins);
      r.bin_iterations = read_vector<int>(group, g, "mc_iterations", n_bins);
      // 0 rows when importances were not computed.
      const auto importance_dims = shape_of(open_dataset(group, g, "importance_mean"));
      const hsize_t rows = !importance_dims.empty() && importance_dims[0] == 0 ? 0 : n_bins;
      r.importance_mean = read_matrix(group, g, "importance_mean", rows, n_features);
      r.importance_std = read_matrix(group, g, "importance_std", rows, n_features);
    }
    validate_result(r);
    return r;
  } catch (const Error& e) {
    fail("cannot read results file '{}': {}", path, e.what());
  }
}

ensemble::Provenance read_provenance(const std::string& path) {
  silence_hdf5();
  try {
    Handle file = open_results(path);
    Provenance p;
    p.version = read_string_attribute(file, "mwclass_version");
    p.command_line = read_string_attribute(file, "command_line");
    p.config_toml = read_string_attribute(file, "config");
    p.training_catalog = read_string_attribute(file, "training_catalog");
    p.field_catalog = read_string_attribute(file, "field_catalog");
    p.seed = read_scalar<std::uint64_t>(open_attribute(file, "seed"));
    p.mc_iterations = read_scalar<int>(open_attribute(file, "mc_iterations"));
    p.ranks = read_scalar<int>(open_attribute(file, "ranks"));
    p.threads = read_scalar<int>(open_attribute(file, "threads"));
    p.wall_time_seconds = read_scalar<double>(open_attribute(file, "wall_time_seconds"));
    p.created_utc = read_string_attribute(file, "created_utc");
    return p;
  } catch (const Error& e) {
    fail("cannot read results file '{}': {}", path, e.what());
  }
}

void write_group(const std::string& path, const TableGroup& g) {
  silence_hdf5();
  const std::string temporary = temporary_name(path, "tmp");
  try {
    { Handle check_complete = open_results(path); }
    std::error_code ec;
    std::filesystem::copy_file(path, temporary, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) fail("cannot copy it to '{}': {}", temporary, ec.message());
    const std::string what = fmt::format("file '{}'", temporary);
    Handle file(check(H5Fopen(temporary.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening", what), H5Fclose);
    const std::string group_what = fmt::format("group '/{}'", g.name);
    if (check(H5Lexists(file, g.name.c_str(), H5P_DEFAULT), "looking up", group_what) > 0)
      check(H5Ldelete(file, g.name.c_str(), H5P_DEFAULT), "deleting", group_what);
    Handle group = create_group(file, g.name.c_str());
    const std::string parent = "/" + g.name;
    for (const auto& t : g.tables) {
      std::vector<hsize_t> dims(t.dims.begin(), t.dims.end());
      if (element_count(dims) != t.values.size())
        fail("internal error: table '{}' has {} values for shape {}", t.name, t.values.size(), shape_string(dims));
      write_dataset(group, parent, t.name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true, dims,
                    t.values.data(), {t.description.c_str()});
    }
    for (const auto& t : g.texts) write_strings(group, parent, t.name.c_str(), t.values, {t.description.c_str()});
    for (const auto& [name, value] : g.number_attributes)
      write_attribute(group, group_what, name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
    for (const auto& [name, value] : g.text_attributes) write_string_attribute(group, group_what, name.c_str(), value);
    group.close(group_what);
    file.close(what);
    sync_file(temporary);
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
      fail("cannot rename '{}' to it: {}", temporary, std::strerror(errno));
  } catch (const Error& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail("cannot add /{} to results file '{}': {}", g.name, path, e.what());
  }
}

}  // namespace mwclass::output
