// minicnn predict RUN_OR_CHECKPOINT IMAGE...: the top classes of each image, with probabilities. The
// preprocessing is printed, so that an image unlike the training images (dark on light where training was
// light on dark) is visible rather than silently misclassified.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>

#include "apps/commands.hpp"
#include "datasets/preprocess.hpp"
#include "layers/softmax_cross_entropy.hpp"
#include "models/saved_model.hpp"

namespace minicnn {

CommandRunner add_predict_command(CLI::App& app) {
  struct Options {
    std::string model;
    std::vector<std::string> images;
    bool invert = false;
    int top = 3;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("predict", "Classify images (PNG, JPEG, ...) with a trained model");
  cmd->add_option("model", options->model, "A run directory or a checkpoint file")->required();
  cmd->add_option("images", options->images, "Image files")->required();
  cmd->add_flag("--invert", options->invert, "Use 1 - x: for dark-on-light images given to a light-on-dark model");
  cmd->add_option("--top", options->top, "How many classes to show")->capture_default_str()->check(CLI::PositiveNumber);
  return [options] {
    SavedModel model = load_saved_model(options->model);
    const Shape& input = model.config.input;
    const int channels = static_cast<int>(input[0]), height = static_cast<int>(input[1]), width = static_cast<int>(input[2]);
    const Normalization& norm = model.normalization;
    std::printf("preprocessing: %s, resized to %dx%d if needed, x/255%s, (x - %.4f) / %.4f\n",
                channels == 1 ? "grayscale" : "RGB", width, height, options->invert ? ", inverted (1 - x)" : "",
                norm.mean, norm.stddev);
    SoftmaxCrossEntropy<float> softmax;
    const std::vector<int32_t> no_label{0};
    for (const std::string& path : options->images) {
      const Image image = load_image(path, channels == 1 ? 1 : 3);
      const std::string size = std::to_string(image.width) + "x" + std::to_string(image.height);
      Tensor<float> x = image_to_input(image, input, options->invert);
      const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.numel());
      normalize_input(x, norm);
      const Tensor<float>& logits = model.net.forward(x, Context{});
      softmax.forward(logits, no_label);
      const Tensor<float>& p = softmax.probabilities();
      std::vector<int> order(p.numel());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
      std::printf("%s (%s, mean pixel %.2f; training mean %.2f)\n", path.c_str(), size.c_str(), mean, model.pixel_mean);
      if (std::fabs(mean - model.pixel_mean) > 0.35 && !options->invert)
        std::printf("  note: this image is much %s than the training images; if it is %s, try --invert\n",
                    mean > model.pixel_mean ? "brighter" : "darker",
                    mean > model.pixel_mean ? "dark on light" : "light on dark");
      for (int k = 0; k < std::min<int>(options->top, static_cast<int>(order.size())); ++k)
        std::printf("  %d. %-14s %6.2f%%\n", k + 1, model.class_names[order[k]].c_str(), 100 * p[order[k]]);
    }
    return 0;
  };
}

}  // namespace minicnn
