// Weighted naive Bayes (Tranin et al. 2022); the model and every choice are
// documented in naive_bayes.hpp.
//
// Fit: per feature (in parallel), the present values of each class are
// sorted, a bandwidth chosen and the KDE tabulated by scattering each value's
// kernel onto the nodes within its window; one table is built by one thread,
// visiting values in sorted order, so tables do not depend on n_threads.
// Predict: rows are scored independently by score_row(), which explain()
// shares, so the probability track ends exactly at predict_proba's row.
#include "mwclass/learners/naive_bayes.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <utility>

#include "mwclass/core/error.hpp"

namespace mwclass::learners {
namespace {

// score_row's visitor when no probability track is wanted.
constexpr auto kNoVisit = [](ExplainStep::Kind, int, int, bool, const std::vector<double>&) {};

using detail::KdeTable;
using Params = NaiveBayesParams;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))
// Table nodes far below the floor are clamped to log_floor - kClampBelow.
constexpr double kClampBelow = 30.0;
// At most this many nodes per table; a KDE spanning more (a tiny bandwidth
// with distant values) is summed directly at prediction instead.
constexpr std::size_t kMaxNodes = std::size_t{1} << 18;
// Grid spacing (in bandwidths) used only to find the peak when grid_step = 0.
constexpr double kPeakStep = 0.25;

// Type-7 (linearly interpolated) quantile of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// The rule's spread s (0 when the values have none).
double spread(const std::vector<double>& sorted, Params::Bandwidth rule) {
  const std::size_t n = sorted.size();
  if (n < 2) return 0.0;
  double mean = 0.0;
  for (double v : sorted) mean += v;
  mean /= static_cast<double>(n);
  double ss = 0.0;
  for (double v : sorted) ss += (v - mean) * (v - mean);
  const double sigma = std::sqrt(ss / static_cast<double>(n - 1));
  if (rule == Params::Bandwidth::Scott) return sigma;
  const double iqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.34;
  return iqr > 0.0 ? std::min(sigma, iqr) : sigma;
}

// Builds the KDE of sorted values with bandwidth h.
KdeTable build_kde(std::vector<double> values, double h, const Params& params) {
  KdeTable kde;
  const std::size_t n = values.size();
  const double nd = static_cast<double>(n);
  kde.h = h;
  kde.log_norm = -(std::log(nd * h) + kLogSqrt2Pi);
  // Beyond margin · h from every value the density is below the floor: each
  // kernel is at most exp(-margin^2 / 2) / (h sqrt(2 pi)) there, and the peak
  // is at least 1 / (n h sqrt(2 pi)) (enforced below).
  const double margin = std::sqrt(2.0 * std::log(nd / params.density_floor)) + 1.0;
  kde.window = margin + 4.0;

  const double step_h = params.grid_step > 0.0 ? params.grid_step : kPeakStep;
  const double lo = values.front() - margin * h;
  const double span = values.back() - values.front() + 2.0 * margin * h;
  double step = step_h * h;
  bool tabulate = params.grid_step > 0.0;
  if (span / step + 1.0 > static_cast<double>(kMaxNodes)) {
    step = span / static_cast<double>(kMaxNodes - 1);  // coarse: for the peak only
    tabulate = false;
  }
  const auto n_nodes = static_cast<std::size_t>(std::ceil(span / step)) + 1;

  // Kernel sums S0 = Σ K and S1 = Σ (v - x) K at the nodes, K = exp(-z^2/2).
  std::vector<double> s0(n_nodes, 0.0), s1(tabulate ? n_nodes : 0, 0.0);
  const double reach = kde.window * h;
  const double last = static_cast<double>(n_nodes - 1);
  for (double v : values) {
    const double first_k = std::max(0.0, std::ceil((v - reach - lo) / step));
    const double last_k = std::min(last, std::floor((v + reach - lo) / step));
    for (double kd = first_k; kd <= last_k; kd += 1.0) {
      const auto k = static_cast<std::size_t>(kd);
      const double x = lo + kd * step;
      const double z = (x - v) / h;
      const double e = std::exp(-0.5 * z * z);
      s0[k] += e;
      if (tabulate) s1[k] += (v - x) * e;
    }
  }
  double peak = 1.0;  // a kernel's own height: the density at a value is at least this
  for (double s : s0) peak = std::max(peak, s);
  kde.log_floor = std::log(params.density_floor) + kde.log_norm + std::log(peak);

  if (tabulate) {
    kde.grid_lo = lo;
    kde.grid_step = step;
    kde.g.resize(n_nodes);
    kde.dg.resize(n_nodes);
    const double clamp = kde.log_floor - kClampBelow;
    for (std::size_t k = 0; k < n_nodes; ++k) {
      const double g = s0[k] > 0.0 ? kde.log_norm + std::log(s0[k]) : -kInf;
      if (g > clamp) {
        kde.g[k] = g;
        kde.dg[k] = s1[k] / (s0[k] * h * h);
      } else {
        kde.g[k] = clamp;
        kde.dg[k] = 0.0;
      }
    }
  }
  kde.values = std::move(values);
  return kde;
}

// Floored log density: tabulated (cubic Hermite on log p) or the windowed sum.
double eval_kde(const KdeTable& kde, double x) {
  if (kde.grid_step > 0.0) {
    const double u = (x - kde.grid_lo) / kde.grid_step;
    const double last = static_cast<double>(kde.g.size() - 1);
    if (!(u >= 0.0 && u <= last)) return kde.log_floor;
    const double kd = std::min(std::floor(u), last - 1.0);
    const auto k = static_cast<std::size_t>(kd);
    const double t = u - kd, t2 = t * t, t3 = t2 * t;
    const double p = (2.0 * t3 - 3.0 * t2 + 1.0) * kde.g[k] +
                     (t3 - 2.0 * t2 + t) * kde.grid_step * kde.dg[k] +
                     (3.0 * t2 - 2.0 * t3) * kde.g[k + 1] +
                     (t3 - t2) * kde.grid_step * kde.dg[k + 1];
    return std::max(p, kde.log_floor);
  }
  const double reach = kde.window * kde.h;
  auto it = std::lower_bound(kde.values.begin(), kde.values.end(), x - reach);
  double sum = 0.0;
  for (; it != kde.values.end() && *it <= x + reach; ++it) {
    const double z = (x - *it) / kde.h;
    sum += std::exp(-0.5 * z * z);
  }
  if (!(sum > 0.0)) return kde.log_floor;
  return std::max(kde.log_norm + std::log(sum), kde.log_floor);
}

// Floored log density at a training member's own value with its own kernel
// left out: the other kernels' sum is exp(log p - log_norm) - 1 (the member's
// kernel contributes exp(0) = 1), renormalized to n - 1 kernels. From the
// table this inherits its interpolation error, which matters only when the
// member is nearly isolated (then the floor applies).
double eval_kde_leave_one_out(const KdeTable& kde, double x) {
  const auto n = static_cast<double>(kde.values.size());
  if (n < 2.0) return kde.log_floor;
  const double others = std::exp(eval_kde(kde, x) - kde.log_norm) - 1.0;
  if (!(others > 0.0)) return kde.log_floor;
  return std::max(kde.log_norm + std::log(n / (n - 1.0)) + std::log(others), kde.log_floor);
}

// Exact floored log density: every kernel, log-sum-exp.
double eval_kde_exact(const KdeTable& kde, double x) {
  double top = -kInf;
  for (double v : kde.values) {
    const double z = (x - v) / kde.h;
    top = std::max(top, -0.5 * z * z);
  }
  double sum = 0.0;
  for (double v : kde.values) {
    const double z = (x - v) / kde.h;
    sum += std::exp(-0.5 * z * z - top);
  }
  return std::max(kde.log_norm + top + std::log(sum), kde.log_floor);
}

void check_values(const Matrix& X, const char* what) {
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (std::isinf(X(i, j)))
        fail("naive bayes {}: X({}, {}) is {}; only NaN may mark a missing value", what, i, j,
             X(i, j));
}

// Normalized posterior from log scores (exp of -inf is 0).
void normalize(const std::vector<double>& log_post, double* out) {
  double top = -kInf;
  for (double l : log_post) top = std::max(top, l);
  double total = 0.0;
  for (std::size_t c = 0; c < log_post.size(); ++c) {
    out[c] = std::exp(log_post[c] - top);
    total += out[c];
  }
  for (std::size_t c = 0; c < log_post.size(); ++c) out[c] /= total;
}

}  // namespace

NaiveBayes::NaiveBayes(NaiveBayesParams params) : params_(std::move(params)) {
  const auto& p = params_;
  if (p.feature_category.empty()) {
    if (p.category_names.size() > 1)
      fail("naive bayes: {} categories are named but feature_category is empty (every feature "
           "would be in category 0)", p.category_names.size());
  } else if (p.category_names.empty()) {
    fail("naive bayes: category_names is required when feature_category is given");
  }
  const std::size_t n_categories = std::max<std::size_t>(1, p.category_names.size());
  for (std::size_t f = 0; f < p.feature_category.size(); ++f) {
    const int c = p.feature_category[f];
    if (c < -1 || c >= static_cast<int>(n_categories))
      fail("naive bayes: feature_category[{}] = {} is outside [-1, {})", f, c, n_categories);
  }
  if (!p.category_weights.empty() && p.category_weights.size() != n_categories)
    fail("naive bayes: {} category_weights for {} categories", p.category_weights.size(),
         n_categories);
  for (std::size_t t = 0; t < p.category_weights.size(); ++t)
    if (!(std::isfinite(p.category_weights[t]) && p.category_weights[t] >= 0.0))
      fail("naive bayes: category weight {} ({}) must be finite and >= 0 (got {})", t,
           t < p.category_names.size() ? p.category_names[t] : "all", p.category_weights[t]);
  if (!p.feature_names.empty() && !p.feature_category.empty() &&
      p.feature_names.size() != p.feature_category.size())
    fail("naive bayes: {} feature_names for {} entries of feature_category",
         p.feature_names.size(), p.feature_category.size());
  if (!(std::isfinite(p.presence_weight) && p.presence_weight >= 0.0))
    fail("naive bayes: presence_weight must be finite and >= 0 (got {})", p.presence_weight);
  if (!(std::isfinite(p.presence_smoothing) && p.presence_smoothing > 0.0))
    fail("naive bayes: presence_smoothing must be finite and > 0 (got {})", p.presence_smoothing);
  if (p.prior == Params::Prior::Given) {
    if (p.given_priors.empty()) fail("naive bayes: prior = Given but given_priors is empty");
    double total = 0.0;
    for (std::size_t c = 0; c < p.given_priors.size(); ++c) {
      if (!(std::isfinite(p.given_priors[c]) && p.given_priors[c] >= 0.0))
        fail("naive bayes: given prior of class {} must be finite and >= 0 (got {})", c,
             p.given_priors[c]);
      total += p.given_priors[c];
    }
    if (!(total > 0.0)) fail("naive bayes: given_priors sum to {}, they must sum to > 0", total);
  } else if (!p.given_priors.empty()) {
    fail("naive bayes: given_priors are set but prior is not Given");
  }
  if (!(std::isfinite(p.bandwidth_factor) && p.bandwidth_factor > 0.0))
    fail("naive bayes: bandwidth_factor must be finite and > 0 (got {})", p.bandwidth_factor);
  if (!(p.density_floor > 0.0 && p.density_floor < 1.0))
    fail("naive bayes: density_floor must be in (0, 1) (got {})", p.density_floor);
  if (!(p.grid_step >= 0.0 && p.grid_step <= 1.0))
    fail("naive bayes: grid_step must be in [0, 1] bandwidths, 0 for direct sums (got {})",
         p.grid_step);
}

void NaiveBayes::fit(const Matrix& X, const Labels& y, int n_classes, std::uint64_t /*key*/,
                     int n_threads) {
  const auto& p = params_;
  if (X.rows() == 0 || X.cols() == 0)
    fail("naive bayes fit: empty training matrix ({} x {})", X.rows(), X.cols());
  if (static_cast<std::size_t>(X.rows()) != y.size())
    fail("naive bayes fit: X has {} rows but y has {} labels", X.rows(), y.size());
  if (n_classes < 1) fail("naive bayes fit: n_classes must be >= 1 (got {})", n_classes);
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || y[i] >= n_classes)
      fail("naive bayes fit: label {} of row {} is outside [0, {})", y[i], i, n_classes);
  if (!p.feature_category.empty() && static_cast<std::size_t>(X.cols()) != p.feature_category.size())
    fail("naive bayes fit: X has {} columns but feature_category has {} entries", X.cols(),
         p.feature_category.size());
  if (!p.feature_names.empty() && static_cast<std::size_t>(X.cols()) != p.feature_names.size())
    fail("naive bayes fit: X has {} columns but feature_names has {} entries", X.cols(),
         p.feature_names.size());
  if (p.prior == Params::Prior::Given && p.given_priors.size() != static_cast<std::size_t>(n_classes))
    fail("naive bayes fit: {} given_priors for {} classes", p.given_priors.size(), n_classes);
  check_values(X, "fit");
  n_threads = std::max(1, n_threads);

  const auto n_features = static_cast<std::size_t>(X.cols());
  const auto c_count = static_cast<std::size_t>(n_classes);

  // Resolve the layout.
  n_categories_ = static_cast<int>(std::max<std::size_t>(1, p.category_names.size()));
  category_names_ = p.category_names.empty() ? std::vector<std::string>{"all"} : p.category_names;
  category_of_ = p.feature_category.empty() ? std::vector<int>(n_features, 0) : p.feature_category;
  feature_names_ = p.feature_names;
  if (feature_names_.empty())
    for (std::size_t f = 0; f < n_features; ++f) feature_names_.push_back("f" + std::to_string(f));
  weights_ = p.category_weights.empty() ? std::vector<double>(static_cast<std::size_t>(n_categories_), 1.0)
                                        : p.category_weights;
  category_features_.assign(static_cast<std::size_t>(n_categories_), {});
  for (std::size_t f = 0; f < n_features; ++f)
    if (category_of_[f] >= 0)
      category_features_[static_cast<std::size_t>(category_of_[f])].push_back(static_cast<int>(f));

  // Class counts and priors; absent classes get probability 0.
  std::vector<double> count(c_count, 0.0);
  for (int label : y) count[static_cast<std::size_t>(label)] += 1.0;
  log_prior_.assign(c_count, -kInf);
  double prior_total = 0.0;
  std::vector<double> prior(c_count, 0.0);
  for (std::size_t c = 0; c < c_count; ++c) {
    if (count[c] == 0.0) continue;
    switch (p.prior) {
      case Params::Prior::Training: prior[c] = count[c]; break;
      case Params::Prior::Uniform: prior[c] = 1.0; break;
      case Params::Prior::Given: prior[c] = p.given_priors[c]; break;
    }
    prior_total += prior[c];
  }
  if (!(prior_total > 0.0))
    fail("naive bayes fit: the given priors are 0 for every class present in the training set");
  for (std::size_t c = 0; c < c_count; ++c)
    if (prior[c] > 0.0) log_prior_[c] = std::log(prior[c] / prior_total);

  // Per feature: presence probabilities and the KDEs.
  kdes_.assign((c_count + 1) * n_features, KdeTable{});
  kde_index_.assign(c_count * n_features, -1);
  log_present_.assign(c_count * n_features, 0.0);
  log_missing_.assign(c_count * n_features, 0.0);
  has_density_.assign(n_features, 0);
  const double s = p.presence_smoothing;
  std::exception_ptr error;
  const auto p_signed = static_cast<std::ptrdiff_t>(n_features);
#pragma omp parallel for num_threads(n_threads) schedule(dynamic)
  for (std::ptrdiff_t fs = 0; fs < p_signed; ++fs) {
    try {
      const auto f = static_cast<std::size_t>(fs);
      if (category_of_[f] < 0) continue;
      std::vector<std::vector<double>> per_class(c_count);
      std::vector<double> pooled;
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        const double v = X(i, fs);
        if (std::isnan(v)) continue;
        per_class[static_cast<std::size_t>(y[static_cast<std::size_t>(i)])].push_back(v);
        pooled.push_back(v);
      }
      for (std::size_t c = 0; c < c_count; ++c) {
        const double present = static_cast<double>(per_class[c].size());
        log_present_[c * n_features + f] = std::log((present + s) / (count[c] + 2.0 * s));
        log_missing_[c * n_features + f] = std::log((count[c] - present + s) / (count[c] + 2.0 * s));
      }
      if (pooled.empty()) continue;  // no density term for this feature
      has_density_[f] = 1;
      std::sort(pooled.begin(), pooled.end());
      const double pooled_spread = spread(pooled, p.bandwidth);
      const double factor = p.bandwidth == Params::Bandwidth::Silverman ? 0.9 : 1.0;
      auto bandwidth_of = [&](const std::vector<double>& sorted) {
        double sp = spread(sorted, p.bandwidth);
        if (!(sp > 0.0)) sp = pooled_spread > 0.0 ? pooled_spread : 1.0;
        return p.bandwidth_factor * factor * sp *
               std::pow(static_cast<double>(sorted.size()), -0.2);
      };
      bool need_pooled = false;
      for (std::size_t c = 0; c < c_count; ++c) {
        if (count[c] == 0.0) continue;
        auto& values = per_class[c];
        if (values.empty()) {
          need_pooled = true;
          kde_index_[c * n_features + f] = static_cast<int>(c_count * n_features + f);
          continue;
        }
        std::sort(values.begin(), values.end());
        const double h = bandwidth_of(values);
        kdes_[c * n_features + f] = build_kde(std::move(values), h, p);
        kde_index_[c * n_features + f] = static_cast<int>(c * n_features + f);
      }
      if (need_pooled) {
        const double h = bandwidth_of(pooled);
        kdes_[c_count * n_features + f] = build_kde(std::move(pooled), h, p);
      }
    } catch (...) {
#pragma omp critical(mwclass_naive_bayes_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  n_classes_ = n_classes;
  n_features_ = static_cast<int>(n_features);

  // Outlier reference: every training member's own-class score with its own
  // kernels left out, sorted per class.
  member_scores_.assign(c_count, {});
  std::vector<double> log_post;
  double weight_sum = 0.0;
  for (Eigen::Index i = 0; i < outlier_members(X.rows()); ++i) {
    const int c = y[static_cast<std::size_t>(i)];
    if (!std::isfinite(log_prior_[static_cast<std::size_t>(c)])) continue;  // a zero given prior
    score_row(X.data() + i * X.cols(), nullptr, c, log_post, weight_sum,
              kNoVisit);
    member_scores_[static_cast<std::size_t>(c)].push_back(
        -(log_post[static_cast<std::size_t>(c)] - log_prior_[static_cast<std::size_t>(c)]) / std::log(10.0));
  }
  for (auto& scores : member_scores_) std::sort(scores.begin(), scores.end());
}

std::vector<OutlierScore> NaiveBayes::outlier_scores(const Matrix& X, const Matrix* quality) const {
  check_fitted("outlier_scores");
  if (X.cols() != n_features_)
    fail("naive bayes outlier_scores: X has {} columns, the model was fitted on {}", X.cols(), n_features_);
  std::vector<OutlierScore> out(static_cast<std::size_t>(X.rows()));
  std::vector<double> log_post;
  double weight_sum = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    score_row(X.data() + i * X.cols(), quality ? quality->data() + i * X.cols() : nullptr, -1,
              log_post, weight_sum, kNoVisit);
    const auto best = static_cast<std::size_t>(
        std::max_element(log_post.begin(), log_post.end()) - log_post.begin());
    OutlierScore& o = out[static_cast<std::size_t>(i)];
    o.best_class = static_cast<int>(best);
    o.score = -(log_post[best] - log_prior_[best]) / std::log(10.0);
    o.percentile = fraction_at_least(member_scores_[best], o.score);
  }
  return out;
}

double NaiveBayes::log_density_leave_one_out(int cls, int feature, double x) const {
  return eval_kde_leave_one_out(table(cls, feature, "log_density_leave_one_out"), x);
}

void NaiveBayes::check_fitted(const char* what) const {
  if (n_classes_ == 0) fail("naive bayes {}: the model has not been fitted", what);
}

// Scores one row: log_post[c] = log prior + Σ_t (α_t / A) ℓ_t(c). visit is
// called after each used feature (with the running log scores including the
// category's partial sum) and after each category.
template <typename Visit>
void NaiveBayes::score_row(const double* x, const double* quality, int own_class,
                           std::vector<double>& log_post, double& weight_sum, Visit&& visit) const {
  const auto c_count = static_cast<std::size_t>(n_classes_);
  const auto n_features = static_cast<std::size_t>(n_features_);
  const bool presence = params_.missing == Params::MissingMode::Presence;
  auto contributes = [&](int f) {
    return presence || (!std::isnan(x[f]) && has_density_[static_cast<std::size_t>(f)]);
  };

  // A: the weights of the categories with at least one term.
  weight_sum = 0.0;
  for (std::size_t t = 0; t < category_features_.size(); ++t)
    for (int f : category_features_[t])
      if (contributes(f)) {
        weight_sum += weights_[t];
        break;
      }

  log_post = log_prior_;
  std::vector<double> partial(c_count), running(c_count);
  for (std::size_t t = 0; t < category_features_.size(); ++t) {
    const double coef = weight_sum > 0.0 ? weights_[t] / weight_sum : 0.0;
    std::fill(partial.begin(), partial.end(), 0.0);
    bool any = false;
    for (int f : category_features_[t]) {
      const bool term = contributes(f);
      if (term) {
        any = true;
        const bool missing = std::isnan(x[f]);
        for (std::size_t c = 0; c < c_count; ++c) {
          const std::size_t cf = c * n_features + static_cast<std::size_t>(f);
          double add = 0.0;
          if (presence)
            add += params_.presence_weight * (missing ? log_missing_[cf] : log_present_[cf]);
          if (!missing && kde_index_[cf] >= 0) {
            const KdeTable& kde = kdes_[static_cast<std::size_t>(kde_index_[cf])];
            // A training member scored against its own class: its kernel left out.
            const bool own = static_cast<int>(c) == own_class &&
                             kde_index_[cf] == static_cast<int>(cf);
            add += (quality ? quality[f] : 1.0) *
                   (own ? eval_kde_leave_one_out(kde, x[f]) : eval_kde(kde, x[f]));
          }
          partial[c] += add;
        }
      }
      for (std::size_t c = 0; c < c_count; ++c) running[c] = log_post[c] + coef * partial[c];
      visit(ExplainStep::Kind::Feature, static_cast<int>(t), f, term, running);
    }
    for (std::size_t c = 0; c < c_count; ++c) log_post[c] = log_post[c] + coef * partial[c];
    visit(ExplainStep::Kind::Category, static_cast<int>(t), -1, any, log_post);
  }
}

Matrix NaiveBayes::predict_proba(const Matrix& X, int n_threads) const {
  return predict_proba(X, nullptr, n_threads);
}

Matrix NaiveBayes::quality_exponents(const Matrix& X, const Matrix& sigma) const {
  check_fitted("quality_exponents");
  if (X.cols() != n_features_ || sigma.rows() != X.rows() || sigma.cols() != X.cols())
    fail("naive bayes quality: X is {} x {} and sigma {} x {}; both must be n x {}", X.rows(),
         X.cols(), sigma.rows(), sigma.cols(), n_features_);
  Matrix q = Matrix::Ones(X.rows(), X.cols());
  auto known = [](double s) { return s > 0.0 && std::isfinite(s); };
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (const auto& features : category_features_) {
      double sum = 0.0;
      int count = 0;
      for (int f : features)
        if (!std::isnan(X(i, f)) && known(sigma(i, f))) {
          sum += 1.0 / sigma(i, f);
          ++count;
        }
      if (count == 0) continue;
      const double mean = sum / count;
      for (int f : features)
        if (!std::isnan(X(i, f)) && known(sigma(i, f))) q(i, f) = (1.0 / sigma(i, f)) / mean;
    }
  return q;
}

Matrix NaiveBayes::predict_proba(const Matrix& X, const Matrix* quality, int n_threads) const {
  check_fitted("predict");
  if (quality && (quality->rows() != X.rows() || quality->cols() != X.cols()))
    fail("naive bayes predict: quality is {} x {}, X is {} x {}", quality->rows(),
         quality->cols(), X.rows(), X.cols());
  if (X.cols() != n_features_)
    fail("naive bayes predict: X has {} columns, the model was fitted on {}", X.cols(),
         n_features_);
  check_values(X, "predict");
  n_threads = std::max(1, n_threads);
  Matrix proba(X.rows(), n_classes_);
  const auto n_rows = static_cast<std::ptrdiff_t>(X.rows());
#pragma omp parallel num_threads(n_threads)
  {
    std::vector<double> log_post;
    double weight_sum = 0.0;
#pragma omp for schedule(static)
    for (std::ptrdiff_t i = 0; i < n_rows; ++i) {
      score_row(X.data() + i * X.cols(), quality ? quality->data() + i * X.cols() : nullptr, -1,
                log_post, weight_sum,
                kNoVisit);
      normalize(log_post, proba.data() + i * n_classes_);
    }
  }
  return proba;
}

Explanation NaiveBayes::explain(const Matrix& X, Eigen::Index row, const Matrix* quality) const {
  check_fitted("explain");
  if (quality && (quality->rows() != X.rows() || quality->cols() != X.cols()))
    fail("naive bayes explain: quality is {} x {}, X is {} x {}", quality->rows(),
         quality->cols(), X.rows(), X.cols());
  if (X.cols() != n_features_)
    fail("naive bayes explain: X has {} columns, the model was fitted on {}", X.cols(),
         n_features_);
  if (row < 0 || row >= X.rows())
    fail("naive bayes explain: row {} is outside [0, {})", row, X.rows());
  const Matrix x = X.row(row);
  check_values(x, "explain");

  Explanation out;
  const auto c_count = static_cast<std::size_t>(n_classes_);
  ExplainStep prior;
  prior.label = "prior";
  prior.contributed = true;
  prior.proba.resize(c_count);
  normalize(log_prior_, prior.proba.data());
  out.steps.push_back(std::move(prior));

  std::vector<double> log_post;
  score_row(x.data(), quality ? quality->data() + row * X.cols() : nullptr, -1, log_post, out.weight_sum,
            [&](ExplainStep::Kind kind, int t, int f, bool contributed,
                const std::vector<double>& scores) {
              ExplainStep step;
              step.kind = kind;
              step.category = t;
              step.feature = f;
              step.contributed = contributed;
              step.label = category_names_[static_cast<std::size_t>(t)];
              if (f >= 0) step.label += "/" + feature_names_[static_cast<std::size_t>(f)];
              step.proba.resize(c_count);
              normalize(scores, step.proba.data());
              out.steps.push_back(std::move(step));
            });
  return out;
}

std::vector<double> NaiveBayes::feature_importances() const {
  return std::vector<double>(static_cast<std::size_t>(n_features_), 0.0);
}

const KdeTable& NaiveBayes::table(int cls, int feature, const char* what) const {
  check_fitted(what);
  if (cls < 0 || cls >= n_classes_ || feature < 0 || feature >= n_features_)
    fail("naive bayes {}: (class {}, feature {}) is outside the fitted {} x {}", what, cls,
         feature, n_classes_, n_features_);
  const int index =
      kde_index_[static_cast<std::size_t>(cls) * static_cast<std::size_t>(n_features_) +
                 static_cast<std::size_t>(feature)];
  if (index < 0)
    fail("naive bayes {}: class {} has no density for feature {} (unused feature, no present "
         "training value, or no training row of the class)", what, cls, feature);
  return kdes_[static_cast<std::size_t>(index)];
}

double NaiveBayes::log_density(int cls, int feature, double x) const {
  return eval_kde(table(cls, feature, "log_density"), x);
}

double NaiveBayes::log_density_direct(int cls, int feature, double x) const {
  return eval_kde_exact(table(cls, feature, "log_density_direct"), x);
}

double NaiveBayes::bandwidth(int cls, int feature) const {
  return table(cls, feature, "bandwidth").h;
}

double NaiveBayes::presence_probability(int cls, int feature) const {
  check_fitted("presence_probability");
  if (cls < 0 || cls >= n_classes_ || feature < 0 || feature >= n_features_)
    fail("naive bayes presence_probability: (class {}, feature {}) is outside the fitted {} x {}",
         cls, feature, n_classes_, n_features_);
  return std::exp(log_present_[static_cast<std::size_t>(cls) * static_cast<std::size_t>(n_features_) +
                               static_cast<std::size_t>(feature)]);
}

Prediction NaiveBayes::predict_for(const PredictionInput& in) const {
  Prediction out;
  if (in.sigma) {
    const Matrix quality = quality_exponents(in.x, *in.sigma);
    out.proba = predict_proba(in.x, &quality, in.n_threads);
    out.outlier = outlier_scores(in.x, &quality);
  } else {
    out = predict(in.x, in.n_threads);
  }
  if (in.track_x) {
    const Matrix& x = *in.track_x;
    const Matrix quality = in.sigma ? quality_exponents(x, *in.sigma) : Matrix();
    for (Eigen::Index j = 0; j < x.rows(); ++j) {
      const Explanation e = explain(x, j, in.sigma ? &quality : nullptr);
      if (j == 0)
        for (const auto& step : e.steps) out.track.steps.push_back(step.label);
      if (e.steps.size() != out.track.steps.size())
        fail("internal error: naive Bayes track of source {} has {} steps, not {}", j, e.steps.size(),
             out.track.steps.size());
      for (const auto& step : e.steps)
        out.track.values.insert(out.track.values.end(), step.proba.begin(), step.proba.end());
    }
  }
  return out;
}

}  // namespace mwclass::learners
