#include "inspect/filter_history.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "inspect/filter_grid.hpp"
#include "layers/conv2d.hpp"
#include "layers/softmax_cross_entropy.hpp"

namespace minicnn {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxScaleFileBytes = 4096;  // {"layer": NAME, "scale": VALUE}

std::string scale_path(const std::string& run_dir) { return run_dir + "/filters/scale.json"; }

void draw_weights(const std::string& run_dir, const std::string& layer, int epoch, const Tensor<float>& weight,
                  double scale) {
  const FilterGridOptions options{.value_scale = scale};
  const std::string what = layer + " weights " + epoch_words(epoch);
  save_png(filter_history_path(run_dir, epoch, ".png"), filter_grid(weight, options), grid_text(what, weight, options));
}

}  // namespace

std::string epoch_words(int epoch) { return epoch == 0 ? "as initialized" : "after epoch " + std::to_string(epoch); }

std::string filter_history_path(const std::string& run_dir, int epoch, const std::string& suffix) {
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%03d", epoch);
  return run_dir + "/filters/" + name + suffix;
}

std::vector<int> recorded_filter_epochs(const std::string& run_dir, int last_epoch) {
  std::vector<int> epochs;
  for (int epoch = 0; epoch <= last_epoch; ++epoch)
    if (fs::exists(filter_history_path(run_dir, epoch, ".npy"))) epochs.push_back(epoch);
  return epochs;
}

std::optional<RunFilterScale> read_run_filter_scale(const std::string& run_dir) {
  if (!fs::exists(scale_path(run_dir))) return std::nullopt;
  const std::string text = read_whole_file(scale_path(run_dir), kMaxScaleFileBytes, "filter scale file");
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    return RunFilterScale{j.at("layer").get<std::string>(), j.at("scale").get<double>()};
  } catch (const nlohmann::json::exception& e) {
    throw Error(scale_path(run_dir) + ": not the scale file minicnn writes: " + e.what());
  }
}

double record_filters(const std::string& run_dir, const std::string& layer, int epoch, const Tensor<float>& weight,
                      const Tensor<float>& gradient) {
  std::error_code ec;
  fs::create_directories(run_dir + "/filters", ec);
  if (ec) throw Error(run_dir + "/filters: cannot create the directory: " + ec.message());
  save_npy(filter_history_path(run_dir, epoch, ".npy"), weight);
  save_npy(filter_history_path(run_dir, epoch, "-grad.npy"), gradient);
  const FilterGridOptions gradient_options;
  save_png(filter_history_path(run_dir, epoch, "-grad.png"), filter_grid(gradient, gradient_options),
           grid_text(layer + " weight gradient dL/dW over the first " + std::to_string(kGradientImages) +
                         " training images, " + epoch_words(epoch),
                     gradient, gradient_options));

  // The run's scale over every recorded epoch up to this one.
  const std::vector<int> epochs = recorded_filter_epochs(run_dir, epoch);
  std::vector<Tensor<float>> weights;
  double scale = 0.0;
  for (const int e : epochs) {
    weights.push_back(e == epoch ? weight : load_npy(filter_history_path(run_dir, e, ".npy")).to_tensor<float>());
    scale = std::max(scale, max_abs(weights.back()));
  }
  const std::optional<RunFilterScale> previous = read_run_filter_scale(run_dir);
  const bool redraw_all = !previous || previous->layer != layer || previous->scale != scale;
  for (size_t k = 0; k < epochs.size(); ++k)
    if (redraw_all || epochs[k] == epoch) draw_weights(run_dir, layer, epochs[k], weights[k], scale);
  write_file_atomically(scale_path(run_dir), nlohmann::json{{"layer", layer}, {"scale", scale}}.dump() + "\n");
  return scale;
}

Tensor<float> conv_weight_gradient(Sequential<float>& net, size_t layer, const Tensor<float>& images,
                                   std::span<const int32_t> labels) {
  auto* conv = dynamic_cast<Conv2d<float>*>(&net.layer(layer));
  if (conv == nullptr) throw Error(net.layer(layer).name + " is not a convolution");
  SoftmaxCrossEntropy<float> loss;
  const Tensor<float>& logits = net.forward(images, Context{});
  loss.forward(logits, labels);
  net.zero_grad();
  loss.backward(net.output_gradient());
  net.backward(images);
  return conv->weight().grad;
}

}  // namespace minicnn
