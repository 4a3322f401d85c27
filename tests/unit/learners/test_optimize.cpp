#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/learners/optimize.hpp"

using mwclass::learners::minimize;
using mwclass::learners::OptimOptions;
using mwclass::learners::OptimResult;
using Method = mwclass::learners::OptimOptions::Method;

namespace {

double rosenbrock(const std::vector<double>& x) {
  const double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
  return a * a + 100.0 * b * b;
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

}  // namespace

TEST_CASE("minimize: Nelder-Mead reaches the Rosenbrock minimum inside the box") {
  int calls = 0;
  auto f = [&](const std::vector<double>& x) {
    ++calls;
    CHECK(x[0] >= -2.0);
    CHECK(x[0] <= 2.0);
    CHECK(x[1] >= -1.0);
    CHECK(x[1] <= 3.0);
    return rosenbrock(x);
  };
  const OptimResult r = minimize(f, {-1.2, 1.0}, {-2.0, -1.0}, {2.0, 3.0},
                                 with(Method::NelderMead, 600));
  CHECK(r.evaluations == calls);
  CHECK(r.evaluations <= 600);
  CHECK(std::abs(r.x[0] - 1.0) < 1e-3);
  CHECK(std::abs(r.x[1] - 1.0) < 2e-3);
  CHECK(r.f < 1e-6);
  CHECK(r.f == rosenbrock(r.x));
}

TEST_CASE("minimize: hybrid and DE approach the Rosenbrock minimum") {
  const OptimResult hybrid =
      minimize(rosenbrock, {-1.2, 1.0}, {-2.0, -1.0}, {2.0, 3.0}, with(Method::Hybrid, 400));
  CHECK(hybrid.evaluations <= 400);
  CHECK(std::abs(hybrid.x[0] - 1.0) < 1e-2);
  CHECK(std::abs(hybrid.x[1] - 1.0) < 2e-2);

  const OptimResult de = minimize(rosenbrock, {-1.2, 1.0}, {-2.0, -1.0}, {2.0, 3.0},
                                  with(Method::DifferentialEvolution, 3000));
  CHECK(de.evaluations == 3000);
  CHECK(std::abs(de.x[0] - 1.0) < 2e-2);
  CHECK(std::abs(de.x[1] - 1.0) < 4e-2);
}

TEST_CASE("minimize: an optimum on the boundary of the box") {
  // Unconstrained minimum at (3, -2, 0.5); the box [0, 1]^2 x [0, 1] puts it
  // at (1, 0, 0.5): two active bounds, one free coordinate.
  auto f = [](const std::vector<double>& x) {
    return (x[0] - 3.0) * (x[0] - 3.0) + (x[1] + 2.0) * (x[1] + 2.0) +
           4.0 * (x[2] - 0.5) * (x[2] - 0.5) + 0.5 * x[0] * x[2];
  };
  // With the cross term, at x0 = 1, x1 = 0: d/dx2 = 8 (x2 - 0.5) + 0.5 = 0 -> x2 = 0.4375.
  for (Method method : {Method::NelderMead, Method::Hybrid, Method::DifferentialEvolution}) {
    CAPTURE(static_cast<int>(method));
    const OptimResult r = minimize(f, {0.5, 0.5, 0.5}, {0.0, 0.0, 0.0}, {1.0, 1.0, 1.0},
                                   with(method, method == Method::DifferentialEvolution ? 1500 : 200));
    const double tol = method == Method::DifferentialEvolution ? 1e-3 : 1e-5;
    CHECK(std::abs(r.x[0] - 1.0) < tol);
    CHECK(std::abs(r.x[1] - 0.0) < tol);
    CHECK(std::abs(r.x[2] - 0.4375) < 100 * tol);
    if (method != Method::DifferentialEvolution) {
      CHECK(r.x[0] == 1.0);  // clamping reaches the bound exactly
      CHECK(r.x[1] == 0.0);
    }
  }
}

TEST_CASE("minimize: fixed parameters, clamped start, NaN objective values") {
  std::vector<std::vector<double>> seen;
  auto f = [&](const std::vector<double>& x) {
    seen.push_back(x);
    if (x[0] > 0.9) return std::nan("");  // treated as +inf
    return (x[0] - 0.25) * (x[0] - 0.25) + x[1];
  };
  const OptimResult r =
      minimize(f, {5.0, 7.0}, {0.0, 2.0}, {1.0, 2.0}, with(Method::NelderMead, 100));
  CHECK(seen.front()[0] == 1.0);  // x0 clamped into the box
  for (const auto& x : seen) CHECK(x[1] == 2.0);  // lower == upper: held fixed
  CHECK(std::abs(r.x[0] - 0.25) < 1e-5);
  CHECK(r.x[1] == 2.0);
  CHECK(r.converged);
}

TEST_CASE("minimize: same seed, same result; the budget is respected") {
  auto noisy = [](const std::vector<double>& x) {
    // A piecewise-constant objective, like a cross-validated F1.
    const double a = std::floor(20.0 * x[0]) / 20.0, b = std::floor(20.0 * x[1]) / 20.0;
    return (a - 0.3) * (a - 0.3) + (b - 0.6) * (b - 0.6) + 0.01 * std::sin(40.0 * a * b);
  };
  for (Method method : {Method::NelderMead, Method::Hybrid, Method::DifferentialEvolution}) {
    CAPTURE(static_cast<int>(method));
    const OptimResult a = minimize(noisy, {1.0, 1.0}, {0.0, 0.0}, {2.0, 2.0}, with(method, 73, 5));
    const OptimResult b = minimize(noisy, {1.0, 1.0}, {0.0, 0.0}, {2.0, 2.0}, with(method, 73, 5));
    CHECK(same(a, b));
    CHECK(a.evaluations <= 73);
    CHECK(a.f == noisy(a.x));
  }
  const OptimResult c = minimize(noisy, {1.0, 1.0}, {0.0, 0.0}, {2.0, 2.0},
                                 with(Method::DifferentialEvolution, 73, 6));
  const OptimResult d = minimize(noisy, {1.0, 1.0}, {0.0, 0.0}, {2.0, 2.0},
                                 with(Method::DifferentialEvolution, 73, 5));
  CHECK_FALSE(same(c, d));  // the seed matters for DE
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
  o.population = 3;
  CHECK(message({0.0}, {0.0}, {1.0}, o).find("population") != std::string::npos);
  o = {};
  o.initial_step = 0.0;
  CHECK(message({0.0}, {0.0}, {1.0}, o).find("initial_step") != std::string::npos);
}
