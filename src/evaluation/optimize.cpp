// Box-bounded minimisation over NLopt; see optimize.hpp.
//
// NLopt sees only the free parameters in unit-box coordinates and calls the
// objective through Problem::eval, which enforces the budget and keeps the
// best point seen, so every method returns the best evaluation it made.
#include "mwclass/evaluation/optimize.hpp"

#include <nlopt.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <stdexcept>
#include <utility>

#include "mwclass/core/error.hpp"

namespace mwclass::evaluation {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// The seeded global method (see optimize.hpp and docs/validation.md for the choice).
constexpr nlopt::algorithm kGlobal = nlopt::GN_CRS2_LM;

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
  int remaining() const { return budget_ - evaluations_; }
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

// What NLopt's callback needs: the problem, the optimiser (to stop it) and
// the objective's exception, rethrown after nlopt::opt::optimize returns.
struct Run {
  Problem* problem;
  nlopt::opt* opt;
  std::exception_ptr error;
};

double callback(unsigned n, const double* u, double* /*grad*/, void* data) {
  auto& run = *static_cast<Run*>(data);
  try {
    if (!run.error && !run.problem->exhausted()) return run.problem->eval(Point(u, u + n));
  } catch (...) {
    run.error = std::current_exception();
  }
  // The budget is ours: NLopt's CRS2 can overrun maxeval by an evaluation or two.
  run.opt->force_stop();
  return HUGE_VAL;
}

// One NLopt run of `algorithm` from u0 with at most `budget` evaluations.
// Returns whether it stopped on its tolerances (not on the budget).
bool run_nlopt(Problem& problem, nlopt::algorithm algorithm, const Point& u0, int budget,
               const OptimOptions& options) {
  const std::size_t d = problem.dim();
  nlopt::opt opt(algorithm, static_cast<unsigned>(d));
  opt.set_lower_bounds(std::vector<double>(d, 0.0));
  opt.set_upper_bounds(std::vector<double>(d, 1.0));
  Run run{&problem, &opt, nullptr};
  opt.set_min_objective(callback, &run);
  opt.set_maxeval(budget);
  const bool global = algorithm == kGlobal;
  if (global) {
    const std::size_t population = options.population > 0
                                       ? static_cast<std::size_t>(options.population)
                                       : std::max<std::size_t>(6, 5 * d);
    opt.set_population(static_cast<unsigned>(population));
  } else {
    opt.set_xtol_abs(options.x_tolerance);
    opt.set_ftol_abs(options.f_tolerance);
    opt.set_initial_step(options.initial_step);
  }
  Point u = u0;
  double f = 0.0;
  nlopt::result result = nlopt::FAILURE;
  try {
    // NLopt's generator is global (per-thread) state: seeded right before each run.
    if (global) nlopt::srand(static_cast<unsigned long>(options.seed));
    result = opt.optimize(u, f);
  } catch (const nlopt::forced_stop&) {
    if (run.error) std::rethrow_exception(run.error);
    return false;  // our budget ran out
  } catch (const nlopt::roundoff_limited&) {
    return true;  // no further progress possible: as good as converged
  } catch (const std::invalid_argument& e) {
    fail("minimize: NLopt ({}) rejected the arguments: {}", nlopt::algorithm_name(algorithm),
         e.what());
  } catch (const std::runtime_error& e) {
    fail("minimize: NLopt ({}) failed: {}", nlopt::algorithm_name(algorithm), e.what());
  }
  if (run.error) std::rethrow_exception(run.error);
  return result == nlopt::SUCCESS || result == nlopt::FTOL_REACHED || result == nlopt::XTOL_REACHED;
}

// Nelder-Mead with restarts around the best point while they improve it.
bool nelder_mead(Problem& problem, const Point& u0, const OptimOptions& options) {
  bool converged = run_nlopt(problem, nlopt::LN_NELDERMEAD, u0, problem.remaining(), options);
  for (int r = 0; converged && r < options.max_restarts && !problem.exhausted(); ++r) {
    const double before = problem.best_f();
    converged = run_nlopt(problem, nlopt::LN_NELDERMEAD, problem.best_u(), problem.remaining(),
                          options);
    if (!(problem.best_f() < before - options.f_tolerance)) break;
  }
  return converged;
}

}  // namespace

OptimResult minimize(const Objective& f, std::vector<double> x0, std::vector<double> lower,
                     std::vector<double> upper, const OptimOptions& options) {
  if (!f) fail("minimize: the objective is empty");
  if (x0.empty()) fail("minimize: x0 is empty");
  if (lower.size() != x0.size() || upper.size() != x0.size())
    fail("minimize: x0 has {} parameters but lower has {} and upper {}", x0.size(), lower.size(),
         upper.size());
  std::size_t n_free = 0;
  for (std::size_t j = 0; j < x0.size(); ++j) {
    if (!(std::isfinite(lower[j]) && std::isfinite(upper[j]) && lower[j] <= upper[j]))
      fail("minimize: bounds of parameter {} must be finite with lower <= upper (got [{}, {}])", j,
           lower[j], upper[j]);
    if (!std::isfinite(x0[j])) fail("minimize: x0[{}] is {}", j, x0[j]);
    x0[j] = std::clamp(x0[j], lower[j], upper[j]);
    n_free += lower[j] < upper[j] ? 1 : 0;
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
  if (options.population < 0 ||
      (options.population > 0 && static_cast<std::size_t>(options.population) < n_free + 1))
    fail("minimize: population must be 0 (automatic) or >= free parameters + 1 = {} (got {})",
         n_free + 1, options.population);
  if (!(options.global_fraction > 0.0 && options.global_fraction < 1.0))
    fail("minimize: global_fraction must be in (0, 1) (got {})", options.global_fraction);

  Problem problem(f, lower, upper, x0, options.max_evaluations);
  const Point u0 = problem.to_u(x0);
  OptimResult result;
  if (problem.dim() == 0) {
    problem.eval(u0);
    result.converged = true;
  } else {
    using Method = OptimOptions::Method;
    switch (options.method) {
      case Method::NelderMead:
        result.converged = nelder_mead(problem, u0, options);
        break;
      case Method::Global:
        run_nlopt(problem, kGlobal, u0, options.max_evaluations, options);
        break;
      case Method::Hybrid: {
        const int global_budget = std::max(
            1, static_cast<int>(std::lround(options.global_fraction * options.max_evaluations)));
        run_nlopt(problem, kGlobal, u0, global_budget, options);
        if (!problem.exhausted())
          result.converged = nelder_mead(problem, problem.best_u(), options);
        break;
      }
    }
  }
  result.x = problem.to_x(problem.best_u());
  result.f = problem.best_f();
  result.evaluations = problem.evaluations();
  return result;
}

}  // namespace mwclass::evaluation
