#pragma once
// The subcommands of the mwclass executable. Each registers its options on a
// CLI11 app and returns the function that runs it.
#include <functional>

#include <CLI/CLI.hpp>

namespace mwclass::parallel {
class Communicator;
}

namespace mwclass::app {

using Runner = std::function<int(parallel::Communicator&)>;

Runner add_classify(CLI::App& app, const std::string& command_line);
Runner add_simulate(CLI::App& app);
Runner add_export(CLI::App& app);
Runner add_config(CLI::App& app);

}  // namespace mwclass::app
