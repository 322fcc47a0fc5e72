#include "models/saved_model.hpp"

#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "models/checkpoint.hpp"

namespace minicnn {

SavedModel load_saved_model(const std::string& run_or_checkpoint) {
  SavedModel model;
  std::error_code ec;  // a path that cannot be inspected is taken as a file, which loading then reports
  model.path = std::filesystem::is_directory(run_or_checkpoint, ec) ? run_or_checkpoint + "/checkpoint.bin" : run_or_checkpoint;
  const Checkpoint checkpoint = load_checkpoint(model.path);
  model.config = parse_config(parse_json(checkpoint.config_json, model.path), model.path);
  try {
    const nlohmann::json meta = parse_json(checkpoint.metadata_json, model.path);
    model.class_names = meta.at("class_names").get<std::vector<std::string>>();
    model.normalization = {meta.at("normalization").at("mean").get<double>(), meta.at("normalization").at("stddev").get<double>()};
    model.pixel_mean = meta.value("pixel_mean", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw Error(model.path + ": the checkpoint's metadata is not what minicnn wrote: " + e.what());
  }
  build_network(model.config, model.net);
  const int64_t outputs = model.net.output_shape(model.net.size() - 1).numel();
  if (static_cast<int64_t>(model.class_names.size()) != outputs)
    throw Error(model.path + ": the checkpoint names " + std::to_string(model.class_names.size()) +
                " classes for a network with " + std::to_string(outputs) + " outputs");
  if (!(model.normalization.stddev > 0.0) || !std::isfinite(model.normalization.stddev) ||
      !std::isfinite(model.normalization.mean) || !std::isfinite(model.pixel_mean))
    throw Error(model.path + ": the checkpoint's normalization is not finite with a positive deviation");
  restore_params(checkpoint, model.net.params(), model.path);
  model.epoch = checkpoint.epoch;
  return model;
}

}  // namespace minicnn
