#pragma once
// The subcommands of the minicnn program. Each lives in its own file (apps/cmd_<name>.cpp) as a function
// that adds its CLI11 subcommand with its options and returns the function that runs it after parsing.
#include <CLI/CLI.hpp>

#include <functional>

namespace minicnn {

using CommandRunner = std::function<int()>;

CommandRunner add_demo_command(CLI::App& app);
CommandRunner add_summary_command(CLI::App& app);
CommandRunner add_train_command(CLI::App& app);
CommandRunner add_eval_command(CLI::App& app);
CommandRunner add_predict_command(CLI::App& app);
CommandRunner add_filter_command(CLI::App& app);
CommandRunner add_convolve_command(CLI::App& app);
CommandRunner add_filters_command(CLI::App& app);
CommandRunner add_featuremaps_command(CLI::App& app);
CommandRunner add_gradcheck_command(CLI::App& app);
CommandRunner add_explain_command(CLI::App& app);

void register_commands(CLI::App& app);
int run_selected_command(CLI::App& app);

}  // namespace minicnn
