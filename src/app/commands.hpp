#pragma once
// The subcommands of the mwclass executable. Each registers its options on a
// CLI11 subcommand and returns the function that runs it (on every rank).
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace mwclass::parallel {
class Communicator;
}

namespace mwclass::app {

using Runner = std::function<int(parallel::Communicator&)>;

Runner add_classify(CLI::App& app, const std::string& command_line);  // classify.cpp
Runner add_loocv(CLI::App& app, const std::string& command_line);     // evaluate.cpp
Runner add_cv(CLI::App& app, const std::string& command_line);        // evaluate.cpp
Runner add_report(CLI::App& app);                                     // report.cpp
Runner add_tune_nb(CLI::App& app);                                    // tune_nb.cpp
Runner add_explain(CLI::App& app);                                    // explain.cpp
Runner add_simulate(CLI::App& app);                                   // utilities.cpp
Runner add_export(CLI::App& app);                                     // utilities.cpp
Runner add_config(CLI::App& app);                                     // utilities.cpp
Runner add_aggregate(CLI::App& app);                                  // aggregate.cpp
Runner add_crossmatch(CLI::App& app);                                 // crossmatch.cpp

}  // namespace mwclass::app
