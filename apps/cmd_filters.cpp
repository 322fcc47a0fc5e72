// minicnn filters RUN_OR_CHECKPOINT: the kernels of one convolution layer, as a picture (a grid, see
// inspect/filter_grid.hpp) or as numbers (.npy, JSON, CSV); for the first layer also the nearest classical
// kernel of each (inspect/nearest_kernel.hpp).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "inspect/filter_grid.hpp"
#include "inspect/filter_history.hpp"
#include "inspect/layer_choice.hpp"
#include "inspect/nearest_kernel.hpp"
#include "layers/conv2d.hpp"
#include "models/saved_model.hpp"

namespace minicnn {
namespace {

struct FiltersOptions {
  std::string model, layer, out, normalize = "global", format;
  int scale = 8;
};

// --format, else the extension of --out, else png.
std::string output_format(const FiltersOptions& o) {
  if (!o.format.empty()) return o.format;
  const std::string extension = std::filesystem::path(o.out).extension().string();
  for (const char* known : {"npy", "json", "csv"})
    if (extension == std::string(".") + known) return known;
  return "png";
}

// weight[o][c][y][x] as nested JSON arrays.
nlohmann::json nested(const Tensor<float>& weight) {
  nlohmann::json filters = nlohmann::json::array();
  int64_t i = 0;
  for (int64_t o = 0; o < weight.dim(0); ++o) {
    nlohmann::json channels = nlohmann::json::array();
    for (int64_t c = 0; c < weight.dim(1); ++c) {
      nlohmann::json rows = nlohmann::json::array();
      for (int64_t y = 0; y < weight.dim(2); ++y) {
        nlohmann::json row = nlohmann::json::array();
        for (int64_t x = 0; x < weight.dim(3); ++x) row.push_back(weight[i++]);
        rows.push_back(row);
      }
      channels.push_back(rows);
    }
    filters.push_back(channels);
  }
  return filters;
}

std::string csv(const Tensor<float>& weight) {
  std::string text = "filter,channel,row,column,value\n";
  char line[128];
  int64_t i = 0;
  for (int64_t o = 0; o < weight.dim(0); ++o)
    for (int64_t c = 0; c < weight.dim(1); ++c)
      for (int64_t y = 0; y < weight.dim(2); ++y)
        for (int64_t x = 0; x < weight.dim(3); ++x) {
          std::snprintf(line, sizeof line, "%lld,%lld,%lld,%lld,%.9g\n", static_cast<long long>(o), static_cast<long long>(c),
                        static_cast<long long>(y), static_cast<long long>(x), weight[i++]);
          text += line;
        }
  return text;
}

}  // namespace

CommandRunner add_filters_command(CLI::App& app) {
  auto o = std::make_shared<FiltersOptions>();
  CLI::App* cmd = app.add_subcommand("filters", "Show the kernels a trained network learned (a picture or numbers)");
  cmd->add_option("model", o->model, "A run directory or a checkpoint file")->required();
  cmd->add_option("--layer", o->layer,
                  "A convolution layer by name (conv2) or by its place in the config's layer list, from 0 "
                  "(default: the first convolution)");
  cmd->add_option("--scale", o->scale, "Pixels per weight in the picture")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--normalize", o->normalize,
                  "global: one scale for all kernels, and for a run directory the run's scale, the same for every "
                  "epoch; per-filter: each kernel its own")
      ->check(CLI::IsMember({"global", "per-filter"}))
      ->capture_default_str();
  cmd->add_option("--format", o->format,
                  "png (a picture), npy (float32 [OC, IC, KH, KW] for numpy.load), json or csv (default: from the "
                  "--out extension, else png)")
      ->check(CLI::IsMember({"png", "npy", "json", "csv"}));
  cmd->add_option("--out", o->out, "The file to write (default: LAYER-filters.FORMAT)");
  return [o] {
    SavedModel model = load_saved_model(o->model);
    Sequential<float>& net = model.net;
    const size_t index = choose_layer(net, o->layer);
    auto* conv = dynamic_cast<Conv2d<float>*>(&net.layer(index));
    if (conv == nullptr) {
      std::string convolutions;
      for (size_t i = 0; i < net.size(); ++i)
        if (dynamic_cast<Conv2d<float>*>(&net.layer(i)) != nullptr)
          convolutions += (convolutions.empty() ? "" : ", ") + net.layer(i).name + " (layers[" + std::to_string(i) + "])";
      throw Error(net.layer(index).name + " (layers[" + std::to_string(index) + "]) is a " + net.layer(index).kind() +
                  ", not a convolution; the convolutions: " + (convolutions.empty() ? "none" : convolutions));
    }
    const std::string& name = net.layer(index).name;
    const Tensor<float>& weight = conv->weight().value;
    const std::string format = output_format(*o);
    const std::string out = o->out.empty() ? name + "-filters." + format : o->out;
    const std::string epoch = "epoch " + std::to_string(model.epoch);

    if (format == "png") {
      FilterGridOptions options;
      options.scale = o->scale;
      options.per_filter = o->normalize == "per-filter";
      std::string normalization = "per-filter normalization: each kernel scaled to its own largest |w|";
      if (!options.per_filter) {
        // The run's scale, when the checkpoint's directory recorded this layer: the same as every epoch's picture.
        const std::string run_dir = std::filesystem::path(model.path).parent_path().string();
        const std::optional<RunFilterScale> run = read_run_filter_scale(run_dir.empty() ? "." : run_dir);
        const bool of_run = run && run->layer == name;
        options.value_scale = std::max(max_abs(weight), of_run ? run->scale : 0.0);
        char text[160];
        std::snprintf(text, sizeof text, "global normalization: mid-gray is 0, white +%.4g, black -%.4g (%s)",
                      options.value_scale, options.value_scale,
                      of_run ? "the run's scale, as in every picture of its filters/" : "the layer's largest |w|");
        normalization = text;
      }
      save_png(out, filter_grid(weight, options), grid_text(name + " weights, " + epoch, weight, options));
      std::printf("%s: %s (%s), %lld filters of %s, %d pixels per weight; %s\n", out.c_str(), name.c_str(), epoch.c_str(),
                  static_cast<long long>(weight.dim(0)), weight.shape().without_batch().str().c_str(), o->scale,
                  normalization.c_str());
    } else {
      if (format == "npy") save_npy(out, weight);
      if (format == "json")
        write_file_atomically(out, nlohmann::json{{"layer", name}, {"epoch", model.epoch},
                                       {"shape", {weight.dim(0), weight.dim(1), weight.dim(2), weight.dim(3)}},
                                       {"weights", nested(weight)},
                                       {"bias", std::vector<float>(conv->bias().value.begin(), conv->bias().value.end())}}
                            .dump() + "\n");
      if (format == "csv") write_file_atomically(out, csv(weight));
      std::printf("%s: %s (%s) weights, float32 [%s] (filters, input channels, rows, columns)\n", out.c_str(), name.c_str(),
                  epoch.c_str(), weight.shape().str().c_str());
    }
    if (index == first_conv_layer(net)) {
      std::printf("\nthe nearest classical kernel of each filter (|cosine similarity|; 1 = the same up to scale and "
                  "sign):\n%s", format_kernel_matches(nearest_classical_kernels(weight)).c_str());
    }
    return 0;
  };
}

}  // namespace minicnn
