// The results file and the CSV export: exact round trips, provenance,
// atomic writes, early writability checks, determinism, and an independent
// reader (h5py) of the documented layout.
#include <doctest/doctest.h>
#include <hdf5.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "mwclass/catalog/csv.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/output/csv_export.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/output/schema.hpp"
#include "../../test_support.hpp"

namespace fs = std::filesystem;
using mwclass::Error;
using mwclass::Matrix;
using mwclass::ensemble::ClassificationResult;
using mwclass::ensemble::Provenance;
namespace out = mwclass::output;

namespace {

using mwclass::testing::contains;
using mwclass::testing::error_of;
using mwclass::testing::listing;
using mwclass::testing::slurp;

// 3 sources, 3 classes, 2 bins, 4 features; awkward values on purpose.
ClassificationResult make_result() {
  ClassificationResult r;
  r.class_names = {"AGN", "CV", "YSO"};
  r.feature_names = {"hard_hm", "hard_ms", "var_intra_prob", "Gmag_lgFx"};
  r.names = {"2CXO J174545.1-290029", "src, \"quoted\"", "\xce\xa9 Cen X-1"};  // comma, quotes, UTF-8
  r.ra = {266.43791666666667, 0.1 + 0.2, 359.99999999999994};
  r.dec = {-29.008055555555554, 1.0 / 3.0, -89.5};
  r.ebv = {0.5, mwclass::kMissing, 1e-300};
  r.item_of_source = {3, 0, 3};
  auto& p = r.probabilities;
  p.mean.resize(3, 3);
  p.mean << 0.7, 0.2, 0.1,  //
      0.2, 1.0 / 3.0 + 0.2, 1.0 - 0.4 - 1.0 / 3.0,  //
      0.05, 0.15, 0.8;
  p.std = p.mean * 0.1;
  p.std(1, 2) = mwclass::kMissing;
  p.median = p.mean.array() + 1e-17;
  p.q_lo = p.mean * 0.5;
  p.q_hi = (p.mean.array() * 1.5).min(1.0);
  r.decisions.resize(3);
  r.decisions[0] = {0, 0.7, 0.07, 2.0 / 0.09, true};
  r.decisions[1] = {1, 1.0 / 3.0 + 0.2, 1.0 / 30.0, 0.0, false};
  r.decisions[2] = {2, 0.8, 0.08, -std::numeric_limits<double>::infinity(), false};
  r.items = {0, 3};
  r.item_ebv = {0.0, 0.35000000000000003};
  r.item_size = {1, 2};
  r.item_iterations = {0, 1000};
  r.importance_mean.resize(2, 4);
  r.importance_mean << 0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.125, 0.375;
  r.importance_std = r.importance_mean * 0.01;
  return r;
}

Provenance make_provenance() {
  Provenance p;
  p.version = "0.1.0";
  p.command_line = "mwclass classify --field \"my field.csv\" --out results.h5 -n 1000";
  p.config_toml = "# resolved\n[run]\nseed = 42\nname = \"caf\xc3\xa9\"\n\n[ensemble]\niterations = 1000\n";
  p.training_catalog = "/data/TD_ready.csv";
  p.field_catalog = "/data/field.csv";
  p.training_checksum = "fnv1a64:0123456789abcdef";
  p.field_checksum = "fnv1a64:fedcba9876543210";
  p.seed = std::numeric_limits<std::uint64_t>::max() - 5;
  p.mc_iterations = 1000;
  p.ranks = 4;
  p.threads = 8;
  p.wall_time_seconds = 1234.5678901234567;
  p.created_utc = "2024-05-06T07:08:09Z";
  return p;
}

bool same_bits(double a, double b) {
  std::uint64_t x, y;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x == y;
}

void check_same(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
  INFO(what);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("index " << i << ": " << a[i] << " vs " << b[i]);
    CHECK(same_bits(a[i], b[i]));
  }
}

void check_same(const Matrix& a, const Matrix& b, const char* what) {
  INFO(what);
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      INFO("(" << i << ", " << j << "): " << a(i, j) << " vs " << b(i, j));
      CHECK(same_bits(a(i, j), b(i, j)));
    }
}

void check_same(const ClassificationResult& a, const ClassificationResult& b) {
  CHECK(a.class_names == b.class_names);
  CHECK(a.feature_names == b.feature_names);
  CHECK(a.names == b.names);
  check_same(a.ra, b.ra, "ra");
  check_same(a.dec, b.dec, "dec");
  check_same(a.ebv, b.ebv, "ebv");
  CHECK(a.item_of_source == b.item_of_source);
  check_same(a.probabilities.mean, b.probabilities.mean, "P");
  check_same(a.probabilities.std, b.probabilities.std, "e_P");
  check_same(a.probabilities.median, b.probabilities.median, "P_median");
  check_same(a.probabilities.q_lo, b.probabilities.q_lo, "P_q02275");
  check_same(a.probabilities.q_hi, b.probabilities.q_hi, "P_q97725");
  REQUIRE(a.decisions.size() == b.decisions.size());
  for (std::size_t i = 0; i < a.decisions.size(); ++i) {
    INFO("decision " << i);
    CHECK(a.decisions[i].predicted_class == b.decisions[i].predicted_class);
    CHECK(same_bits(a.decisions[i].class_prob, b.decisions[i].class_prob));
    CHECK(same_bits(a.decisions[i].e_class_prob, b.decisions[i].e_class_prob));
    CHECK(same_bits(a.decisions[i].confidence_threshold, b.decisions[i].confidence_threshold));
    CHECK(a.decisions[i].confident == b.decisions[i].confident);
    CHECK(same_bits(a.decisions[i].margin, b.decisions[i].margin));
  }
  CHECK(a.items == b.items);
  check_same(a.item_ebv, b.item_ebv, "item_ebv");
  check_same(a.item_ebv_lo, b.item_ebv_lo, "item_ebv_lo");
  check_same(a.item_ebv_hi, b.item_ebv_hi, "item_ebv_hi");
  CHECK(a.item_size == b.item_size);
  CHECK(a.item_iterations == b.item_iterations);
  check_same(a.importance_mean, b.importance_mean, "importance_mean");
  check_same(a.importance_std, b.importance_std, "importance_std");
  // The optional parts.
  check_same(a.outlier_score, b.outlier_score, "outlier_score");
  check_same(a.outlier_percentile, b.outlier_percentile, "outlier_percentile");
  CHECK(a.outlier == b.outlier);
  check_same(a.e_P_meas, b.e_P_meas, "e_P_meas");
  check_same(a.e_P_model, b.e_P_model, "e_P_model");
  check_same(a.field_probabilities.mean, b.field_probabilities.mean, "P_field");
  check_same(a.field_probabilities.std, b.field_probabilities.std, "e_P_field");
  REQUIRE(a.field_decisions.size() == b.field_decisions.size());
  for (std::size_t i = 0; i < a.field_decisions.size(); ++i) {
    CHECK(a.field_decisions[i].predicted_class == b.field_decisions[i].predicted_class);
    CHECK(same_bits(a.field_decisions[i].confidence_threshold, b.field_decisions[i].confidence_threshold));
    CHECK(a.field_decisions[i].confident == b.field_decisions[i].confident);
  }
  CHECK(a.calibration.method == b.calibration.method);
  check_same(a.calibration.field_prior, b.calibration.field_prior, "field_prior");
  check_same(a.calibration.training_prior, b.calibration.training_prior, "training_prior");
  CHECK(a.calibration.iterations == b.calibration.iterations);
  CHECK(same_bits(a.calibration.final_change, b.calibration.final_change));
  CHECK(a.calibration.converged == b.calibration.converged);
  CHECK(same_bits(a.calibration.pseudo_count, b.calibration.pseudo_count));
  const auto &sa = a.calibration.scaling, &sb = b.calibration.scaling;
  CHECK(sa.method == sb.method);
  CHECK(sa.fitted_on == sb.fitted_on);
  CHECK(same_bits(sa.inverse_temperature, sb.inverse_temperature));
  CHECK(same_bits(sa.epsilon, sb.epsilon));
  CHECK(sa.sources == sb.sources);
  CHECK(same_bits(sa.log_loss_raw, sb.log_loss_raw));
  CHECK(same_bits(sa.log_loss_scaled, sb.log_loss_scaled));
  check_same(sa.bias, sb.bias, "scaling_bias");
  check_same(sa.class_fractions, sb.class_fractions, "scaling_class_fractions");
  CHECK(a.truth == b.truth);
  CHECK(a.kept_iterations == b.kept_iterations);
  check_same(a.per_iteration, b.per_iteration, "per_iteration");
  CHECK(a.track.steps == b.track.steps);
  check_same(a.track.values, b.track.values, "track");
  CHECK(a.evaluation == b.evaluation);
  CHECK(a.folds == b.folds);
  REQUIRE(a.repeat_mean.size() == b.repeat_mean.size());
  REQUIRE(a.repeat_std.size() == b.repeat_std.size());
  for (std::size_t k = 0; k < a.repeat_mean.size(); ++k) {
    check_same(a.repeat_mean[k], b.repeat_mean[k], "repeat_P");
    check_same(a.repeat_std[k], b.repeat_std[k], "repeat_e_P");
  }
}

// Every optional part of the layout present (a cv run of naive Bayes with
// --keep-iterations), so that every row of the schema is written and read.
ClassificationResult make_full_result() {
  auto r = make_result();
  for (std::size_t i = 0; i < r.decisions.size(); ++i) r.decisions[i].margin = 0.1 * static_cast<double>(i) + 1e-17;
  r.outlier_score = {1.5, 2.5, 9.0};
  r.outlier_percentile = {0.5, 0.25, 0.0};
  r.outlier = {0, 0, 1};
  r.e_P_meas = r.probabilities.q_lo;
  r.e_P_model = r.probabilities.q_hi;
  r.field_probabilities = r.probabilities;
  r.field_probabilities.mean = r.probabilities.median;
  r.field_decisions = r.decisions;
  r.field_decisions[0].confidence_threshold = 7.25;
  r.calibration.method = "estimate";
  r.calibration.field_prior = {0.5, 0.25, 0.25};
  r.calibration.training_prior = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  r.calibration.iterations = 12;
  r.calibration.pseudo_count = 0.75;
  r.calibration.scaling.method = "bcts";
  r.calibration.scaling.fitted_on = "cv.h5";
  r.calibration.scaling.inverse_temperature = 1.27;
  r.calibration.scaling.bias = {0.0, 0.4, -0.3};
  r.calibration.scaling.epsilon = 1e-3;
  r.calibration.scaling.sources = 90;
  r.calibration.scaling.class_fractions = {0.5, 0.3, 0.2};
  r.calibration.scaling.log_loss_raw = 0.61;
  r.calibration.scaling.log_loss_scaled = 0.52;
  r.calibration.final_change = 3e-7;
  r.calibration.converged = 1;
  r.item_ebv_lo = {0.0, 0.325};  // E(B-V) bin edges (issue 18)
  r.item_ebv_hi = {0.025, 0.4};
  r.truth = {0, 2, 1};
  r.kept_iterations = 2;
  for (int k = 0; k < 3 * 2 * 3; ++k) r.per_iteration.push_back(1.0 / (k + 3));
  r.track.steps = {"prior", "xray/hard_hm", "xray"};
  for (int k = 0; k < 3 * 3 * 3; ++k) r.track.values.push_back(1.0 / (k + 7));
  r.evaluation = "cv";
  r.folds = 3;
  r.repeat_mean = {r.probabilities.mean, r.probabilities.median};
  r.repeat_std = {r.probabilities.std, r.probabilities.q_lo};
  return r;
}

// Raw HDF5 edits of a written file, to make it break the layout.
void edit_file(const std::string& path, const std::function<void(hid_t)>& edit) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  edit(f);
  REQUIRE(H5Fclose(f) >= 0);
}

void replace_with_doubles(hid_t file, const char* name, const std::vector<hsize_t>& dims) {
  REQUIRE(H5Ldelete(file, name, H5P_DEFAULT) >= 0);
  const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t d = H5Dcreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(d >= 0);
  H5Dclose(d);
  H5Sclose(space);
}

// The stored bytes of a contiguous dataset, straight from the file.
std::string dataset_bytes(const fs::path& file, const char* name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  REQUIRE(d >= 0);
  const haddr_t offset = H5Dget_offset(d);
  const hsize_t size = H5Dget_storage_size(d);
  H5Dclose(d);
  H5Fclose(f);
  if (size == 0) return "";
  REQUIRE(offset != HADDR_UNDEF);
  const std::string all = slurp(file);
  REQUIRE(offset + size <= all.size());
  return all.substr(offset, size);
}

}  // namespace

TEST_CASE("results round-trip exactly through HDF5") {
  const auto dir = mwclass::testing::scratch_dir("output-roundtrip");
  const auto path = (dir / "results.h5").string();
  const auto result = make_result();
  const auto provenance = make_provenance();
  out::write_results(path, result, provenance);
  CHECK(listing(dir) == std::vector<std::string>{"results.h5"});  // no temporary left behind
  check_same(out::read_results(path), result);

  SUBCASE("provenance round-trips") {
    const auto p = out::read_provenance(path);
    CHECK(p.version == provenance.version);
    CHECK(p.command_line == provenance.command_line);
    CHECK(p.config_toml == provenance.config_toml);
    CHECK(p.training_catalog == provenance.training_catalog);
    CHECK(p.field_catalog == provenance.field_catalog);
    CHECK(p.training_checksum == provenance.training_checksum);
    CHECK(p.field_checksum == provenance.field_checksum);
    CHECK(p.seed == provenance.seed);
    CHECK(p.mc_iterations == provenance.mc_iterations);
    CHECK(p.ranks == provenance.ranks);
    CHECK(p.threads == provenance.threads);
    CHECK(same_bits(p.wall_time_seconds, provenance.wall_time_seconds));
    CHECK(p.created_utc == provenance.created_utc);
  }

  SUBCASE("format 1 names: the old names are soft links, and a format 1 file reads the same") {
    edit_file(path, [](hid_t f) {
      H5L_info_t info;
      REQUIRE(H5Lget_info(f, "bins", &info, H5P_DEFAULT) >= 0);
      CHECK(info.type == H5L_TYPE_SOFT);
      REQUIRE(H5Lget_info(f, "/sources/bin", &info, H5P_DEFAULT) >= 0);
      CHECK(info.type == H5L_TYPE_SOFT);
      // Make it a format 1 file: the work items under their old names only.
      REQUIRE(H5Ldelete(f, "bins", H5P_DEFAULT) >= 0);
      REQUIRE(H5Ldelete(f, "/sources/bin", H5P_DEFAULT) >= 0);
      REQUIRE(H5Lmove(f, "items", f, "bins", H5P_DEFAULT, H5P_DEFAULT) >= 0);
      REQUIRE(H5Lmove(f, "/sources/item", f, "/sources/bin", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    });
    check_same(out::read_results(path), result);
  }

  SUBCASE("rewriting replaces the file") {
    auto changed = result;
    changed.names[0] = "renamed";
    out::write_results(path, changed, provenance);
    CHECK(out::read_results(path).names[0] == "renamed");
    CHECK(listing(dir).size() == 1);
  }
}

TEST_CASE("every row of the schema is written and read back") {
  const auto dir = mwclass::testing::scratch_dir("output-every-part");
  const auto path = (dir / "results.h5").string();
  const auto result = make_full_result();
  out::write_results(path, result, make_provenance());
  check_same(out::read_results(path), result);
  // The full result exercised every row: each one is in the file.
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  for (const auto& e : out::results_schema()) {
    INFO(e.what());
    CHECK(e.part->present(result));
    if (e.is_dataset()) {
      CHECK(H5Lexists(f, e.group, H5P_DEFAULT) > 0);
      CHECK(H5Lexists(f, e.path().c_str(), H5P_DEFAULT) > 0);
    } else {
      CHECK(H5Aexists_by_name(f, e.group, e.name, H5P_DEFAULT) > 0);
    }
  }
  H5Fclose(f);

  SUBCASE("without the optional parts, none of their rows is written") {
    const auto plain = make_result();
    out::write_results(path, plain, make_provenance());
    check_same(out::read_results(path), plain);
    const hid_t g = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(g >= 0);
    for (const char* absent : {"/iterations", "/track", "/evaluation", "/sources/outlier", "/sources/true_class_index"})
      CHECK_MESSAGE(H5Lexists(g, absent, H5P_DEFAULT) == 0, absent);
    H5Fclose(g);
  }
}

TEST_CASE("reading checks the layout and names the file and the dataset") {
  const auto dir = mwclass::testing::scratch_dir("output-read-layout");
  const auto path = (dir / "results.h5").string();
  out::write_results(path, make_full_result(), make_provenance());
  const auto read_error = [&] { return error_of([&] { out::read_results(path); }); };

  SUBCASE("a required dataset is missing") {
    edit_file(path, [](hid_t f) { REQUIRE(H5Ldelete(f, "/sources/CT", H5P_DEFAULT) >= 0); });
    const auto message = read_error();
    CHECK(contains(message, path));
    CHECK(contains(message, "dataset '/sources/CT' is missing"));
  }
  SUBCASE("a dataset of the wrong shape") {
    edit_file(path, [](hid_t f) { replace_with_doubles(f, "/items/ebv", {3}); });
    const auto message = read_error();
    CHECK(contains(message, path));
    CHECK(contains(message, "dataset '/items/ebv' has shape (3,), expected (B,) with B = 2"));
  }
  SUBCASE("a dataset of the wrong rank") {
    edit_file(path, [](hid_t f) { replace_with_doubles(f, "/sources/P_median", {3}); });
    CHECK(contains(read_error(), "dataset '/sources/P_median' has shape (3,), expected (n, C) with n = 3, C = 3"));
  }
  SUBCASE("numbers where strings belong") {
    edit_file(path, [](hid_t f) { replace_with_doubles(f, "/sources/class", {3}); });
    CHECK(contains(read_error(), "dataset '/sources/class' does not hold strings"));
  }
  SUBCASE("an optional part is all or nothing") {
    edit_file(path, [](hid_t f) { REQUIRE(H5Ldelete(f, "/sources/outlier", H5P_DEFAULT) >= 0); });
    CHECK(contains(read_error(), "dataset '/sources/outlier' is missing"));
  }
  SUBCASE("the cv repeats disagree with the attribute") {
    edit_file(path, [](hid_t f) {
      const hid_t g = H5Gopen2(f, "/evaluation", H5P_DEFAULT);
      REQUIRE(g >= 0);
      const hid_t a = H5Aopen(g, "repeats", H5P_DEFAULT);
      REQUIRE(a >= 0);
      const int three = 3;
      CHECK(H5Awrite(a, H5T_NATIVE_INT, &three) >= 0);
      H5Aclose(a);
      H5Gclose(g);
    });
    CHECK(contains(read_error(), "attribute 'repeats' of '/evaluation' is 3"));
  }
  SUBCASE("files from before the margin are still read") {
    edit_file(path, [](hid_t f) { REQUIRE(H5Ldelete(f, "/sources/margin", H5P_DEFAULT) >= 0); });
    const auto back = out::read_results(path);
    for (const auto& d : back.decisions) CHECK(d.margin == 0.0);
  }
}

TEST_CASE("writes are deterministic") {
  const auto dir = mwclass::testing::scratch_dir("output-determinism");
  const auto result = make_result();
  const auto provenance = make_provenance();
  out::write_results((dir / "a.h5").string(), result, provenance);
  // HDF5 object timestamps have one-second resolution: make sure they would differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  out::write_results((dir / "b.h5").string(), result, provenance);
  // Same inputs and provenance: the whole file is identical (no timestamps anywhere).
  CHECK(slurp(dir / "a.h5") == slurp(dir / "b.h5"));

  // Different provenance (wall time, date, config): the datasets' bytes still are.
  auto other = provenance;
  other.wall_time_seconds = 1.0;
  other.created_utc = "2030-01-01T00:00:00Z";
  other.config_toml += "# a much longer configuration text\n" + std::string(5000, '#');
  out::write_results((dir / "c.h5").string(), result, other);
  for (const char* name :
       {"/classes", "/features", "/sources/name", "/sources/ra", "/sources/P", "/sources/e_P",
        "/sources/P_q97725", "/sources/class", "/sources/CT", "/sources/confident", "/items/id",
        "/items/importance_mean"}) {
    INFO(name);
    const auto a = dataset_bytes(dir / "a.h5", name);
    CHECK(!a.empty());
    CHECK(a == dataset_bytes(dir / "c.h5", name));
  }
}

TEST_CASE("write_results is atomic") {
  const auto dir = mwclass::testing::scratch_dir("output-atomic");
  const auto result = make_result();
  const auto provenance = make_provenance();

  SUBCASE("missing directory: Error naming the path and HDF5's reason, nothing created") {
    const auto path = (dir / "no-such-dir" / "results.h5").string();
    const auto message = error_of([&] { out::write_results(path, result, provenance); });
    CHECK(contains(message, path));
    CHECK(contains(message, "H5Fcreate"));  // HDF5's own error stack
    CHECK(contains(message, "No such file or directory"));
    CHECK(!fs::exists(dir / "no-such-dir"));
    CHECK(listing(dir).empty());
  }

  SUBCASE("path is a directory: the rename fails, the temporary file is removed") {
    fs::create_directory(dir / "results.h5");
    const auto path = (dir / "results.h5").string();
    const auto message = error_of([&] { out::write_results(path, result, provenance); });
    CHECK(contains(message, path));
    CHECK(listing(dir) == std::vector<std::string>{"results.h5"});
    CHECK(fs::is_empty(dir / "results.h5"));
  }

  SUBCASE("failure in the middle of the file: temporary removed, old file untouched") {
    const auto path = (dir / "results.h5").string();
    out::write_results(path, result, provenance);
    const auto before = slurp(path);
    auto bad = result;
    bad.names[2] = std::string("nul\0byte", 8);
    const auto message = error_of([&] { out::write_results(path, bad, provenance); });
    CHECK(contains(message, path));
    CHECK(contains(message, "NUL"));
    CHECK(listing(dir) == std::vector<std::string>{"results.h5"});
    CHECK(slurp(path) == before);
  }

  SUBCASE("inconsistent or empty results are rejected before anything is written") {
    const auto path = (dir / "results.h5").string();
    auto bad = result;
    bad.probabilities.std.resize(3, 2);
    auto message = error_of([&] { out::write_results(path, bad, provenance); });
    CHECK(contains(message, path));
    CHECK(contains(message, "/sources/e_P"));
    bad = result;
    bad.decisions[1].predicted_class = 3;
    CHECK(contains(error_of([&] { out::write_results(path, bad, provenance); }), "predicted class"));
    ClassificationResult empty;
    empty.class_names = result.class_names;
    CHECK(contains(error_of([&] { out::write_results(path, empty, provenance); }), "no source"));
    CHECK(listing(dir).empty());
  }
}

TEST_CASE("check_writable") {
  const auto dir = mwclass::testing::scratch_dir("output-writable");
  out::check_writable((dir / "results.h5").string());
  CHECK(listing(dir).empty());  // the probe is gone

  const auto missing = (dir / "missing" / "results.h5").string();
  CHECK(contains(error_of([&] { out::check_writable(missing); }), missing));

  // Root ignores permission bits, so use a parent that is a regular file.
  std::ofstream(dir / "plain-file") << "x";
  const auto under_file = (dir / "plain-file" / "results.h5").string();
  CHECK(contains(error_of([&] { out::check_writable(under_file); }), under_file));
  CHECK_THROWS_AS(out::write_results(under_file, make_result(), make_provenance()), Error);

  fs::create_directory(dir / "a-directory");
  CHECK_THROWS_AS(out::check_writable((dir / "a-directory").string()), Error);
}

TEST_CASE("reading rejects missing, foreign and incomplete files") {
  const auto dir = mwclass::testing::scratch_dir("output-read-errors");
  const auto missing = (dir / "missing.h5").string();
  CHECK(contains(error_of([&] { out::read_results(missing); }), missing));

  std::ofstream(dir / "text.h5") << "not hdf5\n";
  CHECK(contains(error_of([&] { out::read_results((dir / "text.h5").string()); }),
                 "not an HDF5 file"));

  // A file whose `complete` attribute is not 1 (as if the writer had died).
  const auto path = (dir / "results.h5").string();
  out::write_results(path, make_result(), make_provenance());
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t a = H5Aopen(f, "complete", H5P_DEFAULT);
    REQUIRE(a >= 0);
    const int zero = 0;
    CHECK(H5Awrite(a, H5T_NATIVE_INT, &zero) >= 0);
    H5Aclose(a);
    H5Fclose(f);
  }
  const auto message = error_of([&] { out::read_results(path); });
  CHECK(contains(message, path));
  CHECK(contains(message, "incomplete"));
  CHECK_THROWS_AS(out::read_provenance(path), Error);
}

TEST_CASE("zero-size edge cases round-trip") {
  const auto dir = mwclass::testing::scratch_dir("output-edge");
  const auto path = (dir / "results.h5").string();
  const auto provenance = make_provenance();

  SUBCASE("no features, no bins") {
    auto r = make_result();
    r.feature_names.clear();
    r.items.clear();
    r.item_ebv.clear();
    r.item_size.clear();
    r.item_iterations.clear();
    r.importance_mean.resize(0, 0);
    r.importance_std.resize(0, 0);
    r.decisions[1].predicted_class = -1;  // no prediction
    out::write_results(path, r, provenance);
    check_same(out::read_results(path), r);
  }

  SUBCASE("importances not computed: stored as 0 x n_features") {
    auto r = make_result();
    r.importance_mean.resize(0, 0);
    r.importance_std.resize(0, 0);
    out::write_results(path, r, provenance);
    const auto back = out::read_results(path);
    CHECK(back.importance_mean.rows() == 0);
    CHECK(back.importance_mean.cols() == 4);
    CHECK(back.importance_std.rows() == 0);
    CHECK(back.items == r.items);
  }

  SUBCASE("empty strings") {
    auto r = make_result();
    r.names[1] = "";
    auto p = provenance;
    p.config_toml.clear();
    out::write_results(path, r, p);
    CHECK(out::read_results(path).names == r.names);
    CHECK(out::read_provenance(path).config_toml.empty());
  }
}

TEST_CASE("export_csv") {
  const auto dir = mwclass::testing::scratch_dir("output-csv");
  const auto path = (dir / "classified.csv").string();
  const auto result = make_result();
  out::export_csv(result, path);
  CHECK(listing(dir) == std::vector<std::string>{"classified.csv"});

  const auto text = slurp(path);
  CHECK(text.substr(0, text.find('\n')) ==
        "name,P_AGN,P_CV,P_YSO,e_P_AGN,e_P_CV,e_P_YSO,Class,Class_prob,e_Class_prob,CT,confident,margin");
  CHECK(contains(text, "\n2CXO J174545.1-290029,0.7,0.2,0.1,"));

  const auto table = mwclass::catalog::read_csv(path);
  REQUIRE(table.rows.size() == 3);
  const auto& row1 = table.rows[1];
  CHECK(row1[0] == result.names[1]);  // quoted on write, unquoted on read
  CHECK(std::stod(row1[1]) == result.probabilities.mean(1, 0));  // round-trip precision
  CHECK(row1[6].empty());                                         // NaN e_P_YSO
  CHECK(row1[table.column("Class")] == "CV");
  CHECK(table.rows[0][table.column("confident")] == "1");
  CHECK(table.rows[1][table.column("confident")] == "0");
  CHECK(std::stod(table.rows[0][table.column("CT")]) == result.decisions[0].confidence_threshold);
  CHECK(table.rows[2][table.column("CT")] == "-inf");

  CHECK(std::stod(table.rows[0][table.column("margin")]) == result.decisions[0].margin);

  const auto bad_path = (dir / "missing" / "x.csv").string();
  CHECK(contains(error_of([&] { out::export_csv(result, bad_path); }), bad_path));
  CHECK(listing(dir).size() == 1);

  SUBCASE("with the outlier measure") {
    auto r = make_result();
    r.outlier_score = {1.5, 2.5, 9.0};
    r.outlier_percentile = {0.5, 0.25, 0.0};
    r.outlier = {0, 0, 1};
    out::export_csv(r, path);
    const auto t = mwclass::catalog::read_csv(path);
    CHECK(t.header.back() == "outlier");
    CHECK(std::stod(t.rows[1][t.column("outlier_score")]) == 2.5);
    CHECK(std::stod(t.rows[1][t.column("outlier_percentile")]) == 0.25);
    CHECK(t.rows[2][t.column("outlier")] == "1");
    CHECK(t.rows[0][t.column("outlier")] == "0");
  }
}

TEST_CASE("an independent reader (h5py) understands the documented layout") {
  if (std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0) {
    std::printf("SKIP: /usr/bin/python3 with h5py and numpy is not available\n");
    return;
  }
  const auto dir = mwclass::testing::scratch_dir("output-h5py");
  const auto path = (dir / "results.h5").string();
  out::write_results(path, make_result(), make_provenance());
  const std::string script = std::string(MWCLASS_SOURCE_DIR) + "/tests/unit/output/read_results.py";
  const std::string command = "/usr/bin/python3 '" + script + "' '" + path + "'";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  // The script must also be able to fail: an incomplete file is refused.
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  CHECK(H5Adelete(f, "complete") >= 0);
  H5Fclose(f);
  const int bad = std::system((command + " >/dev/null 2>&1").c_str());
  CHECK(WIFEXITED(bad));
  CHECK(WEXITSTATUS(bad) != 0);
}
