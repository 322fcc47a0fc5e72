#include "models/config.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <type_traits>
#include <sstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "layers/activation.hpp"
#include "layers/conv2d.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pool2d.hpp"
#include "models/config_reader.hpp"

namespace minicnn {

using nlohmann::json;

namespace {

const std::initializer_list<const char*> kLayerTypes = {
    "conv2d", "maxpool", "avgpool", "global_avgpool", "relu", "leaky_relu", "sigmoid", "tanh", "linear",
    "flatten", "dropout"};
const std::initializer_list<const char*> kInits = {"he_normal", "he_uniform", "xavier_normal", "xavier_uniform"};
const std::initializer_list<const char*> kConvAlgorithms = {"auto", "im2col", "winograd", "direct"};

std::vector<LayerTypeExtension>& extensions() {
  static std::vector<LayerTypeExtension> registered;
  return registered;
}

const LayerTypeExtension* find_extension(const json& type) {
  if (!type.is_string()) return nullptr;
  for (const LayerTypeExtension& e : extensions())
    if (e.type == type.get<std::string>()) return &e;
  return nullptr;
}

// Sane limits on what a config may ask for, far beyond any network minicnn trains; the shapes that follow
// from them are checked too (kMaxValuesPerImage, kMaxParameters in Sequential::build).
constexpr int64_t kMaxConfigBytes = 1 << 20;
constexpr size_t kMaxLayers = 1000;
constexpr int64_t kMaxWindow = 4096;   // kernel, stride, padding, dilation: keeps d·(k-1) far from overflowing
constexpr int64_t kMaxFilters = 65536;
constexpr int64_t kMaxUnits = 1 << 20;

// Reads "padding" of a convolution: an integer, a pair, "valid" (0) or "same" (the output keeps the input's
// size, which needs stride 1 and an odd dilated kernel: pad = d·(k-1)/2 on each side).
std::pair<int64_t, int64_t> read_conv_padding(ConfigReader& r, std::pair<int64_t, int64_t> kernel,
                                              std::pair<int64_t, int64_t> stride,
                                              std::pair<int64_t, int64_t> dilation) {
  if (!r.has("padding") || !r.raw("padding").is_string()) return r.pair("padding", {0, 0}, 0, kMaxWindow);
  const std::string mode = r.raw("padding").get<std::string>();
  if (mode == "valid") {
    r.record("padding", 0);
    return {0, 0};
  }
  if (mode != "same") r.fail("padding", "expected an integer, a pair, \"same\" or \"valid\", got \"" + mode + "\"");
  if (stride.first != 1 || stride.second != 1) r.fail("padding", "\"same\" needs stride 1");
  if (kernel.first % 2 == 0 || kernel.second % 2 == 0) r.fail("padding", "\"same\" needs an odd kernel size");
  const std::pair<int64_t, int64_t> pad{dilation.first * (kernel.first - 1) / 2, dilation.second * (kernel.second - 1) / 2};
  r.record("padding", pad.first == pad.second ? json(pad.first) : json::array({pad.first, pad.second}));
  return pad;
}

// Validates one layer object and returns it with every default filled in.
json read_layer(const json& object, const std::string& file, size_t index) {
  ConfigReader r(object, file, "layers[" + std::to_string(index) + "]");
  if (!r.has("type")) r.fail("type", "missing (one of conv2d, maxpool, avgpool, global_avgpool, relu, leaky_relu, sigmoid, tanh, linear, flatten, dropout)");
  const LayerTypeExtension* extension = find_extension(r.raw("type"));
  const std::string type = extension != nullptr ? extension->fields_of : r.choice("type", "", kLayerTypes);
  if (extension != nullptr) r.record("type", extension->type);
  if (r.has("name")) r.text("name", "");
  auto require = [&](const char* key, const char* what) { r.require(key, what); };
  if (type == "conv2d") {
    require("filters", "the number of output channels");
    require("kernel", "the kernel size, an integer or [height, width]");
    r.integer("filters", 1, 1, kMaxFilters);
    const auto kernel = r.pair("kernel", {1, 1}, 1, kMaxWindow);
    const auto stride = r.pair("stride", {1, 1}, 1, kMaxWindow);
    const auto dilation = r.pair("dilation", {1, 1}, 1, kMaxWindow);
    read_conv_padding(r, kernel, stride, dilation);
    r.boolean("bias", true);
    r.choice("init", "xavier_uniform", kInits);
    r.choice("algorithm", "auto", kConvAlgorithms);
  } else if (type == "maxpool" || type == "avgpool") {
    const auto kernel = r.pair("kernel", {2, 2}, 1, kMaxWindow);
    r.pair("stride", kernel, 1, kMaxWindow);  // as PyTorch: the stride defaults to the kernel size
    r.pair("padding", {0, 0}, 0, kMaxWindow);
  } else if (type == "leaky_relu") {
    r.number("negative_slope", 0.01, 0.0, 1.0);
  } else if (type == "linear") {
    require("units", "the number of outputs");
    r.integer("units", 1, 1, kMaxUnits);
    r.boolean("bias", true);
    r.choice("init", "xavier_uniform", kInits);
  } else if (type == "dropout") {
    r.number("p", 0.5, 0.0, 0.999);
  }
  r.finish();
  return r.used();
}

Schedule read_schedule(ConfigReader& r) {
  Schedule s;
  s.type = r.choice("type", "constant", {"constant", "step", "multistep", "exponential", "cosine"});
  if (s.type == "step") s.step_epochs = static_cast<int>(r.integer("step_epochs", 5, 1));
  if (s.type == "multistep") s.milestones = r.integers("milestones", {}, 1);
  if (s.type == "step" || s.type == "multistep" || s.type == "exponential") s.gamma = r.number("gamma", 0.1, 0.0, 1.0);
  if (s.type == "cosine") s.min_lr = r.number("min_lr", 0.0, 0.0, 1e9);
  s.warmup_epochs = static_cast<int>(r.integer("warmup_epochs", 0, 0));
  if (s.warmup_epochs > 0) s.warmup_start = r.number("warmup_start", 0.1, 0.0, 1.0);
  r.finish();
  return s;
}

std::pair<int, int> as_ints(const json& value) {
  if (value.is_array()) return {value[0].get<int>(), value[1].get<int>()};
  return {value.get<int>(), value.get<int>()};
}

template <typename T>
std::unique_ptr<Layer<T>> make_layer(const json& spec) {
  if (const LayerTypeExtension* extension = find_extension(spec["type"])) {
    json built_in = spec;
    built_in["type"] = extension->fields_of;
    if constexpr (std::is_same_v<T, float>) return extension->wrap_float(make_layer<T>(built_in));
    else return extension->wrap_double(make_layer<T>(built_in));
  }
  const std::string type = spec["type"];
  if (type == "conv2d") {
    Conv2dOptions o;
    o.out_channels = spec["filters"];
    std::tie(o.kernel_h, o.kernel_w) = as_ints(spec["kernel"]);
    std::tie(o.stride_h, o.stride_w) = as_ints(spec["stride"]);
    std::tie(o.pad_h, o.pad_w) = as_ints(spec["padding"]);
    std::tie(o.dilation_h, o.dilation_w) = as_ints(spec["dilation"]);
    o.bias = spec["bias"];
    o.init = parse_init(spec["init"]);
    const std::string algorithm = spec["algorithm"];
    o.algorithm = algorithm == "winograd" ? ConvAlgorithm::Winograd
                  : algorithm == "im2col" ? ConvAlgorithm::Im2col
                  : algorithm == "direct" ? ConvAlgorithm::Direct
                                          : ConvAlgorithm::Auto;
    return std::make_unique<Conv2d<T>>(o);
  }
  if (type == "maxpool" || type == "avgpool" || type == "global_avgpool") {
    Pool2dOptions o;
    o.method = type == "maxpool" ? PoolMethod::Max : PoolMethod::Average;
    o.global = type == "global_avgpool";
    if (!o.global) {
      std::tie(o.kernel_h, o.kernel_w) = as_ints(spec["kernel"]);
      std::tie(o.stride_h, o.stride_w) = as_ints(spec["stride"]);
      std::tie(o.pad_h, o.pad_w) = as_ints(spec["padding"]);
    }
    return std::make_unique<Pool2d<T>>(o);
  }
  if (type == "relu") return std::make_unique<Activation<T>>(ActivationKind::ReLU);
  if (type == "leaky_relu") return std::make_unique<Activation<T>>(ActivationKind::LeakyReLU, spec["negative_slope"]);
  if (type == "sigmoid") return std::make_unique<Activation<T>>(ActivationKind::Sigmoid);
  if (type == "tanh") return std::make_unique<Activation<T>>(ActivationKind::Tanh);
  if (type == "linear") return std::make_unique<Linear<T>>(LinearOptions{spec["units"], spec["bias"], parse_init(spec["init"])});
  if (type == "flatten") return std::make_unique<Flatten<T>>();
  return std::make_unique<Dropout<T>>(spec["p"].get<double>());
}

}  // namespace

Config parse_config(const json& document, const std::string& file) {
  Config config;
  config.file = file;
  ConfigReader top(document, file, "");

  ConfigReader input = top.object("input");
  config.input = Shape{input.integer("channels", 1, 1, 4096), input.integer("height", 28, 1, 65536),
                       input.integer("width", 28, 1, 65536)};
  input.finish();
  top.record("input", input.used());

  const json& layers = top.raw("layers");
  if (!layers.is_array() || layers.empty()) top.fail("layers", "expected a non-empty array of layer objects");
  if (layers.size() > kMaxLayers)
    top.fail("layers", std::to_string(layers.size()) + " layers, more than the " + std::to_string(kMaxLayers) +
                           " a network may have");
  config.layers = json::array();
  for (size_t i = 0; i < layers.size(); ++i) config.layers.push_back(read_layer(layers[i], file, i));
  top.record("layers", config.layers);

  top.choice("loss", "softmax_cross_entropy", {"softmax_cross_entropy"});

  ConfigReader optimizer = top.object("optimizer");
  optimizer.choice("type", "sgd", {"sgd"});
  config.sgd.learning_rate = optimizer.number("lr", 0.01, 0.0, 1e6);
  config.sgd.momentum = optimizer.number("momentum", 0.9, 0.0, 1.0);
  config.sgd.weight_decay = optimizer.number("weight_decay", 0.0, 0.0, 1e6);
  config.sgd.nesterov = optimizer.boolean("nesterov", false);
  if (config.sgd.nesterov && config.sgd.momentum <= 0) optimizer.fail("nesterov", "needs a positive momentum");
  ConfigReader schedule = optimizer.object("schedule");
  config.schedule = read_schedule(schedule);
  optimizer.record("schedule", schedule.used());
  optimizer.finish();
  top.record("optimizer", optimizer.used());

  ConfigReader data = top.object("data");
  config.data.format = data.choice("format", "idx", {"idx", "folder", "bars"});
  if (config.data.format == "bars") {
    config.data.train_images = static_cast<int>(data.integer("train_images", config.data.train_images, 1, 1000000));
    config.data.test_images = static_cast<int>(data.integer("test_images", config.data.test_images, 1, 1000000));
    config.data.seed = static_cast<uint64_t>(data.integer("seed", 1, 0, INT64_MAX));
  } else {
    config.data.path = data.text("path", config.data.path);
  }
  config.data.normalize = data.choice("normalize", "scale", {"scale", "standardize"});
  config.data.validation = data.number("validation", 0.0, 0.0, 0.9);
  config.data.resize = data.boolean("resize", false);
  data.finish();
  top.record("data", data.used());

  ConfigReader training = top.object("training");
  config.training.epochs = static_cast<int>(training.integer("epochs", 10, 1, 100000));
  config.training.batch_size = static_cast<int>(training.integer("batch_size", 64, 1, 65536));
  config.training.seed = static_cast<uint64_t>(training.integer("seed", 1, 0, INT64_MAX));
  config.training.threads = static_cast<int>(training.integer("threads", 0, 0, 1024));
  training.finish();
  top.record("training", training.used());

  ConfigReader inspect = top.object("inspect");
  config.inspect.filters_every = static_cast<int>(inspect.integer("filters_every", 1, 0, 100000));
  inspect.finish();
  top.record("inspect", inspect.used());
  top.finish();
  config.used = top.used();

  Sequential<float> shape_check;  // builds once so that a shape that does not fit is a config error
  build_network(config, shape_check);
  return config;
}

json parse_json(const std::string& text, const std::string& file) {
  // Deep nesting is refused while parsing: what minicnn writes nests 4 deep, and printing or copying a
  // value nested thousands deep would recurse as deep.
  constexpr int kMaxDepth = 32;
  const auto refuse_deep = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) && depth >= kMaxDepth)
      throw Error(file + ": invalid JSON: nested more than " + std::to_string(kMaxDepth) + " levels deep");
    return true;
  };
  try {
    return json::parse(text, refuse_deep);
  } catch (const json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ..." (or, for a number
    // too large for a double, "[json.exception.out_of_range.406] number overflow parsing '1e999'")
    const std::string message = e.what();
    const size_t at = message.find("] ");
    throw Error(file + ": invalid JSON: " + (at == std::string::npos ? message : message.substr(at + 2)));
  }
}

Config load_config(const std::string& path) {
  return parse_config(parse_json(read_whole_file(path, kMaxConfigBytes, "config"), path), path);
}

template <typename T>
void build_network(const Config& config, Sequential<T>& net) {
  for (const json& spec : config.layers) {
    Layer<T>& layer = net.add(make_layer<T>(spec));
    if (spec.contains("name")) layer.name = spec["name"];
  }
  try {
    net.build(config.input);
  } catch (const Error& e) {
    // Name the layer by its place in the config too: "layers[3] conv2: ..." (or "layers[3] conv2.weight: ...").
    const std::string message = e.what();
    for (size_t i = 0; i < net.size(); ++i)
      if (message.rfind(net.layer(i).name + ":", 0) == 0 || message.rfind(net.layer(i).name + ".", 0) == 0)
        throw Error(config.file + ": layers[" + std::to_string(i) + "] " + message);
    throw Error(config.file + ": " + message);
  }
}

template void build_network<float>(const Config&, Sequential<float>&);
template void build_network<double>(const Config&, Sequential<double>&);

void register_layer_type(LayerTypeExtension extension) {
  if (find_extension(extension.type) != nullptr ||
      std::find(kLayerTypes.begin(), kLayerTypes.end(), extension.type) != kLayerTypes.end())
    throw Error("layer type " + extension.type + " exists already");
  if (std::find(kLayerTypes.begin(), kLayerTypes.end(), extension.fields_of) == kLayerTypes.end())
    throw Error("layer type " + extension.type + ": " + extension.fields_of + " is not a built-in layer type");
  extensions().push_back(std::move(extension));
}

}  // namespace minicnn
