// minicnn gradcheck CONFIG: checks every layer's backward against central finite differences, on a tiny random
// batch, and prints one row per tensor (models/gradcheck.hpp). Exit status 1 when a tensor fails.
#include <cstdio>
#include <memory>
#include <optional>

#include "apps/commands.hpp"
#include "core/parallel.hpp"
#include "models/config.hpp"
#include "models/gradcheck.hpp"
#include "teach/text_table.hpp"

namespace minicnn {
namespace {

struct Options {
  std::string config, layer;
  int samples = 2;
  std::optional<double> eps, tolerance;
  int64_t elements = 200;
  std::optional<uint64_t> seed;
  bool double_precision = false;
};

std::string number(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

template <typename T>
int run_gradcheck(const Options& o) {
  const Config config = load_config(o.config);
  Sequential<T> net;
  build_network(config, net);
  Rng rng(o.seed.value_or(config.training.seed));
  net.init_params(rng);
  // A random batch and random labels: the gradients are a property of the code, not of the data.
  Tensor<T> x(config.input.with_batch(o.samples));
  for (T& v : x) v = static_cast<T>(rng.uniform(-1.0, 1.0));
  const int64_t classes = net.output_shape(net.size() - 1).numel();
  std::vector<int32_t> labels(o.samples);
  for (int32_t& label : labels) label = static_cast<int32_t>(rng.below(classes));

  GradcheckOptions options = default_gradcheck_options<T>();
  if (o.eps) options.step = *o.eps;
  if (o.tolerance) options.tolerance = *o.tolerance;
  options.max_elements = o.elements;
  options.seed = o.seed.value_or(config.training.seed);
  const std::vector<LayerGradcheck> rows = gradcheck_layers(net, x, labels, rng, options, o.layer);

  std::printf("gradcheck %s: %d random samples %s, %s\n", o.config.c_str(), o.samples,
              config.input.str().c_str(), sizeof(T) == 4 ? "float32" : "float64");
  std::printf("Each layer alone, at the input it gets in a forward in training mode (dropout:\n"
              "one fixed mask), with L = sum(r*y) for random r; the loss with L = cross-entropy.\n"
              "numeric = (L(v+h) - L(v-h))/2h with h = %g; rel err = |analytic - numeric| /\n"
              "max(|analytic|, |numeric|, 1), the largest in the tensor (at \"worst at\"); a\n"
              "tensor passes when it is at most %g. Kinks (ReLU at 0, max-pool ties) are\n"
              "skipped and counted. %s\n\n",
              options.step, options.tolerance,
              o.elements > 0 ? ("At most " + std::to_string(o.elements) + " elements per tensor, drawn at random.")
                                   .c_str()
                             : "Every element is checked.");
  std::vector<std::vector<std::string>> table{
      {"layer", "tensor", "shape", "checked", "kinks", "abs err", "rel err", "worst at", "result"}};
  std::vector<std::string> failed;
  for (const LayerGradcheck& row : rows) {
    const GradcheckReport& r = row.report;
    table.push_back({row.layer, row.tensor, r.shape.str(), std::to_string(r.checked), std::to_string(r.kinks_skipped),
                     number("%.1e", r.max_abs_error), number("%.1e", r.max_rel_error),
                     r.worst_index >= 0 ? r.shape.index_text(r.worst_index) : "-", r.passed ? "pass" : "FAIL"});
    if (!r.passed) failed.push_back(row.layer + " " + row.tensor);
  }
  std::fputs(format_table(table, "lllrrrrll").c_str(), stdout);
  if (failed.empty()) {
    std::printf("\nall %zu tensors pass\n", rows.size());
    return 0;
  }
  std::string names;
  for (const std::string& name : failed) names += (names.empty() ? "" : ", ") + name;
  std::printf("\n%zu of %zu tensors FAIL: %s\n", failed.size(), rows.size(), names.c_str());
  return 1;
}

}  // namespace

CommandRunner add_gradcheck_command(CLI::App& app) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("gradcheck", "Check every layer's backward against finite differences");
  cmd->add_option("config", options->config, "The network config (JSON)")->required();
  cmd->add_option("--layer", options->layer, "Check only this layer (a name like conv1, or loss)");
  cmd->add_option("--samples", options->samples, "Samples in the random batch")
      ->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--eps", options->eps, "The step h (default 1e-2 in float, 1e-5 in double)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tolerance", options->tolerance, "The largest error that passes (default 1e-2 in float, "
                                                     "1e-6 in double)")->check(CLI::PositiveNumber);
  cmd->add_option("--elements", options->elements, "Elements checked per tensor, drawn at random (0: all)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the weights, the batch and the draws (default: the config's)");
  cmd->add_flag("--double", options->double_precision, "Check in double precision (float by default)");
  return [options] {
    set_num_threads(1);
    return options->double_precision ? run_gradcheck<double>(*options) : run_gradcheck<float>(*options);
  };
}

}  // namespace minicnn
