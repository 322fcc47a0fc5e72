// minicnn featuremaps RUN_OR_CHECKPOINT IMAGE: what one layer of a trained network makes of one image, its
// activation maps as a grid beside the input (inspect/feature_maps.hpp). The image is prepared as
// `minicnn predict` prepares it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "datasets/preprocess.hpp"
#include "inspect/feature_maps.hpp"
#include "inspect/layer_choice.hpp"
#include "models/saved_model.hpp"

namespace minicnn {

CommandRunner add_featuremaps_command(CLI::App& app) {
  struct Options {
    std::string model, image, layer, out, normalize = "global";
    int scale = 0;
    bool invert = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("featuremaps", "Show one layer's activation maps for an image");
  cmd->add_option("model", o->model, "A run directory or a checkpoint file")->required();
  cmd->add_option("image", o->image, "An image (PNG, JPEG, ...), resized to the network's input if needed")->required();
  cmd->add_option("--layer", o->layer,
                  "A layer by name (relu1) or by its place in the config's layer list, from 0 (default: the first "
                  "convolution)");
  cmd->add_option("--scale", o->scale, "Pixels per activation (default: maps about 48 pixels tall)")->check(CLI::Range(1, 256));
  cmd->add_option("--normalize", o->normalize, "global: one scale for all maps; per-map: each map its own")
      ->check(CLI::IsMember({"global", "per-map"}))
      ->capture_default_str();
  cmd->add_flag("--invert", o->invert, "Use 1 - x: for dark-on-light images given to a light-on-dark model");
  cmd->add_option("--out", o->out, "The PNG to write (default: LAYER-featuremaps.png)");
  return [o] {
    SavedModel model = load_saved_model(o->model);
    const Shape& input = model.config.input;
    if (input[0] != 1 && input[0] != 3)
      throw Error(model.path + ": featuremaps shows gray or RGB inputs; this network takes " + std::to_string(input[0]) + " channels");
    const Image image = load_image(o->image, static_cast<int>(input[0]));
    Tensor<float> x = image_to_input(image, input, o->invert);
    normalize_input(x, model.normalization);
    const size_t index = choose_layer(model.net, o->layer);
    model.net.forward(x, Context{});
    const std::string& name = model.net.layer(index).name;
    const Tensor<float> maps = model.net.activation(index).sample(0);
    const std::string what = name + " output for " + std::filesystem::path(o->image).filename().string();
    const Picture picture = feature_map_picture(maps, input_to_image(x.sample(0), model.normalization), what,
                                                FeatureMapOptions{o->scale, o->normalize == "per-map"});
    const std::string out = o->out.empty() ? name + "-featuremaps.png" : o->out;
    save_png(out, picture.image, picture.text);
    const auto [low, high] = std::minmax_element(maps.begin(), maps.end());
    std::printf("%s: %s (%s), %lld maps of %lldx%lld for %s (input on the left), values %.4g to %.4g\n", out.c_str(),
                name.c_str(), model.net.layer(index).kind().c_str(), static_cast<long long>(maps.dim(0)),
                static_cast<long long>(maps.rank() == 3 ? maps.dim(1) : 1), static_cast<long long>(maps.rank() == 3 ? maps.dim(2) : 1),
                o->image.c_str(), *low, *high);
    return 0;
  };
}

}  // namespace minicnn
