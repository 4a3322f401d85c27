// The results file's layout (see schema.hpp): one row per dataset or attribute.
#include "mwclass/output/schema.hpp"

#include <algorithm>
#include <type_traits>

#include "mwclass/core/error.hpp"
#include "mwclass/output/hdf5_results.hpp"

namespace mwclass::output {
namespace {

using ensemble::Decision;
using ensemble::ProbabilityStats;
using R = ClassificationResult;
using P = Provenance;

// ---------------------------------------------------------------- parts

const Part kCore{"core", "every run", true, [](const R&) { return true; }};
// Always written; files from before it was added lack it.
const Part kMargin{"margin", "every run", false, [](const R&) { return true; }};
// Always written (since the dust maps, issue 16); files from before lack it.
const Part kEbvSource{"E(B-V) source", "every run", false, [](const R&) { return true; }};
// Always written (since version 0.7.1); files from before lack it.
const Part kChecksums{"input checksums", "every run", false, [](const R&) { return true; }};
const Part kOutlier{"outlier measure", "every run (learners with an outlier measure: rf, gbdt, nb)", false,
                    [](const R& r) { return !r.outlier_score.empty(); }};
const Part kSplit{"uncertainty split", "--split-uncertainty", false, [](const R& r) { return r.e_P_meas.size() > 0; }};
const Part kFieldPrior{"field prior", "[calibration] field_prior = given or estimate", false,
                       [](const R& r) { return !r.field_decisions.empty(); }};
// Written for the EM (since version 0.7.0); files before it ran the EM without pseudo-counts.
const Part kEmPrior{"EM prior", "[calibration] field_prior = estimate", false,
                    [](const R& r) { return !r.field_decisions.empty() && r.calibration.method == "estimate"; }};
const Part kScaling{"probability scaling", "[calibration] scaling = bcts", false,
                     [](const R& r) { return r.calibration.scaling.method != "none"; }};
const Part kBinEdges{"E(B-V) bin edges", "classify", false, [](const R& r) { return !r.item_ebv_lo.empty(); }};
const Part kTruth{"truth", "loocv, cv", false, [](const R& r) { return !r.truth.empty(); }};
const Part kIterations{"iterations", "--keep-iterations", false,
                       [](const R& r) { return !r.per_iteration.empty(); }};
const Part kTrack{"probability track", "--model nb", false, [](const R& r) { return !r.track.empty(); }};
const Part kEvaluation{"evaluation", "loocv, cv", false, [](const R& r) { return !r.evaluation.empty(); }};
const Part kRepeats{"cv repeats", "cv", false, [](const R& r) { return !r.repeat_mean.empty(); }};

// ---------------------------------------------------------------- accessors

struct Access {
  Getter get;
  Setter set;
};

template <typename M>
struct member_traits;
template <typename C, typename T>
struct member_traits<T C::*> {
  using object = C;
};

template <typename C>
const C& object_of(const R& r, const P& p) {
  if constexpr (std::is_same_v<C, R>) {
    (void)p;
    return r;
  } else {
    (void)r;
    return p;
  }
}
template <typename C>
C& object_of(R& r, P& p) {
  return const_cast<C&>(object_of<C>(static_cast<const R&>(r), static_cast<const P&>(p)));
}

template <typename T>
void assign(Array&& a, std::vector<T>& to) {
  to = a.take<T>();
}
inline void assign(Array&& a, Matrix& to) { to = a.matrix(); }
template <typename T>
void assign(Array&& a, T& to) {
  to = a.scalar<T>();
}

// A member of the result or of the provenance, stored as it is.
template <auto Member>
constexpr Access member() {
  using C = typename member_traits<decltype(Member)>::object;
  return {[](const R& r, const P& p) { return ConstArray::view(object_of<C>(r, p).*Member); },
          [](Array&& a, R& r, P& p) { assign(std::move(a), object_of<C>(r, p).*Member); }};
}

// One of the n_sources x n_classes probability statistics (of P, or of P_field).
template <Matrix ProbabilityStats::*Stat, ProbabilityStats R::*Of = &R::probabilities>
constexpr Access probability() {
  return {[](const R& r, const P&) { return ConstArray::view(r.*Of.*Stat); },
          [](Array&& a, R& r, P&) { (r.*Of).*Stat = a.matrix(); }};
}

// A field of every source's Decision (of P, or of P_field), stored as `Stored`.
template <typename Stored, auto Field, std::vector<Decision> R::*Of = &R::decisions>
constexpr Access decision() {
  return {[](const R& r, const P&) {
            const auto& decisions = r.*Of;
            std::vector<Stored> column(decisions.size());
            for (std::size_t i = 0; i < column.size(); ++i) column[i] = static_cast<Stored>(decisions[i].*Field);
            return ConstArray::own(std::move(column));
          },
          [](Array&& a, R& r, P&) {
            auto& decisions = r.*Of;
            const auto column = a.take<Stored>();
            decisions.resize(column.size());
            for (std::size_t i = 0; i < column.size(); ++i)
              decisions[i].*Field = static_cast<std::remove_reference_t<decltype(decisions[i].*Field)>>(column[i]);
          }};
}

// The name of every source's predicted class (derived from the class index).
template <std::vector<Decision> R::*Of>
constexpr Access predicted_class_name() {
  return {[](const R& r, const P&) {
            const auto& decisions = r.*Of;
            std::vector<std::string> names(decisions.size());
            for (std::size_t i = 0; i < names.size(); ++i) {
              const int c = decisions[i].predicted_class;
              if (c >= 0 && static_cast<std::size_t>(c) < r.class_names.size()) names[i] = r.class_names[c];
            }
            return ConstArray::own(std::move(names));
          },
          nullptr};
}

// A member of the field calibration (/calibration).
template <auto Field>
constexpr Access calibration() {
  return {[](const R& r, const P&) { return ConstArray::view(r.calibration.*Field); },
          [](Array&& a, R& r, P&) { assign(std::move(a), r.calibration.*Field); }};
}

// A member of the probability scaling before the field prior (/calibration).
template <auto Field>
constexpr Access scaling() {
  return {[](const R& r, const P&) { return ConstArray::view(r.calibration.scaling.*Field); },
          [](Array&& a, R& r, P&) {
            assign(std::move(a), r.calibration.scaling.*Field);
            r.calibration.scaling.method = "bcts";  // the part is written only for bcts
          }};
}

// An n_sources x n_classes matrix of the result.
template <Matrix R::*Of>
constexpr Access source_matrix() {
  return {[](const R& r, const P&) { return ConstArray::view(r.*Of); },
          [](Array&& a, R& r, P&) { r.*Of = a.matrix(); }};
}

// Not computed: 0 x n_features.
template <Matrix R::*Importance>
constexpr Access importance() {
  return {[](const R& r, const P&) {
            const Matrix& m = r.*Importance;
            if (m.size() == 0) return ConstArray::own(std::vector<double>{}, {0, r.feature_names.size()});
            return ConstArray::view(m);
          },
          [](Array&& a, R& r, P&) { r.*Importance = a.matrix(); }};
}

// cv: a list of n x C matrices as one repeat x source x class array.
template <std::vector<Matrix> R::*List>
constexpr Access repeats() {
  return {[](const R& r, const P&) {
            const std::size_t n = r.names.size(), n_classes = r.class_names.size();
            std::vector<double> all;
            for (const Matrix& m : r.*List) {
              if (static_cast<std::size_t>(m.rows()) != n || static_cast<std::size_t>(m.cols()) != n_classes)
                fail("inconsistent result: a repeat's probabilities are {} x {}, expected {} x {}", m.rows(), m.cols(),
                     n, n_classes);
              all.insert(all.end(), m.data(), m.data() + m.size());
            }
            return ConstArray::own(std::move(all), {(r.*List).size(), n, n_classes});
          },
          [](Array&& a, R& r, P&) {
            const Extents x = a.extents;
            const auto all = a.take<double>();
            auto& list = r.*List;
            list.clear();
            for (std::size_t k = 0; k < x[0]; ++k) {
              Matrix m(static_cast<Eigen::Index>(x[1]), static_cast<Eigen::Index>(x[2]));
              std::copy_n(all.begin() + static_cast<std::ptrdiff_t>(k * x[1] * x[2]), x[1] * x[2], m.data());
              list.push_back(std::move(m));
            }
          }};
}

// Fixed values (checked by open_results, not read back).
Access fixed_format() {
  return {[](const R&, const P&) { return ConstArray::own_scalar(std::string(kResultsFormatName)); }, nullptr};
}
Access fixed_format_version() {
  return {[](const R&, const P&) { return ConstArray::own_scalar(kResultsFormatVersion); }, nullptr};
}
Access fixed_complete() {
  return {[](const R&, const P&) { return ConstArray::own_scalar(1); }, nullptr};
}

// ---------------------------------------------------------------- rows

constexpr Axis n = Axis::sources, C = Axis::classes, B = Axis::items, B0 = Axis::items_or_none,
               F = Axis::features, M = Axis::iterations, S = Axis::steps, Rp = Axis::repeats;
constexpr Element f64 = Element::f64, i32 = Element::i32, u8 = Element::u8, u64 = Element::u64,
                  str = Element::string;

Entry dataset(const char* group, const char* name, Element element, std::vector<Axis> shape, const char* units,
              const char* description, const Part& part, const char* csv, Access access) {
  return {Entry::Kind::dataset, group, name, element, std::move(shape), units, description, &part, csv,
          access.get, access.set};
}

Entry attribute(const char* object, const char* name, Element element, const char* description, const Part& part,
                Access access) {
  return {Entry::Kind::attribute, object, name, element, {}, nullptr, description, &part, nullptr,
          access.get, access.set};
}

std::vector<Entry> make_schema() {
  return {
      dataset("/", "classes", str, {C}, nullptr,
              "class names, in the column order of every n_sources x n_classes matrix", kCore, nullptr,
              member<&R::class_names>()),
      dataset("/", "features", str, {F}, nullptr, "feature names, in the column order of /items/importance_*", kCore,
              nullptr, member<&R::feature_names>()),

      dataset("/sources", "name", str, {n}, nullptr, "source name; sources are in field-catalog order", kCore, "name",
              member<&R::names>()),
      dataset("/sources", "ra", f64, {n}, "deg", "right ascension", kCore, nullptr, member<&R::ra>()),
      dataset("/sources", "dec", f64, {n}, "deg", "declination", kCore, nullptr, member<&R::dec>()),
      dataset("/sources", "ebv", f64, {n}, "mag", "the source's own E(B-V); NaN if unknown", kCore, nullptr,
              member<&R::ebv>()),
      dataset("/sources", "item", i32, {n}, nullptr,
              "work item the source was classified in (a value of /items/id: its E(B-V) bin for classify)",
              kCore, nullptr, member<&R::item_of_source>()),
      dataset("/sources", "P", f64, {n, C}, nullptr,
              "P_c: mean over Monte-Carlo iterations of the probability of class c (columns: /classes)", kCore, "P_",
              probability<&ProbabilityStats::mean>()),
      dataset("/sources", "e_P", f64, {n, C}, nullptr,
              "e_P_c: standard deviation over iterations of the probability of class c (population, ddof = 0)",
              kCore, "e_P_", probability<&ProbabilityStats::std>()),
      dataset("/sources", "P_median", f64, {n, C}, nullptr, "median over iterations of the probability", kCore,
              nullptr, probability<&ProbabilityStats::median>()),
      dataset("/sources", "P_q02275", f64, {n, C}, nullptr,
              "2.275 % quantile (-2 sigma) over iterations of the probability, linear interpolation", kCore, nullptr,
              probability<&ProbabilityStats::q_lo>()),
      dataset("/sources", "P_q97725", f64, {n, C}, nullptr,
              "97.725 % quantile (+2 sigma) over iterations of the probability, linear interpolation", kCore,
              nullptr, probability<&ProbabilityStats::q_hi>()),
      dataset("/sources", "class_index", i32, {n}, nullptr,
              "index into /classes of the predicted class (argmax of P); -1 if none", kCore, nullptr,
              decision<int, &Decision::predicted_class>()),
      dataset("/sources", "class", str, {n}, nullptr,
              "name of the predicted class (/classes[class_index]); empty if none", kCore, "Class",
              predicted_class_name<&R::decisions>()),
      dataset("/sources", "Class_prob", f64, {n}, nullptr, "P of the predicted class", kCore, "Class_prob",
              decision<double, &Decision::class_prob>()),
      dataset("/sources", "e_Class_prob", f64, {n}, nullptr, "e_P of the predicted class", kCore, "e_Class_prob",
              decision<double, &Decision::e_class_prob>()),
      dataset("/sources", "CT", f64, {n}, nullptr,
              "confidence threshold, min over c != pred of (P_pred - P_c)/(e_P_pred + e_P_c)", kCore, "CT",
              decision<double, &Decision::confidence_threshold>()),
      dataset("/sources", "confident", u8, {n}, nullptr, "1 if CT >= the configured confidence threshold, else 0",
              kCore, "confident", decision<std::uint8_t, &Decision::confident>()),
      dataset("/sources", "margin", f64, {n}, nullptr,
              "Tranin et al.'s margin 2 max(P) / sum(P) - 1 of the mean probabilities", kMargin, "margin",
              decision<double, &Decision::margin>()),
      dataset("/sources", "outlier_score", f64, {n}, nullptr,
              "outlier score against the predicted class, mean over iterations: nb -log10 of the best class's "
              "weighted likelihood; rf, gbdt -log10 of the mean leaf-sharing proximity to the class's training "
              "members",
              kOutlier, "outlier_score", member<&R::outlier_score>()),
      dataset("/sources", "outlier_percentile", f64, {n}, nullptr,
              "fraction of the best class's training members (scored leave-one-out; rf: on their out-of-bag trees) "
              "whose score is at least the source's, mean over iterations",
              kOutlier, "outlier_percentile", member<&R::outlier_percentile>()),
      dataset("/sources", "outlier", u8, {n}, nullptr,
              "1 if outlier_percentile < the configured classifier.outlier_percentile", kOutlier, "outlier",
              {[](const R& r, const P&) {
                 return ConstArray::own(std::vector<std::uint8_t>(r.outlier.begin(), r.outlier.end()));
               },
               [](Array&& a, R& r, P&) {
                 const auto flags = a.take<std::uint8_t>();
                 r.outlier.assign(flags.begin(), flags.end());
               }}),
      dataset("/sources", "e_P_meas", f64, {n, C}, nullptr,
              "measurement part of e_P: sqrt(max(0, e_P^2 - e_P_model^2)), from the source's own measurement errors",
              kSplit, "e_P_meas_", source_matrix<&R::e_P_meas>()),
      dataset("/sources", "e_P_model", f64, {n, C}, nullptr,
              "model part of e_P: standard deviation over iterations of each iteration's model's probability for "
              "the source's observed values (learner randomness and training-set errors)",
              kSplit, "e_P_model_", source_matrix<&R::e_P_model>()),
      dataset("/sources", "P_field", f64, {n, C}, nullptr,
              "P_field_c: mean over iterations of the probability re-weighted to the field prior "
              "(/calibration/field_prior), P_c pi_field,c / pi_train,c normalised per iteration",
              kFieldPrior, "P_field_",
              probability<&ProbabilityStats::mean, &R::field_probabilities>()),
      dataset("/sources", "e_P_field", f64, {n, C}, nullptr,
              "standard deviation over iterations of the re-weighted probability (population, ddof = 0)",
              kFieldPrior, "e_P_field_", probability<&ProbabilityStats::std, &R::field_probabilities>()),
      dataset("/sources", "class_index_field", i32, {n}, nullptr,
              "index into /classes of the argmax of P_field", kFieldPrior, nullptr,
              decision<int, &Decision::predicted_class, &R::field_decisions>()),
      dataset("/sources", "class_field", str, {n}, nullptr, "name of the argmax of P_field", kFieldPrior,
              "Class_field", predicted_class_name<&R::field_decisions>()),
      dataset("/sources", "Class_prob_field", f64, {n}, nullptr, "P_field of class_field", kFieldPrior,
              "Class_prob_field", decision<double, &Decision::class_prob, &R::field_decisions>()),
      dataset("/sources", "e_Class_prob_field", f64, {n}, nullptr, "e_P_field of class_field", kFieldPrior,
              "e_Class_prob_field", decision<double, &Decision::e_class_prob, &R::field_decisions>()),
      dataset("/sources", "CT_field", f64, {n}, nullptr, "confidence threshold CT of P_field and e_P_field",
              kFieldPrior, "CT_field", decision<double, &Decision::confidence_threshold, &R::field_decisions>()),
      dataset("/sources", "confident_field", u8, {n}, nullptr,
              "1 if CT_field >= the configured confidence threshold, else 0", kFieldPrior, "confident_field",
              decision<std::uint8_t, &Decision::confident, &R::field_decisions>()),
      dataset("/sources", "true_class_index", i32, {n}, nullptr,
              "index into /classes of the true class (evaluation runs: the training label)", kTruth, nullptr,
              member<&R::truth>()),

      dataset("/items", "id", i32, {B}, nullptr,
              "work item id, increasing: classify floor(E(B-V) / bin_width) (0 with reddening off), loocv the "
              "left-out training row, cv repeat x folds + fold",
              kCore, nullptr, member<&R::items>()),
      dataset("/items", "ebv", f64, {B}, "mag", "E(B-V) the training AGN were reddened to for this item", kCore,
              nullptr, member<&R::item_ebv>()),
      dataset("/items", "ebv_lo", f64, {B}, "mag",
              "classify: lower edge of the E(B-V) bin (id x bin_width; reddening.binning, ensemble/binning.hpp)",
              kBinEdges, nullptr, member<&R::item_ebv_lo>()),
      dataset("/items", "ebv_hi", f64, {B}, "mag",
              "classify: upper edge of the E(B-V) bin (fixed: (id + 1) x bin_width; adaptive: the upper edge of its "
              "last occupied bin_width cell; inf with reddening off)",
              kBinEdges, nullptr, member<&R::item_ebv_hi>()),
      dataset("/items", "n_sources", i32, {B}, nullptr, "number of sources classified in this item", kCore, nullptr,
              member<&R::item_size>()),
      dataset("/items", "mc_iterations", i32, {B}, nullptr,
              "Monte-Carlo iterations run for this item (0: deterministic single pass)", kCore, nullptr,
              member<&R::item_iterations>()),
      dataset("/items", "importance_mean", f64, {B0, F}, nullptr,
              "feature importance, mean over iterations (rows: items, columns: /features); 0 rows if not computed",
              kCore, nullptr, importance<&R::importance_mean>()),
      dataset("/items", "importance_std", f64, {B0, F}, nullptr,
              "feature importance, standard deviation over iterations (rows: items, columns: /features); 0 rows if "
              "not computed",
              kCore, nullptr, importance<&R::importance_std>()),

      attribute("/calibration", "method", str, "how field_prior was obtained: given or estimate (EM)", kFieldPrior,
                calibration<&ensemble::FieldCalibration::method>()),
      attribute("/calibration", "iterations", i32, "EM iterations run (0 for given)", kFieldPrior,
                calibration<&ensemble::FieldCalibration::iterations>()),
      attribute("/calibration", "final_change", f64,
                "EM: largest change of a class fraction in the last iteration (0 for given)", kFieldPrior,
                calibration<&ensemble::FieldCalibration::final_change>()),
      attribute("/calibration", "converged", i32, "1 if EM converged within max_iterations (1 for given)",
                kFieldPrior, calibration<&ensemble::FieldCalibration::converged>()),
      attribute("/calibration", "em_pseudo_count", f64,
                "EM: lambda added to every class's expected count per step ([calibration] em_pseudo_count; MAP under "
                "a Dirichlet(1 + lambda) prior; absent in files before 0.7.0: 0, maximum likelihood)",
                kEmPrior, calibration<&ensemble::FieldCalibration::pseudo_count>()),
      dataset("/calibration", "field_prior", f64, {C}, nullptr,
              "pi_field: the field's class fractions used for P_field (given, or estimated by EM)", kFieldPrior,
              nullptr, calibration<&ensemble::FieldCalibration::field_prior>()),
      dataset("/calibration", "training_prior", f64, {C}, nullptr,
              "pi_train: the class fractions the learner was trained with after balancing", kFieldPrior, nullptr,
              calibration<&ensemble::FieldCalibration::training_prior>()),

      attribute("/calibration", "scaling_from", str,
                "bias-corrected temperature scaling of every iteration's P before the field prior: the `mwclass "
                "cv`/`loocv` results file it was fitted on",
                kScaling, scaling<&ensemble::ProbabilityScaling::fitted_on>()),
      attribute("/calibration", "scaling_inverse_temperature", f64,
                "a = 1/T of the scaling q_c ~ exp(a ln(P_c + epsilon) + b_c)", kScaling,
                scaling<&ensemble::ProbabilityScaling::inverse_temperature>()),
      attribute("/calibration", "scaling_epsilon", f64, "epsilon of the scaling ([calibration] scaling_epsilon)",
                kScaling, scaling<&ensemble::ProbabilityScaling::epsilon>()),
      attribute("/calibration", "scaling_sources", i32, "held-out rows the scaling was fitted on", kScaling,
                scaling<&ensemble::ProbabilityScaling::sources>()),
      attribute("/calibration", "scaling_log_loss_raw", f64,
                "mean -ln(P_true + epsilon) of those rows before the scaling", kScaling,
                scaling<&ensemble::ProbabilityScaling::log_loss_raw>()),
      attribute("/calibration", "scaling_log_loss", f64, "mean log loss of those rows after the scaling", kScaling,
                scaling<&ensemble::ProbabilityScaling::log_loss_scaled>()),
      dataset("/calibration", "scaling_bias", f64, {C}, nullptr,
              "b_c of the scaling per class (0 for the first)", kScaling, nullptr,
              scaling<&ensemble::ProbabilityScaling::bias>()),
      dataset("/calibration", "scaling_class_fractions", f64, {C}, nullptr,
              "class fractions of the held-out rows: pi_train of the scaled probabilities", kScaling, nullptr,
              scaling<&ensemble::ProbabilityScaling::class_fractions>()),

      dataset("/iterations", "P", f64, {n, M, C}, nullptr,
              "probability of each class (axis 2, /classes) at each Monte-Carlo iteration (axis 1) for each source "
              "(axis 0)",
              kIterations, nullptr,
              {[](const R& r, const P&) {
                 return ConstArray::view(r.per_iteration, {r.names.size(), static_cast<std::size_t>(r.kept_iterations),
                                                           r.class_names.size()});
               },
               [](Array&& a, R& r, P&) {
                 r.kept_iterations = static_cast<int>(a.extents[1]);
                 r.per_iteration = a.take<double>();
               }}),

      dataset("/track", "steps", str, {S}, nullptr,
              "naive Bayes probability-track steps: the prior, then per category each feature's term "
              "(<category>/<feature>) and the whole category (<category>)",
              kTrack, nullptr,
              {[](const R& r, const P&) { return ConstArray::view(r.track.steps); },
               [](Array&& a, R& r, P&) { r.track.steps = a.take<std::string>(); }}),
      dataset("/track", "P", f64, {n, S, C}, nullptr,
              "normalized posterior of each class (axis 2, /classes) after each step (axis 1, /track/steps) for "
              "each source (axis 0): observed values, model of MC iteration 0 (`mwclass explain` prints it)",
              kTrack, nullptr,
              {[](const R& r, const P&) {
                 return ConstArray::view(r.track.values,
                                         {r.names.size(), r.track.steps.size(), r.class_names.size()});
               },
               [](Array&& a, R& r, P&) { r.track.values = a.take<double>(); }}),

      attribute("/evaluation", "kind", str, "loocv or cv", kEvaluation, member<&R::evaluation>()),
      attribute("/evaluation", "folds", i32, "cv: folds per repeat", kEvaluation, member<&R::folds>()),
      attribute("/evaluation", "repeats", i32, "cv: repeats (the length of axis 0 of repeat_P)", kEvaluation,
                {[](const R& r, const P&) { return ConstArray::own_scalar(static_cast<int>(r.repeat_mean.size())); },
                 [](Array&& a, R& r, P&) {
                   const int repeats = a.scalar<int>();
                   if (repeats != static_cast<int>(r.repeat_mean.size()))
                     fail("attribute 'repeats' of '/evaluation' is {}, but /evaluation/repeat_P holds {} repeats",
                          repeats, r.repeat_mean.size());
                 }}),
      dataset("/evaluation", "repeat_P", f64, {Rp, n, C}, nullptr,
              "cv: mean probabilities of every repeat (repeat x source x class); repeat 0 is /sources/P", kRepeats,
              nullptr, repeats<&R::repeat_mean>()),
      dataset("/evaluation", "repeat_e_P", f64, {Rp, n, C}, nullptr,
              "cv: their standard deviations over MC iterations", kRepeats, nullptr, repeats<&R::repeat_std>()),

      attribute("/", "format", str, "always \"mwclass-results\"", kCore, fixed_format()),
      attribute("/", "format_version", i32, "layout version; readers refuse versions newer than they know", kCore,
                fixed_format_version()),
      attribute("/", "mwclass_version", str, "version of the program that wrote the file", kCore,
                member<&P::version>()),
      attribute("/", "command_line", str, "the full command line", kCore, member<&P::command_line>()),
      attribute("/", "config", str, "the resolved configuration as TOML text", kCore, member<&P::config_toml>()),
      attribute("/", "training_catalog", str, "path of the training catalog", kCore,
                member<&P::training_catalog>()),
      attribute("/", "field_catalog", str, "path of the field catalog", kCore, member<&P::field_catalog>()),
      attribute("/", "training_checksum", str, "FNV-1a 64 checksum of the training catalog file, fnv1a64:<hex>",
                kChecksums, member<&P::training_checksum>()),
      attribute("/", "field_checksum", str, "FNV-1a 64 checksum of the field catalog file, fnv1a64:<hex>",
                kChecksums, member<&P::field_checksum>()),
      attribute("/", "ebv_source", str,
                "where the sources' E(B-V) came from: column, constant (--ebv), map, field_mean, position",
                kEbvSource, member<&P::ebv_source>()),
      attribute("/", "dust_map", str,
                "the dust map files read with their FNV-1a 64 checksums and the scale applied; empty without a map",
                kEbvSource, member<&P::dust_map>()),
      attribute("/", "seed", u64, "master random seed", kCore, member<&P::seed>()),
      attribute("/", "mc_iterations", i32, "Monte-Carlo iterations requested (0: one deterministic pass)", kCore,
                member<&P::mc_iterations>()),
      attribute("/", "ranks", i32, "MPI ranks", kCore, member<&P::ranks>()),
      attribute("/", "threads", i32, "threads per rank", kCore, member<&P::threads>()),
      attribute("/", "wall_time_seconds", f64, "wall-clock time of the run", kCore,
                member<&P::wall_time_seconds>()),
      attribute("/", "created_utc", str, "time the run finished, ISO 8601 UTC", kCore, member<&P::created_utc>()),
      attribute("/", "complete", i32, "1, written last", kCore, fixed_complete()),
  };
}

}  // namespace

// ---------------------------------------------------------------- public

const std::vector<Entry>& results_schema() {
  static const std::vector<Entry> schema = make_schema();
  return schema;
}

std::string Entry::path() const {
  if (!is_dataset()) return group;
  return std::string(group) == "/" ? std::string("/") + name : std::string(group) + "/" + name;
}

std::string Entry::what() const {
  if (is_dataset()) return fmt::format("dataset '{}'", path());
  if (std::string(group) == "/") return fmt::format("root attribute '{}'", name);
  return fmt::format("attribute '{}' of '{}'", name, group);
}

std::string shape_rule(const std::vector<Axis>& axes) {
  std::string s = "(";
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (i) s += ", ";
    s += axes[i] == Axis::items_or_none ? std::string("B or 0") : std::string(1, static_cast<char>(axes[i]));
  }
  return s + (axes.size() == 1 ? ",)" : ")");
}

std::size_t AxisExtents::of(Axis axis) const {
  for (const auto& [a, extent] : bound_)
    if (a == axis) return extent;
  return 0;
}

void AxisExtents::match(const Entry& entry, const Extents& got) {
  const auto& rule = entry.shape;
  bool ok = got.size() == rule.size();
  for (std::size_t i = 0; ok && i < rule.size(); ++i) {
    const Axis axis = rule[i] == Axis::items_or_none ? Axis::items : rule[i];
    if (rule[i] == Axis::items_or_none && got[i] == 0) continue;
    const auto at = std::find_if(bound_.begin(), bound_.end(), [&](const auto& b) { return b.first == axis; });
    if (at == bound_.end())
      bound_.emplace_back(axis, got[i]);
    else
      ok = at->second == got[i];
  }
  if (ok) return;
  std::string known;
  for (const Axis axis : rule) {
    const Axis a = axis == Axis::items_or_none ? Axis::items : axis;
    const auto at = std::find_if(bound_.begin(), bound_.end(), [&](const auto& b) { return b.first == a; });
    if (at == bound_.end()) continue;
    const std::string item = fmt::format("{} = {}", static_cast<char>(a), at->second);
    if (known.find(item) == std::string::npos) known += (known.empty() ? "" : ", ") + item;
  }
  fail("{} has shape {}, expected {}{}", entry.what(), shape_string(got), shape_rule(rule),
       known.empty() ? "" : " with " + known);
}

const std::vector<Alias>& results_aliases() {
  // Format 1 called every work item a bin; format 2 writes /items and keeps
  // the old names as soft links, so readers of format 1 files keep working.
  static const std::vector<Alias> aliases = {{"/", "bins", "items"}, {"/sources", "bin", "item"}};
  return aliases;
}

}  // namespace mwclass::output
