// minicnn eval RUN_OR_CHECKPOINT: loss, accuracy, per-class accuracy and the confusion matrix on the test set.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "apps/commands.hpp"
#include "core/parallel.hpp"
#include "datasets/training_data.hpp"
#include "inspect/misclassified.hpp"
#include "models/saved_model.hpp"
#include "models/trainer.hpp"

namespace minicnn {

CommandRunner add_eval_command(CLI::App& app) {
  struct Options {
    std::string model, data;
    int threads = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a trained model on its test set");
  cmd->add_option("model", options->model, "A run directory or a checkpoint file")->required();
  cmd->add_option("--data", options->data, "Data directory (default: the one the model was trained on)");
  cmd->add_option("--threads", options->threads, "Threads (0 = one per core)")->check(CLI::NonNegativeNumber);
  return [options] {
    if (options->threads > 0) set_num_threads(options->threads);
    SavedModel model = load_saved_model(options->model);
    DataConfig data = model.config.data;
    if (!options->data.empty()) data.path = options->data;
    const Dataset test = load_test_data(data, model.config.input, model.normalization, model.class_names);
    BatchBuffers buffers;
    std::vector<int32_t> predicted;
    const EpochStats stats = evaluate(model.net, test, 256, buffers, &predicted);

    const size_t classes = model.class_names.size();
    const auto confusion = confusion_matrix(test.labels, predicted, static_cast<int>(classes));  // [true][predicted]
    std::printf("model %s (epoch %lld) on %s: %lld images\n", model.path.c_str(), static_cast<long long>(model.epoch),
                test.source.c_str(), static_cast<long long>(stats.images));
    std::printf("loss %.4f  accuracy %.2f%%\n\nper class:\n", stats.loss, 100 * stats.accuracy);
    size_t name_width = 5;
    for (const std::string& name : model.class_names) name_width = std::max(name_width, name.size());
    for (size_t c = 0; c < classes; ++c) {
      int64_t total = 0;
      for (int64_t n : confusion[c]) total += n;
      std::printf("  %2zu %-*s %6.2f%%  (%lld/%lld)\n", c, static_cast<int>(name_width), model.class_names[c].c_str(),
                  total ? 100.0 * confusion[c][c] / total : 0.0, static_cast<long long>(confusion[c][c]),
                  static_cast<long long>(total));
    }
    std::printf("\nconfusion matrix (rows: true class, columns: predicted class):\n%*s", static_cast<int>(name_width) + 5, "");
    for (size_t c = 0; c < classes; ++c) std::printf("%6zu", c);
    std::printf("\n");
    for (size_t t = 0; t < classes; ++t) {
      std::printf("  %2zu %-*s", t, static_cast<int>(name_width), model.class_names[t].c_str());
      for (size_t p = 0; p < classes; ++p) std::printf("%6lld", static_cast<long long>(confusion[t][p]));
      std::printf("\n");
    }
    return 0;
  };
}

}  // namespace minicnn
