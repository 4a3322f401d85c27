#pragma once
// Every configuration key, declared once: name, member, rule (range or
// choices), unit and a one-line description, per section. The TOML reader,
// the TOML writer, Config::validate, the learners' parameter checks,
// `mwclass config --keys` and `--set section.key=value` are visitors of these
// declarations (src/core/config.cpp), so a new key is one line here.
//
// A visitor V has
//   v.key(name, member, rule, unit, description)
//   v.section(name, member_struct, description)          -> visit(v, member_struct)
//   v.table_array(name, std::vector<E>&, description)    -> visit(v, element) per element
//   v.table_map(name, std::map<std::string, E>&, description)
//                                  one sub-table [<section>.<entry>] per map entry; a file
//                                  overrides keys of existing entries (no new entries);
//                                  name is the placeholder in listings ("<catalog>")
//   v.require(condition, message)                          cross-key checks
// Visitors that only read (writer, validator, lister) receive the config
// through a const_cast and never modify it.
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "mwclass/core/config.hpp"

namespace mwclass::config_keys {

// What a value must satisfy. Numbers: finite and within [lo, hi] (ends open
// or closed); zero_allowed admits 0 beside the range. Strings: one of choices
// (empty: any).
struct Rule {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false, zero_allowed = false;
  std::vector<std::string> choices;

  static Rule any() { return {}; }
  static Rule at_least(double v) { Rule r; r.lo = v; return r; }
  static Rule above(double v) { Rule r; r.lo = v; r.lo_open = true; return r; }
  static Rule in(double lo, double hi) { Rule r; r.lo = lo; r.hi = hi; return r; }
  static Rule in_open_closed(double lo, double hi) { Rule r = in(lo, hi); r.lo_open = true; return r; }
  static Rule in_open(double lo, double hi) { Rule r = in(lo, hi); r.lo_open = r.hi_open = true; return r; }
  static Rule zero_or_in(double lo, double hi) { Rule r = in(lo, hi); r.zero_allowed = true; return r; }
  static Rule one_of(std::vector<std::string> c) { Rule r; r.choices = std::move(c); return r; }

  bool allows(double v) const;
  bool allows(const std::string& v) const;
  // ">= 1", "in (0, 1]", "0 or in [2, 65536]", "\"skip\" or \"presence\"", "" for any.
  std::string text() const;
};

// --------------------------------------------------------------- sections --

template <class V>
void visit(V& v, ForestParams& p) {
  v.key("n_trees", p.n_trees, Rule::at_least(1), "", "trees per forest (MUWCLASS: 100)");
  v.key("max_features", p.max_features, Rule::at_least(0), "",
        "features tried per split; 0 = floor(sqrt(n_features)) (scikit-learn's default)");
  v.key("min_samples_split", p.min_samples_split, Rule::at_least(2), "rows",
        "a node with fewer distinct training rows is a leaf");
  v.key("min_samples_leaf", p.min_samples_leaf, Rule::at_least(1), "rows", "smallest leaf");
  v.key("max_depth", p.max_depth, Rule::at_least(0), "", "deepest tree; 0 = unlimited (grown to purity)");
  v.key("bootstrap", p.bootstrap, Rule::any(), "", "each tree fits a bootstrap sample");
  v.key("class_weight_balanced", p.class_weight_balanced, Rule::any(), "",
        "weight rows by scikit-learn's 'balanced' class weights (instead of SMOTE)");
  v.key("balanced_bootstrap", p.balanced_bootstrap, Rule::any(), "",
        "each tree draws n/k rows of every class (instead of SMOTE; needs bootstrap)");
  v.key("max_bins", p.max_bins, Rule::zero_or_in(2, 65536), "",
        "approximate: group each feature into at most this many equal-frequency bins; 0 = exact splits");
  v.require(p.bootstrap || !p.balanced_bootstrap, "balanced_bootstrap needs bootstrap = true");
}

template <class V>
void visit(V& v, GradientBoostingParams& p) {
  v.key("n_rounds", p.n_rounds, Rule::at_least(1), "", "boosting rounds (one tree per class each)");
  v.key("learning_rate", p.learning_rate, Rule::above(0), "", "XGBoost eta");
  v.key("max_depth", p.max_depth, Rule::at_least(1), "", "depth of each tree");
  v.key("min_child_weight", p.min_child_weight, Rule::at_least(0), "", "minimum hessian sum in a child");
  v.key("subsample", p.subsample, Rule::in_open_closed(0, 1), "", "row fraction per round");
  v.key("colsample_bytree", p.colsample_bytree, Rule::in_open_closed(0, 1), "", "feature fraction per tree");
  v.key("reg_lambda", p.reg_lambda, Rule::at_least(0), "", "L2 penalty on leaf values");
  v.key("max_bin", p.max_bin, Rule::at_least(2), "", "histogram bins per feature");
  v.key("balance_classes", p.balance_classes, Rule::any(), "",
        "weight rows so that every class present weighs the same");
}

template <class V>
void visit(V& v, NaiveBayesCategory& c) {
  v.key("name", c.name, Rule::any(), "", "category name (spectrum, variability, multiwavelength, location)");
  v.key("weight", c.weight, Rule::at_least(0), "", "alpha_t, the category's exponent");
  v.key("features", c.features, Rule::any(), "", "feature names of the category");
}

template <class V>
void visit(V& v, NaiveBayesConfig& p) {
  v.key("missing", p.missing, Rule::one_of({"skip", "presence"}), "",
        "presence: P(missing | class) term (CV-chosen); skip: missing features left out");
  v.key("presence_weight", p.presence_weight, Rule::at_least(0), "", "exponent of the presence term");
  v.key("prior", p.prior, Rule::one_of({"training", "uniform", "given"}), "",
        "class prior: training proportions, uniform, or given_priors");
  v.key("given_priors", p.given_priors, Rule::at_least(0), "",
        "prior = \"given\": expected field proportions, one per class");
  v.key("bandwidth", p.bandwidth, Rule::one_of({"silverman", "scott"}), "", "Gaussian KDE bandwidth rule");
  v.key("bandwidth_factor", p.bandwidth_factor, Rule::above(0), "", "multiplies the rule's bandwidth");
  v.key("density_floor", p.density_floor, Rule::in_open(0, 1), "", "p(x | class) never below this fraction of its peak");
  v.key("grid_step", p.grid_step, Rule::in(0, 1), "bandwidths", "KDE tabulation step; 0 = exact kernel sums");
  v.key("quality", p.quality, Rule::any(), "",
        "per-source quality exponents 1/sigma of each feature (Tranin et al. 2022)");
  v.table_array("categories", p.categories, "feature categories with their weights alpha_t");
}

template <class V>
void visit(V& v, ClassifierConfig& p) {
  v.key("classes", p.classes, Rule::any(), "", "class names, in output order");
  v.key("model", p.model, Rule::any(), "",
        "learner of the MC ensemble (learners/registry.hpp: rf, gbdt, nb; `mwclass classify --help`)");
  v.key("missing_flag", p.missing_flag, Rule::any(), "", "value the forest sees for a missing feature");
  v.key("confidence_threshold", p.confidence_threshold, Rule::any(), "", "CT >= this: confident");
  v.key("outlier_percentile", p.outlier_percentile, Rule::in(0, 1), "",
        "outlier flag when fewer than this fraction of the class's members are as unusual");
  v.section("forest", p.forest, "random forest (--model rf)");
  v.section("gbdt", p.gbdt, "XGBoost gradient boosting (--model gbdt)");
  v.section("nb", p.nb, "weighted naive Bayes (--model nb)");
}

template <class V>
void visit(V& v, SmoteConfig& p) {
  v.key("enabled", p.enabled, Rule::any(), "", "oversample every class to the largest (rf)");
  v.key("k_neighbors", p.k_neighbors, Rule::at_least(1), "", "neighbours of SMOTE (MUWCLASS: 4)");
  v.key("missing_fill", p.missing_fill, Rule::any(), "", "stand-in for missing values in the neighbour search");
}

template <class V>
void visit(V& v, CalibrationConfig& p) {
  v.key("field_prior", p.field_prior, Rule::one_of({"none", "given", "estimate"}), "",
        "P_field for the field's class mix: none, given_prior, or estimated by EM (Saerens et al. 2002)");
  v.key("given_prior", p.given_prior, Rule::above(0), "",
        "field_prior = \"given\": field class fractions, one per class, summing to 1 (normalised)");
  v.key("training_prior", p.training_prior, Rule::above(0), "",
        "class mix the learner was trained with; empty = from its balancing (SMOTE, class weights: equal)");
  v.key("max_iterations", p.max_iterations, Rule::at_least(1), "", "EM iterations at most");
  v.key("tolerance", p.tolerance, Rule::above(0), "", "EM stops when no class fraction changes by more");
  v.key("em_pseudo_count", p.em_pseudo_count, Rule::at_least(0), "",
        "EM: sources added to every class's expected count per step (Dirichlet(1 + this) prior, MAP estimate; "
        "keeps every fraction above 0; 0 = maximum likelihood)");
  v.key("scaling", p.scaling, Rule::one_of({"none", "bcts"}), "",
        "scale P before the field prior: none, or bcts (bias-corrected temperature scaling, fitted on scaling_from)");
  v.key("scaling_from", p.scaling_from, Rule::any(), "",
        "scaling = \"bcts\": results file of `mwclass cv` (or loocv) on the same training set and config");
  v.key("scaling_epsilon", p.scaling_epsilon, Rule::in_open_closed(0, 0.1), "",
        "added to every P before the logarithm of the scaling (forest P are often exactly 0)");
  v.require(p.field_prior != "given" || !p.given_prior.empty(),
            "field_prior = \"given\" needs given_prior = [one fraction per class]");
  v.require(p.scaling == "none" || p.field_prior != "none",
            "scaling = \"bcts\" needs field_prior = \"given\" or \"estimate\" (it acts on P_field only)");
  v.require(p.scaling == "none" || !p.scaling_from.empty(),
            "scaling = \"bcts\" needs scaling_from = \"cv.h5\" (held-out probabilities from `mwclass cv`)");
}

template <class V>
void visit(V& v, OversamplingConfig& p) {
  v.key("method", p.method, Rule::one_of({"smote", "physical", "none"}), "",
        "class balancing: SMOTE ([smote]), physical oversampling (reddened duplicates) or none");
  v.key("target_halfway", p.target_halfway, Rule::in(0, 1), "",
        "physical: class i grows to N_i N_max / (N_max - h (N_max - N_i)), at most N_max (authors: 0.5)");
  v.key("ebv_shape", p.ebv_shape, Rule::above(0), "", "physical: E(B-V) ~ Gamma(shape, scale) per duplicate");
  v.key("ebv_scale", p.ebv_scale, Rule::above(0), "mag", "physical: scale of the E(B-V) Gamma distribution");
  v.key("ebv_cap", p.ebv_cap, Rule::above(0), "mag", "physical: larger E(B-V) draws are set to this");
  v.key("nh_per_av", p.nh_per_av, Rule::at_least(0), "cm^-2 mag^-1", "physical: N_H / A_V (2.21e21)");
  v.key("r_v", p.r_v, Rule::above(0), "", "physical: A_V / E(B-V)");
  v.key("nh_scatter", p.nh_scatter, Rule::at_least(0), "",
        "physical: N_H = nh_per_av r_v E(B-V) (1 + nh_scatter draw_scale z), z ~ N(0, 1), N_H >= 0");
  v.key("draw_scale", p.draw_scale, Rule::at_least(0), "",
        "physical: multiplies z of N_H and of Gamma + draw_scale sigma_Gamma z (sqrt 2)");
  v.key("class_photon_index", p.class_photon_index, Rule::any(), "",
        "physical: Gamma per [classifier] classes for sources without a power-law fit");
  v.key("absorption_intervals", p.absorption_intervals, Rule::in(2, 65536), "",
        "physical: Simpson intervals (in ln E) of each duplicate's band absorption factor");
  v.require(p.absorption_intervals % 2 == 0, "absorption_intervals must be even (Simpson)");
}

template <class V>
void visit(V& v, ReddeningConfig& p) {
  v.key("enabled", p.enabled, Rule::any(), "", "redden the training classes to each bin's E(B-V)");
  v.key("classes", p.classes, Rule::any(), "", "training classes reddened to the field (MUWCLASS: AGN)");
  v.key("bin_width", p.bin_width, Rule::above(0), "mag", "width of the E(B-V) bins");
  v.key("binning", p.binning, Rule::one_of({"fixed", "adaptive"}), "",
        "E(B-V) bins: fixed bin_width, or adaptive unions of bin_width cells within adaptive_tolerance");
  v.key("adaptive_tolerance", p.adaptive_tolerance, Rule::above(0), "MC sigma",
        "adaptive bins: the reddened training AGN's features move across a bin by at most tau x their MC "
        "scatter (90th percentile of the AGN-feature pairs)");
  v.key("nh_per_ebv", p.nh_per_ebv, Rule::at_least(0), "cm^-2 mag^-1", "N_H / E(B-V) (2.21e21 x R_V)");
  v.key("photon_index", p.photon_index, Rule::any(), "", "power-law Gamma of the reddened sources");
  v.key("absorption_table", p.absorption_table, Rule::any(), "",
        "cross-section table (keV; 1e-22 cm^2); empty = Morrison & McCammon (1983)");
  v.key("dust_map", p.dust_map, Rule::any(), "",
        "directory with SFD_dust_4096_ngp.fits and SFD_dust_4096_sgp.fits, or a HEALPix FITS file (--dust-map)");
  v.key("dust_map_scale", p.dust_map_scale, Rule::above(0), "",
        "multiplies the map value once: 0.86 = Schlafly & Finkbeiner (2011) for SFD; 1 for calibrated maps");
  v.key("dust_map_interpolation", p.dust_map_interpolation, Rule::one_of({"bilinear", "nearest"}), "",
        "bilinear between the 4 nearest pixels, or the nearest pixel");
  v.key("ebv_source", p.ebv_source, Rule::one_of({"column", "map", "field_mean", "position"}), "",
        "field E(B-V): the catalog column, the map per source, the map's mean over the field, or at ebv_position");
  v.key("ebv_position", p.ebv_position, Rule::any(), "deg", "[ra, dec] of the map lookup for ebv_source = \"position\"");
  v.require(p.ebv_source == "column" || !p.dust_map.empty(),
            "reddening.ebv_source = \"" + p.ebv_source + "\" needs a dust map (reddening.dust_map or --dust-map PATH)");
  v.require(p.ebv_source != "position" || p.ebv_position.size() == 2,
            "reddening.ebv_source = \"position\" needs reddening.ebv_position = [ra, dec] in deg");
}

template <class V>
void visit(V& v, MonteCarloConfig& p) {
  v.key("enabled", p.enabled, Rule::any(), "", "sample the measurements within their errors");
  v.key("iterations", p.iterations, Rule::at_least(1), "", "MC iterations per work item (MUWCLASS: 1000)");
  v.key("error_scale", p.error_scale, Rule::above(0), "", "sigma multiplier of the draws (sqrt 2, MUWCLASS)");
  v.key("split_uncertainty", p.split_uncertainty, Rule::any(), "",
        "also classify the sources at their observed values: e_P split into e_P_meas and e_P_model");
}

template <class V>
void visit(V& v, XrayBand& b) {
  v.key("name", b.name, Rule::any(), "", "band name; feature \"F<name>\"");
  v.key("flux_column", b.flux_column, Rule::any(), "", "catalog column of the flux (erg s^-1 cm^-2)");
  v.key("error_column", b.error_column, Rule::any(), "", "catalog column of its 1-sigma error");
  v.key("energy_lo_kev", b.energy_lo_kev, Rule::above(0), "keV", "lower band edge");
  v.key("energy_hi_kev", b.energy_hi_kev, Rule::above(0), "keV", "upper band edge");
  v.require(b.energy_hi_kev > b.energy_lo_kev, "X-ray band '" + b.name + "' needs energy_lo_kev < energy_hi_kev");
}

template <class V>
void visit(V& v, OpticalBand& b) {
  v.key("name", b.name, Rule::any(), "", "band name; flux feature of the same name");
  v.key("mag_column", b.mag_column, Rule::any(), "", "catalog column of the Vega magnitude");
  v.key("error_column", b.error_column, Rule::any(), "", "catalog column of its 1-sigma error");
  v.key("zero_point_flux", b.zero_point_flux, Rule::above(0), "erg s^-1 cm^-2 A^-1", "f0 of the band");
  v.key("effective_width", b.effective_width, Rule::above(0), "A", "effective width W_eff");
  v.key("limit_mag", b.limit_mag, Rule::any(), "mag", "survey limit: fainter magnitudes are dropped");
  v.key("extinction_coeff", b.extinction_coeff, Rule::any(), "", "A_band / E(B-V) (Fitzpatrick 1999, R_V = 3.1)");
}

template <class V>
void visit(V& v, HardnessRatio& h) {
  v.key("name", h.name, Rule::any(), "", "feature name");
  v.key("plus", h.plus, Rule::any(), "", "X-ray bands added");
  v.key("minus", h.minus, Rule::any(), "", "X-ray bands subtracted");
  v.key("denominator", h.denominator, Rule::any(), "", "X-ray bands of the denominator");
}

template <class V>
void visit(V& v, Colour& c) {
  v.key("name", c.name, Rule::any(), "", "feature name");
  v.key("blue", c.blue, Rule::any(), "", "optical band of the first magnitude");
  v.key("red", c.red, Rule::any(), "", "optical band subtracted");
}

template <class V>
void visit(V& v, FeaturesConfig& f) {
  v.key("broad_band_name", f.broad_band_name, Rule::any(), "", "F<name> = sum of the X-ray bands");
  v.key("used", f.used, Rule::any(), "", "ordered feature names given to the learner");
  v.key("location", f.location, Rule::any(), "", "append Galactic l, b as features (README: off on purpose)");
  v.key("random_feature", f.random_feature, Rule::any(), "", "append a uniform random feature (importance noise floor)");
  v.table_array("xray_bands", f.xray_bands, "X-ray bands with flux columns");
  v.table_array("optical_bands", f.optical_bands, "optical/IR bands with magnitude columns");
  v.table_array("hardness_ratios", f.hardness_ratios, "HR = (sum plus - sum minus) / sum denominator");
  v.table_array("colours", f.colours, "colour = mag(blue) - mag(red)");
}

template <class V>
void visit(V& v, ColumnsConfig& c) {
  v.key("name", c.name, Rule::any(), "", "source name column");
  v.key("ra", c.ra, Rule::any(), "", "right ascension column (deg)");
  v.key("dec", c.dec, Rule::any(), "", "declination column (deg)");
  v.key("label", c.label, Rule::any(), "", "class label column (training set)");
  v.key("ebv", c.ebv, Rule::any(), "", "E(B-V) column (mag)");
  v.key("photon_index", c.photon_index, Rule::any(), "",
        "power-law photon index column of the X-ray fit (physical oversampling); \"\" = none");
  v.key("photon_index_error", c.photon_index_error, Rule::any(), "", "its 1-sigma error column; \"\" = none");
  v.key("variability", c.variability, Rule::any(), "", "probability columns used as features as they are, in [0, 1]");
  v.key("sentinel_magnitudes", c.sentinel_magnitudes, Rule::any(), "mag",
        "magnitudes that mean 'no data' in some catalogs: refused (leave the cell empty)");
  v.key("range_warning_dex", c.range_warning_dex, Rule::at_least(0), "dex",
        "warn (one line per column) about field X-ray fluxes further than this outside the training range");
  v.key("range_warning_mag", c.range_warning_mag, Rule::at_least(0), "mag",
        "warn (one line per column) about field magnitudes further than this outside the training range");
}

template <class V>
void visit(V& v, AggregateParams& p) {
  v.key("drop_instruments", p.drop_instruments, Rule::any(), "", "detections from these instruments are dropped");
  v.key("max_theta", p.max_theta, Rule::above(0), "arcmin", "a larger off-axis angle drops a detection");
  v.key("max_pileup_warning", p.max_pileup_warning, Rule::at_least(0), "counts/frame/pixel",
        "a larger pileup_warning drops a detection");
  v.key("drop_saturated", p.drop_saturated, Rule::any(), "", "per-observation sat_src_flag set drops a detection");
  v.key("drop_streak", p.drop_streak, Rule::any(), "", "per-observation streak_src_flag set drops a detection");
  v.key("drop_shared_detections", p.drop_shared_detections, Rule::any(), "",
        "an (obsid, region_id, obi) claimed by several source names is dropped for all of them");
  v.key("collapse_duplicates", p.collapse_duplicates, Rule::any(), "", "a detection listed once per stack counts once");
  v.key("null_flux_upper", p.null_flux_upper, Rule::above(0), "erg s^-1 cm^-2",
        "a band without any usable detection: Fechner moments of (0, 0, this)");
  v.key("p_inter_decimals", p.p_inter_decimals, Rule::at_least(0), "", "P_inter is rounded like the authors' table");
  v.key("name_column", p.name_column, Rule::any(), "", "CSC per-detection join: source name column");
  v.key("ra_column", p.ra_column, Rule::any(), "", "right ascension column (sexagesimal hours or deg)");
  v.key("dec_column", p.dec_column, Rule::any(), "", "declination column (sexagesimal or deg)");
  v.key("pu_column", p.pu_column, Rule::any(), "", "positional uncertainty column (arcsec, 95 % major radius)");
  v.key("significance_column", p.significance_column, Rule::any(), "", "detection significance column (S/N)");
  v.key("flux_prefix", p.flux_prefix, Rule::any(), "",
        "band flux columns <prefix><band>, <prefix>lolim_<band>, <prefix>hilim_<band>");
  v.key("bands", p.bands, Rule::any(), "", "soft, medium, hard band names (flux_flag bits 1, 2, 4)");
  v.key("variability_column", p.variability_column, Rule::any(), "",
        "per-detection Kuiper probability column (-> P_intra)");
  v.key("nh_column", p.nh_column, Rule::any(), "", "Galactic N_H column (1e20 cm^-2), copied");
  v.key("gamma_column", p.gamma_column, Rule::any(), "", "master power-law index column (with _lolim/_hilim)");
  v.key("xmm", p.xmm, Rule::any(), "", "the input is a 4XMM per-detection table (--xmm)");
  v.key("xmm_photon_index", p.xmm_photon_index, Rule::any(), "",
        "Gamma of the power law F_E ~ E^(1-Gamma) of the XMM -> CSC band conversion (--xmm-gamma)");
  v.key("xmm_name_column", p.xmm_name_column, Rule::any(), "", "4XMM source name column");
  v.key("xmm_ra_column", p.xmm_ra_column, Rule::any(), "", "4XMM right ascension column (deg)");
  v.key("xmm_dec_column", p.xmm_dec_column, Rule::any(), "", "4XMM declination column (deg)");
  v.key("xmm_pu_column", p.xmm_pu_column, Rule::any(), "", "4XMM positional error column (arcsec, 1 sigma)");
  v.key("xmm_pu_scale", p.xmm_pu_scale, Rule::above(0), "", "1-sigma radial error -> 95 % radius");
  v.key("xmm_flux_prefix", p.xmm_flux_prefix, Rule::any(), "", "4XMM flux columns <prefix><n>_FLUX, _FLUX_ERR, n = 2..5");
  v.key("xmm_significance_column", p.xmm_significance_column, Rule::any(), "", "4XMM detection likelihood column");
  v.key("xmm_variability_column", p.xmm_variability_column, Rule::any(), "",
        "4XMM per-detection variability column; \"\" = P_intra missing");
  v.require(p.bands.size() == 3, "bands must name three bands (soft, medium, hard)");
}

template <class V>
void visit(V& v, SelectionParams& p) {
  v.key("drop_saturated", p.drop_saturated, Rule::any(), "", "master sat_src_flag set drops a source");
  v.key("drop_streak", p.drop_streak, Rule::any(), "", "master streak_src_flag set drops a source");
  v.key("min_significance", p.min_significance, Rule::at_least(0), "",
        "> 0: keep sources with significance > this (the paper's good CSC sample: 3)");
  v.key("max_pu", p.max_pu, Rule::at_least(0), "arcsec",
        "> 0: keep sources with err_ellipse_r0 < this (good sample: 1)");
  v.key("drop_conf_flag", p.drop_conf_flag, Rule::any(), "", "conf_flag set drops a source (good sample: true)");
  v.key("drop_extent_flag", p.drop_extent_flag, Rule::any(), "", "extent_flag set drops a source (good sample: true)");
}

template <class V>
void visit(V& v, CatalogColumns& c) {
  v.key("ra", c.ra, Rule::any(), "", "right ascension column (deg)");
  v.key("dec", c.dec, Rule::any(), "", "declination column (deg)");
  v.key("pu_columns", c.pu_columns, Rule::any(), "", "PU_cat = pu_scale x max(these columns)");
  v.key("pu_scale", c.pu_scale, Rule::above(0), "", "turns the PU columns into a 2-sigma radius in arcsec");
  v.key("values", c.values, Rule::any(), "", "columns carried to the output (magnitudes, fluxes, ...)");
}

template <class V>
void visit(V& v, CrossmatchParams& p) {
  v.key("search_radius", p.search_radius, Rule::above(0), "arcsec", "candidates beyond this are not considered");
  v.key("pu_factor", p.pu_factor, Rule::at_least(1), "",
        "a counterpart within pu_factor x X_PU is kept (match flags -4, 2, 0)");
  v.key("flag_threshold", p.flag_threshold, Rule::any(), "", "a counterpart is used when its match flag >= this");
  v.key("gaia_terms", p.gaia_terms, Rule::any(), "", "add Plx, e_Plx, epsi of the Gaia candidate to X_PU");
  v.key("unwise_zero_point", p.unwise_zero_point, Rule::any(), "mag",
        "Vega magnitude of one unWISE flux unit (Schlafly et al. 2019)");
  v.key("unwise_w1_offset", p.unwise_w1_offset, Rule::any(), "mag", "subtracted from unWISE W1 (authors' value)");
  v.key("unwise_w2_offset", p.unwise_w2_offset, Rule::any(), "mag", "subtracted from unWISE W2 (authors' value)");
  v.key("xray_name", p.xray_name, Rule::any(), "", "X-ray table: source name column");
  v.key("xray_ra", p.xray_ra, Rule::any(), "", "X-ray table: right ascension column (deg)");
  v.key("xray_dec", p.xray_dec, Rule::any(), "", "X-ray table: declination column (deg)");
  v.key("xray_pu", p.xray_pu, Rule::any(), "", "X-ray table: positional uncertainty column (arcsec, 95 %)");
  v.key("label_name_column", p.label_name_column, Rule::any(), "", "--labels: join key in the label file");
  v.key("label_column", p.label_column, Rule::any(), "", "--labels: the column carried over");
  v.table_map("<catalog>", p.catalogs, "counterpart catalog columns and PU rule (gaia, 2mass, allwise, catwise, unwise)");
}

template <class V>
void visit(V& v, Config& c) {
  v.key("seed", c.seed, Rule::any(), "", "master seed of every random stream");
  v.key("threads", c.threads, Rule::at_least(1), "", "OpenMP threads per rank");
  v.section("columns", c.columns, "catalog column names");
  v.section("features", c.features, "bands and features (Yang et al. 2022, Table 2)");
  v.section("monte_carlo", c.monte_carlo, "sampling of the measurements");
  v.section("reddening", c.reddening, "E(B-V) bins and the reddening of the training set");
  v.section("smote", c.smote, "SMOTE oversampling (rf)");
  v.section("oversampling", c.oversampling, "class balancing: smote, physical or none (sampling/physical.hpp)");
  v.section("classifier", c.classifier, "classes and learners");
  v.section("calibration", c.calibration, "classify: probabilities for the field's class mix (P_field)");
  v.section("aggregate", c.aggregate, "mwclass aggregate: per-detection cuts and column names (docs/archive.md)");
  v.section("selection", c.selection, "mwclass aggregate: source selection");
  v.section("crossmatch", c.crossmatch, "mwclass crossmatch: counterparts (docs/archive.md)");
}

// One line per key, for `mwclass config --keys`.
struct KeyInfo {
  std::string path;           // "classifier.forest.n_trees"; table arrays: "features.xray_bands[].name";
                              // table maps: "crossmatch.gaia.ra" per default entry
  std::string type;           // "integer", "number", "boolean", "string", "array of ...", "tables"
  std::string default_value;  // TOML text of the built-in default ("" inside table arrays)
  std::string rule, unit, description;
};
std::vector<KeyInfo> list_keys();

// The declared checks of one learner section, with `prefix` before each
// message (e.g. "random forest: "); an Error on the first failure.
void check_section(const ForestParams& p, const std::string& prefix);
void check_section(const GradientBoostingParams& p, const std::string& prefix);

}  // namespace mwclass::config_keys
