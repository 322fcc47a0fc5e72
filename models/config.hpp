#pragma once
// A training config: one JSON file describing the input, the layers, the loss, the optimizer and its
// schedule, the data and the training settings. Every field and its default is in docs/config.md.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/shape.hpp"
#include "models/schedule.hpp"
#include "models/sequential.hpp"
#include "models/sgd.hpp"

namespace minicnn {

struct DataConfig {
  std::string format = "idx";  // idx | folder | bars (generated, datasets/synthetic.hpp)
  std::string path = "/usr/share/datasets/fashion-mnist";
  int train_images = 2000, test_images = 500;  // bars: how many to generate
  uint64_t seed = 1;                            // bars: the generator's seed
  std::string normalize = "scale";  // scale: x/255;  standardize: then (x - mean)/std of the training set
  double validation = 0.0;          // fraction of the training set held out
  bool resize = false;              // folder data: resize images of another size instead of refusing them
};

struct TrainingConfig {
  int epochs = 10;
  int batch_size = 64;
  uint64_t seed = 1;
  int threads = 0;  // 0: one per core
};

struct InspectConfig {
  int filters_every = 1;  // record the first layer's filters every N epochs (and at 0 and the last); 0: never
};

struct Config {
  std::string file;        // where it was read from, for messages
  Shape input;             // one sample: C x H x W
  nlohmann::json layers;   // the layer list, validated, with every default filled in
  SgdOptions sgd;
  Schedule schedule;
  DataConfig data;
  TrainingConfig training;
  InspectConfig inspect;
  nlohmann::json used;     // the whole config as applied, every default filled in
};

// Parses and validates a config; `file` names it in error messages. Throws Error on the first problem.
Config parse_config(const nlohmann::json& document, const std::string& file);
// Reads a config file (a JSON syntax error is reported with its line and column; a file over 1 MiB is
// refused unread).
Config load_config(const std::string& path);

// Parses JSON text read from `file`: a syntax error, or nesting deeper than 32 levels, is an Error naming
// the file.
nlohmann::json parse_json(const std::string& text, const std::string& file);

// Builds the network a config describes, shapes checked, parameters not yet initialized.
template <typename T>
void build_network(const Config& config, Sequential<T>& net);

// A layer type that a program adds to the built-in ones before it reads configs. It takes the fields of the
// built-in type `fields_of`, and its layer is the one that type makes, passed through `wrap`. The test suite
// adds layers with deliberately wrong backward passes this way, in a test-only build of the minicnn program,
// to show that `minicnn gradcheck` catches them.
template <typename T>
using LayerWrapper = std::function<std::unique_ptr<Layer<T>>(std::unique_ptr<Layer<T>>)>;
struct LayerTypeExtension {
  std::string type, fields_of;
  LayerWrapper<float> wrap_float;
  LayerWrapper<double> wrap_double;
};
void register_layer_type(LayerTypeExtension extension);

}  // namespace minicnn
