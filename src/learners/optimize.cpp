// Box-bounded Nelder-Mead and differential evolution; see optimize.hpp.
//
// Both methods work on the free parameters in unit-box coordinates and call
// the objective through Problem::eval, which enforces the budget and keeps the
// best point seen, so every method returns the best evaluation it made.
#include "mwclass/learners/optimize.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::learners {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using Point = std::vector<double>;  // free parameters, unit box

class Problem {
 public:
  Problem(const Objective& f, std::vector<double> lower, std::vector<double> upper,
          std::vector<double> fixed, int budget)
      : f_(f), lower_(std::move(lower)), upper_(std::move(upper)), x_(std::move(fixed)),
        budget_(budget) {
    for (std::size_t j = 0; j < lower_.size(); ++j)
      if (lower_[j] < upper_[j]) free_.push_back(j);
  }

  std::size_t dim() const { return free_.size(); }
  bool exhausted() const { return evaluations_ >= budget_; }
  int evaluations() const { return evaluations_; }
  int budget() const { return budget_; }
  const Point& best_u() const { return best_u_; }
  double best_f() const { return best_f_; }

  std::vector<double> to_x(const Point& u) const {
    std::vector<double> x = x_;
    for (std::size_t k = 0; k < free_.size(); ++k) {
      const std::size_t j = free_[k];
      const double t = std::clamp(u[k], 0.0, 1.0);
      x[j] = t == 1.0 ? upper_[j] : std::clamp(lower_[j] + t * (upper_[j] - lower_[j]), lower_[j], upper_[j]);
    }
    return x;
  }

  Point to_u(const std::vector<double>& x) const {
    Point u(free_.size());
    for (std::size_t k = 0; k < free_.size(); ++k) {
      const std::size_t j = free_[k];
      u[k] = std::clamp((x[j] - lower_[j]) / (upper_[j] - lower_[j]), 0.0, 1.0);
    }
    return u;
  }

  // Callers check exhausted() first.
  double eval(const Point& u) {
    ++evaluations_;
    double value = f_(to_x(u));
    if (std::isnan(value)) value = kInf;
    if (best_u_.empty() || value < best_f_) {
      best_f_ = value;
      best_u_ = u;
    }
    return value;
  }

 private:
  const Objective& f_;
  std::vector<double> lower_, upper_, x_;
  std::vector<std::size_t> free_;
  int budget_;
  int evaluations_ = 0;
  Point best_u_;
  double best_f_ = kInf;
};

Point clamp_box(Point u) {
  for (double& v : u) v = std::clamp(v, 0.0, 1.0);
  return u;
}

// One Nelder-Mead run from u0 with per-axis initial steps, until convergence
// or the end of the budget. Returns whether it converged.
bool nelder_mead(Problem& problem, const Point& u0, const std::vector<double>& step,
                 const OptimOptions& options) {
  const std::size_t d = problem.dim();
  std::vector<Point> v(d + 1, u0);
  std::vector<double> fv(d + 1, kInf);
  for (std::size_t i = 0; i < d; ++i) {
    double& c = v[i + 1][i];
    c = c + step[i] <= 1.0 ? c + step[i] : c - step[i];
    v[i + 1] = clamp_box(v[i + 1]);
  }
  for (std::size_t i = 0; i <= d; ++i) {
    if (problem.exhausted()) return false;
    fv[i] = problem.eval(v[i]);
  }

  std::vector<std::size_t> order(d + 1);
  Point centroid(d), trial(d);
  auto along = [&](const Point& from, double t) {  // clamp(centroid + t (from - centroid))
    for (std::size_t j = 0; j < d; ++j) trial[j] = centroid[j] + t * (from[j] - centroid[j]);
    return clamp_box(trial);
  };
  while (true) {
    // Sort vertices by value, ties by index (stable), then relabel.
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return fv[a] < fv[b]; });
    std::vector<Point> sv(d + 1);
    std::vector<double> sf(d + 1);
    for (std::size_t i = 0; i <= d; ++i) {
      sv[i] = std::move(v[order[i]]);
      sf[i] = fv[order[i]];
    }
    v = std::move(sv);
    fv = std::move(sf);

    double size = 0.0;
    for (std::size_t i = 1; i <= d; ++i)
      for (std::size_t j = 0; j < d; ++j) size = std::max(size, std::abs(v[i][j] - v[0][j]));
    const bool flat = fv[d] - fv[0] <= options.f_tolerance || (std::isinf(fv[d]) && fv[0] == fv[d]);
    if (size <= options.x_tolerance && flat) return true;
    if (problem.exhausted()) return false;

    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) centroid[j] += v[i][j];
    for (double& c : centroid) c /= static_cast<double>(d);

    const Point reflected = along(v[d], -1.0);
    const double fr = problem.eval(reflected);
    if (fr < fv[0]) {
      if (problem.exhausted()) {
        v[d] = reflected;
        fv[d] = fr;
        continue;
      }
      const Point expanded = along(v[d], -2.0);
      const double fe = problem.eval(expanded);
      if (fe < fr) {
        v[d] = expanded;
        fv[d] = fe;
      } else {
        v[d] = reflected;
        fv[d] = fr;
      }
      continue;
    }
    if (fr < fv[d - 1]) {
      v[d] = reflected;
      fv[d] = fr;
      continue;
    }
    if (problem.exhausted()) continue;  // returns at the top of the loop
    const bool outside = fr < fv[d];
    const Point contracted = outside ? along(reflected, 0.5) : along(v[d], 0.5);
    const double fc = problem.eval(contracted);
    if (outside ? fc <= fr : fc < fv[d]) {
      v[d] = contracted;
      fv[d] = fc;
      continue;
    }
    // Shrink towards the best vertex.
    for (std::size_t i = 1; i <= d; ++i) {
      if (problem.exhausted()) break;
      for (std::size_t j = 0; j < d; ++j) v[i][j] = v[0][j] + 0.5 * (v[i][j] - v[0][j]);
      fv[i] = problem.eval(v[i]);
    }
  }
}

// Nelder-Mead with restarts around the best point while they improve it.
bool nelder_mead_restarts(Problem& problem, const Point& u0, const std::vector<double>& step,
                          const OptimOptions& options) {
  bool converged = nelder_mead(problem, u0, step, options);
  const std::vector<double> restart_step(problem.dim(), options.initial_step);
  for (int r = 0; converged && r < options.max_restarts && !problem.exhausted(); ++r) {
    const double before = problem.best_f();
    converged = nelder_mead(problem, problem.best_u(), restart_step, options);
    if (!(problem.best_f() < before - options.f_tolerance)) break;
  }
  return converged;
}

// DE/rand/1/bin for `budget` evaluations (at most). Returns the per-axis
// standard deviation of the final population.
std::vector<double> differential_evolution(Problem& problem, const Point& u0, int budget,
                                           const OptimOptions& options) {
  const std::size_t d = problem.dim();
  const int stop = std::min(problem.budget(), problem.evaluations() + budget);
  std::size_t np = options.population > 0 ? static_cast<std::size_t>(options.population)
                                           : std::max<std::size_t>(6, 5 * d);
  rng::Stream stream(options.seed);

  // Latin hypercube: each axis split in np strata, one member per stratum.
  std::vector<Point> pop(np, Point(d));
  std::vector<std::size_t> perm(np);
  for (std::size_t j = 0; j < d; ++j) {
    std::iota(perm.begin(), perm.end(), 0);
    for (std::size_t i = np - 1; i > 0; --i) std::swap(perm[i], perm[stream.below(i + 1)]);
    for (std::size_t i = 0; i < np; ++i)
      pop[i][j] = (static_cast<double>(perm[i]) + stream.uniform()) / static_cast<double>(np);
  }
  pop[0] = u0;
  std::vector<double> fit(np, kInf);
  std::size_t evaluated = 0;
  for (; evaluated < np && problem.evaluations() < stop; ++evaluated)
    fit[evaluated] = problem.eval(pop[evaluated]);
  pop.resize(evaluated);
  fit.resize(evaluated);
  np = evaluated;

  if (np >= 4) {
    std::vector<Point> trials(np, Point(d));
    while (problem.evaluations() < stop) {
      for (std::size_t i = 0; i < np; ++i) {
        std::size_t r[3];
        for (int k = 0; k < 3; ++k) {
          std::size_t pick;
          do {
            pick = static_cast<std::size_t>(stream.below(np));
          } while (pick == i || (k > 0 && pick == r[0]) || (k > 1 && pick == r[1]));
          r[k] = pick;
        }
        const auto forced = static_cast<std::size_t>(stream.below(d));
        for (std::size_t j = 0; j < d; ++j) {
          const double parent = pop[i][j];
          double t = parent;
          if (j == forced || stream.uniform() < options.de_crossover)
            t = pop[r[0]][j] + options.de_weight * (pop[r[1]][j] - pop[r[2]][j]);
          if (t < 0.0) t = parent * (1.0 - stream.uniform());
          if (t > 1.0) t = parent + stream.uniform() * (1.0 - parent);
          trials[i][j] = t;
        }
      }
      for (std::size_t i = 0; i < np && problem.evaluations() < stop; ++i) {
        const double ft = problem.eval(trials[i]);
        if (ft <= fit[i]) {
          pop[i] = trials[i];
          fit[i] = ft;
        }
      }
    }
  }

  std::vector<double> sd(d, 0.0);
  for (std::size_t j = 0; j < d && np > 1; ++j) {
    double mean = 0.0, ss = 0.0;
    for (const Point& p : pop) mean += p[j];
    mean /= static_cast<double>(np);
    for (const Point& p : pop) ss += (p[j] - mean) * (p[j] - mean);
    sd[j] = std::sqrt(ss / static_cast<double>(np - 1));
  }
  return sd;
}

}  // namespace

OptimResult minimize(const Objective& f, std::vector<double> x0, std::vector<double> lower,
                     std::vector<double> upper, const OptimOptions& options) {
  if (!f) fail("minimize: the objective is empty");
  if (x0.empty()) fail("minimize: x0 is empty");
  if (lower.size() != x0.size() || upper.size() != x0.size())
    fail("minimize: x0 has {} parameters but lower has {} and upper {}", x0.size(), lower.size(),
         upper.size());
  for (std::size_t j = 0; j < x0.size(); ++j) {
    if (!(std::isfinite(lower[j]) && std::isfinite(upper[j]) && lower[j] <= upper[j]))
      fail("minimize: bounds of parameter {} must be finite with lower <= upper (got [{}, {}])", j,
           lower[j], upper[j]);
    if (!std::isfinite(x0[j])) fail("minimize: x0[{}] is {}", j, x0[j]);
    x0[j] = std::clamp(x0[j], lower[j], upper[j]);
  }
  if (options.max_evaluations < 1)
    fail("minimize: max_evaluations must be >= 1 (got {})", options.max_evaluations);
  if (!(options.x_tolerance >= 0.0) || !(options.f_tolerance >= 0.0))
    fail("minimize: tolerances must be >= 0 (got x {}, f {})", options.x_tolerance,
         options.f_tolerance);
  if (!(options.initial_step > 0.0 && options.initial_step <= 1.0))
    fail("minimize: initial_step must be in (0, 1] box units (got {})", options.initial_step);
  if (options.max_restarts < 0)
    fail("minimize: max_restarts must be >= 0 (got {})", options.max_restarts);
  if (options.population != 0 && options.population < 4)
    fail("minimize: population must be 0 (automatic) or >= 4 (got {})", options.population);
  if (!(options.de_weight > 0.0 && options.de_weight <= 2.0))
    fail("minimize: de_weight must be in (0, 2] (got {})", options.de_weight);
  if (!(options.de_crossover >= 0.0 && options.de_crossover <= 1.0))
    fail("minimize: de_crossover must be in [0, 1] (got {})", options.de_crossover);
  if (!(options.de_fraction > 0.0 && options.de_fraction < 1.0))
    fail("minimize: de_fraction must be in (0, 1) (got {})", options.de_fraction);

  Problem problem(f, lower, upper, x0, options.max_evaluations);
  const Point u0 = problem.to_u(x0);
  OptimResult result;
  if (problem.dim() == 0) {
    problem.eval(u0);
    result.converged = true;
  } else {
    const std::vector<double> step(problem.dim(), options.initial_step);
    using Method = OptimOptions::Method;
    switch (options.method) {
      case Method::NelderMead:
        result.converged = nelder_mead_restarts(problem, u0, step, options);
        break;
      case Method::DifferentialEvolution:
        differential_evolution(problem, u0, options.max_evaluations, options);
        break;
      case Method::Hybrid: {
        const int de_budget = std::max(
            1, static_cast<int>(std::lround(options.de_fraction * options.max_evaluations)));
        std::vector<double> spread = differential_evolution(problem, u0, de_budget, options);
        for (double& s : spread)
          s = std::clamp(s, std::max(10.0 * options.x_tolerance, 1e-4), 0.25);
        if (!problem.exhausted())
          result.converged = nelder_mead_restarts(problem, problem.best_u(), spread, options);
        break;
      }
    }
  }
  result.x = problem.to_x(problem.best_u());
  result.f = problem.best_f();
  result.evaluations = problem.evaluations();
  return result;
}

}  // namespace mwclass::learners
