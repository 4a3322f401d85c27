#pragma once
// A derivative-free minimiser for a few (2-6) box-bounded parameters, for
// `mwclass tune-nb` (maximising a cross-validated F1 over the naive Bayes
// category weights: a noisy, piecewise-constant objective with a budget of
// ~50-200 evaluations). A thin adapter over NLopt (Debian's libnlopt-cxx-dev,
// linked by this module only; nlopt.hpp is not exposed here):
//
// * NelderMead: NLOPT_LN_NELDERMEAD from x0 with initial_step (box units)
//   along each axis; NLopt pins trial points to the box, so a boundary
//   optimum is reached exactly. Stops at x_tolerance (box units, absolute) or
//   f_tolerance (absolute); then restarts around the best point (at most
//   max_restarts times) while that still improves it, which also rescues a
//   simplex collapsed on a plateau of a piecewise-constant objective.
// * Global: NLOPT_GN_CRS2_LM, controlled random search with local mutation
//   (Kaelo & Ali 2006), with a population of `population` points.
// * Hybrid (default): Global for global_fraction of the budget, then
//   Nelder-Mead from the best point found. On `tune-nb` it reaches the same
//   cross-validated F1 as the hand-written DE + Nelder-Mead it replaced, and
//   GN_ISRES / GN_ESCH in its place did worse (docs/validation.md, issue 14).
//
// Everything runs in the unit box u = (x - lower) / (upper - lower); a
// parameter with lower == upper is held fixed and not searched. The result is
// the best evaluation made (whatever NLopt reports), and never more than
// max_evaluations objective calls are made.
//
// Randomness (Global only): NLopt's generator is global state (thread-local in
// Debian's build; NLopt 2.7 has no per-object seed), so minimize() calls
// nlopt_srand(seed) right before each global run: the same seed gives the
// same result bit for bit, whatever ran before. Concurrent minimize() calls
// on one thread are impossible; on several threads each has its own
// generator. A NaN objective value counts as +inf; an exception from the
// objective stops the search and propagates unchanged.
#include <cstdint>
#include <functional>
#include <vector>

namespace mwclass::evaluation {

struct OptimOptions {
  enum class Method { NelderMead, Global, Hybrid };
  Method method = Method::Hybrid;
  int max_evaluations = 200;     // total budget, >= 1
  double x_tolerance = 1e-6;     // Nelder-Mead, in box units
  double f_tolerance = 1e-10;    // Nelder-Mead, absolute
  double initial_step = 0.1;     // Nelder-Mead, in box units, (0, 1]
  int max_restarts = 3;          // Nelder-Mead restarts after convergence
  int population = 0;            // Global; 0: max(6, 5 · free parameters); else >= free + 1
  double global_fraction = 0.6;  // Hybrid: share of the budget for Global, (0, 1)
  std::uint64_t seed = 0;        // Global: nlopt_srand(seed)
};

struct OptimResult {
  std::vector<double> x;  // best point found
  double f = 0.0;         // f(x)
  int evaluations = 0;    // objective calls made
  bool converged = false; // Nelder-Mead met its tolerances (false: budget ran out)
};

using Objective = std::function<double(const std::vector<double>&)>;

// Minimises f over lower <= x <= upper starting from x0 (clamped into the box).
OptimResult minimize(const Objective& f, std::vector<double> x0, std::vector<double> lower,
                     std::vector<double> upper, const OptimOptions& options = {});

}  // namespace mwclass::evaluation
