// `mwclass explain`: the naive Bayes probability track of one source — how
// the posterior of each class moves as the prior, each feature and each
// category of properties is multiplied in (Tranin et al. 2022).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "commands.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/output/hdf5_results.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

Runner add_explain(CLI::App& app) {
  struct Options {
    std::string in, source;
    bool features = false;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Print the probability track of one source from a results file made with --model nb: "
      "the normalized posterior of every class after the prior, after each category of "
      "properties (X-ray spectrum, variability, multiwavelength, ...) and, with --features, "
      "after each feature. The track uses the source's observed values and the model of MC "
      "iteration 0; the final P columns of the results file are the MC means.\n"
      "Example: mwclass explain results.h5 --source 2CXO_J174610.8-290019");
  app.add_option("results", o->in, "Results HDF5 file of classify/loocv/cv with --model nb")
      ->required()->check(CLI::ExistingFile);
  app.add_option("--source", o->source, "Source name (the catalog's name column)")->required();
  app.add_flag("--features", o->features, "Also show the step of every feature");
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    const auto r = output::read_results(o->in);
    if (r.track.empty())
      fail("{} has no probability track: only runs with --model nb write one", o->in);
    const auto it = std::find(r.names.begin(), r.names.end(), o->source);
    if (it == r.names.end()) fail("{}: no source named '{}'", o->in, o->source);
    const auto i = static_cast<std::size_t>(it - r.names.begin());
    const std::size_t S = r.track.steps.size(), C = r.class_names.size();
    const double* track = r.track.values.data() + i * S * C;

    const auto& d = r.decisions[i];
    fmt::print("{}: class {} (P = {:.3f} +- {:.3f}, CT = {:.2f}) over {} MC iteration(s)\n",
               o->source, r.class_names[static_cast<std::size_t>(d.predicted_class)], d.class_prob,
               d.e_class_prob, d.confidence_threshold, r.item_iterations.empty() ? 0 : r.item_iterations.front());
    if (!r.truth.empty())
      fmt::print("true class: {}\n", r.class_names[static_cast<std::size_t>(r.truth[i])]);
    if (!r.outlier_score.empty())
      fmt::print("outlier measure: score {:.2f}, percentile among the class's training members "
                 "{:.3f}{}; margin {:.3f}\n", r.outlier_score[i], r.outlier_percentile[i],
                 r.outlier[i] ? " (OUTLIER)" : "", d.margin);
    fmt::print("probability track (observed values, model of MC iteration 0):\n{:<28}", "after");
    for (const auto& c : r.class_names) fmt::print(" {:>8}", c);
    fmt::print("\n");
    const double* previous = track;
    for (std::size_t s = 0; s < S; ++s) {
      const std::string& label = r.track.steps[s];
      const bool feature_step = label.find('/') != std::string::npos;
      const double* p = track + s * C;
      if (feature_step && !o->features) continue;
      const bool unchanged = s > 0 && std::equal(p, p + C, previous);
      fmt::print("{:<28}", (feature_step ? "  " : "") + label);
      for (std::size_t c = 0; c < C; ++c) fmt::print(" {:8.4f}", p[c]);
      fmt::print("{}\n", unchanged ? "   (no term: missing)" : "");
      if (!feature_step) previous = p;
    }
    return 0;
  };
}

}  // namespace mwclass::app
