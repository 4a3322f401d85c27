// Benchmark of one MUWCLASS Monte-Carlo iteration on a training set (issue 5).
//
// Follows the steps of the ensemble's per-iteration pipeline with reddening
// off: sample the training set within its errors, build the features,
// standardize, SMOTE, encode missing values as the flag, fit the forest and
// predict every training source (as a stand-in for a bin of field sources).
// Each stage is timed separately; `--repeats` iterations (different MC draws)
// are run and medians reported. It calls the stage libraries directly, not the
// ensemble driver, so it measures exactly these steps.
//
// Modes:
//   bench_iteration --td TD.csv [--repeats 7] [--threads 1] [--seed S]
//                   [--export-train out.csv]   (SMOTE'd matrix of iteration 0, for ranger)
//   bench_iteration --print-config   (the default config as TOML, for sklearn_iteration.py)
//   bench_iteration --td TD.csv --loocv-stride 20 [--loocv-m 1] [--loocv-offset 0]
//       leave-one-out on every stride-th source from the offset: M iterations per
//       left-out source; prints "loocv_source INDEX TRUE PREDICTED P_0 ... P_{K-1}"
//       (mean probabilities) per source as it finishes, then the accuracy.
//   --max-bins B   the forest's approximate binned mode (ForestParams::max_bins; 0 exact)
//   --shared-draws           LOOCV: one training-set draw per iteration for all left-out
//       sources, as the ensemble (default: one per left-out source, as sklearn_iteration.py)
//   --error-scale S          MC error scale (default sqrt 2; 0: the observed values)
//   --loocv-labels LMXB,NS   leave out only the sources of these classes
//   --loocv-export DIR       write each LOOCV iteration's SMOTE'd training matrix, its
//       labels and the left-out source's row to DIR/loocv_INDEX_M.bin (int64 rows,
//       int64 cols, rows*cols float64 row-major, rows int32 labels, cols float64 test
//       row, n_classes float64 mwclass probabilities), so that another forest can be
//       fitted on exactly the same matrices (bench/crossover_forest.py).
//
// Output lines are "key value" pairs that bench/run_forest_bench.sh parses.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"
#include "mwclass/learners/random_forest.hpp"
#include "mwclass/learners/standardizer.hpp"
#include "mwclass/physics/features.hpp"
#include "mwclass/sampling/monte_carlo.hpp"
#include "mwclass/sampling/smote.hpp"

using namespace mwclass;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point& t) {
  const auto now = Clock::now();
  const double s = std::chrono::duration<double>(now - t).count();
  t = now;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// FNV-1a over the bytes of a matrix: a fingerprint to compare engines bit for bit.
std::uint64_t fingerprint(const Matrix& m) {
  std::uint64_t h = 1469598103934665603ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(m.data());
  for (std::size_t i = 0; i < static_cast<std::size_t>(m.size()) * sizeof(double); ++i) {
    h ^= bytes[i];
    h *= 1099511628211ull;
  }
  return h;
}

struct Stages {
  double sampling = 0, features = 0, standardize = 0, smote = 0, fit = 0, predict = 0;
  double total() const { return sampling + features + standardize + smote + fit + predict; }
};

struct Setup {
  Config config;
  catalog::Catalog td;
  int n_classes = 0;
  int threads = 1;
  // LOOCV: each left-out source's fit gets its own MC draw of the training set
  // (keyed by the source too), as sklearn_iteration.py draws one per fit. With
  // --shared-draws every fit of iteration m sees the same draw, as the ensemble
  // does for all bins: then a LOOCV at small M rests on M training-set draws
  // and its scores vary more between seeds.
  bool shared_draws = false;
};

// One iteration: training rows `train` (indices into the TD), sources `test`.
// Returns the probabilities of the test rows.
Matrix iteration(const Setup& s, const std::vector<std::size_t>& train,
                 const std::vector<std::size_t>& test, std::uint64_t it, std::uint64_t item,
                 Stages& t, Matrix* export_x = nullptr, Labels* export_y = nullptr,
                 Matrix* export_test = nullptr) {
  const Config& c = s.config;
  const physics::FeatureBuilder features(c);
  auto clock = Clock::now();
  const catalog::Catalog tr = s.td.subset(train);
  const catalog::Catalog te = s.td.subset(test);
  sampling::Measurements td = sampling::observed(tr);
  sampling::Measurements src = sampling::observed(te);
  const double scale = c.monte_carlo.error_scale;
  for (std::size_t i = 0; i < tr.size(); ++i) {
    rng::Stream r = s.shared_draws
                        ? rng::Stream(c.seed, rng::Purpose::TrainingSample, {it, train[i]})
                        : rng::Stream(c.seed, rng::Purpose::TrainingSample, {it, train[i], item});
    sampling::sample_row(tr, i, scale, r, td, static_cast<Eigen::Index>(i));
  }
  for (std::size_t j = 0; j < te.size(); ++j) {
    rng::Stream r(c.seed, rng::Purpose::FieldSample, {test[j], it});
    sampling::sample_row(te, j, scale, r, src, static_cast<Eigen::Index>(j));
  }
  Matrix x_train = features.build(td.xray_flux, td.mag, td.variability);
  Matrix x_src = features.build(src.xray_flux, src.mag, src.variability);
  t.sampling += seconds_since(clock);

  learners::Standardizer standardizer;
  standardizer.fit(x_train);
  standardizer.transform(x_train);
  standardizer.transform(x_src);
  t.standardize += seconds_since(clock);

  Labels y_train = tr.labels;
  const Eigen::Index n_members = x_train.rows();  // the real rows, before SMOTE's
  {
    rng::Stream r(c.seed, rng::Purpose::Smote, {item, it});
    auto over = sampling::smote(x_train, y_train, c.classifier.classes,
                                {c.smote.k_neighbors, c.smote.missing_fill}, r);
    x_train = std::move(over.X);
    y_train = std::move(over.y);
  }
  learners::encode_missing(x_train, c.classifier.missing_flag);
  learners::encode_missing(x_src, c.classifier.missing_flag);
  t.smote += seconds_since(clock);
  if (export_x) *export_x = x_train;
  if (export_y) *export_y = y_train;
  if (export_test) *export_test = x_src;

  // As the ensemble: the fit also records the members' leaves, and the
  // prediction comes with the outlier measure (learners/outlier.hpp).
  learners::RandomForest forest(c.classifier.forest);
  forest.set_outlier_members(n_members);
  forest.fit(x_train, y_train, s.n_classes,
             rng::derive_key(c.seed, rng::Purpose::Learner, {item, it}), s.threads);
  t.fit += seconds_since(clock);
  const learners::Prediction prediction = forest.predict(x_src, s.threads);
  const Matrix& p = prediction.proba;
  const auto& outlier = prediction.outlier;
  if (outlier.size() != static_cast<std::size_t>(x_src.rows())) fail("bench: outlier scores missing");
  t.predict += seconds_since(clock);
  return p;
}

void write_matrix(const std::string& path, const Matrix& X, const Labels& y,
                  const std::vector<std::string>& names) {
  std::ofstream out(path);
  if (!out) fail("cannot write {}", path);
  for (const auto& n : names) out << n << ',';
  out << "label\n";
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index f = 0; f < X.cols(); ++f) out << fmt::format("{:.17g},", X(i, f));
    out << y[static_cast<std::size_t>(i)] << '\n';
  }
}

// Raw little-endian binary for bench/crossover_forest.py (layout in the header comment).
void write_binary(const std::string& path, const Matrix& X, const Labels& y, const Matrix& test,
                  const Matrix& proba) {
  std::ofstream out(path, std::ios::binary);
  if (!out) fail("cannot write {}", path);
  const std::int64_t shape[2] = {X.rows(), X.cols()};
  out.write(reinterpret_cast<const char*>(shape), sizeof shape);
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index f = 0; f < X.cols(); ++f) {
      const double v = X(i, f);
      out.write(reinterpret_cast<const char*>(&v), sizeof v);
    }
  for (const auto label : y) {
    const auto l = static_cast<std::int32_t>(label);
    out.write(reinterpret_cast<const char*>(&l), sizeof l);
  }
  for (Eigen::Index f = 0; f < test.cols(); ++f) {
    const double v = test(0, f);
    out.write(reinterpret_cast<const char*>(&v), sizeof v);
  }
  for (Eigen::Index k = 0; k < proba.cols(); ++k) {
    const double v = proba(0, k);
    out.write(reinterpret_cast<const char*>(&v), sizeof v);
  }
  if (!out) fail("write error on {}", path);
}

int run(int argc, char** argv) {
  std::string td_path, export_path, loocv_labels, loocv_export;
  int repeats = 7, loocv_stride = 0, loocv_m = 1, loocv_offset = 0;
  Setup s;
  s.config = Config::defaults();
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto value = [&]() -> std::string {
      if (a + 1 >= argc) fail("{} needs a value", arg);
      return argv[++a];
    };
    if (arg == "--td") td_path = value();
    else if (arg == "--repeats") repeats = std::stoi(value());
    else if (arg == "--threads") s.threads = std::stoi(value());
    else if (arg == "--seed") s.config.seed = std::stoull(value());
    else if (arg == "--export-train") export_path = value();
    else if (arg == "--loocv-stride") loocv_stride = std::stoi(value());
    else if (arg == "--loocv-m") loocv_m = std::stoi(value());
    else if (arg == "--loocv-offset") loocv_offset = std::stoi(value());
    else if (arg == "--max-bins") s.config.classifier.forest.max_bins = std::stoi(value());
    else if (arg == "--loocv-labels") loocv_labels = value();
    else if (arg == "--shared-draws") s.shared_draws = true;
    else if (arg == "--error-scale") s.config.monte_carlo.error_scale = std::stod(value());
    else if (arg == "--loocv-export") loocv_export = value();
    else if (arg == "--print-config") {
      std::fputs(Config::defaults().to_toml().c_str(), stdout);
      return 0;
    }
    else fail("unknown argument {}", arg);
  }
  if (td_path.empty()) fail("--td TD.csv is required");
  s.config.reddening.enabled = false;
  s.td = catalog::read_catalog(td_path, s.config, catalog::Role::Training);
  s.n_classes = static_cast<int>(s.config.classifier.classes.size());
  const std::size_t n = s.td.size();

  if (loocv_stride > 0) {
    int correct = 0, total = 0;
    Stages t;
    std::vector<char> wanted(static_cast<std::size_t>(s.n_classes), loocv_labels.empty());
    for (std::size_t a = 0, b; a < loocv_labels.size(); a = b + 1) {
      b = std::min(loocv_labels.find(',', a), loocv_labels.size());
      const auto& cls = s.config.classifier.classes;
      const auto it = std::find(cls.begin(), cls.end(), loocv_labels.substr(a, b - a));
      if (it == cls.end()) fail("--loocv-labels: unknown class '{}'", loocv_labels.substr(a, b - a));
      wanted[static_cast<std::size_t>(it - cls.begin())] = 1;
    }
    for (auto left = static_cast<std::size_t>(loocv_offset); left < n;
         left += static_cast<std::size_t>(loocv_stride)) {
      if (!wanted[static_cast<std::size_t>(s.td.labels[left])]) continue;
      std::vector<std::size_t> train;
      for (std::size_t i = 0; i < n; ++i)
        if (i != left) train.push_back(i);
      Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(s.n_classes);
      for (int m = 0; m < loocv_m; ++m) {
        Matrix ex, et;
        Labels ey;
        const bool exporting = !loocv_export.empty();
        const Matrix p = iteration(s, train, {left}, static_cast<std::uint64_t>(m), 1000000 + left,
                                   t, exporting ? &ex : nullptr, exporting ? &ey : nullptr,
                                   exporting ? &et : nullptr);
        if (exporting)
          write_binary(fmt::format("{}/loocv_{}_{}.bin", loocv_export, left, m), ex, ey, et, p);
        mean += p;
      }
      mean /= loocv_m;
      Eigen::Index pred = 0;
      mean.maxCoeff(&pred);
      const int truth = s.td.labels[left];
      std::string line = fmt::format("loocv_source {} {} {}", left, truth, pred);
      for (Eigen::Index k = 0; k < mean.size(); ++k) line += fmt::format(" {:.6f}", mean[k]);
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
      correct += pred == truth;
      ++total;
    }
    std::printf("loocv_sources %d\nloocv_accuracy %.6f\n", total,
                static_cast<double>(correct) / total);
    return 0;
  }

  // One fit per iteration: the ensemble's key (iteration, row), as before --shared-draws existed.
  s.shared_draws = true;
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  std::vector<double> sam, std_, smo, fit, pre, tot;
  for (int r = 0; r < repeats; ++r) {
    Stages t;
    Matrix ex;
    Labels ey;
    const bool exporting = r == 0 && !export_path.empty();
    const Matrix p = iteration(s, all, all, static_cast<std::uint64_t>(r), 0, t,
                               exporting ? &ex : nullptr, exporting ? &ey : nullptr);
    if (exporting) write_matrix(export_path, ex, ey, physics::FeatureBuilder(s.config).names());
    std::printf("repeat %d sampling_features %.6f standardize %.6f smote %.6f fit %.6f predict %.6f "
                "total %.6f proba_fingerprint %016llx\n",
                r, t.sampling, t.standardize, t.smote, t.fit, t.predict, t.total(),
                static_cast<unsigned long long>(fingerprint(p)));
    sam.push_back(t.sampling);
    std_.push_back(t.standardize);
    smo.push_back(t.smote);
    fit.push_back(t.fit);
    pre.push_back(t.predict);
    tot.push_back(t.total());
  }
  std::printf("median_sampling_features %.6f\nmedian_standardize %.6f\nmedian_smote %.6f\n"
              "median_fit %.6f\nmedian_predict %.6f\nmedian_total %.6f\n",
              median(sam), median(std_), median(smo), median(fit), median(pre), median(tot));
  std::printf("median_fit_per_tree %.8f\n", median(fit) / s.config.classifier.forest.n_trees);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_iteration: %s\n", e.what());
    return 2;
  }
}
