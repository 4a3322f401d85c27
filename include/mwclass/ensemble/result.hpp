#pragma once
// What a classification run produces. Plain data: the ensemble fills it, the
// parallel layer moves it between ranks, the output layer writes it.
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/core/matrix.hpp"
#include "mwclass/learners/classifier.hpp"

namespace mwclass::ensemble {

// Per-source statistics of the per-iteration class probabilities.
// All matrices are n_sources x n_classes.
struct ProbabilityStats {
  Matrix mean;      // P_c: mean over MC iterations
  Matrix std;       // e_P_c: standard deviation over iterations (population, ddof = 0)
  Matrix median;
  Matrix q_lo;      // 2.275 % quantile (-2 sigma), linear interpolation
  Matrix q_hi;      // 97.725 % quantile (+2 sigma)
};

// Wall-clock seconds spent in each stage of the ensemble (diagnostics only:
// never part of the reproducible result).
struct StageTimes {
  double sampling = 0, features = 0, smote = 0, fit = 0, predict = 0;
  double total() const { return sampling + features + smote + fit + predict; }
  StageTimes& operator+=(const StageTimes& o) {
    sampling += o.sampling;
    features += o.features;
    smote += o.smote;
    fit += o.fit;
    predict += o.predict;
    return *this;
  }
};

// The naive Bayes "probability track" of each source (Tranin et al. 2022):
// the normalized posterior after the prior, after each feature's term and
// after each whole category, for the source's observed (not MC-sampled)
// values and the model fitted at MC iteration 0. Empty for other models.
using learners::ProbabilityTrack;  // learners/classifier.hpp


// The outcome of one work item (an E(B-V) bin, a left-out source, a fold).
struct WorkResult {
  int id = 0;                      // bin id / left-out row / repeat x folds + fold
  double ebv = 0.0;                // E(B-V) the training AGN were reddened to
  std::vector<std::uint64_t> rows; // the sources' row indices in the source catalog
  int iterations = 0;              // MC iterations run
  ProbabilityStats probabilities;
  std::vector<double> importance_mean, importance_std;  // over iterations, per feature
  std::vector<double> per_iteration;  // optional: P of (source, iteration, class), row-major
  ProbabilityTrack track;             // naive Bayes only
  // Outlier measure per source, mean over iterations (learners/outlier.hpp;
  // empty for results written before it): the model's score against the best
  // class, and the fraction of that class's training members scoring at
  // least as high.
  std::vector<double> outlier_score, outlier_percentile;
  // --split-uncertainty (n_sources x n_classes, empty otherwise): e_P split into the part
  // from the sources' own measurement errors and the rest (ensemble/statistics.hpp).
  Matrix e_P_meas, e_P_model;
  StageTimes timing;
};

// The fields of a work result on the wire and in checkpoints (core/bytes.hpp);
// format 2 added the track, 3 the outlier measure, 4 the uncertainty split (ensemble/assemble.hpp:
// kWorkResultFormat).
template <class Archive>
void wire(Archive& a, WorkResult& r) {
  a(r.id);
  a(r.ebv);
  a(r.rows);
  a(r.iterations);
  a(r.probabilities.mean);
  a(r.probabilities.std);
  a(r.probabilities.median);
  a(r.probabilities.q_lo);
  a(r.probabilities.q_hi);
  a(r.importance_mean);
  a(r.importance_std);
  a(r.per_iteration);
  a(r.timing);
  a.since(2, r.track.steps);
  a.since(2, r.track.values);
  a.since(3, r.outlier_score);
  a.since(3, r.outlier_percentile);
  a.since(4, r.e_P_meas);
  a.since(4, r.e_P_model);
}

// Decision derived from the statistics of one source (MUWCLASS definitions).
struct Decision {
  int predicted_class = -1;  // argmax of mean probability
  double class_prob = 0;     // P of the predicted class
  double e_class_prob = 0;   // its standard deviation
  double confidence_threshold = 0;  // CT
  bool confident = false;    // CT >= config threshold
  double margin = 0;         // Tranin et al.: 2 max(P) / sum(P) - 1, from the mean probabilities
};

// Bias-corrected temperature scaling of the probabilities before the field prior
// (ensemble/calibration.hpp): q_c proportional to exp(a ln(p_c + epsilon) + b_c),
// fitted on held-out probabilities with known classes (evaluation/scaling.hpp).
struct ProbabilityScaling {
  std::string method = "none";          // "none" or "bcts"
  double inverse_temperature = 1;       // a = 1/T
  std::vector<double> bias;             // b_c per class (b of the first class is 0)
  double epsilon = 1e-3;                // added to every p_c before the logarithm
  std::string fitted_on;                // the `mwclass cv` / `loocv` results file
  int sources = 0;                      // held-out probability rows the fit used
  std::vector<double> class_fractions;  // their true classes' fractions: pi_train of the scaled P
  double log_loss_raw = 0;              // mean -ln(p_true + epsilon) before scaling, on those rows
  double log_loss_scaled = 0;           // ... after
};

// How the field prior of the calibrated probabilities was obtained (ensemble/calibration.hpp).
struct FieldCalibration {
  std::string method;                 // "given" or "estimate"
  std::vector<double> field_prior;    // pi_field per class
  std::vector<double> training_prior; // pi_train per class
  int iterations = 0;                 // EM iterations run (0 for "given")
  double final_change = 0;            // EM: largest change of a class fraction in the last iteration
  int converged = 1;                  // EM: final_change < tolerance within max_iterations
  double pseudo_count = 0;            // EM: [calibration] em_pseudo_count (0 in files before it, and for "given")
  ProbabilityScaling scaling;         // applied to every iteration before the re-weighting
};

// The whole run, sources in field-catalog order.
struct ClassificationResult {
  std::vector<std::string> class_names;
  std::vector<std::string> feature_names;

  std::vector<std::string> names;
  std::vector<double> ra, dec, ebv;  // ebv: the source's own E(B-V) (NaN if none)
  std::vector<int> item_of_source;  // id of the work item that classified the source
  ProbabilityStats probabilities;
  std::vector<Decision> decisions;

  // Optional per-iteration probabilities (n_sources x n_iterations x n_classes,
  // row-major), kept with --keep-iterations for convergence studies.
  std::vector<double> per_iteration;
  int kept_iterations = 0;
  ProbabilityTrack track;  // naive Bayes: n_sources x steps x classes
  std::vector<double> outlier_score, outlier_percentile;  // per source (learners/outlier.hpp)
  std::vector<char> outlier;  // outlier_percentile < classifier.outlier_percentile
  Matrix e_P_meas, e_P_model;  // --split-uncertainty (empty otherwise)

  // [calibration] field_prior != "none": the probabilities re-weighted to the field's
  // class mix, per MC iteration, and their decisions (empty otherwise).
  ProbabilityStats field_probabilities;
  std::vector<Decision> field_decisions;
  FieldCalibration calibration;

  // Evaluation runs (loocv, cv) also store the truth and, for cv, every repeat.
  std::string evaluation;            // "", "loocv" or "cv"
  Labels truth;                      // true class per source (empty for classify)
  int folds = 0;                     // cv
  std::vector<Matrix> repeat_mean;   // cv: mean probabilities of each repeat (n x C)
  std::vector<Matrix> repeat_std;    // cv: their standard deviations

  // per work item (bin, left-out source, fold), in increasing id
  std::vector<int> items;
  std::vector<double> item_ebv;
  std::vector<double> item_ebv_lo, item_ebv_hi;  // classify: the E(B-V) bin's edges (ensemble/binning.hpp)
  std::vector<int> item_size;
  std::vector<int> item_iterations;
  Matrix importance_mean, importance_std;  // n_items x n_features
};

// Everything needed to say how a result was made (stored as HDF5 attributes).
struct Provenance {
  std::string version;
  std::string command_line;
  std::string config_toml;   // the resolved configuration
  std::string training_catalog, field_catalog;
  // "fnv1a64:<16 hex digits>" of each catalog file (input_checksum in src/run/job.cpp); empty in files before 0.7.1.
  std::string training_checksum, field_checksum;
  std::uint64_t seed = 0;
  int mc_iterations = 0;     // 0: deterministic single pass
  int ranks = 1;
  int threads = 1;
  double wall_time_seconds = 0;
  std::string created_utc;   // ISO 8601
  // Where the field's E(B-V) came from (ensemble::resolve_field_ebv): "column", "constant",
  // "map", "field_mean", "position"; for the map modes the files with their checksums and the scale.
  std::string ebv_source;
  std::string dust_map;      // "<file> fnv1a64:<hex>; ... scale <s>", empty without a map
};

}  // namespace mwclass::ensemble
