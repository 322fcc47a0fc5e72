#include "apps/commands.hpp"

#include <utility>
#include <vector>

namespace minicnn {
namespace {

std::vector<std::pair<CLI::App*, CommandRunner>>& registry() {
  static std::vector<std::pair<CLI::App*, CommandRunner>> commands;
  return commands;
}

void add(CLI::App& app, CommandRunner (*add_command)(CLI::App&)) {
  const size_t before = app.get_subcommands({}).size();
  CommandRunner run = add_command(app);
  registry().emplace_back(app.get_subcommands({})[before], std::move(run));
}

}  // namespace

void register_commands(CLI::App& app) {
  add(app, add_demo_command);
  add(app, add_summary_command);
  add(app, add_train_command);
  add(app, add_eval_command);
  add(app, add_predict_command);
  add(app, add_filter_command);
  add(app, add_convolve_command);
  add(app, add_filters_command);
  add(app, add_featuremaps_command);
  add(app, add_gradcheck_command);
  add(app, add_explain_command);
}

int run_selected_command(CLI::App& app) {
  for (auto& [subcommand, run] : registry())
    if (subcommand->parsed()) return run();
  (void)app;
  return 2;
}

}  // namespace minicnn
