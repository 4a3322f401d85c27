#pragma once
// A small derivative-free minimiser for a few (2-6) box-bounded parameters,
// for `mwclass tune-nb` (maximising a cross-validated F1 over the naive Bayes
// category weights: a noisy, piecewise-constant objective with a budget of
// ~50-200 evaluations).
//
// Everything runs in the unit box u = (x - lower) / (upper - lower); a
// parameter with lower == upper is held fixed and not searched.
//
// * NelderMead: standard coefficients (reflection 1, expansion 2, contraction
//   1/2, shrink 1/2); trial points are clamped into the box (projection), so a
//   boundary optimum is reached exactly. Initial simplex: x0 plus
//   initial_step along each axis (flipped inwards at an upper bound).
//   Converged when the simplex is within x_tolerance (box units, max norm) of
//   its best vertex and its values within f_tolerance of the best; it then
//   restarts around the best point (at most max_restarts times) while that
//   still improves it, which also rescues a simplex collapsed on a plateau.
// * DifferentialEvolution: DE/rand/1/bin with a Latin-hypercube initial
//   population (x0 is its first member), generations evaluated in full then
//   selected (trial replaces its parent when not worse). A trial component
//   out of the box bounces back between the parent and the bound.
// * Hybrid (default): DE for de_fraction of the budget, then Nelder-Mead from
//   the best point with a step of the final population's spread.
//
// Randomness (DE only) comes from rng::Stream(seed): the same seed gives the
// same result bit for bit. A NaN objective value counts as +inf; an exception
// from the objective propagates.
#include <cstdint>
#include <functional>
#include <vector>

namespace mwclass::learners {

struct OptimOptions {
  enum class Method { NelderMead, DifferentialEvolution, Hybrid };
  Method method = Method::Hybrid;
  int max_evaluations = 200;   // total budget, >= 1
  double x_tolerance = 1e-6;   // Nelder-Mead, in box units
  double f_tolerance = 1e-10;  // Nelder-Mead, absolute
  double initial_step = 0.1;   // Nelder-Mead, in box units, (0, 1]
  int max_restarts = 3;        // Nelder-Mead restarts after convergence
  int population = 0;          // DE; 0: max(6, 5 · free parameters)
  double de_weight = 0.7;      // DE differential weight F, (0, 2]
  double de_crossover = 0.9;   // DE crossover probability CR, [0, 1]
  double de_fraction = 0.6;    // Hybrid: share of the budget for DE, (0, 1)
  std::uint64_t seed = 0;      // DE's stream key
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

}  // namespace mwclass::learners
