#pragma once
// The whole configuration of a run, with its defaults: the MUWCLASS setup for
// the Chandra Source Catalog v2 training set of Yang et al. (2022, ApJ 941, 104).
// A value has one home: here. `configs/*.toml` override it; command-line flags
// override the file; the resolved configuration (to_toml) goes into every output.
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/core/archive_params.hpp"
#include "mwclass/core/learner_params.hpp"

namespace mwclass {

// An X-ray band with an observed flux column (erg s^-1 cm^-2) and its 1-sigma error.
struct XrayBand {
  std::string name;          // "s" -> feature "Fs"
  std::string flux_column;
  std::string error_column;
  double energy_lo_kev = 0;  // band edges for the absorption factor
  double energy_hi_kev = 0;
};

// An optical/IR band with a Vega magnitude column and its 1-sigma error.
// References: zero points and effective widths as used by MUWCLASS (SVO filter
// service); extinction A_band / E(B-V) from Fitzpatrick (1999), R_V = 3.1.
struct OpticalBand {
  std::string name;             // "G" -> flux feature "G"
  std::string mag_column;
  std::string error_column;
  double zero_point_flux = 0;   // f0, erg s^-1 cm^-2 A^-1
  double effective_width = 0;   // W_eff, A
  double limit_mag = 99;        // magnitudes >= limit are dropped (survey limit)
  double extinction_coeff = 0;  // A_band / E(B-V)
};

// HR = (sum(plus) - sum(minus)) / sum(denominator), over X-ray band names.
struct HardnessRatio {
  std::string name;
  std::vector<std::string> plus, minus, denominator;
};

// colour = mag(blue) - mag(red)
struct Colour {
  std::string name;
  std::string blue, red;
};

struct ColumnsConfig {
  std::string name = "CSCv2_name";
  std::string ra = "CSCv2_RA";
  std::string dec = "CSCv2_DEC";
  std::string label = "True_Class";
  std::string ebv = "ebv";
  // Power-law photon index of each source's X-ray spectral fit and its 1-sigma error
  // (physical oversampling, sampling/physical.hpp); "" = the table has none.
  std::string photon_index;
  std::string photon_index_error;
  std::vector<std::string> variability = {"P_intra", "P_inter"};  // used as they are
  // Magnitudes that catalogs use for "no data": an error, not a measurement.
  std::vector<double> sentinel_magnitudes = {-99, 99, -999, 999, -9999, 9999};
  // A field value this far outside the training set's range is suspicious (a unit
  // error, another band, a typo) but possible: one warning per column, not an error.
  double range_warning_dex = 1.0;  // X-ray fluxes, in log10
  double range_warning_mag = 2.5;  // magnitudes (2.5 mag = 1 dex in flux)
};

struct FeaturesConfig {
  std::vector<XrayBand> xray_bands;
  std::string broad_band_name = "b";  // F_b = sum of the X-ray bands
  std::vector<OpticalBand> optical_bands;
  std::vector<HardnessRatio> hardness_ratios;
  std::vector<Colour> colours;
  std::vector<std::string> used;  // ordered feature names given to the learner
  // Append Galactic longitude and latitude (deg, from RA/Dec; features
  // "gal_l", "gal_b"). Off as in MUWCLASS: a training set's sky distribution
  // is a selection effect (README, "Location features").
  bool location = false;
  bool random_feature = false;    // append a uniform random feature (importance noise floor)
};

struct MonteCarloConfig {
  bool enabled = true;
  int iterations = 1000;
  double error_scale = 1.4142135623730951;  // sigma multiplier (sqrt 2, MUWCLASS)
  // --split-uncertainty: each iteration's model also classifies the sources at their
  // observed values, splitting e_P into measurement and model parts (ensemble/statistics.hpp).
  bool split_uncertainty = false;
};

struct ReddeningConfig {
  bool enabled = true;
  std::vector<std::string> classes = {"AGN"};  // training classes reddened to the field
  double bin_width = 0.025;                    // mag of E(B-V)
  std::string binning = "fixed";               // fixed | adaptive (ensemble/binning.hpp)
  double adaptive_tolerance = 0.5;             // tau: feature shift per bin / MC scatter
  double nh_per_ebv = 6.851e21;  // cm^-2 mag^-1 = 2.21e21 x R_V (Guver & Ozel 2009), R_V = 3.1
  double photon_index = 2.0;                   // Gamma of the AGN power law
  std::string absorption_table;                // "" -> built-in Morrison & McCammon (1983)
  // E(B-V) of the field sources (physics/dust_map.hpp, ensemble::resolve_field_ebv).
  std::string dust_map;                        // SFD pair directory or HEALPix FITS file
  double dust_map_scale = 0.86;                // x map value (Schlafly & Finkbeiner 2011 for SFD)
  std::string dust_map_interpolation = "bilinear";
  std::string ebv_source = "column";           // column | map | field_mean | position
  std::vector<double> ebv_position;            // [ra, dec] deg for ebv_source = "position"
};

struct SmoteConfig {
  bool enabled = true;
  int k_neighbors = 4;
  double missing_fill = -1e9;  // stand-in for missing values during neighbour search
};

// How the training set is balanced before each fit (sampling/physical.hpp).
// "smote": SMOTE as configured in [smote] (its `enabled = false` means no
// oversampling, as before); "physical": the MUWCLASS authors' physical
// oversampling (random duplicates of minority-class sources seen through a
// random dust column), [smote] is then ignored; "none": no oversampling.
struct OversamplingConfig {
  std::string method = "smote";          // "smote" | "physical" | "none"
  double target_halfway = 0.5;           // N'_i = min(N_i N_max / (N_max - h (N_max - N_i)), N_max)
  double ebv_shape = 0.5;                // E(B-V) ~ Gamma(shape, scale), mag
  double ebv_scale = 1.5;
  double ebv_cap = 50;                   // E(B-V) above this is set to it
  double nh_per_av = 2.21e21;            // N_H / A_V, cm^-2 mag^-1 (Guver & Ozel 2009)
  double r_v = 3.1;                      // A_V / E(B-V)
  double nh_scatter = 0.09;              // N_H x (1 + nh_scatter draw_scale z)
  double draw_scale = 1.4142135623730951;  // sqrt 2: multiplies z of N_H and of Gamma
  // Photon index of a class when the table has no fit for the source, one per
  // [classifier] classes (defaults: AGN, CV, HM-STAR, HMXB, LM-STAR, LMXB, NS, YSO).
  std::vector<double> class_photon_index = {1.94, 1.61, 3.09, 1.28, 5.14, 1.97, 1.94, 2.95};
  int absorption_intervals = 256;        // Simpson intervals of the band absorption factor
};

// A group of features whose densities the naive Bayes multiplies together
// and weighs as one (Tranin et al. 2022: spectrum, variability,
// multiwavelength, location).
struct NaiveBayesCategory {
  std::string name;
  double weight = 1.0;                // alpha_t >= 0
  std::vector<std::string> features;  // names from features.used
};

// The weighted naive Bayes model (learners/naive_bayes.hpp documents each choice).
struct NaiveBayesConfig {
  std::vector<NaiveBayesCategory> categories;  // defaults(): spectrum, variability, multiwavelength
  std::string missing = "presence";   // "presence": P(missing | C) term (CV-chosen); "skip": left out
  double presence_weight = 1.0;       // exponent of the presence term (>= 0)
  std::string prior = "training";     // "training" | "uniform" | "given"
  std::vector<double> given_priors;   // prior = "given": one per class (expected field proportions)
  std::string bandwidth = "silverman";  // KDE bandwidth rule: "silverman" | "scott"
  double bandwidth_factor = 1.0;      // multiplies the rule's bandwidth
  double density_floor = 1e-3;        // floor of p(x | C), relative to its peak
  double grid_step = 0.25;            // KDE tabulation step in bandwidths (0: direct sums)
  // Per-source quality exponents 1/sigma_f normalized within each category
  // (Tranin et al. 2022), sigma_f from 16 extra draws of the source within its errors.
  bool quality = false;
};

struct ClassifierConfig {
  std::vector<std::string> classes = {"AGN", "CV", "HM-STAR", "HMXB",
                                      "LM-STAR", "LMXB", "NS", "YSO"};
  // "rf": exact-split random forest on SMOTE'd data with missing values as
  //       missing_flag (MUWCLASS); "gbdt": XGBoost gradient boosting with
  //       native missing values and class weights (Kumaran et al.); "nb":
  //       weighted naive Bayes (Tranin et al. 2022). SMOTE is the rf's class
  //       balancing: gbdt balances by sample weights, nb by its priors.
  std::string model = "rf";
  double missing_flag = -100.0;       // value the forest sees for a missing feature
  double confidence_threshold = 2.0;  // CT >= this -> confident
  // Outlier flag (learners/outlier.hpp): fewer than this fraction of the
  // predicted class's training members are as unusual as the source.
  double outlier_percentile = 0.01;
  ForestParams forest;
  GradientBoostingParams gbdt;
  NaiveBayesConfig nb;
};

// Probabilities for the field's class mix (ensemble/calibration.hpp): P'_c proportional to
// P_c pi_field,c / pi_train,c, per MC iteration, stored beside the uncalibrated ones.
struct CalibrationConfig {
  std::string field_prior = "none";  // "none" | "given" | "estimate" (Saerens et al. 2002 EM)
  std::vector<double> given_prior;   // field_prior = "given": one per class, summing to 1 (+-0.01)
  std::vector<double> training_prior;  // empty: derived from the learner's balancing
  int max_iterations = 1000;         // EM
  double tolerance = 1e-6;           // EM: stop when no class fraction changes by more
  double em_pseudo_count = 1.0;      // EM: lambda of the Dirichlet(1 + lambda) prior on pi_field (0: maximum likelihood)
  // Bias-corrected temperature scaling of P before the field prior (evaluation/scaling.hpp).
  std::string scaling = "none";      // "none" | "bcts"
  std::string scaling_from;          // scaling = "bcts": results of `mwclass cv` or `loocv` on the training set
  double scaling_epsilon = 1e-3;     // added to P before the logarithm (forest P are often exactly 0)
};

struct Config {
  ColumnsConfig columns;
  FeaturesConfig features;
  MonteCarloConfig monte_carlo;
  ReddeningConfig reddening;
  SmoteConfig smote;
  OversamplingConfig oversampling;
  ClassifierConfig classifier;
  CalibrationConfig calibration;
  // The archive stage (`mwclass aggregate`, `mwclass crossmatch`; core/archive_params.hpp).
  AggregateParams aggregate;
  SelectionParams selection;
  CrossmatchParams crossmatch;
  std::uint64_t seed = 20220923;
  int threads = 1;

  // Defaults above plus the MUWCLASS CSCv2 band and feature tables.
  static Config defaults();
  // defaults() overridden by a TOML file; unknown keys and bad values are errors
  // naming the file and key.
  static Config from_toml_file(const std::string& path);
  static Config from_toml_string(const std::string& text, const std::string& origin);

  // Checks ranges and cross-references (feature names, band names).
  void validate() const;
  // Applies one "section.key=value" (the --set option): value in TOML syntax
  // (5, 0.3, true, [1, 2], "text"; a bare word is a string), then validates.
  // Unknown keys and bad values are errors naming the option.
  void set(const std::string& assignment);
  // Applies several --set assignments in order and validates once at the end,
  // so that keys which need each other (field_prior and given_prior, scaling
  // and scaling_from) can be given in any order.
  void set_all(const std::vector<std::string>& assignments);
  // The resolved configuration as TOML (stored in outputs; re-readable).
  std::string to_toml() const;

  // Index of a class name, or -1.
  int class_index(const std::string& name) const;
};

}  // namespace mwclass
