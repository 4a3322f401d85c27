#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/evaluation/optimize.hpp"

using mwclass::evaluation::minimize;
using mwclass::evaluation::Objective;
using mwclass::evaluation::OptimOptions;
using mwclass::evaluation::OptimResult;
using Method = mwclass::evaluation::OptimOptions::Method;

namespace {

constexpr double kPi = 3.14159265358979323846;

double rosenbrock(const std::vector<double>& x) {
  const double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
  return a * a + 100.0 * b * b;
}

// Minimum 0 at (0.7, -1.3, 2.1), off-centre in the box used below.
double shifted_sphere(const std::vector<double>& x) {
  const double c[3] = {0.7, -1.3, 2.1};
  double s = 0.0;
  for (std::size_t j = 0; j < 3; ++j) s += (x[j] - c[j]) * (x[j] - c[j]);
  return s;
}

// 2-D Rastrigin: global minimum 0 at the origin, local minima near every
// integer point (f ~ 1 at the nearest ones).
double rastrigin(const std::vector<double>& x) {
  double s = 20.0;
  for (double v : x) s += v * v - 10.0 * std::cos(2.0 * kPi * v);
  return s;
}

OptimOptions with(Method method, int budget, std::uint64_t seed = 1) {
  OptimOptions options;
  options.method = method;
  options.max_evaluations = budget;
  options.seed = seed;
  return options;
}

bool same(const OptimResult& a, const OptimResult& b) {
  return a.evaluations == b.evaluations && a.x.size() == b.x.size() &&
         std::memcmp(a.x.data(), b.x.data(), a.x.size() * sizeof(double)) == 0 &&
         std::memcmp(&a.f, &b.f, sizeof(double)) == 0;
}

// f, checking that every point asked for lies in [lo, hi] and counting calls.
Objective boxed(double (*f)(const std::vector<double>&), std::vector<double> lo,
                std::vector<double> hi, int& calls) {
  return [=, &calls](const std::vector<double>& x) {
    ++calls;
    for (std::size_t j = 0; j < x.size(); ++j) {
      CHECK(x[j] >= lo[j]);
      CHECK(x[j] <= hi[j]);
    }
    return f(x);
  };
}

constexpr Method kMethods[] = {Method::NelderMead, Method::Hybrid, Method::Global};

}  // namespace

TEST_CASE("minimize: Nelder-Mead reaches the Rosenbrock minimum inside the box") {
  int calls = 0;
  const std::vector<double> lo{-2.0, -1.0}, hi{2.0, 3.0};
  const OptimResult r = minimize(boxed(rosenbrock, lo, hi, calls), {-1.2, 1.0}, lo, hi,
                                 with(Method::NelderMead, 600));
  CHECK(r.evaluations == calls);
  CHECK(r.evaluations <= 600);
  CHECK(std::abs(r.x[0] - 1.0) < 1e-3);
  CHECK(std::abs(r.x[1] - 1.0) < 2e-3);
  CHECK(r.f < 1e-6);
  CHECK(r.f == rosenbrock(r.x));
}

TEST_CASE("minimize: every method finds the shifted sphere's minimum") {
  const std::vector<double> lo{-3.0, -3.0, -3.0}, hi{3.0, 3.0, 3.0};
  for (Method method : kMethods) {
    CAPTURE(static_cast<int>(method));
    int calls = 0;
    const int budget = method == Method::Global ? 3000 : 400;
    const OptimResult r = minimize(boxed(shifted_sphere, lo, hi, calls), {-2.0, 2.0, 0.0}, lo, hi,
                                   with(method, budget));
    CHECK(r.evaluations == calls);
    CHECK(r.evaluations <= budget);
    const double tol = method == Method::Global ? 2e-2 : 1e-4;
    CHECK(std::abs(r.x[0] - 0.7) < tol);
    CHECK(std::abs(r.x[1] + 1.3) < tol);
    CHECK(std::abs(r.x[2] - 2.1) < tol);
    CHECK(r.f == shifted_sphere(r.x));
  }
}

TEST_CASE("minimize: the global methods escape Rastrigin's local minima; Nelder-Mead does not") {
  const std::vector<double> lo{-5.12, -5.12}, hi{5.12, 5.12};
  const std::vector<double> x0{3.0, -4.0};  // next to a local minimum, f(x0) = 25
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    for (Method method : {Method::Hybrid, Method::Global}) {
      CAPTURE(static_cast<int>(method));
      int calls = 0;
      OptimOptions options = with(method, 1500, seed);
      options.population = 30;  // the automatic 10 misses the global basin for some seeds
      const OptimResult r = minimize(boxed(rastrigin, lo, hi, calls), x0, lo, hi, options);
      CHECK(r.evaluations == calls);
      CHECK(r.evaluations <= 1500);
      CHECK(std::abs(r.x[0]) < 1e-2);  // the basin of the global minimum, polished
      CHECK(std::abs(r.x[1]) < 1e-2);
      CHECK(r.f < 1e-2);
    }
  }
  OptimOptions local_options = with(Method::NelderMead, 1500);
  local_options.initial_step = 0.02;  // a simplex smaller than a basin
  const OptimResult local = minimize(rastrigin, x0, lo, hi, local_options);
  CHECK(local.f > 0.9);  // stuck in a local minimum: the test can tell the methods apart
}

TEST_CASE("minimize: an optimum on the boundary of the box") {
  // Unconstrained minimum at (3, -2, 0.5); the box [0, 1]^3 puts it at
  // (1, 0, x2): two active bounds, one free coordinate.
  auto f = [](const std::vector<double>& x) {
    return (x[0] - 3.0) * (x[0] - 3.0) + (x[1] + 2.0) * (x[1] + 2.0) +
           4.0 * (x[2] - 0.5) * (x[2] - 0.5) + 0.5 * x[0] * x[2];
  };
  // With the cross term, at x0 = 1, x1 = 0: d/dx2 = 8 (x2 - 0.5) + 0.5 = 0 -> x2 = 0.4375.
  for (Method method : kMethods) {
    CAPTURE(static_cast<int>(method));
    const OptimResult r = minimize(f, {0.5, 0.5, 0.5}, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0},
                                   with(method, method == Method::Global ? 1500 : 300));
    const double tol = method == Method::Global ? 1e-2 : 1e-5;
    CHECK(std::abs(r.x[0] - 1.0) < tol);
    CHECK(std::abs(r.x[1] - 0.0) < tol);
    CHECK(std::abs(r.x[2] - 0.4375) < 100 * tol);
    if (method != Method::Global) {
      CHECK(r.x[0] == 1.0);  // pinned to the bound exactly
      CHECK(r.x[1] == 0.0);
    }
  }
}

TEST_CASE("minimize: fixed parameters, clamped start, NaN objective values") {
  for (Method method : kMethods) {
    CAPTURE(static_cast<int>(method));
    std::vector<std::vector<double>> seen;
    auto f = [&](const std::vector<double>& x) {
      seen.push_back(x);
      if (x[0] > 0.9) return std::nan("");  // treated as +inf
      return (x[0] - 0.25) * (x[0] - 0.25) + x[1];
    };
    const OptimResult r = minimize(f, {5.0, 7.0}, {0.0, 2.0}, {1.0, 2.0}, with(method, 300));
    if (method == Method::NelderMead) {
      CHECK(seen.front()[0] == 1.0);  // x0 clamped into the box
      CHECK(r.converged);
    }
    for (const auto& x : seen) CHECK(x[1] == 2.0);  // lower == upper: held fixed
    CHECK(std::abs(r.x[0] - 0.25) < (method == Method::Global ? 1e-2 : 1e-5));
    CHECK(r.x[1] == 2.0);
    CHECK(r.evaluations == static_cast<int>(seen.size()));
  }
}

TEST_CASE("minimize: same seed, same result, whatever ran before; the budget is respected") {
  auto plateaus = [](const std::vector<double>& x) {
    // A piecewise-constant objective, like a cross-validated F1.
    const double a = std::floor(20.0 * x[0]) / 20.0, b = std::floor(20.0 * x[1]) / 20.0;
    return (a - 0.3) * (a - 0.3) + (b - 0.6) * (b - 0.6) + 0.01 * std::sin(40.0 * a * b);
  };
  const std::vector<double> x0{1.0, 1.0}, lo{0.0, 0.0}, hi{2.0, 2.0};
  for (Method method : kMethods) {
    CAPTURE(static_cast<int>(method));
    const OptimResult a = minimize(plateaus, x0, lo, hi, with(method, 73, 5));
    minimize(rastrigin, {1.0, 1.0}, {-5.0, -5.0}, {5.0, 5.0}, with(Method::Global, 200, 9));
    const OptimResult b = minimize(plateaus, x0, lo, hi, with(method, 73, 5));
    CHECK(same(a, b));
    CHECK(a.evaluations <= 73);
    CHECK(a.f == plateaus(a.x));
    CHECK(a.f < plateaus(x0));
  }
  for (Method method : {Method::Hybrid, Method::Global}) {
    CAPTURE(static_cast<int>(method));
    const OptimResult c = minimize(plateaus, x0, lo, hi, with(method, 73, 6));
    const OptimResult d = minimize(plateaus, x0, lo, hi, with(method, 73, 5));
    CHECK_FALSE(same(c, d));  // the seed matters
  }
  for (int budget : {1, 2, 7}) {
    int calls = 0;
    auto counted = [&](const std::vector<double>& x) {
      ++calls;
      return rosenbrock(x);
    };
    const OptimResult r =
        minimize(counted, {0.0, 0.0}, {-2.0, -2.0}, {2.0, 2.0}, with(Method::Hybrid, budget));
    CHECK(calls <= budget);
    CHECK(r.evaluations == calls);
  }
}

TEST_CASE("minimize: an exception from the objective propagates") {
  for (Method method : kMethods) {
    CAPTURE(static_cast<int>(method));
    int calls = 0;
    auto f = [&](const std::vector<double>& x) {
      if (++calls == 5) mwclass::fail("objective failed at call {}", calls);
      return rosenbrock(x);
    };
    CHECK_THROWS_WITH_AS(minimize(f, {0.0, 0.0}, {-2.0, -2.0}, {2.0, 2.0}, with(method, 100)),
                         "objective failed at call 5", mwclass::Error);
    CHECK(calls == 5);  // stopped at once
  }
}

TEST_CASE("minimize: bad arguments fail with a message") {
  auto f = [](const std::vector<double>& x) { return x[0]; };
  auto message = [&](std::vector<double> x0, std::vector<double> lo, std::vector<double> hi,
                     OptimOptions options) -> std::string {
    try {
      minimize(f, x0, lo, hi, options);
    } catch (const mwclass::Error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(message({0.0}, {0.0, 0.0}, {1.0}, {}).find("lower has 2") != std::string::npos);
  CHECK(message({0.0}, {1.0}, {0.0}, {}).find("lower <= upper") != std::string::npos);
  CHECK(message({0.0}, {0.0}, {INFINITY}, {}).find("must be finite") != std::string::npos);
  OptimOptions o;
  o.max_evaluations = 0;
  CHECK(message({0.0}, {0.0}, {1.0}, o).find("max_evaluations") != std::string::npos);
  o = {};
  o.population = 1;
  CHECK(message({0.0}, {0.0}, {1.0}, o).find("population") != std::string::npos);
  o = {};
  o.initial_step = 0.0;
  CHECK(message({0.0}, {0.0}, {1.0}, o).find("initial_step") != std::string::npos);
  o = {};
  o.global_fraction = 1.0;
  CHECK(message({0.0}, {0.0}, {1.0}, o).find("global_fraction") != std::string::npos);
  CHECK(message({0.5}, {0.0}, {1.0}, {}) == "no error");
}
